-- Every period a social-care measure is reported for, one row per council, period type and period, built from the
-- financial quarters inside the social-care reporting window: the quarter itself, a snapshot at its last day, the
-- financial year to date, the rolling 12 months to its last day, and (at Q4 only) the whole financial year.
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'social_care'

),

periods as (

    select la_code, 'quarter' as period_type, period_start, period_end from quarters
    union all
    select la_code, 'snapshot', period_start, period_end from quarters
    union all
    select la_code, 'year_to_date', make_date(financial_year, 4, 1), period_end from quarters
    union all
    select la_code, 'rolling_12_months', ((period_end + 1) - interval '12 months')::date, period_end from quarters
    union all
    select la_code, 'financial_year', make_date(financial_year, 4, 1), period_end from quarters
    where quarter_number = 4

)

select
    la_code,
    period_type,
    period_start,
    period_end,
    {{ financial_year('period_end') }} as financial_year

from periods

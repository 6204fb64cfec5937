-- Academic years to date: for every term of each council's school calendar, the period from 1 September (the
-- start of the academic year) to the last day of that term, inside the reporting window of each domain. School
-- census attendance is counted per term, so the year to date can only be measured at the end of a term:
-- the autumn term, the autumn and spring terms, the whole year (to the end of the summer term).
with

windows as (

    select * from {{ ref('stg_extract__manifests') }}

),

terms as (

    select * from {{ ref('int_school_term_dates') }}
    where period_type = 'term'

),

years_to_date as (

    select
        la_code,
        make_date(academic_year, 9, 1) as period_start,
        period_end,
        academic_year,
        academic_year_label || ' to the end of the ' || term_name || ' term' as period_label

    from terms

)

select
    windows.la_code,
    windows.domain,
    'academic_year_to_date' as period_type,
    years_to_date.period_start,
    years_to_date.period_end,
    years_to_date.period_label,
    {{ financial_year('years_to_date.period_end') }} as financial_year,
    years_to_date.academic_year

from years_to_date
inner join windows
    on windows.la_code = years_to_date.la_code
    and years_to_date.period_start >= windows.window_start
    and years_to_date.period_end <= windows.window_end

-- Every period of every calendar the scorecard uses, over the financial years its figures cover: financial
-- quarters, snapshots at quarter end, financial year to date, rolling twelve months and academic year to date at
-- each quarter end, financial years and months; plus every other period a figure is reported for (terms and half
-- terms follow school calendars). One row per period_type, period_start and period_end.
with

figures as (

    select distinct period_type, period_start, period_end from {{ ref('int_scorecard_values') }}

),

years as (

    select generate_series(
        coalesce((select min({{ financial_year('period_end') }}) from figures), {{ financial_year('current_date') }}),
        coalesce((select max({{ financial_year('period_end') }}) from figures), {{ financial_year('current_date') }})
    ) as financial_year

),

quarter_ends as (

    select
        years.financial_year,
        (make_date(years.financial_year, 4, 1) + (interval '3 months' * quarter.number))::date - 1 as quarter_end

    from years
    cross join generate_series(1, 4) as quarter (number)

),

generated as (

    select 'quarter' as period_type, ((quarter_end + 1) - interval '3 months')::date as period_start, quarter_end
        as period_end
    from quarter_ends
    union all
    select 'snapshot', ((quarter_end + 1) - interval '3 months')::date, quarter_end from quarter_ends
    union all
    select 'year_to_date', make_date(financial_year, 4, 1), quarter_end from quarter_ends
    union all
    select 'rolling_12_months', ((quarter_end + 1) - interval '12 months')::date, quarter_end from quarter_ends
    union all
    select
        'academic_year_to_date',
        make_date(case when extract(month from quarter_end) >= 9 then extract(year from quarter_end)::int
            else extract(year from quarter_end)::int - 1 end, 9, 1),
        quarter_end
    from quarter_ends
    union all
    select 'financial_year', make_date(financial_year, 4, 1), make_date(financial_year + 1, 3, 31) from years
    union all
    select 'month', month_start::date, (month_start + interval '1 month')::date - 1
    from years
    cross join generate_series(make_date(financial_year, 4, 1), make_date(financial_year + 1, 3, 1),
                               interval '1 month') as month_start

),

periods as (

    select period_type, period_start, period_end from generated
    union
    select period_type, period_start, period_end from figures

)

select
    period_type::text as period_type,
    period_start::date as period_start,
    period_end::date as period_end,
    {{ period_label('period_type', 'period_start', 'period_end') }}::text as period_label,
    {{ financial_year('period_end') }}::integer as financial_year,
    {{ financial_year_label(financial_year('period_end')) }}::text as financial_year_label,
    (((extract(month from period_end)::int + 8) / 3) % 4 + 1)::integer as financial_quarter,
    (case when extract(month from period_end) >= 9 then extract(year from period_end)::int
        else extract(year from period_end)::int - 1 end)::integer as academic_year,
    (period_end - period_start + 1)::integer as days,
    (period_end = (date_trunc('quarter', period_end) + interval '3 months')::date - 1)::boolean as ends_at_quarter_end

from periods

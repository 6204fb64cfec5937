-- Calendar months inside each council's reporting window, per domain: a month is reported when it starts on or
-- after the window's start and ends on or before the window's end (as for int_financial_quarters).
with

windows as (

    select * from {{ ref('stg_extract__manifests') }}

),

months as (

    select
        windows.la_code,
        windows.domain,
        windows.window_start,
        windows.window_end,
        month_start::date as period_start,
        (month_start + interval '1 month' - interval '1 day')::date as period_end

    from windows
    cross join lateral generate_series(
        date_trunc('month', windows.window_start), windows.window_end, interval '1 month'
    ) as month_start

)

select
    la_code,
    domain,
    'month' as period_type,
    period_start,
    period_end,
    {{ period_label("'month'", 'period_start', 'period_end') }} as period_label,
    {{ financial_year('period_end') }} as financial_year,
    (case when extract(month from period_end) >= 9 then extract(year from period_end)::int
        else extract(year from period_end)::int - 1 end) as academic_year

from months
where period_start >= window_start
    and period_end <= window_end

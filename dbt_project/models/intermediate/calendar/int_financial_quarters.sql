-- Financial quarters (Q1 = April to June) inside each council's reporting window, per domain: a quarter is
-- reported when it starts on or after the window's start and ends on or before the window's end.
with

windows as (

    select * from {{ ref('stg_extract__manifests') }}

),

spine as (

    select
        quarter_start::date as period_start,
        (quarter_start + interval '3 months' - interval '1 day')::date as period_end

    from generate_series(date '2000-01-01', date '2040-10-01', interval '3 months') as quarter_start

)

select
    windows.la_code,
    windows.domain,
    spine.period_start,
    spine.period_end,
    {{ financial_year('spine.period_start') }} as financial_year,
    ((extract(month from spine.period_start)::int + 8) / 3) % 4 + 1 as quarter_number,
    {{ period_label("'quarter'", 'spine.period_start', 'spine.period_end') }} as period_label

from spine
inner join windows
    on spine.period_start >= windows.window_start
    and spine.period_end <= windows.window_end

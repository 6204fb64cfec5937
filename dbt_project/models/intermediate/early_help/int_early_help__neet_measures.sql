{{ config(**council_incremental_config()) }}
-- Young people in academic years 12 and 13 not in education, employment or training, at the end of each financial
-- quarter (the month-end tracking snapshot taken on the quarter's last day): how many (P&EH008), and as a
-- percentage of all young people in the snapshot, those whose activity is not known included (P&EH009). The
-- tracking comes with the education extracts, so the quarters are those of its window.
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'education'
        and {{ councils_to_rebuild() }}

),

tracking as (

    select * from {{ ref('stg_education__neet_activity') }}
    where {{ councils_to_rebuild() }}

),

counts as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(tracking.young_person_key) filter (where tracking.activity_group = 'NEET') as neet,
        count(tracking.young_person_key) as tracked

    from quarters
    left join tracking
        on tracking.la_code = quarters.la_code
        and tracking.snapshot_date = quarters.period_end
    group by 1, 2, 3

),

measures as (

    select la_code, 'P&EH008' as measure_ref, period_start, period_end,
        neet::numeric as numerator, null::numeric as denominator, neet::numeric as value
    from counts
    union all
    select la_code, 'P&EH009', period_start, period_end, neet, tracked, trim_scale(100.0 * neet / nullif(tracked, 0))
    from counts

)

select
    la_code,
    measure_ref,
    'snapshot' as period_type,
    period_start,
    period_end,
    numerator,
    denominator,
    value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures

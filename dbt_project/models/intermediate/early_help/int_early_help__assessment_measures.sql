{{ config(**council_incremental_config()) }}
-- Early help assessments and plans open at the end of each financial quarter (snapshot): how many (P&EH001), and
-- the percentage led by the council's Prevention service, lead_agency_type COUNCIL (P&EH002). An assessment/plan is
-- open on a day between its start_date (inclusive) and end_date (exclusive).
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'early_help'
        and {{ councils_to_rebuild() }}

),

assessments as (

    select * from {{ ref('stg_early_help__assessments') }}
    where {{ councils_to_rebuild() }}

),

open_at_quarter_end as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(assessments.assessment_id) as open_assessments,
        count(assessments.assessment_id) filter (where assessments.lead_agency_type = 'COUNCIL') as council_led

    from quarters
    left join assessments
        on assessments.la_code = quarters.la_code
        and assessments.start_date <= quarters.period_end
        and (assessments.end_date is null or assessments.end_date > quarters.period_end)
    group by 1, 2, 3

),

measures as (

    select la_code, 'P&EH001' as measure_ref, period_start, period_end,
        open_assessments::numeric as numerator, null::numeric as denominator, open_assessments::numeric as value
    from open_at_quarter_end
    union all
    select la_code, 'P&EH002', period_start, period_end, council_led, open_assessments,
        trim_scale(100.0 * council_led / nullif(open_assessments, 0))
    from open_at_quarter_end

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

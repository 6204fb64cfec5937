{{ config(**council_incremental_config()) }}
-- Initial health assessments (IHA) of children who started to be looked after in each financial quarter (one row
-- per period of care in the IHA records, by its start date DECOM):
--   PI2.10  the IHA was requested within 48 hours of coming into care: counting from the start of DECOM, by the end
--           of the next day (the request's time of day is not kept in staging, and DECOM has none), so a request
--           49 hours after the child came into care, two days after DECOM, is late
--   PI2.11  the IHA was completed by a paediatrician within 20 working days of DECOM (working days after DECOM up
--           to and including the completion date, macros/working_days.sql; the 20th working day is in time)
-- Both are percentages of all children who came into care in the quarter.
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'health'
        and {{ councils_to_rebuild() }}

),

assessments as (

    select
        *,
        requested_date <= care_start_date + 1 as is_requested_in_time,
        completed_by = 'PAEDIATRICIAN'
            and {{ working_days_between('care_start_date', 'completed_date') }} <= 20
            as is_completed_by_paediatrician_in_time

    from {{ ref('stg_health__initial_health_assessments') }}
    where {{ councils_to_rebuild() }}

),

counts as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(assessments.child_key) filter (where assessments.is_requested_in_time) as requested_in_time,
        count(assessments.child_key) filter (where assessments.is_completed_by_paediatrician_in_time)
            as completed_in_time,
        count(assessments.child_key) as entered_care

    from quarters
    left join assessments
        on assessments.la_code = quarters.la_code
        and assessments.care_start_date between quarters.period_start and quarters.period_end
    group by 1, 2, 3

),

measures as (

    select la_code, 'PI2.10' as measure_ref, period_start, period_end,
        requested_in_time as numerator, entered_care as denominator
    from counts
    union all
    select la_code, 'PI2.11', period_start, period_end, completed_in_time, entered_care
    from counts

)

select
    la_code,
    measure_ref,
    'quarter' as period_type,
    period_start,
    period_end,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    trim_scale(100.0 * numerator / nullif(denominator, 0)) as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures

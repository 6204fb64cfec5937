{{ config(**council_incremental_config()) }}
-- PI2.12, a snapshot at the end of each financial quarter: children looked after continuously for 12 months or
-- more on that day (their period of care started on or before the first day of the 12 months ending on it, and
-- they are still looked after at its end), and of them the percentage with a health assessment (an initial or a
-- review health assessment completed) in those 12 months.
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'health'
        and {{ councils_to_rebuild() }}

),

periods_of_care as (

    select * from {{ ref('int_health__periods_of_care') }}
    where {{ councils_to_rebuild() }}

),

initial_assessments as (

    select * from {{ ref('stg_health__initial_health_assessments') }}
    where {{ councils_to_rebuild() }}

),

review_assessments as (

    select * from {{ ref('stg_health__review_health_assessments') }}
    where {{ councils_to_rebuild() }}

),

health_assessments as (

    select la_code, child_key, completed_date from initial_assessments where completed_date is not null
    union all
    select la_code, child_key, completed_date from review_assessments where completed_date is not null

),

looked_after_12_months as (

    select distinct
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        ((quarters.period_end + 1) - interval '12 months')::date as year_start,
        periods_of_care.child_key

    from quarters
    inner join periods_of_care
        on periods_of_care.la_code = quarters.la_code
        and periods_of_care.period_start <= ((quarters.period_end + 1) - interval '12 months')::date
        and (periods_of_care.period_end is null or periods_of_care.period_end > quarters.period_end)

),

-- The children of each quarter with a health assessment in their 12 months: a join over each child's few
-- assessments, not an exists per child and quarter (a subquery in the select list ran once per row, and each run
-- scanned every council's assessment batches: 0.5 s for one council's 4 rows at 8 councils, 0.01 s joined).
assessed as (

    select distinct
        looked_after_12_months.la_code,
        looked_after_12_months.period_end,
        looked_after_12_months.child_key

    from looked_after_12_months
    inner join health_assessments
        on health_assessments.la_code = looked_after_12_months.la_code
        and health_assessments.child_key = looked_after_12_months.child_key
        and health_assessments.completed_date between looked_after_12_months.year_start
            and looked_after_12_months.period_end

),

-- (la_code, period_end, child_key) is unique in looked_after_12_months, so the left join keeps its rows
checked as (

    select
        looked_after_12_months.*,
        assessed.child_key is not null as has_health_assessment

    from looked_after_12_months
    left join assessed
        on assessed.la_code = looked_after_12_months.la_code
        and assessed.period_end = looked_after_12_months.period_end
        and assessed.child_key = looked_after_12_months.child_key

),

counts as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(checked.child_key) filter (where checked.has_health_assessment) as checked,
        count(checked.child_key) as looked_after

    from quarters
    left join checked
        on checked.la_code = quarters.la_code
        and checked.period_end = quarters.period_end
    group by 1, 2, 3

)

select
    la_code,
    'PI2.12' as measure_ref,
    'snapshot' as period_type,
    period_start,
    period_end,
    checked::numeric as numerator,
    looked_after::numeric as denominator,
    trim_scale(100.0 * checked / nullif(looked_after, 0)) as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from counts

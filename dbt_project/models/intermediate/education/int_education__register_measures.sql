{{ config(**council_incremental_config()) }}
-- Register counts, snapshots at the end of each financial quarter: children on the elective home education register
-- (Ed&S008) and children missing education with an active case (Ed&S009, however long it has been open; 2017-18
-- printed cases open 12 weeks or less and 12 weeks or more apart). A child is on a register on a day between its
-- start_date (inclusive) and end_date (exclusive).
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'education'
        and {{ councils_to_rebuild() }}

),

home_education as (

    select * from {{ ref('stg_education__elective_home_education') }}
    where {{ councils_to_rebuild() }}

),

missing_education as (

    select * from {{ ref('stg_education__children_missing_education') }}
    where {{ councils_to_rebuild() }}

),

home_educated as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(distinct home_education.pupil_key) as numerator

    from quarters
    left join home_education
        on home_education.la_code = quarters.la_code
        and home_education.start_date <= quarters.period_end
        and (home_education.end_date is null or home_education.end_date > quarters.period_end)
    group by 1, 2, 3

),

missing as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(missing_education.register_id) as numerator

    from quarters
    left join missing_education
        on missing_education.la_code = quarters.la_code
        and missing_education.start_date <= quarters.period_end
        and (missing_education.end_date is null or missing_education.end_date > quarters.period_end)
    group by 1, 2, 3

),

measures as (

    select la_code, 'Ed&S008' as measure_ref, period_start, period_end, numerator from home_educated
    union all
    select la_code, 'Ed&S009', period_start, period_end, numerator from missing

)

select
    la_code,
    measure_ref,
    'snapshot' as period_type,
    period_start,
    period_end,
    numerator::numeric as numerator,
    null::numeric as denominator,
    numerator::numeric as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures

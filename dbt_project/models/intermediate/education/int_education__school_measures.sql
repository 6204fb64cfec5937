{{ config(**council_incremental_config()) }}
-- Schools measures, snapshots at the end of each financial quarter: how many academies and maintained schools are
-- open (PI6.1, PI6.2) and the percentage of inspected primary, secondary and special schools judged good (2) or
-- outstanding (1) by the judgement in force (Ed&S001-Ed&S003). Schools with no judgement yet are left out of the
-- percentages.
with

judged as (

    select * from {{ ref('int_education__school_judgements') }}
    where {{ councils_to_rebuild() }}

),

per_quarter as (

    select
        la_code,
        period_start,
        period_end,
        count(*) filter (where school_type = 'Academy') as academies,
        count(*) filter (where school_type = 'Maintained') as maintained_schools,
        count(*) filter (where phase = 'Primary' and overall_effectiveness is not null) as primary_inspected,
        count(*) filter (where phase = 'Primary' and overall_effectiveness in (1, 2)) as primary_good,
        count(*) filter (where phase = 'Secondary' and overall_effectiveness is not null) as secondary_inspected,
        count(*) filter (where phase = 'Secondary' and overall_effectiveness in (1, 2)) as secondary_good,
        count(*) filter (where phase = 'Special' and overall_effectiveness is not null) as special_inspected,
        count(*) filter (where phase = 'Special' and overall_effectiveness in (1, 2)) as special_good

    from judged
    group by la_code, period_start, period_end

),

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'education'
        and {{ councils_to_rebuild() }}

),

-- every quarter of the window, with zeros where no school was open
counts as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        coalesce(per_quarter.academies, 0) as academies,
        coalesce(per_quarter.maintained_schools, 0) as maintained_schools,
        coalesce(per_quarter.primary_inspected, 0) as primary_inspected,
        coalesce(per_quarter.primary_good, 0) as primary_good,
        coalesce(per_quarter.secondary_inspected, 0) as secondary_inspected,
        coalesce(per_quarter.secondary_good, 0) as secondary_good,
        coalesce(per_quarter.special_inspected, 0) as special_inspected,
        coalesce(per_quarter.special_good, 0) as special_good

    from quarters
    left join per_quarter
        on per_quarter.la_code = quarters.la_code
        and per_quarter.period_start = quarters.period_start

),

measures as (

    select la_code, 'PI6.1' as measure_ref, period_start, period_end,
        academies as numerator, null::bigint as denominator
    from counts
    union all
    select la_code, 'PI6.2', period_start, period_end, maintained_schools, null
    from counts
    union all
    select la_code, 'Ed&S001', period_start, period_end, primary_good, primary_inspected
    from counts
    union all
    select la_code, 'Ed&S002', period_start, period_end, secondary_good, secondary_inspected
    from counts
    union all
    select la_code, 'Ed&S003', period_start, period_end, special_good, special_inspected
    from counts

)

select
    la_code,
    measure_ref,
    'snapshot' as period_type,
    period_start,
    period_end,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    case
        when denominator is null then numerator::numeric
        else trim_scale(100.0 * numerator / nullif(denominator, 0))
    end as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures

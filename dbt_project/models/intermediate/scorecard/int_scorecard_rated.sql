-- Each scorecard figure with everything the published scorecard shows: its target and benchmarks, the computed
-- red/amber/green rating with its reason, the direction of travel, and any manual override (rag_overrides seed)
-- beside the computed rating, never instead of it. Tolerances, polarity, thresholds and targets are data: changing
-- the catalogue and running `scorecard build` changes the rating, with no code change.
with

rag as (

    select * from {{ ref('int_scorecard_rag') }}

),

direction as (

    select * from {{ ref('int_scorecard_direction') }}

),

overrides as (

    -- the latest override for each council, measure and period
    select distinct on (la_code, measure_ref, period_type, period_start, period_end)
        la_code,
        measure_ref,
        period_type,
        period_start,
        period_end,
        rag as rag_override,
        reason as rag_override_reason,
        author as rag_override_by,
        recorded_at as rag_override_recorded_at

    from {{ ref('rag_overrides') }}
    order by la_code, measure_ref, period_type, period_start, period_end, recorded_at desc

)

select
    rag.la_code,
    rag.measure_ref,
    rag.measure_name,
    rag.period_type,
    rag.period_start,
    rag.period_end,
    rag.source,
    rag.value,
    rag.numerator,
    rag.denominator,
    rag.value_status,
    rag.value_text,
    rag.definition_changed,
    rag.printed_refs,
    rag.section,
    rag.domain,
    rag.unit,
    rag.polarity,
    rag.decimals,
    rag.rated,
    rag.financial_year,
    case when rag.target_comparator <> 'range' then rag.target_value end as target,
    rag.target_text,
    rag.target_lower,
    rag.target_upper,
    rag.target_basis,
    rag.rating_basis,
    rag.compare_value,
    rag.compare_lower,
    rag.compare_upper,
    rag.neighbour_average,
    rag.neighbours_with_value,
    rag.england_value,
    rag.national_rank,
    rag.councils_ranked,
    rag.quartile_band,
    rag.benchmark_year_text,
    rag.rag,
    rag.rag_reason,
    overrides.rag_override,
    overrides.rag_override_reason,
    overrides.rag_override_by,
    overrides.rag_override_recorded_at,
    direction.previous_value,
    direction.direction_movement,
    direction.direction_of_travel,
    direction.year_ago_value,
    direction.year_on_year_movement,
    direction.direction_year_on_year

from rag
left join direction
    on direction.la_code = rag.la_code
    and direction.measure_ref = rag.measure_ref
    and direction.period_type = rag.period_type
    and direction.period_start = rag.period_start
    and direction.period_end = rag.period_end
    and direction.source = rag.source
left join overrides
    on overrides.la_code = rag.la_code
    and overrides.measure_ref = rag.measure_ref
    and overrides.period_type = rag.period_type
    and overrides.period_start = rag.period_start
    and overrides.period_end = rag.period_end

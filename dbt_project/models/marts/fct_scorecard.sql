-- The published scorecard: one row per council, measure, period and source (record_level or return). Aggregates
-- only: no child identifier. Column names are fixed by docs/CONVENTIONS.md ("The published scorecard").
with

rated as (

    select * from {{ ref('int_scorecard_rated') }}

)

select
    la_code::text as la_code,
    measure_ref::text as measure_ref,
    measure_name::text as measure_name,
    period_type::text as period_type,
    period_start::date as period_start,
    period_end::date as period_end,
    {{ period_label('period_type', 'period_start', 'period_end') }}::text as period_label,
    value::numeric as value,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    target::numeric as target,
    target_text::text as target_text,
    target_lower::numeric as target_lower,
    target_upper::numeric as target_upper,
    rag::text as rag,
    rag_reason::text as rag_reason,
    previous_value::numeric as previous_value,
    direction_movement::text as direction_movement,
    direction_of_travel::text as direction_of_travel,
    section::text as section,
    domain::text as domain,
    unit::text as unit,
    polarity::text as polarity,
    decimals::integer as decimals,
    financial_year::integer as financial_year,
    source::text as source,
    value_status::text as value_status,
    value_text::text as value_text,
    neighbour_average::numeric as neighbour_average,
    england_value::numeric as england_value,
    national_rank::integer as national_rank,
    quartile_band::text as quartile_band,
    rag_override::text as rag_override,
    rag_override_reason::text as rag_override_reason,
    rag_override_by::text as rag_override_by,
    year_ago_value::numeric as year_ago_value,
    direction_year_on_year::text as direction_year_on_year,
    definition_changed::boolean as definition_changed,
    rag_override_recorded_at::timestamp as rag_override_recorded_at,
    rating_basis::text as rating_basis,
    compare_value::numeric as compared_value,
    target_basis::text as target_basis,
    year_on_year_movement::text as year_on_year_movement,
    neighbours_with_value::integer as neighbours_with_value,
    councils_ranked::integer as councils_ranked,
    benchmark_year_text::text as benchmark_year,
    printed_refs::text as printed_refs

from rated

-- One row per council and measure, for BI tools that want a flat table: the measure's latest published period
-- beside the period before it (same period type and source). Aggregates only: no child identifier.
-- A year-end row is the current one only when nothing later is published (a snapshot's year end and its Q4 share
-- a date); a record-level figure is preferred to a hand-typed return for the same period.
{{ config(materialized='view') }}

with

scorecard as (

    select * from {{ ref('fct_scorecard') }}

),

with_previous as (

    select
        scorecard.*,
        lag(period_label) over same_series as previous_period_label,
        lag(period_end) over same_series as previous_period_end,
        lag(value) over same_series as previous_period_value,
        lag(value_text) over same_series as previous_value_text,
        row_number() over (
            partition by la_code, measure_ref
            order by
                period_end desc,
                case when period_type = 'financial_year' then 1 else 0 end,
                case when source = 'record_level' then 0 else 1 end,
                period_start desc
        ) as recency

    from scorecard
    window same_series as (
        partition by la_code, measure_ref, period_type, source
        order by period_end, period_start
    )

)

select
    la_code::text as la_code,
    measure_ref::text as measure_ref,
    measure_name::text as measure_name,
    section::text as section,
    domain::text as domain,
    unit::text as unit,
    polarity::text as polarity,
    period_type::text as period_type,
    source::text as source,
    period_label::text as current_period_label,
    period_start::date as current_period_start,
    period_end::date as current_period_end,
    value::numeric as current_value,
    value_text::text as current_value_text,
    value_status::text as current_value_status,
    previous_period_label::text as previous_period_label,
    previous_period_end::date as previous_period_end,
    previous_period_value::numeric as previous_value,
    previous_value_text::text as previous_value_text,
    (value - previous_period_value)::numeric as change,
    target_text::text as target_text,
    rag::text as rag,
    rag_override::text as rag_override,
    coalesce(rag_override, rag)::text as rag_shown,
    rag_reason::text as rag_reason,
    direction_movement::text as direction_movement,
    direction_of_travel::text as direction_of_travel,
    neighbour_average::numeric as neighbour_average,
    england_value::numeric as england_value,
    year_ago_value::numeric as year_ago_value,
    coalesce(definition_changed, false)::boolean as definition_changed

from with_previous
where recency = 1

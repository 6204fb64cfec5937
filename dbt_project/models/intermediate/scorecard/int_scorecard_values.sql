-- Every scorecard figure from both sources side by side: the record-level measures (int_measure_values) and the
-- hand-typed returns (int_return_measure_values), each with its catalogue entry. Where both exist for the same
-- measure and period, both rows are kept (source tells them apart) so the difference is visible.
{{ config(materialized='table') }}  -- read several times per build: computed once
with

record_level as (

    select
        la_code,
        measure_ref,
        period_type,
        period_start,
        period_end,
        'record_level'::text as source,
        numerator,
        denominator,
        value,
        case when value is null then 'missing' else 'reported' end as value_status,
        null::text as value_text,
        null::text as printed_unit,
        null::numeric as printed_cumulative,
        null::numeric as band_lower,
        null::numeric as band_upper,
        false as definition_changed,
        null::text as printed_refs

    from {{ ref('int_measure_values') }}

),

returned as (

    select
        la_code,
        measure_ref,
        period_type,
        period_start,
        period_end,
        'return'::text as source,
        null::numeric as numerator,
        null::numeric as denominator,
        value,
        value_status,
        value_text,
        printed_unit,
        printed_cumulative,
        band_lower,
        band_upper,
        definition_changed,
        printed_refs

    from {{ ref('int_return_measure_values') }}

),

unioned as (

    select * from record_level
    union all
    select * from returned

),

measures as (

    select * from {{ ref('measures') }}

)

select
    unioned.*,
    measures.measure_name,
    measures.section,
    measures.domain,
    measures.unit,
    measures.polarity,
    measures.decimals,
    coalesce(measures.rated, false) as rated,
    measures.amber_tolerance,
    measures.tolerance_type,
    measures.stable_threshold,
    -- The reporting year is the financial year the period ends in (a rolling year to June 2019 reports in 2019-20).
    {{ financial_year('unioned.period_end') }} as financial_year,
    -- The unit the figure is in: the return's printed unit where it printed one, else the catalogue's.
    coalesce(unioned.printed_unit, case when measures.unit = 'percent' then 'percent' else 'number' end)
        as value_unit

from unioned
left join measures
    on measures.measure_ref = unioned.measure_ref

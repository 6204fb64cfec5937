-- The measure catalogue as BI reads it: one row per measure_ref, with the refs it was printed under in each
-- scorecard, whether its definition changed between them, its LAIT benchmark and its fallback comparator.
with

measures as (

    select * from {{ ref('measures') }}

),

refs as (

    select
        measure_ref,
        string_agg(printed_ref, ', ' order by printed_ref) filter (where scorecard_year = '2017-18')
            as printed_refs_2017_18,
        string_agg(printed_ref, ', ' order by printed_ref) filter (where scorecard_year = '2019-20')
            as printed_refs_2019_20,
        bool_or(definition_changed) as definition_changed

    from {{ ref('measure_refs') }}
    group by 1

),

lait as (

    select measure_ref, string_agg(lait_short_desc, '; ' order by lait_short_desc) as lait_measure
    from {{ ref('benchmark_measures') }}
    group by 1

),

fallbacks as (

    select measure_ref, compare_with from {{ ref('rag_fallbacks') }}

)

select
    measures.measure_ref::text as measure_ref,
    measures.measure_name::text as measure_name,
    measures.section::text as section,
    measures.domain::text as domain,
    measures.unit::text as unit,
    measures.polarity::text as polarity,
    measures.period_type::text as period_type,
    measures.decimals::integer as decimals,
    measures.rated::boolean as rated,
    measures.amber_tolerance::numeric as amber_tolerance,
    measures.tolerance_type::text as tolerance_type,
    measures.stable_threshold::numeric as stable_threshold,
    measures.responsible_officer::text as responsible_officer,
    measures.lead::text as lead,
    measures.plan_priorities::text as plan_priorities,
    measures.definition::text as definition,
    measures.source::text as source,
    refs.printed_refs_2017_18::text as printed_refs_2017_18,
    refs.printed_refs_2019_20::text as printed_refs_2019_20,
    coalesce(refs.definition_changed, false)::boolean as definition_changed,
    lait.lait_measure::text as lait_measure,
    fallbacks.compare_with::text as rag_fallback

from measures
left join refs
    on refs.measure_ref = measures.measure_ref
left join lait
    on lait.measure_ref = measures.measure_ref
left join fallbacks
    on fallbacks.measure_ref = measures.measure_ref

-- Who makes up each record-level social-care figure: one row per council, measure, period, child and role
-- (numerator or denominator), with the child's pseudonymised key and how much the child contributes. Summing
-- contribution by role gives the numerator and denominator published in fct_scorecard (only figures that are
-- published are here). Keys are the keyed hashes the loader made; no raw identifier is in the warehouse.
-- Internal: for analysts who may see record-level data.
with

members as (

    select * from {{ ref('int_social_care__measure_members') }}

),

published as (

    select * from {{ ref('int_measures_social_care') }}

)

select
    members.la_code::text as la_code,
    members.measure_ref::text as measure_ref,
    members.period_type::text as period_type,
    members.period_start::date as period_start,
    members.period_end::date as period_end,
    {{ period_label('members.period_type', 'members.period_start', 'members.period_end') }}::text as period_label,
    members.child_key::text as child_key,
    members.role::text as role,
    members.contribution::numeric as contribution

from members
where exists (
    select 1
    from published
    where published.la_code = members.la_code
        and published.measure_ref = members.measure_ref
        and published.period_type = members.period_type
        and published.period_start = members.period_start
        and published.period_end = members.period_end
)

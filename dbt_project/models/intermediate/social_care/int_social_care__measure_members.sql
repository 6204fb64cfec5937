{{ config(**council_incremental_config()) }}
-- Every child (by pseudonymised key) who makes up a social-care measure, one row per council, measure, period,
-- child and role (numerator or denominator), with how much the child contributes: summing contribution by role
-- gives the measure's numerator and denominator (int_measures_social_care). Rates take their denominator from the
-- population, and the caseload (CSC018) counts social workers' cases, so those have no denominator rows here.
{% set member_models = [
    'int_social_care__front_door_members',
    'int_social_care__need_and_protection_members',
    'int_social_care__cared_for_members',
    'int_social_care__care_leaver_members',
    'int_social_care__adoption_members',
] %}
{% for model in member_models %}
select
    la_code::text as la_code,
    measure_ref::text as measure_ref,
    period_type::text as period_type,
    period_start::date as period_start,
    period_end::date as period_end,
    child_key::text as child_key,
    role::text as role,
    contribution::numeric as contribution,
    {{ council_inputs_watermark() }} as _inputs_watermark
from {{ ref(model) }}
where {{ councils_to_rebuild() }}
{% if not loop.last %}union all{% endif %}
{% endfor %}

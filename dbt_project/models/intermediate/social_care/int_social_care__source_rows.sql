-- How many rows each council delivered of each social-care source table, for telling a measure whose source was
-- never delivered (no figure) from a true zero. A measure is computed when the first table its catalogue entry
-- names (measures.source) has rows for the council.
{% set sources = {
    'cin_details': 'stg_cin__referrals',
    'cin_assessments': 'stg_cin__assessments',
    'cin_section47': 'stg_cin__section47_enquiries',
    'cin_child_protection_plans': 'stg_cin__protection_plans',
    'cin_cpp_reviews': 'stg_cin__protection_plan_reviews',
    'cin_plan_dates': 'stg_cin__cin_plans',
    'contacts': 'stg_social_care_local__contacts',
    'social_worker_caseloads': 'stg_social_care_local__caseloads',
    'child_population': 'stg_social_care_local__child_population',
    'placement_distances': 'stg_social_care_local__placement_distances',
    'ssda903_episodes': 'stg_ssda903__episodes',
    'ssda903_header': 'stg_ssda903__children',
    'ssda903_reviews': 'stg_ssda903__reviews',
    'ssda903_uasc': 'stg_ssda903__uasc',
    'ssda903_ad1': 'stg_ssda903__adoptions',
    'ssda903_missing': 'stg_ssda903__missing',
    'ssda903_oc3': 'stg_ssda903__care_leavers',
} %}
{% for table, model in sources.items() %}
select la_code::text as la_code, '{{ table }}'::text as source_table, count(*)::bigint as row_count
from {{ ref(model) }}
group by 1
{% if not loop.last %}union all{% endif %}
{% endfor %}

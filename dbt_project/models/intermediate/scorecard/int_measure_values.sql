-- Every measure value of every domain, one row per council, measure and period.
{% set domains = ['int_measures_social_care', 'int_measures_education', 'int_measures_early_help', 'int_measures_health'] %}
{% for model in domains %}
select
    la_code,
    measure_ref,
    period_type,
    period_start,
    period_end,
    numerator,
    denominator,
    value
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}

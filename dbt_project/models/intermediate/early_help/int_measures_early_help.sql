-- Early help measures per council and period, in the shape every int_measures_<domain> model shares. Each group of
-- measures is worked out in its own model (see _early_help__models.yml for every measure's numerator, denominator,
-- period rule and source).
{% set measure_models = [
    'int_early_help__activity_measures',
    'int_early_help__assessment_measures',
    'int_early_help__children_centre_measures',
    'int_early_help__early_years_measures',
    'int_early_help__neet_measures',
] %}
{{ config(**council_incremental_config()) }}
{% for model in measure_models %}
select
    la_code::text as la_code,
    measure_ref::text as measure_ref,
    period_type::text as period_type,
    period_start::date as period_start,
    period_end::date as period_end,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    value::numeric as value,
    {{ council_inputs_watermark() }} as _inputs_watermark
from {{ ref(model) }}
where {{ councils_to_rebuild() }}
{% if not loop.last %}union all{% endif %}
{% endfor %}

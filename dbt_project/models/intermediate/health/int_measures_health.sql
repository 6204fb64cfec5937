-- Health measures per council and period, in the shape every int_measures_<domain> model shares. Each group of
-- measures is worked out in its own model (see _health__models.yml for every measure's numerator, denominator,
-- period rule and source). The waiting-list indicators are the totals over every CCG and pathway; the breakdown
-- per CCG and pathway is published as marts.fct_waiting_lists.
{% set measure_models = [
    'int_health__initial_assessment_measures',
    'int_health__health_check_measures',
    'int_health__waiting_list_measures',
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

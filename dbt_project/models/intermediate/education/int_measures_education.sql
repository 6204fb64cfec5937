-- Education measures per council and period, in the shape every int_measures_<domain> model shares. Each group of
-- measures is worked out in its own model (see _education__models.yml for every measure's numerator, denominator,
-- period rule and source). PI5.5 (completed PEPs) and PI6.14 (school meals per day) have no record-level source:
-- they come from the hand-typed returns only.
{% set measure_models = [
    'int_education__school_measures',
    'int_education__attendance_measures',
    'int_education__exclusion_measures',
    'int_education__register_measures',
    'int_education__sen_timeliness_measures',
    'int_education__sen_caseload_measures',
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

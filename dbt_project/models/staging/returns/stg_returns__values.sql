-- Every printed value, statistical-neighbour average and national average of the hand-typed returns.
{%- set values_table = source('returns', 'return_values') -%}
{%- set loaded = relation_exists(values_table) %}
with

source as (

    {% if loaded -%}
    select * from {{ values_table }}
    {%- else -%}
    -- No return loaded yet: the same columns, no rows.
    select
        null::text as la_code, null::text as scorecard_year, null::text as source_table, null::text as printed_ref,
        null::text as measure_ref, null::text as printed_name, null::text as column_name, null::text as value_kind,
        null::text as period_type, null::date as period_start, null::date as period_end, null::text as value_text,
        null::numeric as value, null::text as value_status, null::text as printed_unit, null::text as qualifier,
        null::numeric as alternative_value, null::numeric as cumulative_value, null::numeric as band_lower,
        null::numeric as band_upper, null::bigint as _batch_id, null::bigint as _row_number
    where false
    {%- endif %}

),

renamed as (

    select
        la_code,
        scorecard_year,
        source_table,
        printed_ref,
        measure_ref as loaded_measure_ref,
        printed_name,
        column_name,
        value_kind,
        period_type as column_period_type,
        period_start as column_period_start,
        period_end as column_period_end,
        value_text,
        value,
        value_status,
        printed_unit,
        qualifier,
        alternative_value,
        cumulative_value,
        band_lower,
        band_upper,
        _batch_id as batch_id,
        _row_number as row_number

    from source

)

select * from renamed

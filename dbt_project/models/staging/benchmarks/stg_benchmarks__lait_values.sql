-- One published benchmark cell per LAIT measure, year and area, as printed (a figure or a marker).
{%- set lait = source('benchmarks', 'lait_benchmarks') -%}
{%- set loaded = relation_exists(lait) %}
with

source as (

    {% if loaded -%}
    select * from {{ lait }}
    {%- else -%}
    -- No national delivery loaded yet: the same columns, no rows.
    select
        null::text as la_code, null::bigint as _batch_id, null::bigint as _row_number, null::text as short_desc,
        null::text as years, null::text as la_number, null::text as la_and_regions, null::text as "values"
    where false
    {%- endif %}

),

renamed as (

    select
        short_desc as lait_measure,
        years as years_text,
        la_number as area_code,
        la_and_regions as area_name,
        "values" as value_text,
        _batch_id as batch_id

    from source

)

select * from renamed

-- One row per council and set of statistical neighbours, wide as the LAIT sheet prints it.
{%- set groups = source('benchmarks', 'lait_sn_groups') -%}
{%- set loaded = relation_exists(groups) %}
with

source as (

    {% if loaded -%}
    select * from {{ groups }}
    {%- else -%}
    -- No national delivery loaded yet: the same columns, no rows.
    select
        null::text as la_num, null::text as la_name, null::bigint as goind, null::text as goreg,
        {% for n in range(1, 11) -%}
        null::text as sn{{ n }}, null::text as snp{{ n }},
        {% endfor -%}
        null::date as effective_from, null::bigint as _batch_id
    where false
    {%- endif %}

),

renamed as (

    select
        la_num as council_code,
        la_name as council_name,
        goind as region_number,
        goreg as region_name,
        {% for n in range(1, 11) -%}
        sn{{ n }} as neighbour_{{ n }}_code,
        snp{{ n }} as neighbour_{{ n }}_closeness,
        {% endfor -%}
        effective_from,
        _batch_id as batch_id

    from source

)

select * from renamed

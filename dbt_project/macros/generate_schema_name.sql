{#
  Staging and intermediate models (and seeds) live in the `transform` schema. Marts are built into the schema
  named by the `marts_schema` var: a fresh schema per build, which the pipeline validates and then swaps in as
  `marts` in one transaction.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name == 'marts' -%}
        {{ var('marts_schema') }}
    {%- elif custom_schema_name -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}

{# Whether a table exists, by one catalog lookup. dbt's adapter.get_relation lists every relation of the schema
   first, and `staging` holds a partition per council and batch: thousands, listed for one yes or no. #}
{% macro relation_exists(relation) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set name = adapter.quote(relation.schema) ~ '.' ~ adapter.quote(relation.identifier) -%}
    {%- set found = run_query("select to_regclass('" ~ (name | replace("'", "''")) ~ "') is not null") -%}
    {{ return(found.columns[0].values()[0]) }}
{%- endmacro %}

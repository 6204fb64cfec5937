{#
  What the view and seed materializations (view.sql, seed.sql) fingerprint of a relation's persisted docs: where
  `persist_docs` is on, the descriptions are written into the catalog, so changing one must recreate the relation.
#}

{# Append to `parts` the descriptions that `persist_docs` writes into the catalog. #}
{% macro _append_persisted_docs(parts) -%}
    {%- set persist = config.get('persist_docs') or {} -%}
    {%- if persist.get('relation') -%}
        {%- do parts.append(model.description | string) -%}
    {%- endif -%}
    {%- if persist.get('columns') -%}
        {%- for name, column in model.columns.items() -%}
            {%- do parts.append(name ~ ': ' ~ (column.description | string)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{# The relation's description when `persist_docs` writes it into the relation's comment, else ''. #}
{% macro _persisted_description() -%}
    {%- set persist = config.get('persist_docs') or {} -%}
    {{- return(model.description if persist.get('relation') and model.description else '') -}}
{%- endmacro %}

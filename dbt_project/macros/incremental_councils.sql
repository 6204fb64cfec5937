{#
  Per-council incremental models: a model that works out each council's rows from that council's own staging data
  only is materialized incrementally, and an incremental build recomputes just the councils whose inputs changed.

  Each such model carries a watermark column, `_inputs_watermark`: an md5 of
    - the checksums of the model and of every model and seed upstream of it (a change of SQL or of a seed such as
      `measures` changes every council's watermark, so every council is recomputed), and
    - the batches currently loaded (audit.load_batches, status 'loaded') of every staging table upstream of it, for
      that council and for `national` (a new, superseded or removed batch changes the watermark).
  A council is rebuilt when its watermark in the model differs from the current one: new, replaced, superseded or
  removed data all count, and a council that has no loaded batch any more has no current watermark, so its rows are
  deleted and nothing replaces them. The staging tables upstream are found in dbt's graph, so nothing is listed by
  hand. Only sources loaded through the loader (audit.load_batches) can be tracked: a model that reads any other
  source (config.measure_targets) fails to compile rather than go stale.

  A model opts in with

      {{ config(**council_incremental_config()) }}

  (incremental, delete+insert by la_code, columns kept in sync, an index on the watermark, and the pre-hook below),

  filters every per-council relation it reads with `where {{ councils_to_rebuild() }}` (in its import CTEs, where
  the planner can use it), and selects `{{ council_inputs_watermark() }} as _inputs_watermark`. The pre-hook deletes
  every council to rebuild (delete+insert alone would keep the rows of a council whose new data gives no rows).
  `scorecard build --full-refresh` (dbt's --full-refresh) rebuilds every council from scratch.
#}

{# The staging tables and the code checksums upstream of the current model, from dbt's graph: the checksums of
   the model and every model and seed above it, and the text of every macro of this project they call. #}
{% macro _council_inputs() %}
    {%- set found = {'tables': [], 'checksums': [model.checksum.checksum], 'seen': []} -%}
    {%- set queue = (model.depends_on.nodes | list) + (model.depends_on.macros | list) -%}
    {%- for unique_id in queue -%}
        {%- if unique_id not in found.seen -%}
            {%- do found.seen.append(unique_id) -%}
            {%- if unique_id.startswith('macro.' ~ project_name ~ '.') -%}
                {%- set macro = context.get(unique_id.split('.')[-1]) -%}
                {%- if macro is not none and macro.macro is defined -%}
                    {%- do found.checksums.append(unique_id ~ '=' ~ local_md5(macro.macro.macro_sql)) -%}
                    {%- for parent in macro.macro.depends_on.macros -%}
                        {%- do queue.append(parent) -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- elif unique_id in graph.sources -%}
                {%- set source_node = graph.sources[unique_id] -%}
                {%- if source_node.source_name == 'config' or source_node.schema != 'staging' -%}
                    {{ exceptions.raise_compiler_error(model.name ~ " reads " ~ unique_id ~ ", which is not loaded "
                        ~ "in batches per council: it cannot be a per-council incremental model") }}
                {%- endif -%}
                {%- do found.tables.append(source_node.identifier or source_node.name) -%}
            {%- elif unique_id in graph.nodes -%}
                {%- set node = graph.nodes[unique_id] -%}
                {%- do found.checksums.append(unique_id ~ '=' ~ node.checksum.checksum) -%}
                {%- for parent in (node.depends_on.nodes | list) + (node.depends_on.macros | list) -%}
                    {%- do queue.append(parent) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'tables': found.tables | unique | sort, 'code': local_md5(found.checksums | sort | join(','))}) }}
{% endmacro %}

{% macro _quoted_list(values) -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{- quoted | join(', ') -}}
{%- endmacro %}

{# Each council's current watermark and the one stored in the model, as rows (la_code, current, stored). #}
{% macro _council_watermarks(with_stored) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {#- worked out once per rendering of the model (the filter appears in several CTEs) -#}
    {%- set cache_key = '_council_watermarks_' ~ (with_stored | string) -%}
    {%- if cache_key in model -%}
        {{ return(model[cache_key]) }}
    {%- endif -%}
    {%- set inputs = _council_inputs() -%}
    {%- if not inputs.tables -%}
        {# a unit test: its inputs are fixtures #}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        with

        upstream_batches as (

            select la_code, table_name, batch_id, status
            from audit.load_batches
            where table_name in ({{ _quoted_list(inputs.tables) }})

        ),

        loaded as (

            select * from upstream_batches
            where status = 'loaded'

        ),

        councils as (

            -- every council that ever had a batch of an input: the only ones that can have rows in the model
            select distinct la_code from upstream_batches

        ),

        current_watermarks as (

            select
                councils.la_code,
                case when exists (select 1 from loaded where loaded.la_code = councils.la_code) then
                    md5('{{ inputs.code }}:' || (
                        select string_agg(loaded.la_code || '.' || loaded.table_name || '#' || loaded.batch_id, ','
                            order by loaded.la_code, loaded.table_name, loaded.batch_id)
                        from loaded
                        where loaded.la_code in (councils.la_code, 'national')
                    ))
                end as current_watermark

            from councils

        )

        select
            current_watermarks.la_code,
            current_watermarks.current_watermark,
            {% if with_stored -%}
            (
                select stored._inputs_watermark
                from {{ this }} as stored
                where stored.la_code = current_watermarks.la_code
                limit 1
            )
            {%- else -%}
            null::text
            {%- endif %} as stored_watermark

        from current_watermarks
        order by 1
    {%- endset -%}
    {%- set rows = run_query(query).rows | list -%}
    {%- do model.update({cache_key: rows}) -%}
    {{ return(rows) }}
{% endmacro %}

{# What this run recomputes: {'all': true} on a full build (and when the model has no watermark column yet),
   else {'all': false, 'councils': [the councils whose watermark changed]}. #}
{% macro councils_to_rebuild_list() %}
    {#- a unit test works on its fixtures, as a full build does -#}
    {%- if not execute or model.resource_type == 'unit_test' or this is none or not is_incremental() -%}
        {{ return({'all': true, 'incremental': false}) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if '_inputs_watermark' not in columns -%}
        {{ return({'all': true, 'incremental': true}) }}
    {%- endif -%}
    {%- set changed = [] -%}
    {%- for row in _council_watermarks(true) -%}
        {%- if row[1] != row[2] -%}
            {%- do changed.append(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'all': false, 'incremental': true, 'councils': changed}) }}
{% endmacro %}

{# A filter on one relation the model reads: true on a full build, else only the councils to rebuild. #}
{% macro councils_to_rebuild(column='la_code') -%}
    {%- set plan = councils_to_rebuild_list() -%}
    {%- if plan.all -%}
        true
    {%- elif plan.councils -%}
        {{ column }} in ({{ _quoted_list(plan.councils) }})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{# Pre-hook: delete the rows of every council to rebuild, so one whose new data gives no rows is not kept. #}
{% macro delete_councils_to_rebuild() -%}
    {%- set plan = councils_to_rebuild_list() -%}
    {%- if plan.incremental and plan.all -%}
        delete from {{ this }}
    {%- elif plan.incremental and plan.councils -%}
        delete from {{ this }} where la_code in ({{ _quoted_list(plan.councils) }})
    {%- endif -%}
{%- endmacro %}

{# The watermark each row carries: the current watermark of its council. #}
{% macro council_inputs_watermark(column='la_code') -%}
    {%- set known = [] -%}
    {%- for row in _council_watermarks(false) if row[1] is not none -%}
        {%- do known.append(row) -%}
    {%- endfor -%}
    {%- if known -%}
        (case {{ column }}
        {%- for row in known %}
            when '{{ row[0] | replace("'", "''") }}' then '{{ row[1] }}'
        {%- endfor %}
        end)::text
    {%- else -%}
        null::text
    {%- endif -%}
{%- endmacro %}

{# The config every per-council incremental model takes: {{ config(**council_incremental_config()) }}. #}
{#- ``hash_joins``: the model's query is planned without nested loops (``hash_joins_only``). -#}
{% macro council_incremental_config(hash_joins=false) %}
    {%- set pre_hooks = ['{{ delete_councils_to_rebuild() }}'] -%}
    {%- if hash_joins -%}
        {%- do pre_hooks.append('{{ hash_joins_only() }}') -%}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'la_code',
        'on_schema_change': 'sync_all_columns',
        'indexes': [{'columns': ['la_code', '_inputs_watermark']}],
        'pre_hook': pre_hooks,
    }) }}
{% endmacro %}

{#
  Pre-hook: plan the model's query without nested loops, for this model's transaction only (``set local``). For a
  model whose joins are on ranges of dates (a child looked after at a period's end: a care period open then), the
  planner cannot estimate how many rows match, expects one, and puts a whole relation on the inner side of a nested
  loop, scanning it again for each of what turn out to be a hundred thousand rows. Per council that goes unseen;
  across 150 councils int_social_care__cared_for_members took 136.6 s that way and 2.3 s hashing.
#}
{% macro hash_joins_only() -%}
    set local enable_nestloop = off
{%- endmacro %}

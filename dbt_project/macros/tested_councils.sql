{#
  Data tests of the per-council incremental models (incremental_councils.sql) test only the councils whose rows no
  passing run of the same test has seen, instead of the whole table on every build.

  Every test of such a model compiles to `select ... from (select * from <model> where la_code in (<councils>) or
  la_code is null)`: the councils whose rows (council, `_inputs_watermark`) the test has not passed on yet. After the run, each test
  that passed records every council's current watermark in transform.dbt_tested_councils (on-run-end,
  record_tested_councils). So
    - an incremental build tests the councils it rebuilt (their watermark changed) and nothing else;
    - a council whose rebuild failed a test, or whose tests never ran (the build failed earlier or was killed), is
      tested again by the next build, although its rows are not rebuilt: a re-run cannot pass on bad data;
    - a new or changed test (its id, arguments, where, severity) tests every council once;
    - `--full-refresh` tests every council, as does the first build.
  Every test of these models compares rows of one council with each other or with a seed (not_null, accepted
  values, relationships to `measures`, uniqueness of keys that start with la_code), so a council's result cannot
  change while its rows and the test (with the seeds it reads, which are part of its key) do not. A test that reads
  a source or another model is not scoped. A test that compares councils with each other (a key without la_code,
  a count across councils) must not be scoped: give it the config `council_scoped: false`.
#}

{% macro tested_councils_relation() -%}
    {{- return(api.Relation.create(database=target.database, schema='transform',
                                   identifier='dbt_tested_councils', type='table')) -}}
{%- endmacro %}

{% macro create_tested_councils() -%}
    create schema if not exists transform;
    create table if not exists {{ tested_councils_relation() }} (
        test_key text not null,
        la_code text not null,
        inputs_watermark text not null,
        primary key (test_key, la_code)
    )
{%- endmacro %}

{# The per-council incremental model a test node tests (a graph node), or none: a test that reads anything else
   than that model and seeds (a source, another model) could change its verdict while the model's rows do not. #}
{% macro _council_scoped_model(test_node) -%}
    {%- set attached = test_node.get('attached_node') -%}
    {%- if not attached or attached not in graph.nodes -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes[attached] -%}
    {%- if node.resource_type != 'model' or node.config.materialized != 'incremental'
          or ('macro.' ~ project_name ~ '.council_inputs_watermark') not in node.depends_on.macros
          or test_node.config.get('council_scoped', true) == false -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for parent in test_node.depends_on.nodes if parent != attached -%}
        {%- if not parent.startswith('seed.') -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(node) }}
{%- endmacro %}

{# What a test's verdict depends on besides the model's rows: its id, arguments, where and severity, the seeds it
   reads (the `measures` of a relationships test) and the project's macros it calls. #}
{% macro _test_key(test_node) -%}
    {%- set parts = [test_node.unique_id,
                     (test_node.get('test_metadata') or {}).get('kwargs', {}) | tojson,
                     test_node.config.get('where') | string,
                     test_node.config.get('severity') | string,
                     test_node.config.get('error_if') | string] -%}
    {%- for parent in test_node.depends_on.nodes | sort if parent.startswith('seed.') and parent in graph.nodes -%}
        {%- do parts.append(parent ~ '=' ~ graph.nodes[parent].checksum.checksum) -%}
    {%- endfor -%}
    {%- for unique_id in test_node.depends_on.macros | sort if unique_id.startswith('macro.' ~ project_name ~ '.') -%}
        {%- set macro = context.get(unique_id.split('.')[-1]) -%}
        {%- if macro is not none and macro.macro is defined -%}
            {%- do parts.append(unique_id ~ '=' ~ local_md5(macro.macro.macro_sql)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('|'))) -}}
{%- endmacro %}

{# Each council of `relation` and its watermark, using the (la_code, _inputs_watermark) index: a loose index scan
   (one probe per council) rather than a scan of the table. #}
{% macro _council_watermarks_in(relation) -%}
    with recursive councils as (

        (select la_code from {{ relation }} order by la_code limit 1)

        union all

        select (select next.la_code from {{ relation }} as next
                where next.la_code > councils.la_code order by next.la_code limit 1)
        from councils
        where councils.la_code is not null

    )

    select
        councils.la_code,
        (select one._inputs_watermark from {{ relation }} as one where one.la_code = councils.la_code limit 1)
            as inputs_watermark
    from councils
    where councils.la_code is not null
{%- endmacro %}

{# dbt's own get_where_subquery (the `where` config), plus the council scope on the per-council models and the batch
   scope on the loaded staging tables (tested_batches.sql). #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = none -%}
    {#- only a build or test runs the tests: compile and docs generate show (and never query for) the whole table -#}
    {%- if execute and model.resource_type == 'test' and not flags.FULL_REFRESH
          and flags.WHICH in ('build', 'test', 'retry') -%}
        {%- set scoped_model = _council_scoped_model(graph.nodes.get(model.unique_id, model)) -%}
        {%- if scoped_model is not none and relation.identifier == scoped_model.alias -%}
            {%- set scope = _councils_to_test(relation, graph.nodes.get(model.unique_id, model)) -%}
        {%- endif -%}
        {#- row-level tests of loaded staging tables: the batches not yet tested (tested_batches.sql) -#}
        {%- set scoped_source = _batch_scoped_source(graph.nodes.get(model.unique_id, model)) -%}
        {%- if scoped_source is not none and relation.identifier == (scoped_source.identifier or scoped_source.name)
              and relation.schema == scoped_source.schema -%}
            {%- set scope = _batches_to_test(scoped_source, graph.nodes.get(model.unique_id, model)) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where or scope is not none -%}
        {%- set conditions = [] -%}
        {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
        {%- if scope is not none -%}{%- do conditions.append(scope) -%}{%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{# The condition a test of a per-council model runs under: the councils it has not passed on with their current
   rows (the table of what passed is created by on-run-start). #}
{% macro _councils_to_test(relation, test_node) -%}
    {%- set tested = tested_councils_relation() -%}
    {%- set query -%}
        with current_watermarks as ({{ _council_watermarks_in(relation) }})
        select current_watermarks.la_code
        from current_watermarks
        where not exists (
            select 1 from {{ tested }} as tested
            where tested.test_key = '{{ _test_key(test_node) }}'
              and tested.la_code = current_watermarks.la_code
              and tested.inputs_watermark = current_watermarks.inputs_watermark
        )
        order by 1
    {%- endset -%}
    {%- set councils = run_query(query).columns[0].values() | list -%}
    {#- rows without a council belong to none: always tested (a not_null test of la_code must see them) -#}
    {%- if councils -%}
        {{ return('(la_code in (' ~ _quoted_list(councils) ~ ') or la_code is null)') }}
    {%- else -%}
        {{ return('la_code is null') }}
    {%- endif -%}
{%- endmacro %}

{# on-run-end: every test of a per-council model that passed has seen every council's current rows. #}
{% macro record_tested_councils(results) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set by_model = {} -%}
    {%- for result in results -%}
        {%- if result.node.resource_type == 'test' and result.status == 'pass' -%}
            {%- set test_node = graph.nodes.get(result.node.unique_id) -%}
            {%- set scoped_model = _council_scoped_model(test_node) if test_node else none -%}
            {%- if scoped_model is not none -%}
                {%- do by_model.setdefault(scoped_model.unique_id, []).append(_test_key(test_node)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not by_model -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = tested_councils_relation() -%}
    {%- set statements = [] -%}
    {%- for unique_id, keys in by_model.items() -%}
        {%- set node = graph.nodes[unique_id] -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- do statements.append('delete from ' ~ tested ~ ' where test_key in (' ~ _quoted_list(keys) ~ ')') -%}
        {%- if relation is not none -%}
            {%- set insert -%}
                insert into {{ tested }} (test_key, la_code, inputs_watermark)
                select keys.test_key, current_watermarks.la_code, current_watermarks.inputs_watermark
                from ({{ _council_watermarks_in(relation) }}) as current_watermarks
                cross join (values ('{{ keys | join("'), ('") }}')) as keys (test_key)
                where current_watermarks.inputs_watermark is not null
            {%- endset -%}
            {%- do statements.append(insert) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n') ~ ';') }}
{%- endmacro %}

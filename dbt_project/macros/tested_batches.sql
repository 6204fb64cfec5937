{#
  Row-level data tests of the loaded staging tables (not_null and accepted_values on a `staging` source) test only
  the batches no passing run of the same test has seen, instead of every council's rows on every build.

  A staging table is partitioned by batch (`_batch_id`), and a batch's rows never change once it is loaded (a new
  delivery is a new batch; the batch it replaces is dropped). A row-level test passes or fails on each row alone, so
  its verdict on a batch cannot change while the batch and the test (its id, arguments, where, severity and the
  project's macros it calls: `_test_key`) do not. So such a test compiles to
  `select ... from (select * from staging.<table> where _batch_id in (<batches>)) ...`: the loaded batches
  (audit.load_batches) it has not passed on yet, which the planner prunes to their partitions. After the run each
  test that passed records the batches it ran on, read back from its own compiled SQL, in transform.dbt_tested_batches
  (on-run-end, record_tested_batches). So
    - a build after one council's new delivery tests that delivery's batches and nothing else;
    - a batch promoted while a build runs is not recorded by it unless the test saw it: the next build tests it;
    - a test that failed, or never ran, tests the same batches again next time;
    - `--full-refresh` tests every row, as does the first build.
  Tests that compare rows with each other (unique, relationships) are never scoped. A row-level test that should see
  the whole table all the same takes the config `batch_scoped: false`.
#}

{% macro tested_batches_relation() -%}
    {{- return(api.Relation.create(database=target.database, schema='transform',
                                   identifier='dbt_tested_batches', type='table')) -}}
{%- endmacro %}

{% macro create_tested_batches() -%}
    create schema if not exists transform;
    create table if not exists {{ tested_batches_relation() }} (
        test_key text not null,
        batch_id bigint not null,
        primary key (test_key, batch_id)
    )
{%- endmacro %}

{# The staging source a row-level test checks (a graph source node), or none. #}
{% macro _batch_scoped_source(test_node) -%}
    {%- set test_name = (test_node.get('test_metadata') or {}).get('name') -%}
    {%- if test_name not in ('not_null', 'accepted_values') or test_node.config.get('batch_scoped', true) == false -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set parents = test_node.depends_on.nodes | list -%}
    {%- if parents | length != 1 or parents[0] not in graph.sources -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set source_node = graph.sources[parents[0]] -%}
    {%- if source_node.schema != 'staging' or source_node.source_name == 'config' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(source_node) }}
{%- endmacro %}

{# The marker a scoped test's compiled SQL carries, naming the batches it runs on (read back by on-run-end). #}
{% macro _batches_marker(batch_ids) -%}
    /* scorecard-tested-batches: {{ batch_ids | join(',') }} */
{%- endmacro %}

{# The condition a row-level test of a staging table runs under: the loaded batches it has not passed on. #}
{% macro _batches_to_test(source_node, test_node) -%}
    {%- set query -%}
        select loaded.batch_id
        from audit.load_batches as loaded
        where loaded.table_name = '{{ source_node.identifier or source_node.name }}'
            and loaded.status = 'loaded'
            and not exists (
                select 1 from {{ tested_batches_relation() }} as tested
                where tested.test_key = '{{ _test_key(test_node) }}'
                    and tested.batch_id = loaded.batch_id
            )
        order by 1
    {%- endset -%}
    {%- set batch_ids = run_query(query).columns[0].values() | map('int') | list -%}
    {%- if batch_ids -%}
        {{ return('_batch_id in (' ~ (batch_ids | join(', ')) ~ ') ' ~ _batches_marker(batch_ids)) }}
    {%- else -%}
        {{ return('false ' ~ _batches_marker([])) }}
    {%- endif -%}
{%- endmacro %}

{# on-run-end: every row-level staging test that passed has seen the batches its compiled SQL names. #}
{% macro record_tested_batches(results) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = tested_batches_relation() -%}
    {%- set statements = [] -%}
    {%- for result in results -%}
        {%- if result.node.resource_type == 'test' and result.status == 'pass' -%}
            {%- set test_node = graph.nodes.get(result.node.unique_id) -%}
            {%- set found = modules.re.search('scorecard-tested-batches: ([0-9,]*)', result.node.compiled_code or '') -%}
            {%- if test_node and found and _batch_scoped_source(test_node) is not none -%}
                {%- set key = _test_key(test_node) -%}
                {#- batches no longer loaded (replaced or withdrawn) are forgotten -#}
                {%- do statements.append('delete from ' ~ tested ~ " as tested where tested.test_key = '" ~ key
                    ~ "' and not exists (select 1 from audit.load_batches as loaded where loaded.batch_id = "
                    ~ "tested.batch_id and loaded.status = 'loaded')") -%}
                {%- if found.group(1) -%}
                    {%- do statements.append('insert into ' ~ tested ~ " (test_key, batch_id) select '" ~ key
                        ~ "', unnest(array[" ~ found.group(1) ~ ']::bigint[]) on conflict do nothing') -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n') ~ (';' if statements else '')) }}
{%- endmacro %}

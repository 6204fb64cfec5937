{#
  Seeds that have not changed are not reloaded. dbt's own seed materialization truncates and reloads every seed on
  every build. This one first asks the catalog, in one query, whether the seed's table exists and whether its comment
  carries the fingerprint of what it would be loaded from: the CSV file's content (dbt's sha256 checksum of it), the
  seed's config that shapes the table (column_types, quote_columns, delimiter) and, where docs are persisted, the
  descriptions. If it does, the table is left alone (hooks and grants still run as dbt's do); if not, or on
  --full-refresh, the seed is loaded as dbt loads it and the fingerprint is written into the table's comment in the
  same transaction. A CSV too large for dbt to checksum its content (over 1 MiB) is always reloaded.
#}

{% macro _seed_comment_prefix() %}{{ return('scorecard-seed-fingerprint: ') }}{% endmacro %}

{# What the seed's table is loaded from, or none when that cannot be known (dbt checksums a large file by path). #}
{% macro _seed_fingerprint() -%}
    {%- if model.checksum.name != 'sha256' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set parts = ['v1', model.checksum.checksum, config.get('column_types', {}) | tojson,
                     config.get('quote_columns') | string, config.get('delimiter') | string] -%}
    {%- do _append_persisted_docs(parts) -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{%- endmacro %}

{# The comment a seed's table loaded from `fingerprint` carries (after its description, when docs are persisted). #}
{% macro _seed_comment(fingerprint, description) -%}
    {%- set comment = _seed_comment_prefix() ~ fingerprint -%}
    {{- return((description ~ '\n' ~ comment) if description else comment) -}}
{%- endmacro %}

{# Whether the seed's table exists and was loaded from what it would be loaded from now (opens the transaction). #}
{% macro _seed_unchanged(relation, comment) %}
    {%- set name = adapter.quote(relation.schema) ~ '.' ~ adapter.quote(relation.identifier) -%}
    {%- call statement('scorecard_seed_state', fetch_result=true, auto_begin=true) -%}
        select coalesce(bool_or(found.relkind in ('r', 'p')
                                and obj_description(found.oid, 'pg_class') = '{{ comment | replace("'", "''") }}'),
                        false)
        from pg_catalog.pg_class as found
        where found.oid = to_regclass('{{ name | replace("'", "''") }}')
    {%- endcall -%}
    {{ return(load_result('scorecard_seed_state').table.rows[0][0] == true) }}
{% endmacro %}

{% materialization seed, adapter='postgres' %}

  {%- set identifier = model['alias'] -%}
  {%- set full_refresh_mode = (should_full_refresh()) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}

  {%- set exists_as_table = (old_relation is not none and old_relation.is_table) -%}
  {%- set exists_as_view = (old_relation is not none and old_relation.is_view) -%}

  {%- set grant_config = config.get('grants') -%}
  {%- set description = _persisted_description() -%}
  {%- set fingerprint = _seed_fingerprint() -%}
  {%- set agate_table = load_agate_table() -%}
  -- grab current tables grants config for comparison later on

  {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {#- `BEGIN` happens here (the catalog lookup opens the transaction) -#}
  {%- set unchanged = fingerprint is not none and not full_refresh_mode and not flags.FULL_REFRESH
                      and _seed_unchanged(target_relation, _seed_comment(fingerprint, description)) -%}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if unchanged %}

    {% call noop_statement('main', 'UNCHANGED', 'UNCHANGED', 0) -%}
      -- {{ target_relation }} is unchanged (its comment carries the fingerprint {{ fingerprint }}): not reloaded
    {%- endcall %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(old_relation, full_refresh_mode)) %}

  {% else %}

    -- build model
    {% set create_table_sql = "" %}
    {% if exists_as_view %}
      {{ exceptions.raise_compiler_error("Cannot seed to '{}', it is a view".format(old_relation.render())) }}
    {% elif exists_as_table %}
      {% set create_table_sql = reset_csv_table(model, full_refresh_mode, old_relation, agate_table) %}
    {% else %}
      {% set create_table_sql = create_csv_table(model, agate_table) %}
    {% endif %}

    {% set code = 'CREATE' if full_refresh_mode else 'INSERT' %}
    {% set rows_affected = (agate_table.rows | length) %}
    {% set sql = "" %}
    {% if rows_affected > 0 %}
      {% set sql = load_csv_rows(model, agate_table) %}
    {% endif %}

    {% call noop_statement('main', code ~ ' ' ~ rows_affected, code, rows_affected) %}
      {{ get_csv_sql(create_table_sql, sql) }};
    {% endcall %}

    {% set should_revoke = should_revoke(old_relation, full_refresh_mode) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}

    {% do persist_docs(target_relation, model, for_relation=false) %}

    {% if full_refresh_mode or not exists_as_table %}
      {% do create_indexes(target_relation) %}
    {% endif %}

    {#- what the table was loaded from, in its comment (none: a large CSV, reloaded every build) -#}
    {% call statement('scorecard_seed_comment') -%}
      comment on table {{ target_relation }} is
        {% if fingerprint is none %}{{ "'" ~ (description | replace("'", "''")) ~ "'" if description else 'null' }}
        {%- else %}'{{ _seed_comment(fingerprint, description) | replace("'", "''") }}'{% endif %}
    {%- endcall %}

  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}

{#
  Views that have not changed are not recreated. dbt's own view materialization creates every view on every build
  (create under a temporary name, rename the old one away, rename the new one in, drop the old one: a handful of
  statements per view, ~75 views per build). This one first asks the catalog, in one query, whether the view exists
  and whether its comment carries the fingerprint of what it would be created from:
    - the compiled SQL, the `sql_header`, the contract (enforced, columns and types) and, where docs are persisted,
      the descriptions (`_view_fingerprint`), and
    - the columns (name and type) of every relation the existing view reads, from the catalog (pg_depend), so a
      column added to or dropped from a table it reads (`on_schema_change`, a staging table) recreates it although
      its own SQL did not change (a `select *` is expanded when the view is created).
  If both match, the view is left alone (hooks and grants still run as dbt's do); if not, or on --full-refresh, it is
  created as dbt creates it, and the fingerprint is written into its comment. A table rebuilt by dbt (rename and
  drop cascade) drops the views that read it, so a view that no longer exists is simply created again.
#}

{% macro _view_comment_prefix() %}{{ return('scorecard-view-fingerprint: ') }}{% endmacro %}

{# What the view is created from, besides the relations it reads. #}
{% macro _view_fingerprint(sql) -%}
    {%- set parts = ['v1', config.get('sql_header') | string, sql] -%}
    {%- set contract = config.get('contract') -%}
    {%- if contract and contract.enforced -%}
        {%- for name, column in model.columns.items() -%}
            {%- do parts.append(name ~ ' ' ~ (column.data_type | string) ~ ' ' ~ (column.constraints | tojson)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do _append_persisted_docs(parts) -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{%- endmacro %}

{# SQL: the columns of every relation the view with oid `view_oid` reads, as text ('' when it reads none). #}
{% macro _view_inputs_columns(view_oid) -%}
    coalesce((
        select string_agg(quote_ident(input_schema.nspname) || '.' || quote_ident(input.relname) || '.'
                          || quote_ident(attribute.attname) || ' ' || format_type(attribute.atttypid,
                          attribute.atttypmod), ',' order by input_schema.nspname, input.relname, attribute.attnum)
        from pg_catalog.pg_attribute as attribute
        join pg_catalog.pg_class as input on input.oid = attribute.attrelid
        join pg_catalog.pg_namespace as input_schema on input_schema.oid = input.relnamespace
        where attribute.attnum > 0
            and not attribute.attisdropped
            and attribute.attrelid in (
                select dependency.refobjid
                from pg_catalog.pg_rewrite as rule
                join pg_catalog.pg_depend as dependency
                    on dependency.classid = 'pg_catalog.pg_rewrite'::regclass and dependency.objid = rule.oid
                where rule.ev_class = {{ view_oid }}
                    and dependency.refclassid = 'pg_catalog.pg_class'::regclass
                    and dependency.refobjid <> {{ view_oid }}
            )
    ), '')
{%- endmacro %}

{# SQL: the comment the view with oid `view_oid` carries when it was created from `fingerprint`. #}
{% macro _view_comment(view_oid, fingerprint, description) -%}
    {%- if description -%}'{{ description | replace("'", "''") }}' || E'\n' || {% endif -%}
    '{{ _view_comment_prefix() }}' || md5('{{ fingerprint }}:' || {{ _view_inputs_columns(view_oid) }})
{%- endmacro %}

{# The relation's kind in the catalog ('v', 'r', 'p', 'm', ... or none) and whether its comment matches. #}
{% macro _view_state(relation, fingerprint, description) %}
    {%- set name = adapter.quote(relation.schema) ~ '.' ~ adapter.quote(relation.identifier) -%}
    {%- call statement('scorecard_view_state', fetch_result=true, auto_begin=true) -%}
        select found.relkind::text,
            found.relkind = 'v' and obj_description(found.oid, 'pg_class')
                = {{ _view_comment('found.oid', fingerprint, description) }}
        from pg_catalog.pg_class as found
        where found.oid = to_regclass('{{ name | replace("'", "''") }}')
    {%- endcall -%}
    {%- set rows = load_result('scorecard_view_state').table.rows -%}
    {%- if rows | length == 0 -%}
        {{ return({'kind': none, 'unchanged': false}) }}
    {%- endif -%}
    {{ return({'kind': rows[0][0], 'unchanged': rows[0][1] == true}) }}
{% endmacro %}

{%- materialization view, adapter='postgres' -%}

  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set description = _persisted_description() -%}
  {%- set fingerprint = _view_fingerprint(sql) -%}
  {%- set full_refresh = flags.FULL_REFRESH or should_full_refresh() -%}
  {% set grant_config = config.get('grants') %}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {#- `BEGIN` happens here (the catalog lookup opens the transaction) -#}
  {%- set state = _view_state(target_relation, fingerprint, description) -%}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if state.unchanged and not full_refresh -%}

    {% call noop_statement('main', 'UNCHANGED', 'UNCHANGED') -%}
      -- {{ target_relation }} is unchanged (its comment carries the fingerprint {{ fingerprint }}): not recreated
    {%- endcall %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(target_relation, full_refresh_mode=True)) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}

  {%- else -%}

    {#- the relation as it is in the catalog now (dbt's cache cannot know about a drop by cascade) -#}
    {%- set existing_type = none -%}
    {%- if state.kind == 'v' -%}
      {%- set existing_type = 'view' -%}
    {%- elif state.kind == 'm' -%}
      {%- set existing_type = 'materialized_view' -%}
    {%- elif state.kind is not none -%}
      {%- set existing_type = 'table' -%}
    {%- endif -%}
    {%- set existing_relation = none if existing_type is none else this.incorporate(type=existing_type) -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
    {%- set backup_relation = make_backup_relation(target_relation, existing_type or 'view') -%}
    {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}

    {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
    {{ drop_relation_if_exists(preexisting_backup_relation) }}

    {% call statement('main') -%}
      {{ get_create_view_as_sql(intermediate_relation, sql) }}
    {%- endcall %}

    {% if existing_relation is not none %}
      {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}

    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) %}

    {% do persist_docs(target_relation, model, for_relation=false) %}
    {#- the fingerprint (after the description, when docs are persisted) in the view's comment -#}
    {% call statement('scorecard_view_comment') -%}
      do $scorecard_view$ begin
        execute format('comment on view %s is %L', '{{ target_relation | replace("'", "''") }}',
          {{ _view_comment("'" ~ (target_relation | replace("'", "''")) ~ "'::regclass::oid", fingerprint, description) }});
      end $scorecard_view$
    {%- endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}

    {{ adapter.commit() }}

    {{ drop_relation_if_exists(backup_relation) }}

  {%- endif -%}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{%- endmaterialization -%}

-- Least-privilege roles: cluster-wide group roles without login. Grant them to the accounts that run each step, and
-- have those accounts act as the group (alter role <account> set role <group>) so that what they create is owned by
-- the group and the default privileges below apply to it.
--   loader       `scorecard load`: writes raw, load and staging; records batches and quality results in audit
--   transformer  `scorecard build` / `publish`: reads staging, writes transform and the marts_build_* schemas it
--                creates (create on the database), runs the mart gate, publishes and records publications
--   bi_reader    reads the published marts and nothing else. Its grants are made on each build before it is
--                swapped in (scorecard/publish.py), so they are part of the publication and survive the swap.
-- Idempotent: runs at the start of every command. Grants on tables that do not exist yet (audit tables on the very
-- first run, staging.measure_targets) are made on the next run; default privileges cover tables created later.
do $$
begin
    if not exists (select from pg_roles where rolname = 'loader') then create role loader nologin; end if;
    if not exists (select from pg_roles where rolname = 'transformer') then create role transformer nologin; end if;
    if not exists (select from pg_roles where rolname = 'bi_reader') then create role bi_reader nologin; end if;
end
$$;

create schema if not exists raw;
create schema if not exists load;
create schema if not exists staging;
create schema if not exists transform;
create schema if not exists audit;

-- Nobody reads the warehouse's inner schemas by default.
revoke all on schema raw, load, staging, transform, audit from public;

-- loader: raw (as delivered), load (candidate batches), staging (promoted snapshots).
grant usage, create on schema raw, load, staging to loader;
grant select, insert, update, delete, truncate on all tables in schema raw, load, staging to loader;
alter default privileges in schema raw, load, staging
    grant select, insert, update, delete, truncate on tables to loader;

-- transformer: reads staging (tables the loader creates, and tables created by whoever runs this file), owns what
-- dbt creates in transform, and creates its own build schemas.
grant usage on schema staging to transformer;
grant select on all tables in schema staging to transformer;
alter default privileges in schema staging grant select on tables to transformer;
do $$
begin
    -- Only a member of loader (or a superuser) may set loader's default privileges.
    if pg_has_role(current_user, 'loader', 'member') then
        alter default privileges for role loader in schema staging grant select on tables to transformer;
    end if;
end
$$;
grant usage, create on schema transform to transformer;
grant select, insert, update, delete, truncate on all tables in schema transform to transformer;
alter default privileges in schema transform grant select, insert, update, delete, truncate on tables to transformer;
do $$
begin
    execute format('grant create on database %I to transformer', current_database());
end
$$;

-- audit: each role writes only its own records, through the tables' sequences.
grant usage on schema audit to loader, transformer;
alter default privileges in schema audit grant usage, select on sequences to loader, transformer;
do $$
declare
    grants constant text[][] := array[
        -- table                          role           privileges
        ['audit.load_batches',           'loader',      'select, insert, update'],
        ['audit.dq_results',             'loader',      'insert'],
        ['audit.pipeline_events',        'loader',      'insert'],
        ['audit.load_batches',           'transformer', 'select'],
        ['audit.dq_results',             'transformer', 'insert'],
        ['audit.pipeline_events',        'transformer', 'insert'],
        ['audit.publications',           'transformer', 'select, insert, update'],
        ['staging.measure_targets',      'transformer', 'select, insert, delete']
    ];
    entry text[];
begin
    foreach entry slice 1 in array grants loop
        if to_regclass(entry[1]) is not null then
            execute format('grant %s on %s to %I', entry[3], entry[1], entry[2]);
        end if;
    end loop;
    execute 'grant usage, select on all sequences in schema audit to loader, transformer';
end
$$;

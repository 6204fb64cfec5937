-- Schemas, audit tables and roles. Idempotent: run at the start of every command.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists load;
create schema if not exists transform;
create schema if not exists audit;

create table if not exists audit.load_batches (
    batch_id      bigserial primary key,
    run_id        text not null,
    la_code       text not null,
    domain        text not null,
    table_name    text not null,
    file_name     text not null,
    file_key      text not null default '',  -- the file-name fields' values, for tables delivered in several files
    sha256        text not null,
    rows          bigint,
    status        text not null check (status in ('loading', 'staged', 'loaded', 'superseded', 'rejected')),
    error         text,
    loaded_at     timestamptz not null default now(),
    finished_at   timestamptz
);
-- One current batch per table, council and file key: a second could only come from a bug, and must fail loudly.
create unique index if not exists load_batches_one_current
    on audit.load_batches (table_name, la_code, file_key) where status = 'loaded';
-- Every batch of a table, council and file key, current or not: promoting a batch looks up the ones it replaces
-- (without it, a scan of the whole table: 9 ms a batch once a national load has 7,500 batches; 0.2 ms with it).
create index if not exists load_batches_by_file on audit.load_batches (table_name, la_code, file_key);

create table if not exists audit.dq_results (
    result_id        bigserial primary key,
    run_id           text not null,
    stage            text not null check (stage in ('staging', 'marts')),
    suite            text not null,
    table_name       text not null,
    batch_id         bigint,
    file_name        text,
    data_owner       text,
    expectation      text not null,
    expectation_kwargs jsonb,
    check_code       text,
    severity         text not null check (severity in ('error', 'warning')),
    success          boolean not null,
    observed_value   jsonb,
    unexpected_count bigint,
    failing_sample   jsonb,
    checked_at       timestamptz not null default now()
);
create index if not exists dq_results_run on audit.dq_results (run_id);

create table if not exists audit.publications (
    publication_id bigserial primary key,
    run_id         text not null,
    published_at   timestamptz not null default now(),
    published_by   text not null,
    build_schema   text not null,
    archive_schema text,
    status         text not null check (status in ('current', 'superseded', 'rolled_back')),
    batch_ids      bigint[] not null default '{}',
    dq_run_id      text,
    row_counts     jsonb,
    note           text
);

create table if not exists audit.pipeline_events (
    event_id    bigserial primary key,
    run_id      text,
    dag_id      text,
    task_id     text,
    event       text not null,
    detail      text,
    created_at  timestamptz not null default now()
);

-- Typed targets, parsed from the catalogue's printed forms by `scorecard build` before dbt runs.
create table if not exists staging.measure_targets (
    measure_ref   text not null,
    financial_year int not null,
    target_text   text not null,
    comparator    text not null,
    target_value  numeric,
    lower_bound   numeric,
    upper_bound   numeric,
    unit          text,
    basis         text not null default 'period',
    due_date      date,
    source        text,
    primary key (measure_ref, financial_year)
);

-- Whether a year, month and day make a real date (used by the loader's checks, which must not raise).
create or replace function audit.valid_ymd(y int, m int, d int) returns boolean
language sql immutable parallel safe as $$
    select y between 1 and 9999 and d >= 1 and d <= case
        when m in (1, 3, 5, 7, 8, 10, 12) then 31
        when m in (4, 6, 9, 11) then 30
        when m = 2 then case when (y % 4 = 0 and y % 100 <> 0) or y % 400 = 0 then 29 else 28 end
        else 0
    end
$$;

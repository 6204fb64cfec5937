"""Least-privilege roles on a real Postgres: bi_reader reads the published marts and nothing else, and its grants
survive publishing (they are made on the build before the swap). Each test logs in as users of its own, granted the
project's group roles, and drops them afterwards."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

from scorecard import pipeline, publish
from scorecard.warehouse import Warehouse, bootstrap
from tests.conftest import FIXTURES, query
from tests.referrals_fixture import write_referrals

pytestmark = pytest.mark.slow


@pytest.fixture()
def login_as(warehouse: Warehouse) -> Iterator:
    """``login_as(group)`` makes a LOGIN user in ``group`` and returns a connection string for it."""
    made: list[str] = []

    def make(group: str) -> str:
        name = f"test_{group}_{secrets.token_hex(4)}"
        with warehouse.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("create role {} login in role {}").format(sql.Identifier(name), sql.Identifier(group)))
            conn.execute(sql.SQL("alter role {} set role {}").format(sql.Identifier(name), sql.Identifier(group)))
        made.append(name)
        parsed = urlparse(warehouse.libpq_url)
        return parsed._replace(netloc=f"{name}@{parsed.hostname}:{parsed.port}").geturl()

    yield make
    with warehouse.connect(autocommit=True) as conn:
        for name in made:
            conn.execute(sql.SQL("drop owned by {} cascade").format(sql.Identifier(name)))
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def _build(wh: Warehouse, name: str) -> str:
    """A build schema holding a small aggregate of staging, as a dbt build would make (without running dbt)."""
    schema = publish.build_schema_name(name)
    with wh.connect() as conn:
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("create table {}.fct_scorecard as select la_code, date_trunc('quarter', cinreferraldate) "
                             "as period_start, count(*) as value from staging.cin_details group by 1, 2").format(
            sql.Identifier(schema)))
    return schema


@pytest.fixture()
def published(warehouse, settings):
    """A warehouse with referrals loaded (raw, staging, audit) and a scorecard published, by the administrator."""
    settings = dataclasses.replace(settings, contracts_dir=FIXTURES / "contracts")
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=120, manifest=False)
    pipeline.load(warehouse, settings, "roles")
    publish.publish(warehouse, _build(warehouse, "roles"), "roles")
    bootstrap(warehouse)  # every command bootstraps first; the audit tables' grants apply once they exist
    return warehouse


def _reads(url: str, table: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(*table.split(".")))).fetchone()[0]


@pytest.mark.parametrize("table", ["raw.cin_details", "staging.cin_details", "load.cin_details",
                                   "audit.dq_results", "audit.load_batches", "audit.publications"])
def test_bi_reader_is_denied_everything_but_the_marts(published, login_as, table):
    reader = login_as("bi_reader")
    assert _reads(reader, "marts.fct_scorecard") > 0
    if table == "load.cin_details":  # candidate tables are dropped after promotion: make one to be refused
        with published.connect() as conn:
            conn.execute("create table load.cin_details as select * from staging.cin_details")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _reads(reader, table)


def test_bi_reader_grants_survive_publishing_twice(published, login_as):
    reader = login_as("bi_reader")
    rows = _reads(reader, "marts.fct_scorecard")
    for n in (1, 2):
        publish.publish(published, _build(published, f"roles_copy{n}"), f"roles_copy{n}")
        assert _reads(reader, "marts.fct_scorecard") == rows
    assert query(published, "select count(*) from audit.publications where status = 'current'") == [(1,)]


def test_loader_writes_staging_but_cannot_read_the_marts(published, login_as):
    loader = login_as("loader")
    with psycopg.connect(loader) as conn:
        conn.execute("insert into audit.dq_results (run_id, stage, suite, table_name, expectation, severity, success) "
                     "values ('r', 'staging', 's', 't', 'e', 'error', true)")
        conn.execute("delete from staging.cin_details where la_code = 'none'")
        conn.rollback()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _reads(loader, "marts.fct_scorecard")
    with pytest.raises(psycopg.errors.InsufficientPrivilege), psycopg.connect(loader) as conn:
        conn.execute("update audit.publications set status = 'superseded'")


def test_transformer_reads_staging_but_cannot_change_it(published, login_as):
    transformer = login_as("transformer")
    assert _reads(transformer, "staging.cin_details") == 120
    with pytest.raises(psycopg.errors.InsufficientPrivilege), psycopg.connect(transformer) as conn:
        conn.execute("delete from staging.cin_details")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _reads(transformer, "raw.cin_details")

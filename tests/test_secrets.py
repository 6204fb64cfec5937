"""Secrets never reach the warehouse, the reports or the logs."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from psycopg import sql

from scorecard import pipeline
from scorecard.dbt import target_dir
from scorecard.pseudonymise import KEY_ENV, Pseudonymiser, load_key
from tests.referrals_fixture import write_referrals

pytestmark = pytest.mark.slow


def test_the_key_is_in_no_table_report_or_log(warehouse, settings, caplog, monkeypatch):
    key = "a-very-particular-secret-key-4711"
    monkeypatch.setenv(KEY_ENV, key)
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=120)
    with caplog.at_level(logging.DEBUG):
        pipeline.run_all(warehouse, settings, "secrets")
    assert key not in caplog.text
    with warehouse.connect() as conn:
        columns = conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns where table_schema in "
            "('raw', 'staging', 'transform', 'marts', 'audit', 'load') and data_type in ('text', 'jsonb') "
            "and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE')"
        ).fetchall()
        assert columns
        for schema, table, column in columns:
            found = conn.execute(sql.SQL("select count(*) from {}.{} where {}::text like {}").format(
                sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column),
                sql.Literal(f"%{key}%"))).fetchone()[0]
            assert found == 0, f"{schema}.{table}.{column} holds the key"
    files = [*Path(settings.reports_dir).rglob("*"), *target_dir(settings.dbt_project_dir, warehouse).rglob("*.log")]
    for path in files:
        if path.is_file():
            assert key.encode() not in path.read_bytes(), f"{path.name} holds the key"


def test_the_pseudonymiser_never_shows_its_key():
    assert "secret" not in repr(Pseudonymiser(b"secret-secret-secret"))


def test_key_from_a_secret_file_and_too_short_keys(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    secret = tmp_path / "key"
    secret.write_text("from-a-file-0123456789\n")
    monkeypatch.setenv("SCORECARD_PSEUDONYMISATION_KEY_FILE", str(secret))
    assert load_key() == b"from-a-file-0123456789"
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(Exception, match="at least 16"):
        load_key()
    assert os.environ[KEY_ENV] == "short"

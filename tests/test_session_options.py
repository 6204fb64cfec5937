"""The pipeline's sessions run with its session options (``scorecard.warehouse.SESSION_OPTIONS``: no JIT), whichever
way they connect: psycopg (loads, gates' screens), SQLAlchemy (Great Expectations) and dbt (builds)."""

from __future__ import annotations

import sqlalchemy as sa

from scorecard import dbt
from scorecard.settings import PROJECT_ROOT


def test_psycopg_and_sqlalchemy_sessions_run_without_jit(warehouse):
    with warehouse.connect() as conn:
        assert conn.execute("show jit").fetchone() == ("off",)
    engine = sa.create_engine(warehouse.sqlalchemy_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("show jit")).scalar() == "off"
    finally:
        engine.dispose()


def test_dbt_sessions_run_without_jit_and_keep_the_callers_options(warehouse, monkeypatch):
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=7MB")
    run = dbt.run_dbt(warehouse, PROJECT_ROOT / "dbt_project",
                      ["show", "--inline", "select current_setting('jit') || '/' || current_setting('work_mem') as s"])
    assert "off/7MB" in run.output

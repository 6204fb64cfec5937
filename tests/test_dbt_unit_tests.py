"""dbt's unit tests (the table-driven tests of the measure, rating and direction logic in
dbt_project/models/**/_*.yml) run here, in the test suite, not in every scheduled build (``scorecard.dbt.build``
leaves them out: they test the SQL, which does not change between builds of the same code). These tests run all of
them against a real Postgres and prove that a wrong expectation makes the run fail."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from scorecard import config_load, dbt
from scorecard.settings import PROJECT_ROOT, get_settings
from scorecard.warehouse import Warehouse

pytestmark = pytest.mark.slow

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
BROKEN_FILE = Path("models") / "intermediate" / "scorecard" / "_scorecard__unit_tests.yml"
BROKEN_TEST = "rag_bands_by_polarity_target_form_and_boundary"
BROKEN_MODEL = "int_scorecard_rag"
# one expected row of that unit test, and the same row with the wrong rating
EXPECTED_ROW = "- {measure_ref: H_red, rag: red, "
WRONG_ROW = "- {measure_ref: H_red, rag: green, "


def declared_unit_tests(project: Path) -> set[str]:
    names = set()
    for path in (project / "models").rglob("*.yml"):
        names |= {test["name"] for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                  .get("unit_tests", [])}
    return names


def unit_test_results(project: Path, wh: Warehouse) -> dict[str, str]:
    results = json.loads((dbt.target_dir(project, wh) / "run_results.json").read_text(encoding="utf-8"))
    return {r["unique_id"].split(".")[-1]: r["status"] for r in results["results"]
            if r["unique_id"].startswith("unit_test.")}


@pytest.fixture(scope="module")
def unit_warehouse(server_url: str) -> Iterator[Warehouse]:
    """A warehouse with every source table (empty), the targets table and every model created empty: what dbt's
    unit tests need to read the column types of the relations their fixtures stand in for."""
    import secrets

    import psycopg
    from psycopg import sql

    from loaders.contract import load_contracts
    from loaders.load import ensure_staging_table
    from scorecard.warehouse import bootstrap
    from tests.conftest import _with_db

    name = f"scorecard_test_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        wh = Warehouse(_with_db(server_url, name))
        bootstrap(wh)
        settings = get_settings()
        config_load.load_targets(wh, settings.dbt_project_dir)
        with wh.connect() as conn, conn.transaction():
            for contract in load_contracts(settings.contracts_dir):
                ensure_staging_table(conn, contract)
        dbt.prepare_unit_tests(wh, DBT_PROJECT)
        yield wh
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def test_every_dbt_unit_test_passes(unit_warehouse: Warehouse):
    run = dbt.unit_tests(unit_warehouse, DBT_PROJECT, prepare=False)
    assert run.returncode == 0
    declared = declared_unit_tests(DBT_PROJECT)
    assert len(declared) > 40 and BROKEN_TEST in declared
    assert unit_test_results(DBT_PROJECT, unit_warehouse) == {name: "pass" for name in declared}


def test_a_wrong_unit_test_expectation_fails_the_run(unit_warehouse: Warehouse, tmp_path: Path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    path = project / BROKEN_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(EXPECTED_ROW) == 1
    path.write_text(text.replace(EXPECTED_ROW, WRONG_ROW), encoding="utf-8")

    with pytest.raises(dbt.DbtError, match="(?i)fail"):
        dbt.unit_tests(unit_warehouse, project, select=f"test_type:unit,{BROKEN_MODEL}", prepare=False)
    results = unit_test_results(project, unit_warehouse)
    assert results[BROKEN_TEST] == "fail"
    # the others of that model still pass: the run fails for the broken expectation, not for the set-up
    assert set(results.values()) == {"pass", "fail"} and list(results.values()).count("fail") == 1


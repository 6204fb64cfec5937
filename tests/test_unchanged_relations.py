"""A build leaves alone the views and seeds that have not changed (dbt_project/macros/materializations/): an unchanged
view keeps its oid and an unchanged seed its table file across builds, while a view whose SQL changed, a view whose
input table gained a column, a seed whose CSV changed, and everything on --full-refresh, are created again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from psycopg import sql

from loaders.contract import load_contracts
from loaders.load import ensure_staging_table
from scorecard import config_load, dbt
from scorecard.settings import PROJECT_ROOT
from scorecard.warehouse import Warehouse
from tests.conftest import query

pytestmark = pytest.mark.slow

UNCHANGED_VIEW = "stg_cin__assessments"
CHANGED_VIEW = "stg_cin__referrals"
WIDENED_VIEW = "stg_cin__cin_plans"  # its staging table gains a column
UNCHANGED_SEED = "rag_overrides"
CHANGED_SEED = "suppression_links"
SELECTION = [UNCHANGED_VIEW, CHANGED_VIEW, WIDENED_VIEW, UNCHANGED_SEED, CHANGED_SEED]


def oids(wh: Warehouse) -> dict[str, tuple[int, int]]:
    """Each selected relation's oid and file node (a reloaded seed is truncated: a new file node, the same oid)."""
    rows = query(wh, "select relname, oid::int, relfilenode::int from pg_class "
                     "where relnamespace = 'transform'::regnamespace and relname = any(%s)", (SELECTION,))
    return {name: (oid, filenode) for name, oid, filenode in rows}


def build(wh: Warehouse, project: Path, full_refresh: bool = False) -> None:
    args = ["build", "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious", "--select", *SELECTION]
    if full_refresh:
        args.append("--full-refresh")
    dbt.run_dbt(wh, project, args, dict(dbt.UNIT_TEST_VARS))


@pytest.fixture()
def project(tmp_path: Path, warehouse: Warehouse) -> Path:
    """A copy of the dbt project (to change a model and a seed in), and the source tables it reads, empty."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", copy, ignore=shutil.ignore_patterns("target", "logs"))
    config_load.load_targets(warehouse, copy)
    with warehouse.connect() as conn, conn.transaction():
        for contract in load_contracts(PROJECT_ROOT / "loaders" / "contracts"):
            ensure_staging_table(conn, contract)
    return copy


def test_unchanged_views_and_seeds_are_kept_changed_ones_recreated(warehouse: Warehouse, project: Path) -> None:
    build(warehouse, project)
    first = oids(warehouse)
    assert set(first) == set(SELECTION)

    build(warehouse, project)
    assert oids(warehouse) == first, "a build with nothing changed recreated a view or reloaded a seed"

    model = next(project.glob(f"models/staging/**/{CHANGED_VIEW}.sql"))
    model.write_text(model.read_text(encoding="utf-8").replace("select * from renamed",
                                                               "select * from renamed where true"), encoding="utf-8")
    seed = project / "seeds" / f"{CHANGED_SEED}.csv"
    lines = seed.read_text(encoding="utf-8").splitlines()
    seed.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one row fewer
    with warehouse.connect() as conn, conn.transaction():
        conn.execute("alter table staging.cin_plan_dates add column extra_column text")
    build(warehouse, project)
    second = oids(warehouse)
    assert second[UNCHANGED_VIEW] == first[UNCHANGED_VIEW]
    assert second[UNCHANGED_SEED] == first[UNCHANGED_SEED]
    assert second[CHANGED_VIEW][0] != first[CHANGED_VIEW][0], "a view whose SQL changed was not recreated"
    assert second[WIDENED_VIEW][0] != first[WIDENED_VIEW][0], "a view whose input gained a column was not recreated"
    assert second[CHANGED_SEED][1] != first[CHANGED_SEED][1], "a seed whose CSV changed was not reloaded"
    seed_rows = query(warehouse, sql.SQL("select count(*) from transform.{}").format(
        sql.Identifier(CHANGED_SEED)).as_string())[0][0]
    assert seed_rows == len(lines) - 2  # the header and the row taken out
    definition = query(warehouse, "select pg_get_viewdef(%s::regclass)", (f"transform.{CHANGED_VIEW}",))[0][0]
    assert "true" in definition.lower()

    build(warehouse, project, full_refresh=True)
    refreshed = oids(warehouse)
    assert refreshed[UNCHANGED_VIEW][0] != second[UNCHANGED_VIEW][0], "--full-refresh kept a view"
    assert refreshed[UNCHANGED_SEED][0] != second[UNCHANGED_SEED][0], "--full-refresh kept a seed"


def test_a_view_dropped_by_an_upstream_rebuild_is_created_again(warehouse: Warehouse, project: Path) -> None:
    build(warehouse, project)
    # what dbt's rename-and-drop of a table a view reads does to the view: drop it by cascade
    with warehouse.connect() as conn, conn.transaction():
        conn.execute(sql.SQL("drop view transform.{}").format(sql.Identifier(UNCHANGED_VIEW)))
    build(warehouse, project)
    assert UNCHANGED_VIEW in oids(warehouse)

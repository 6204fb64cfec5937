"""What BI tools read: the wide view (one row per council and measure, current and previous values) built by dbt
over the published scorecard, the bi_reader role's access to it, and dbt docs of the published marts."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

from scorecard import cli, dbt
from scorecard.publish import _grant_reader
from tests.test_report_fixture import LA, build_fixture

pytestmark = pytest.mark.slow

SCHEMA = "marts_build_report_test"


def test_wide_view_has_one_row_per_measure_with_the_latest_and_previous_period(warehouse, settings):
    fixture = build_fixture(warehouse, SCHEMA)
    dbt.run_dbt(warehouse, settings.dbt_project_dir, ["run", "--select", "fct_scorecard_wide"],
                {"marts_schema": SCHEMA, "la_code": LA})
    with warehouse.connect() as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        rows = {r["measure_ref"]: r for r in cur.execute(sql.SQL("select * from {}.fct_scorecard_wide").format(
            sql.Identifier(SCHEMA))).fetchall()}
        kind = conn.execute("select table_type from information_schema.tables where table_schema = %s "
                            "and table_name = 'fct_scorecard_wide'", (SCHEMA,)).fetchone()[0]
    assert kind == "VIEW"  # swapped in with fct_scorecard, never out of step with it
    assert set(rows) == {r["measure_ref"] for r in fixture.rows}  # one row per council and measure
    csc002 = rows["CSC002"]
    assert (csc002["current_period_label"], csc002["current_value_text"], csc002["previous_period_label"],
            csc002["previous_value_text"], csc002["change"]) == ("2019-20 Q1", "17%", "2018-19 Q4", "19%",
                                                                 Decimal(-2))
    assert csc002["source"] == "return" and csc002["neighbour_average"] == Decimal("22.1")
    assert (rows["CSC003"]["rag"], rows["CSC003"]["rag_override"], rows["CSC003"]["rag_shown"]) == \
        ("amber", "green", "green")
    assert rows["CSC006"]["period_type"] == "snapshot"  # not the year-end row that shares its 31 March date
    assert rows["CSC005"]["definition_changed"] is False  # the current (Annex A) definition
    pi11 = rows["PI1.1"]  # record-level history only: the latest it has
    assert (pi11["source"], pi11["current_period_end"], pi11["current_value"], pi11["previous_value"]) == \
        ("record_level", date(2018, 3, 31), Decimal(2450), Decimal(2400))


def test_bi_reader_reads_the_wide_view_after_the_publish_grants(warehouse, settings):
    build_fixture(warehouse, SCHEMA)
    dbt.run_dbt(warehouse, settings.dbt_project_dir, ["run", "--select", "fct_scorecard_wide"],
                {"marts_schema": SCHEMA, "la_code": LA})
    with warehouse.connect() as conn:
        _grant_reader(conn, SCHEMA)  # what publish does before the swap
        conn.execute("set role bi_reader")
        count = conn.execute(sql.SQL("select count(*) from {}.fct_scorecard_wide").format(
            sql.Identifier(SCHEMA))).fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from audit.publications")
    assert count == 43


def test_demo_writes_dbt_docs_of_the_published_marts_and_the_scorecard_linking_them(warehouse, settings):
    build_fixture(warehouse)  # the published marts
    settings = dataclasses.replace(settings, la_code=LA)
    written = cli._demo_reports(warehouse, settings)
    page = settings.reports_dir / "dbt_docs" / "index.html"
    folder = settings.reports_dir / "scorecard" / "2019-20Q1"
    assert {folder / "scorecard.html", folder / "scorecard.xlsx", page} <= set(written)
    assert page.stat().st_size > 100_000  # the static page embeds the manifest and catalog: it opens from disk
    catalog = json.loads((page.parent / "catalog.json").read_text())
    node = catalog["nodes"]["model.scorecard.fct_scorecard"]
    assert node["metadata"]["schema"] == "marts"
    assert {"value_text", "neighbour_average", "rag_override"} <= set(node["columns"])
    manifest = json.loads((page.parent / "manifest.json").read_text())
    assert "model.scorecard.fct_scorecard_wide" in manifest["nodes"]
    assert 'href="../../dbt_docs/index.html"' in (folder / "scorecard.html").read_text(encoding="utf-8")

"""The scorecard logic: RAG and direction of travel are table-tested by dbt unit tests
(dbt_project/models/intermediate/*/_*unit_tests.yml and _benchmarks__models.yml), which tests/test_dbt_unit_tests.py
runs; these tests check that those tables cover what they must, that a build leaves them out (they test the code,
not the data), and that the catalogue drives the published rating with no code change."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from scorecard import dbt, pipeline
from scorecard.settings import PROJECT_ROOT
from tests.conftest import query
from tests.referrals_fixture import write_referrals
from tests.test_returns import reference_file, scorecard_settings

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
UNIT_TESTS = DBT_PROJECT / "models" / "intermediate" / "scorecard" / "_scorecard__unit_tests.yml"
BENCHMARK_TESTS = DBT_PROJECT / "models" / "intermediate" / "benchmarks" / "_benchmarks__models.yml"


def unit_tests() -> dict[str, dict]:
    tests = {}
    for path in (UNIT_TESTS, BENCHMARK_TESTS):
        for test in yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests", []):
            tests[test["name"]] = test
    return tests


def cases(test: dict) -> list[tuple[dict, dict]]:
    """(given row, expected row) pairs of a one-input unit test, matched on measure_ref."""
    given = test["given"][0]["rows"] if len(test["given"]) == 1 else []
    expected = {row["measure_ref"]: row for row in test["expect"]["rows"]}
    return [(row, expected[row["measure_ref"]]) for row in given if row["measure_ref"] in expected]


def test_rag_table_covers_every_target_form_polarity_and_band():
    table = cases(unit_tests()["rag_bands_by_polarity_target_form_and_boundary"])
    seen = {(given["compare_comparator"], given["polarity"], expected["rag"]) for given, expected in table}
    for comparator in ("point", "lt", "gt", "range"):
        for rag in ("green", "amber", "red"):
            assert any(c == comparator and r == rag for c, _, r in seen), (comparator, rag)
    assert {("point", "high", "amber"), ("point", "low", "amber"), ("le", "low", "green"),
            ("ge", "high", "green")} <= seen
    # every band edge is tested exactly: on the target, on the amber edge (amber) and just past it (red)
    for given, expected in table:
        if given["measure_ref"].endswith("amber_edge"):
            assert expected["rag"] == "amber" and "inside" in expected["rag_reason"], given["measure_ref"]
    assert {"absolute", "relative"} == {given["tolerance_type"] for given, _ in table}


def test_rag_table_covers_the_other_bases_and_every_reason_for_no_rating():
    table = cases(unit_tests()["rag_other_bases_and_rows_not_rated"])
    bases = {given.get("rating_basis") for given, _ in table}
    assert {"target", "neighbour_average", "england_value", None} <= bases
    target_bases = {given.get("applied_target_basis") for given, _ in table}
    assert {"period", "cumulative", "per_period"} <= target_bases
    reasons = [expected["rag_reason"] for _, expected in table if expected["rag"] is None]
    for fragment in ("Not rated: an activity", "No figure", "No target", "definition changed", "is due by",
                     "reported as the band", "year-to-date total", "no direction"):
        assert any(fragment in reason for reason in reasons), fragment


def test_direction_table_covers_both_polarities_the_threshold_and_broken_series():
    table = unit_tests()["direction_of_travel_by_polarity_threshold_and_series"]["expect"]["rows"]
    outcomes = {(row["direction_movement"], row["direction_of_travel"]) for row in table}
    assert {("up", "improving"), ("down", "improving"), ("up", "worsening"), ("down", "worsening"),
            ("level", "static"), ("up", None)} <= outcomes
    assert {row["direction_year_on_year"] for row in table} >= {"improving"}
    measures = {row["measure_ref"] for row in table}
    assert {"CHANGED", "YTD", "SOURCES"} <= measures


def copy_project(tmp_path: Path) -> Path:
    """A copy of the dbt project whose catalogue a test may edit (the repository's is never touched)."""
    target = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, target, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return target


def edit_csv(path: Path, match: dict[str, str], changes: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    hits = [row for row in rows if all(row[k] == v for k, v in match.items())]
    assert len(hits) == 1, match
    hits[0].update(changes)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def land_return_extract(landing: Path, refs: set[str]) -> None:
    """A council's 2019-20 return holding only some of the reference scorecard's rows."""
    source = reference_file("scorecard_2019_20")
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["ref"] in refs]
        fields = reader.fieldnames
    target = landing / "895" / "scorecard_2019_20_extract.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def publish(wh, settings, run_id: str) -> None:
    """What `scorecard build` does: targets, dbt build, mart gate, publish."""
    schema = pipeline.build(wh, settings, run_id)
    pipeline.gate_marts(wh, settings, run_id, schema)
    pipeline.publish_build(wh, settings, run_id, schema)


def published(wh, ref: str, source: str = "return") -> tuple:
    rows = query(wh, "select rag, rag_reason, rag_override, rag_override_reason, rag_override_by, target_text, "
                     "previous_value, direction_movement, direction_of_travel from marts.fct_scorecard "
                     "where measure_ref = %s and source = %s and period_type <> 'financial_year' "
                     "and period_end = '2019-06-30'", (ref, source))
    assert len(rows) == 1, (ref, rows)
    return rows[0]


@pytest.mark.slow
def test_changing_the_catalogue_changes_the_published_rating_with_no_code_change(warehouse, settings, tmp_path):
    project = copy_project(tmp_path)
    settings = dataclasses.replace(scorecard_settings(settings, tmp_path), dbt_project_dir=project)
    land_return_extract(settings.landing_dir, {"CSC002", "CSC003", "Ed&S015"})
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=300, start=date(2018, 4, 1), days=450)
    pipeline.load(warehouse, settings, "load")
    publish(warehouse, settings, "before")

    assert published(warehouse, "CSC003")[:2] == (
        "amber", "83.0% against a target of 85% (high is good): 2.0 points short, inside the 2.5-point amber band.")
    assert published(warehouse, "CSC002")[:2] == (
        "green", "17.0% against a target of <18% (low is good): met by 1.0 point.")
    # 19% at 2018-19 Q4, 17% at 2019-20 Q1: down two points on a low-is-good measure
    assert published(warehouse, "CSC002")[6:] == (Decimal("19"), "down", "improving")
    assert published(warehouse, "Ed&S015")[:2] == (
        "green", "a reduction of 115 since the previous period against a target of 100 per qtr (low is good): "
                 "met by 15.")

    # the build ran the data tests but left the unit tests of the rating logic to the test suite
    results = json.loads((dbt.target_dir(project, warehouse) / "run_results.json").read_text(encoding="utf-8"))
    ran = {r["unique_id"].split(".")[0] for r in results["results"]}
    assert "test" in ran and "model" in ran and "unit_test" not in ran

    # the catalogue changes: a narrower amber band, a stricter target, an override with its reason and author
    edit_csv(project / "seeds" / "measures.csv", {"measure_ref": "CSC003"}, {"amber_tolerance": "1.5"})
    edit_csv(project / "seeds" / "measure_targets.csv", {"measure_ref": "CSC002", "financial_year": "2019"},
             {"target_text": "<16%"})
    with (project / "seeds" / "rag_overrides.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["895", "CSC003", "quarter", "2019-04-01", "2019-06-30", "amber",
             "Two late assessments were authorised on the first working day after the quarter.",
             "Head of Service, Child in Need", "2019-07-15 10:00:00"])
    publish(warehouse, settings, "after")

    assert published(warehouse, "CSC003")[:5] == (
        "red", "83.0% against a target of 85% (high is good): 2.0 points short, outside the 1.5-point amber band.",
        "amber", "Two late assessments were authorised on the first working day after the quarter.",
        "Head of Service, Child in Need")
    assert published(warehouse, "CSC002")[:2] == (
        "amber", "17.0% against a target of <16% (low is good): 1.0 point over, inside the 2.5-point amber band.")
    assert published(warehouse, "CSC002")[5] == "<16%"

    # the covering report's counts follow the published ratings
    counts = query(warehouse, "select red, amber, green, not_rated, overridden, improving, static, worsening, "
                              "measures from marts.fct_scorecard_summary where source = 'return' "
                              "and section = 'All sections' and period_label = '2019-20 Q1'")
    assert counts == [(1, 1, 1, 0, 1, 3, 0, 0, 3)]
    sections = query(warehouse, "select section, measures from marts.fct_scorecard_summary where source = 'return' "
                                "and period_label = '2019-20 Q1' order by section")
    assert sections == [("All sections", 3), ("Safeguarding", 2), ("Special Educational Need (SEN)", 1)]
    dims = query(warehouse, "select (select count(*) from marts.dim_measure), (select count(*) from marts.dim_period "
                            "where period_type = 'quarter' and period_start = '2019-04-01')")
    assert dims[0][0] > 80 and dims[0][1] == 1

"""Hand-typed returns: both reference scorecards load whole, every printed value parsed or given a status, and the
published history sits beside the record-level measures in the scorecard."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from loaders.contract import parse_contract
from loaders.load import StagedBatch
from loaders.returns import LAYOUTS, measure_ref_for, unpivot
from scorecard import pipeline
from scorecard.parsing.values import ValueStatus
from scorecard.settings import PROJECT_ROOT, Settings
from tests.conftest import FIXTURES, query
from tests.referrals_fixture import write_referrals

REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"
CONTRACTS = PROJECT_ROOT / "loaders" / "contracts"
REFERENCE_FILES = {"scorecard_2017_18": "scorecard_2017_18_q4.csv", "scorecard_2019_20": "scorecard_2019_20.csv"}
NO_NUMBER = {s.value for s in ValueStatus if not s.has_number}


def reference_file(table: str) -> Path:
    path = REFERENCE / REFERENCE_FILES[table]
    if not path.is_file():
        pytest.skip(f"reference scorecard {path.name} not found in {REFERENCE} "
                    "(shared/reference beside the repository)")
    return path


def land_reference(landing: Path, la_code: str = "895", tables: tuple[str, ...] = tuple(REFERENCE_FILES)) -> None:
    """Copy the reference scorecards into a council's landing folder (test input only, never committed)."""
    for table in tables:
        source = reference_file(table)
        target = landing / la_code / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def scorecard_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The project's contracts and suites, with the referral fixture's fixed staging suite for cin_details (as
    tests/test_pipeline.py does), so these tests land the real returns and benchmarks beside the fixture."""
    expectations = tmp_path / "expectations"
    shutil.copytree(settings.expectations_dir, expectations)
    shutil.copy(FIXTURES / "expectations" / "staging" / "cin_details.json", expectations / "staging")
    return dataclasses.replace(settings, expectations_dir=expectations)


def printed_cells(table: str) -> list[tuple[str, str, str]]:
    """(printed ref, column, text) of every non-blank value and benchmark cell of a reference scorecard."""
    layout = LAYOUTS[table]
    with reference_file(table).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [(row[layout.ref_column], cell.column, row[cell.column]) for row in rows for cell in layout.cells
            if row[cell.column].strip()]


def _records(table: str) -> list[dict]:
    with reference_file(table).open(encoding="utf-8", newline="") as handle:
        return [dict(row, _row_number=line) for line, row in enumerate(csv.DictReader(handle), start=2)]


def _batch(table: str) -> StagedBatch:
    contract = parse_contract(CONTRACTS / "returns" / f"{table}.yml")
    return StagedBatch(1, contract, "895", REFERENCE_FILES[table], 0)


@pytest.mark.parametrize("table, measures", [("scorecard_2017_18", 73), ("scorecard_2019_20", 42)])
def test_every_printed_value_parses_or_has_a_status(table: str, measures: int):
    records = _records(table)
    assert len(records) == measures
    rows = unpivot(_batch(table), LAYOUTS[table], records)
    cells = printed_cells(table)
    assert len(rows) == len(cells)
    columns = {"value_text": 11, "value": 12, "value_status": 13}
    for row, (ref, column, text) in zip(rows, cells, strict=True):
        assert (row[3], row[6], row[columns["value_text"]]) == (ref, column, text)  # the printed text is kept
        status = row[columns["value_status"]]
        assert (row[columns["value"]] is not None) == (status not in NO_NUMBER), (ref, column, text)
        assert status != ValueStatus.MISSING.value


def test_the_printed_forms_are_read_as_they_mean():
    rows = {(r[3], r[6]): r for r in unpivot(_batch("scorecard_2017_18"), LAYOUTS["scorecard_2017_18"],
                                              _records("scorecard_2017_18"))}
    rows |= {(r[3], r[6]): r for r in unpivot(_batch("scorecard_2019_20"), LAYOUTS["scorecard_2019_20"],
                                               _records("scorecard_2019_20"))}
    value, status, qualifier, alternative, cumulative, lower = 12, 13, 15, 16, 17, 18
    assert rows[("1.1", "year_end_2016_17")][value] == Decimal("10681")
    assert rows[("1.10", "year_end_2017_18")][status] == "indicative"
    assert rows[("1.10", "year_end_2017_18")][value] == Decimal("83")
    assert rows[("2.11", "year_end_2017_18")][alternative] == Decimal("63")
    assert rows[("10.3", "year_end_2016_17")][qualifier] == "Jan 17 SEN return"
    assert rows[("1.6", "q1_2017_18")][status] == "suppressed"
    assert rows[("2.3", "stat_neighbour_avg")][status] == "not_released"
    assert rows[("2.3", "q1_2017_18")][status] == "presented_annually"
    assert rows[("7.6", "q1_2017_18")][status] == "band" and rows[("7.6", "q1_2017_18")][lower] == Decimal("97")
    assert rows[("10.4", "year_end_2016_17")][status] == "target_text"
    assert rows[("P&EH006", "q1_2019_20")][cumulative] == Decimal("1382")
    assert rows[("6.6", "national_avg")][value] == Decimal("239240")  # an England total in the average column
    assert rows[("1.2", "q1_2017_18")][4] == "CSC001"  # mapped through the measure_refs seed


def test_printed_columns_carry_their_periods():
    cells = {c.column: c for layout in LAYOUTS.values() for c in layout.cells}
    assert (cells["q1_2017_18"].start, cells["q1_2017_18"].end) == (date(2017, 4, 1), date(2017, 6, 30))
    assert (cells["q4_2017_18"].start, cells["q4_2017_18"].end) == (date(2018, 1, 1), date(2018, 3, 31))
    assert (cells["q3_2019_20"].start, cells["q3_2019_20"].end) == (date(2019, 10, 1), date(2019, 12, 31))
    assert cells["year_end_2018_19"].period_type == "financial_year"
    assert (cells["year_end_2018_19"].start, cells["year_end_2018_19"].end) == (date(2018, 4, 1), date(2019, 3, 31))
    assert cells["stat_neighbour_avg"].kind == "neighbour_average"


def test_unknown_printed_refs_follow_the_naming_convention(tmp_path: Path):
    seed = tmp_path / "measure_refs.csv"
    seed.write_text("scorecard_year,printed_ref,measure_ref\n2017-18,1.2,CSC001\n", encoding="utf-8")
    assert measure_ref_for("2017-18", "1.2", seed) == "CSC001"
    assert measure_ref_for("2017-18", "11.4", seed) == "PI11.4"
    assert measure_ref_for("2019-20", "CSC099", seed) == "CSC099"


@pytest.mark.slow
def test_both_reference_scorecards_load_whole(warehouse, settings, tmp_path):
    settings = scorecard_settings(settings, tmp_path)
    land_reference(settings.landing_dir)
    summary = pipeline.load(warehouse, settings, "returns")
    assert sorted((b.contract.table, b.rows) for b in summary.loaded) == [("scorecard_2017_18", 73),
                                                                          ("scorecard_2019_20", 42)]
    for table, year in (("scorecard_2017_18", "2017-18"), ("scorecard_2019_20", "2019-20")):
        cells = printed_cells(table)
        loaded = query(warehouse, "select printed_ref, column_name, value_text, value, value_status "
                                  "from staging.return_values where scorecard_year = %s", (year,))
        assert sorted((r[0], r[1], r[2]) for r in loaded) == sorted(cells)
        assert all((r[3] is not None) != (r[4] in NO_NUMBER) for r in loaded)
        refs = query(warehouse, f"select count(distinct {LAYOUTS[table].ref_column}) from staging.{table}")  # noqa: S608
        assert refs[0][0] == {"scorecard_2017_18": 73, "scorecard_2019_20": 42}[table]
    statuses = Counter(dict(query(warehouse, "select value_status, count(*) from staging.return_values group by 1")))
    assert statuses["suppressed"] == 5 and statuses["band"] == 9 and statuses["presented_annually"] == 2


@pytest.mark.slow
def test_an_unreadable_value_rejects_the_return_naming_row_and_column(warehouse, settings, tmp_path):
    settings = scorecard_settings(settings, tmp_path)
    land_reference(settings.landing_dir, tables=("scorecard_2019_20",))
    pipeline.load(warehouse, settings, "good")
    before = query(warehouse, "select count(*) from staging.return_values")[0][0]
    landed = settings.landing_dir / "895" / "scorecard_2019_20.csv"
    text = landed.read_text(encoding="utf-8").replace("CSC003,Children's Social Care,Percentage of assessments "
                                                      "completed within 45 days,5,Childrens,Head of Service Child in "
                                                      "Need/ Child Protection,,,CEC Data,81%,78%,83%",
                                                      "CSC003,Children's Social Care,Percentage of assessments "
                                                      "completed within 45 days,5,Childrens,Head of Service Child in "
                                                      "Need/ Child Protection,,,CEC Data,81%,78%,about 83%")
    assert "about 83%" in text
    landed.write_text(text, encoding="utf-8")
    with pytest.raises(pipeline.LoadRejected, match=r"row 4, column q1_2019_20.*about 83%"):
        pipeline.load(warehouse, settings, "bad")
    assert query(warehouse, "select count(*) from staging.return_values")[0][0] == before
    assert query(warehouse, "select value_text from staging.return_values where printed_ref = 'CSC003' "
                            "and column_name = 'q1_2019_20'") == [("83%",)]


@pytest.mark.slow
def test_returns_and_record_level_figures_sit_side_by_side(warehouse, settings, tmp_path):
    settings = scorecard_settings(settings, tmp_path)
    land_reference(settings.landing_dir)
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=400, start=date(2017, 4, 1), days=729)
    pipeline.load(warehouse, settings, "both")
    schema = pipeline.build(warehouse, settings, "both")
    rows = query(warehouse, f"select source, value, value_text, value_status from {schema}.fct_scorecard "  # noqa: S608
                            "where measure_ref = 'CSC001' and period_type = 'quarter' and period_start = '2017-04-01'")
    by_source = {r[0]: r[1:] for r in rows}
    assert set(by_source) == {"record_level", "return"}
    assert by_source["return"] == (Decimal("952"), "952", "reported")
    assert by_source["record_level"][0] is not None and by_source["record_level"][1] is None
    # printed rows that add up to one measure are summed; a superseded definition is left out
    summed = query(warehouse, f"select value, value_text from {schema}.fct_scorecard where measure_ref = 'Ed&S007' "  # noqa: S608
                              "and source = 'return' and period_start = '2018-01-01'")
    assert summed == [(Decimal("7"), "6.7: 1; 6.8: 6")]
    ehcp = query(warehouse, f"select value, printed_refs from {schema}.fct_scorecard where measure_ref = 'Ed&S010' "  # noqa: S608
                            "and source = 'return' and period_type = 'financial_year' and financial_year = 2017")
    assert ehcp == [(Decimal("1908"), "10.6")]
    # figures printed under an earlier definition are flagged and the trend does not cross the change
    changed = query(warehouse, f"select definition_changed, rag, rag_reason from {schema}.fct_scorecard "  # noqa: S608
                               "where measure_ref = 'CSC010' and source = 'return' and financial_year = 2017 "
                               "and period_type = 'snapshot' and period_end = '2018-03-31'")
    assert changed[0][0] is True and changed[0][1] is None and "definition changed" in changed[0][2]
    # the printed benchmarks load as well
    printed = query(warehouse, f"select neighbour_average, england_value from {schema}.fct_scorecard "  # noqa: S608
                               "where measure_ref = 'CSC002' and source = 'return' and period_type = 'quarter' "
                               "and period_start = '2018-01-01'")
    assert printed == [(Decimal("22.1"), Decimal("21.9"))]

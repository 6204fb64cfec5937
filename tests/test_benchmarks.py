"""Benchmarks: the LAIT-style generator, and the statistical-neighbour average, England value, rank and quartile
band the warehouse computes from the files, checked against a calculation by hand in Python."""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from scorecard import config_load, dbt, pipeline
from scorecard.generate import benchmarks
from scorecard.generate._benchmark_areas import ENGLAND_CODE, LOCAL_AUTHORITIES, PUBLISHED_NEIGHBOURS, REGIONS
from scorecard.generate.common import GenerationSpec
from scorecard.settings import PROJECT_ROOT
from tests.conftest import query
from tests.test_returns import scorecard_settings

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
MARKERS = {"c", "x", "..", "-"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    benchmarks.generate(GenerationSpec(out_dir=out, first_year=2016, years=4))
    return out / "national"


def test_generation_is_deterministic_and_national(tmp_path: Path, national: Path):
    again = benchmarks.generate(GenerationSpec(out_dir=tmp_path, first_year=2016, years=4, la_code="896"))
    assert [p.parent.name for p in again] == ["national", "national"]
    for path in again:
        assert path.read_bytes() == (national / path.name).read_bytes()


def test_the_long_file_covers_every_area_measure_and_year(national: Path):
    rows = read_csv(national / benchmarks.LAIT_FILE)
    assert list(rows[0]) == list(benchmarks.LAIT_HEADER)
    areas = {ENGLAND_CODE} | {r.code for r in REGIONS} | {la.code for la in LOCAL_AUTHORITIES}
    assert len(LOCAL_AUTHORITIES) == 152 and "895" in areas
    by_cell: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        by_cell[(row["Short Desc"], row["Years"])].add(row["LA Number"])
    assert len(by_cell) == len(benchmarks.MEASURES) * 4
    assert all(found == areas for found in by_cell.values())
    years = {row["Years"] for row in rows}
    assert {"2016-17", "2019-20", "2016/17", "2019/20"} <= years
    values = [row["Values"] for row in rows]
    assert MARKERS <= set(values)
    assert all(v in MARKERS or Decimal(v) >= 0 for v in values)
    not_released = {row["Years"][:4] for row in rows if row["Values"] == ".."}
    assert not_released == {"2019"}  # only the latest year is not yet released


def test_the_neighbour_groups_follow_the_lait_sheet(national: Path):
    rows = read_csv(national / benchmarks.SN_FILE)
    assert list(rows[0])[:7] == ["LA num", "LA Name", "LA number", "GOInd", "GOReg", "SN1", "SNP1"]
    sets = defaultdict(list)
    for row in rows:
        sets[row["Effective From"]].append(row)
    assert sorted(sets) == ["2016-04-01", "2018-04-01"]
    for members in sets.values():
        assert len(members) == 152
        for row in members:
            neighbours = [row[f"SN{n}"] for n in range(1, 11)]
            assert len(set(neighbours)) == 10 and row["LA num"] not in neighbours
    cheshire_east = [row for row in rows if row["LA num"] == "895"]
    assert {tuple(row[f"SN{n}"] for n in range(1, 11)) for row in cheshire_east} == {PUBLISHED_NEIGHBOURS["895"]}
    closeness = {row[f"SNP{n}"] for row in rows for n in range(1, 11)}
    assert {"Very close", "Very Close"} <= closeness  # the sheet mixes the letter case
    revised = sum(1 for a, b in zip(sets["2016-04-01"], sets["2018-04-01"], strict=True)
                  if a["SN10"] != b["SN10"])
    assert revised > 0


def test_every_generated_measure_is_mapped_to_the_catalogue():
    mapping = read_csv(SEEDS / "benchmark_measures.csv")
    catalogue = {row["measure_ref"]: row for row in read_csv(SEEDS / "measures.csv")}
    assert {row["lait_short_desc"] for row in mapping} == {m.short_desc for m in benchmarks.MEASURES}
    years = {m.short_desc: m.year_type for m in benchmarks.MEASURES}
    polarity = {1: "high", -1: "low", 0: "none"}
    for row in mapping:
        measure = catalogue[row["measure_ref"]]
        assert row["year_type"] == years[row["lait_short_desc"]]
        generated = next(m for m in benchmarks.MEASURES if m.short_desc == row["lait_short_desc"])
        assert measure["polarity"] == polarity[generated.polarity], row["measure_ref"]


def hand_calculation(national: Path) -> dict[tuple[str, str, int], dict]:
    """Neighbour average, England value, rank and quartile band per council, LAIT measure and year, in Python."""
    lait = read_csv(national / benchmarks.LAIT_FILE)
    groups = read_csv(national / benchmarks.SN_FILE)
    polarity = {m.short_desc: m.polarity for m in benchmarks.MEASURES}
    year_type = {m.short_desc: m.year_type for m in benchmarks.MEASURES}
    figures: dict[tuple[str, int], dict[str, Decimal | None]] = defaultdict(dict)
    suppressed: set[tuple[str, int, str]] = set()
    england: dict[tuple[str, int], Decimal] = {}
    for row in lait:
        key = (row["Short Desc"], int(row["Years"][:4]))
        if row["LA Number"] == ENGLAND_CODE:
            england[key] = Decimal(row["Values"])
        elif row["LA Number"].isdigit():
            figures[key][row["LA Number"]] = None if row["Values"] in MARKERS else Decimal(row["Values"])
            if row["Values"] in {"c", "x"}:
                suppressed.add((*key, row["LA Number"]))
    out = {}
    for (measure, year), by_council in figures.items():
        year_end = date(year + 1, 8, 31) if year_type[measure] == "academic" else date(year + 1, 3, 31)
        in_force = {}
        for row in sorted(groups, key=lambda r: r["Effective From"]):
            if date.fromisoformat(row["Effective From"]) <= year_end:
                in_force[row["LA num"]] = [row[f"SN{n}"] for n in range(1, 11)]
        present = sorted(v for v in by_council.values() if v is not None)
        q1, q2, q3 = statistics.quantiles(present, n=4, method="inclusive")  # R's type 7, Postgres percentile_cont
        for council, value in by_council.items():
            neighbour_values = [by_council[n] for n in in_force[council] if by_council.get(n) is not None]
            rank = band = None
            if value is not None and polarity[measure]:
                better = [v for v in present if (v > value if polarity[measure] > 0 else v < value)]
                rank = len(better) + 1
                quarter = 1 if value <= q1 else 2 if value <= q2 else 3 if value <= q3 else 4
                band = "ABCD"[quarter - 1] if polarity[measure] < 0 else "DCBA"[quarter - 1]
            out[(council, measure, year)] = {
                "average": (sum(neighbour_values) / len(neighbour_values)) if neighbour_values else None,
                "with_value": len(neighbour_values),
                "suppressed": sum(1 for n in in_force[council] if (measure, year, n) in suppressed),
                "england": england[(measure, year)], "rank": rank, "band": band, "value": value,
            }
    return out


@pytest.mark.slow
def test_neighbour_average_england_rank_and_quartile_equal_a_hand_calculation(warehouse, settings, tmp_path,
                                                                              national: Path):
    settings = scorecard_settings(settings, tmp_path)
    landed = settings.landing_dir / "national"
    landed.mkdir()
    for path in national.iterdir():
        (landed / path.name).write_bytes(path.read_bytes())
    summary = pipeline.load(warehouse, settings, "benchmarks")
    assert {b.contract.table for b in summary.loaded} == {"lait_benchmarks", "lait_sn_groups"}
    assert {b.la_code for b in summary.loaded} == {"national"}
    config_load.load_targets(warehouse, settings.dbt_project_dir)
    # only the benchmark models and the tests wholly about them (the domain models are not needed here)
    dbt.run_dbt(warehouse, settings.dbt_project_dir, ["build", "--select", "+int_benchmarks__measure_years",
                                                      "--indirect-selection", "cautious"],
                {"marts_schema": "marts_benchmarks_test", "la_code": settings.la_code})
    computed = query(warehouse, "select la_code, lait_measure, benchmark_year, neighbour_average, "
                                "neighbours_with_value, neighbours_suppressed, england_value, national_rank, "
                                "quartile_band, council_value from transform.int_benchmarks__measure_years")
    expected = hand_calculation(national)
    assert len(computed) == len(expected) == 152 * len(benchmarks.MEASURES) * 4
    left_out = 0
    for la, measure, year, average, with_value, suppressed, england, rank, band, value in computed:
        hand = expected[(la, measure, year)]
        assert with_value == hand["with_value"] and suppressed == hand["suppressed"], (la, measure, year)
        if hand["average"] is None:
            assert average is None
        else:
            assert average == pytest.approx(hand["average"], abs=Decimal("1e-9")), (la, measure, year)
        assert england == hand["england"] and value == hand["value"]
        assert (rank, band) == (hand["rank"], hand["band"]), (la, measure, year)
        left_out += la == "895" and suppressed > 0
    assert left_out > 0, "no Cheshire East neighbour was suppressed: the case the average must leave out is untested"

"""The education, early help and health measures end to end: a small synthetic council generated, loaded and built
through the real pipeline, then checked against the spec.

* every measure the issue lists (Ed&S001-Ed&S015, P&EH001-P&EH009, sections 5, 6, 7, 8 and 10 and health measures
  2.10-2.12 of the 2017-18 scorecard, the nine waiting-list indicators) is published with a value for every period
  of its calendar inside the reporting window, except those with no record-level source (NOT_COMPUTABLE);
* the waiting lists reconcile for every month and clinical commissioning group, month after month, and agree with a
  count made here from the generated referrals file.

The hand-worked cases of each measure are the dbt unit tests in the models' yml; they run inside the build.
"""

from __future__ import annotations

import csv
import dataclasses
import secrets
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from scorecard import pipeline
from scorecard.generate import generate_all
from scorecard.generate.common import GenerationSpec
from scorecard.settings import PROJECT_ROOT, Settings, get_settings
from scorecard.warehouse import Warehouse, bootstrap
from tests.conftest import _with_db, query

pytestmark = pytest.mark.slow

SEED = 20190401
SCALE = 0.1
SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
# Listed measures with no record-level source: they come from the hand-typed returns only.
NOT_COMPUTABLE = {
    "PI5.5": "completed personal education plans: the virtual school's PEP records are not extracted",
    "PI6.14": "school meals delivered per day: a catering service return, no record-level source",
}
WAITING_LIST_REFS = {f"WL{n}" for n in range(1, 10)}


@dataclasses.dataclass(frozen=True)
class Council:
    warehouse: Warehouse
    spec: GenerationSpec
    la_dir: Path


@pytest.fixture(scope="module")
def council(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Council]:
    """One small council generated, loaded, built and published, in a database of its own for this module."""
    name = f"scorecard_test_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        wh = Warehouse(_with_db(server_url, name))
        bootstrap(wh)
        base = tmp_path_factory.mktemp("education_health")
        settings: Settings = dataclasses.replace(
            get_settings(), warehouse_url=wh.url, landing_dir=base / "landing", reports_dir=base / "reports",
            embedded_dir=base / "embedded",
        )
        spec = GenerationSpec(out_dir=settings.landing_dir, seed=SEED, scale=SCALE)
        generate_all(spec)
        pipeline.run_all(wh, settings, "education_health")
        yield Council(wh, spec, spec.la_dir)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def listed_measures() -> dict[str, str]:
    """The catalogue measures the issue lists, with their period types."""
    refs = set(WAITING_LIST_REFS)
    for row in _seed("measure_refs.csv"):
        printed = row["printed_ref"]
        if row["scorecard_year"] == "2019-20" and printed.startswith(("Ed&S", "P&EH")):
            refs.add(row["measure_ref"])
        if row["scorecard_year"] == "2017-18" and (
            printed.split(".")[0] in {"5", "6", "7", "8", "10"} or printed in {"2.10", "2.11", "2.12"}
        ):
            refs.add(row["measure_ref"])
    period_types = {row["measure_ref"]: row["period_type"] for row in _seed("measures.csv")}
    return {ref: period_types[ref] for ref in sorted(refs)}


def _quarter_ends(first: date, last: date) -> list[date]:
    """Last days of the financial quarters (April-June, July-September, ...) that lie inside [first, last]."""
    ends: list[date] = []
    year, month = first.year - 1, 4
    while date(year, month, 1) <= last:
        start = date(year, month, 1)
        end = _first_of_next_month(_first_of_next_month(_first_of_next_month(start))) - timedelta(days=1)
        if start >= first and end <= last:
            ends.append(end)
        year, month = (year + 1, month - 9) if month > 9 else (year, month + 3)
    return ends


def _school_calendar(la_dir: Path, first: date, last: date) -> dict[str, set[tuple[date, date]]]:
    """Terms, half terms and academic years to date inside the window, from the generated term dates."""
    halves: list[tuple[str, str, date, date]] = []
    with (la_dir / "school_term_dates.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            halves.append((row["academic_year"], row["term"], date.fromisoformat(row["start_date"]),
                           date.fromisoformat(row["end_date"])))
    terms: dict[tuple[str, str], tuple[date, date]] = {}
    for year, term, start, end in halves:
        known = terms.get((year, term), (start, end))
        terms[(year, term)] = (min(known[0], start), max(known[1], end))
    inside = lambda start, end: first <= start and end <= last  # noqa: E731
    return {
        "half_term": {(start, end) for _, _, start, end in halves if inside(start, end)},
        "term": {period for period in terms.values() if inside(*period)},
        "academic_year_to_date": {
            (date(int(year[:4]), 9, 1), end) for (year, _), (_, end) in terms.items()
            if inside(date(int(year[:4]), 9, 1), end)
        },
    }


def expected_periods(period_type: str, first: date, last: date, la_dir: Path) -> set[tuple[date, date]]:
    """The periods of a calendar inside the reporting window [first, last]."""
    quarter_ends = _quarter_ends(first, last)
    if period_type in {"quarter", "snapshot"}:
        return {(date(end.year, end.month - 2, 1), end) for end in quarter_ends}
    if period_type == "year_to_date":
        return {(date(end.year - (end.month < 4), 4, 1), end) for end in quarter_ends}
    if period_type == "rolling_12_months":
        return {(_first_of_next_month(end).replace(year=end.year - (end.month != 12)), end) for end in quarter_ends}
    if period_type == "month":
        months, start = set(), first
        while _first_of_next_month(start) - timedelta(days=1) <= last:
            months.add((start, _first_of_next_month(start) - timedelta(days=1)))
            start = _first_of_next_month(start)
        return months
    return _school_calendar(la_dir, first, last)[period_type]


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def published(wh: Warehouse, refs: list[str]) -> dict[str, dict[tuple[date, date], tuple]]:
    rows = query(wh, "select measure_ref, period_type, period_start, period_end, value, numerator, denominator "
                     "from marts.fct_scorecard where source = 'record_level' and measure_ref = any(%s)", (refs,))
    out: dict[str, dict[tuple[date, date], tuple]] = defaultdict(dict)
    for ref, period_type, start, end, value, numerator, denominator in rows:
        out[ref][(start, end)] = (period_type, value, numerator, denominator)
    return out


def test_the_listed_measures_are_the_catalogues_and_two_cannot_be_computed():
    listed = listed_measures()
    assert len(listed) == 51
    assert set(NOT_COMPUTABLE) <= set(listed)
    sources = {row["measure_ref"]: row["source"] for row in _seed("measures.csv")}
    assert {ref for ref in listed if sources[ref] == "return"} == set(NOT_COMPUTABLE)


def test_every_listed_measure_is_published_for_every_period_of_its_calendar(council: Council):
    listed = {ref: period_type for ref, period_type in listed_measures().items() if ref not in NOT_COMPUTABLE}
    figures = published(council.warehouse, sorted(listed))
    assert set(figures) == set(listed)
    first, last = council.spec.start_date, council.spec.extract_date
    for ref, period_type in listed.items():
        expected = expected_periods(period_type, first, last, council.la_dir)
        assert expected, ref
        assert set(figures[ref]) == expected, ref
        assert {row[0] for row in figures[ref].values()} == {period_type}, ref
        missing = sorted(period for period, row in figures[ref].items() if row[1] is None)
        assert not missing, (ref, missing)


def test_nothing_listed_as_not_computable_is_published_from_records(council: Council):
    assert not published(council.warehouse, sorted(NOT_COMPUTABLE))


def test_percentages_are_0_to_100_and_counts_are_whole(council: Council):
    units = {row["measure_ref"]: row["unit"] for row in _seed("measures.csv")}
    listed = [ref for ref in listed_measures() if ref not in NOT_COMPUTABLE]
    for ref, periods in published(council.warehouse, listed).items():
        for _period_type, value, numerator, denominator in periods.values():
            if units[ref] == "percent":
                assert 0 <= value <= 100 and numerator <= denominator, ref
                assert float(value) == pytest.approx(100 * float(numerator) / float(denominator)), ref
            if units[ref] == "count":
                assert value == numerator and value == int(value) and denominator is None, ref


def test_waiting_lists_reconcile_for_every_month_and_ccg(council: Council):
    wh = council.warehouse
    months = expected_periods("month", council.spec.start_date, council.spec.extract_date, council.la_dir)
    rows = query(wh, """
        select ccg_code, period_start, period_end,
               sum(awaiting_at_start), sum(appropriate_referrals), sum(wl8_assessments_started),
               sum(removed_from_list), sum(wl1_awaiting_at_end)
        from marts.fct_waiting_lists
        group by ccg_code, period_start, period_end
    """)
    assert {(r[1], r[2]) for r in rows} == months
    assert {r[0] for r in rows} == {"01C", "01R"}
    assert len(rows) == 2 * len(months)
    for ccg, start, _, at_start, referred, assessed, removed, at_end in rows:
        assert at_end == at_start + referred - assessed - removed, (ccg, start)
    # the position at the start of a month is the one at the end of the month before, for every CCG and pathway
    breaks = query(wh, """
        select ccg_code, pathway, period_start
        from (
            select *, lag(wl1_awaiting_at_end) over (partition by la_code, ccg_code, pathway order by period_start)
                as previous_end
            from marts.fct_waiting_lists
        ) as months
        where previous_end is not null and previous_end <> awaiting_at_start
    """)
    assert breaks == []
    assert query(wh, "select count(*) from marts.fct_waiting_lists where awaiting_at_start < 0 "
                     "or wl1_awaiting_at_end < 0")[0][0] == 0


def test_waiting_lists_agree_with_the_referrals_file(council: Council):
    """WL1, WL6, WL7 and WL8 per CCG and month counted here from the generated file, independently of the SQL."""
    referrals = []
    with (council.la_dir / "diagnostic_pathway_events.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            referrals.append((row["ccg_code"], row["appropriate"] == "Y", date.fromisoformat(row["referral_date"]),
                              _day(row["assessment_start_date"]), _day(row["removed_date"])))
    expected = {}
    for start, end in expected_periods("month", council.spec.start_date, council.spec.extract_date,
                                       council.la_dir):
        for ccg in {r[0] for r in referrals}:
            mine = [r for r in referrals if r[0] == ccg]
            awaiting = sum(1 for _, ok, referred, assessed, removed in mine
                           if ok and referred <= end and (assessed is None or assessed > end)
                           and (removed is None or removed > end))
            received = sum(1 for r in mine if start <= r[2] <= end)
            inappropriate = sum(1 for r in mine if start <= r[2] <= end and not r[1])
            assessed_in_month = sum(1 for r in mine if r[1] and r[3] is not None and start <= r[3] <= end)
            expected[(ccg, start)] = (awaiting, received, inappropriate, assessed_in_month)
    rows = query(council.warehouse, """
        select ccg_code, period_start, sum(wl1_awaiting_at_end), sum(wl6_referrals_received),
               sum(wl7_inappropriate_referrals), sum(wl8_assessments_started)
        from marts.fct_waiting_lists group by ccg_code, period_start
    """)
    assert {(r[0], r[1]): tuple(int(v) for v in r[2:]) for r in rows} == expected
    totals = query(council.warehouse, """
        select period_start, measure_ref, value from marts.fct_scorecard
        where source = 'record_level' and measure_ref in ('WL1', 'WL6', 'WL7', 'WL8')
    """)
    column = {"WL1": 0, "WL6": 1, "WL7": 2, "WL8": 3}
    for start, ref, value in totals:
        assert value == sum(counts[column[ref]] for (_, month), counts in expected.items() if month == start)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None

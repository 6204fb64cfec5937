"""Social-care measures end to end: a small generated council (scale 0.1, fixed seed, two financial years) through
the real pipeline (load, GX, dbt build, publish), then checks against the warehouse in SQL:

- every CSC001-CSC018 measure and every computable measure of sections 1-4 of the 2017-18 scorecard is published
  for every quarter of the window (every year for the financial-year measures), on its catalogue period type;
- the record-level fact adds up to the published numerators and denominators;
- children on a child protection plan at a quarter end = at the quarter's start + spells started - spells ended,
  and likewise cared-for children (periods of care), and both equal a direct count from the staging tables;
- no text column of any table in raw, staging, transform, marts (and its archives) or audit holds a raw child
  identifier (LAchildID, CHILD, UPN, FormerUPN) read from the generated files.

The pipeline runs once per module on a database of its own; each test only reads it.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from loaders.contract import contract_for, load_contracts
from scorecard import pipeline
from scorecard.generate import generate_all
from scorecard.generate.common import GenerationSpec
from scorecard.settings import PROJECT_ROOT, Settings, get_settings
from scorecard.warehouse import Warehouse, bootstrap
from tests.conftest import _with_db, query

pytestmark = pytest.mark.slow

SEED = 20190401
FIRST_YEAR = 2018
YEARS = 2
SCALE = 0.1
MEASURES_CSV = PROJECT_ROOT / "dbt_project" / "seeds" / "measures.csv"
SCORECARD_2019_20 = [f"CSC{n:03d}" for n in range(1, 19)]
SECTIONS_1_TO_4 = {"Safeguarding", "Cared for Children", "Care Leavers", "Adoption"}
SEARCHED_SCHEMAS = ("raw", "staging", "transform", "marts", "audit")
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY")
CODE_NOT_IDENTIFIER = re.compile(r"UN[1-7]")  # the 903 header's UPN column holds a UN reason when there is no UPN


@dataclass(frozen=True)
class Council:
    wh: Warehouse
    spec: GenerationSpec
    settings: Settings


@pytest.fixture(scope="module")
def council(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Council]:
    name = f"scorecard_test_sc_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        wh = Warehouse(_with_db(server_url, name))
        bootstrap(wh)
        folder = tmp_path_factory.mktemp("social_care")
        base = get_settings()
        settings = dataclasses.replace(base, warehouse_url=wh.url, landing_dir=folder / "landing",
                                       reports_dir=folder / "reports", embedded_dir=folder / "embedded")
        spec = GenerationSpec(out_dir=settings.landing_dir, seed=SEED, first_year=FIRST_YEAR, years=YEARS,
                              scale=SCALE, la_code=settings.la_code)
        generate_all(spec, domains=("social_care",))
        pipeline.run_all(wh, settings, "social-care-measures")
        yield Council(wh, spec, settings)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


# --- what should be published ---------------------------------------------------------------------------------
def computable_measures() -> dict[str, dict[str, str]]:
    """Social-care measures of the catalogue with a record-level source (not only a hand-typed return)."""
    with MEASURES_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["measure_ref"]: r for r in rows if r["domain"] == "social_care" and r["source"] != "return"}


def quarter_ends(spec: GenerationSpec) -> list[date]:
    ends = []
    for year in range(spec.first_year, spec.first_year + spec.years):
        for month, day in ((6, 30), (9, 30), (12, 31)):
            ends.append(date(year, month, day))
        ends.append(date(year + 1, 3, 31))
    return ends


def expected_period(period_type: str, end: date) -> tuple[date, date]:
    financial_year_start = date(end.year if end.month >= 4 else end.year - 1, 4, 1)
    quarter_start = date(end.year, end.month - 2, 1)
    starts = {
        "quarter": quarter_start,
        "snapshot": quarter_start,
        "year_to_date": financial_year_start,
        "financial_year": financial_year_start,
        "rolling_12_months": date(end.year - 1, end.month, end.day) + timedelta(days=1),
    }
    return starts[period_type], end


def test_the_catalogue_names_every_measure_the_issue_asks_for():
    measures = computable_measures()
    assert set(SCORECARD_2019_20) <= set(measures)
    with MEASURES_CSV.open(newline="", encoding="utf-8") as handle:
        sections = [r for r in csv.DictReader(handle) if r["section"] in SECTIONS_1_TO_4]
    not_computed = {r["measure_ref"] for r in sections if r["measure_ref"] not in measures}
    # only a return has these (PI1.6, PI1.15), or another domain computes them (health: PI2.10-PI2.12)
    assert not_computed == {"PI1.6", "PI1.15", "PI2.10", "PI2.11", "PI2.12"}


def test_every_measure_is_published_for_every_period_of_the_window(council: Council):
    measures = computable_measures()
    published = query(council.wh, """
        select measure_ref, period_type, period_start, period_end, value, denominator
        from marts.fct_scorecard
        where source = 'record_level' and domain = 'social_care'""")
    got = {(ref, period_type, start, end) for ref, period_type, start, end, _, _ in published}
    expected = set()
    for ref, row in measures.items():
        for end in quarter_ends(council.spec):
            if row["period_type"] == "financial_year" and end.month != 3:
                continue
            expected.add((ref, row["period_type"], *expected_period(row["period_type"], end)))
    assert got == expected
    assert len(published) == len(expected)  # one row each
    # a figure is missing only where its denominator is empty (a percentage of nothing)
    missing = [(ref, end) for ref, _, _, end, value, denominator in published
               if value is None and denominator != 0]
    assert missing == []
    assert {ref for ref, *_ in published} >= set(SCORECARD_2019_20)


def test_the_record_level_fact_adds_up_to_the_published_figures(council: Council):
    differences = query(council.wh, """
        with members as (
            select la_code, measure_ref, period_type, period_start, period_end,
                sum(contribution) filter (where role = 'numerator') as numerator,
                sum(contribution) filter (where role = 'denominator') as denominator
            from marts.fct_social_care_measure_members
            group by 1, 2, 3, 4, 5
        )
        select s.measure_ref, s.period_end, s.numerator, m.numerator, s.denominator, m.denominator
        from marts.fct_scorecard s
        left join members m using (la_code, measure_ref, period_type, period_start, period_end)
        where s.source = 'record_level' and s.domain = 'social_care' and s.measure_ref <> 'CSC018'
            and (coalesce(m.numerator, 0) <> s.numerator
                 or (s.unit not in ('count', 'rate_per_10000')
                     and coalesce(m.denominator, 0) <> s.denominator))""")
    assert differences == []
    unpublished = query(council.wh, """
        select count(*) from marts.fct_social_care_measure_members m
        where not exists (
            select 1 from marts.fct_scorecard s
            where s.source = 'record_level' and (s.la_code, s.measure_ref, s.period_type, s.period_start, s.period_end)
                = (m.la_code, m.measure_ref, m.period_type, m.period_start, m.period_end))""")
    assert unpublished == [(0,)]
    keys = query(council.wh, "select distinct child_key from marts.fct_social_care_measure_members")
    assert len(keys) > 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for (key,) in keys)


# --- reconciliation -------------------------------------------------------------------------------------------
STOCK_AND_FLOWS = {
    # measure: (the model of its spells, start column, end column, a direct count from staging at %(day)s: on a
    # plan, or in an episode open, at the end of the day)
    "CSC006": ("int_social_care__protection_plan_spells", "spell_start_date", "spell_end_date", """
        select count(distinct lachildid) from staging.cin_child_protection_plans
        where la_code = %(la)s and cppstartdate <= %(day)s and (cppenddate is null or cppenddate > %(day)s)"""),
    "CSC008": ("int_social_care__care_periods", "period_start_date", "period_end_date", """
        select count(distinct child) from staging.ssda903_episodes
        where la_code = %(la)s and decom <= %(day)s and (dec is null or dec > %(day)s)"""),
}


@pytest.mark.parametrize("measure", sorted(STOCK_AND_FLOWS))
def test_children_at_quarter_end_are_those_at_the_start_plus_started_minus_ended(council: Council, measure: str):
    model, start_column, end_column, direct = STOCK_AND_FLOWS[measure]
    la = council.spec.la_code
    flows = sql.SQL("""
        select
            count(*) filter (where {start} <= %(before)s and ({end} is null or {end} > %(before)s)),
            count(*) filter (where {start} > %(before)s and {start} <= %(day)s),
            count(*) filter (where {end} > %(before)s and {end} <= %(day)s)
        from transform.{model}
        where la_code = %(la)s""").format(start=sql.Identifier(start_column), end=sql.Identifier(end_column),
                                         model=sql.Identifier(model))
    published = dict(query(council.wh, """
        select period_end, numerator from marts.fct_scorecard
        where la_code = %s and measure_ref = %s and source = 'record_level'""", (la, measure)))
    ends = quarter_ends(council.spec)
    assert sorted(published) == ends
    before = council.spec.start_date - timedelta(days=1)  # the day before the window's first quarter
    with council.wh.connect() as conn:
        for day in ends:
            at_start, started, ended = conn.execute(flows, {"la": la, "before": before, "day": day}).fetchone()
            assert started + ended > 0, day  # the flows are real, not an empty identity
            assert published[day] == at_start + started - ended, day
            if before in published:
                assert published[before] == at_start, day
            assert published[day] == conn.execute(direct, {"la": la, "day": day}).fetchone()[0], day
            before = day


# --- no raw identifier anywhere --------------------------------------------------------------------------------
def raw_identifiers(settings: Settings, la_dir: Path) -> tuple[set[str], set[str]]:
    """Every value of an identifier column (LAchildID, CHILD, UPN, FormerUPN) in the generated files, and every
    value of their other columns."""
    contracts = load_contracts(settings.contracts_dir)
    identifiers: set[str] = set()
    other_values: set[str] = set()
    for path in sorted(la_dir.glob("*.csv")):
        contract = contract_for(path.name, contracts)
        if contract is None:
            continue
        id_columns = {c.name for c in contract.identifier_columns}
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                for column, value in row.items():
                    if not value:
                        continue
                    (identifiers if column in id_columns else other_values).add(value)
    identifiers = {v for v in identifiers if not CODE_NOT_IDENTIFIER.fullmatch(v)}
    return identifiers, other_values


def test_no_text_column_anywhere_holds_a_raw_identifier(council: Council):
    identifiers, other_values = raw_identifiers(council.settings, council.spec.la_dir)
    # a value that is also ordinary data in a non-identifier column (say a school URN equal to a person number)
    # cannot be told apart from a leak; there are next to none
    ambiguous = identifiers & other_values
    searched = sorted(identifiers - ambiguous)
    assert len(searched) > 1000 and len(ambiguous) <= len(identifiers) // 100
    columns = query(council.wh, """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where (c.table_schema = any(%s) or c.table_schema like 'marts\\_%%')
            and c.data_type = any(%s)
        order by 1, 2, 3""", (list(SEARCHED_SCHEMAS), list(TEXT_TYPES)))
    assert set(SEARCHED_SCHEMAS) <= {schema for schema, _, _ in columns}
    assert len(columns) > 200
    found = []
    with council.wh.connect() as conn:
        for schema, table, column in columns:
            # every token of the value (so an identifier inside a message or a JSON sample is found too)
            statement = sql.SQL("""
                select count(*) from {table} as t
                cross join lateral regexp_split_to_table(t.{column}::text, '[^0-9A-Za-z]+') as token
                where token = any(%s)""").format(table=sql.Identifier(schema, table), column=sql.Identifier(column))
            hits = conn.execute(statement, (searched,)).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}: {hits}")
    assert found == []

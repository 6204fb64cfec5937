"""The report tests' fixture: published marts in the shape docs/CONVENTIONS.md gives them, holding the 2019-20 Q1
committee paper's figures as a council's return (every value as printed), plus record-level history for trends.

The marts are built here, in the test's own database, so the report is tested against the documented contract
whatever stage the dbt models are at. ``test_fixture_has_the_documented_columns`` keeps the two in step.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from psycopg import sql

from scorecard.parsing.values import ValueStatus, parse_value
from scorecard.report.quarters import Quarter, financial_year_label
from scorecard.settings import PROJECT_ROOT
from scorecard.warehouse import Warehouse

LA = "895"

# The 2019-20 scorecard as the committee paper printed it (shared/reference scorecard_2019_20.csv): the figures of
# year end 2018-19, Q4 2018-19 and Q1 2019-20, the target, and the face the paper printed (happy/sad/none).
PAPER_2019_20 = """\
ref,year_end_2018_19,q4_2018_19,q1_2019_20,target,face
CSC001,2558,614,633,N/A,sad
CSC002,20%,19%,17%,<18%,happy
CSC003,81%,78%,83%,85%,happy
CSC004,26%,23%,23%,<17%,sad
CSC005,,,1774,1700-2000,happy
CSC006,268,268,275,260-300,happy
CSC007,98%,96%,93%,99%,sad
CSC008,485,485,481,440-475,happy
CSC009,91%,96%,93%,97%,sad
CSC010,36%,38%,38%,>50%,sad
CSC011,28%,28%,29%,<20%,sad
CSC012,9%,9%,8%,<6%,sad
CSC013,26%,26%,27%,<20%,sad
CSC014,39%,54%,47%,<38%,sad
CSC015,96%,97%,96%,96%,happy
CSC016,32,32,32,N/A,
CSC017,18,18,5,20,happy
CSC018,23.5,24,23,<20,sad
Ed&S001,90%,90%,92%,92%,happy
Ed&S002,76%,76%,76%,76%,happy
Ed&S003,80%,80%,80%,80%,happy
Ed&S004,96%,96%,96%,96%,happy
Ed&S005,95%,95%,94%,95%,happy
Ed&S006,89%,89%,90%,92%,
Ed&S007,,5,2,3,
Ed&S008,385,385,380,N/A,
Ed&S009,45,45,28,N/A,
Ed&S010,2181,2181,2335,N/A,
Ed&S011,,8%,53%,,
Ed&S012,22%,22%,30%,80%,
Ed&S013,34.8,34.8,27.5,19,
Ed&S014,67%,69%,72%,85%,
Ed&S015,629,629,514,100 per qtr,
P&EH001,933,933,1016,N/A,
P&EH002,59%,59%,73%,50%,
P&EH003,34%,34%,28%,35%,
P&EH004,71%,71%,68%,80%,
P&EH005,97%-99%,97%-99%,97%-99%,97%-99%,
P&EH006,1200,345 (1200 cumulative),182 (1382 cumulative),1900 (accumulative target),
P&EH007,"1,462","1,462","1,576",1400,
P&EH008,148,148,165,N/A,
P&EH009,2.1%,2.1%,2.3%,2%,
"""

# Test data beyond the paper: a rating an officer set, a computed amber, and benchmarks (2017-18's for CSC002).
OVERRIDES = {"CSC003": ("amber", "green", "Head of Service CIN/CP", "Three quarters of improvement agreed at the "
                        "performance board")}
COMPUTED_AMBER = {"Ed&S005"}
BENCHMARKS = {"CSC002": (Decimal("22.1"), Decimal("21.9"))}
# Record-level history before the paper's quarters: quarters 2016-17 Q1 .. 2018-19 Q3.
HISTORY = {"CSC002": [25, 24, 21, 22, 24, 21, 22, 20, 21, 20, 19], "CSC005": [880, 985, 831, 810, 914, 930, 902,
                                                                              915, 920, 940, 925],
           "PI1.1": [2809, 2127, 2140, 2458, 2600, 2500, 2400, 2450]}
# Figures produced under an earlier definition (the marts' definition_changed): CSC005's local definition of children
# in need, before the Ofsted Annex A extract the 2019-20 scorecard counts.
EARLIER_DEFINITION = {"CSC005"}

COLUMNS = [
    ("la_code", "text"), ("measure_ref", "text"), ("measure_name", "text"), ("period_type", "text"),
    ("period_start", "date"), ("period_end", "date"), ("period_label", "text"), ("value", "numeric"),
    ("numerator", "numeric"), ("denominator", "numeric"), ("target", "numeric"), ("target_text", "text"),
    ("target_lower", "numeric"), ("target_upper", "numeric"), ("rag", "text"), ("rag_reason", "text"),
    ("previous_value", "numeric"), ("direction_movement", "text"), ("direction_of_travel", "text"),
    ("section", "text"), ("domain", "text"), ("unit", "text"), ("polarity", "text"), ("decimals", "integer"),
    ("financial_year", "integer"), ("source", "text"), ("value_status", "text"), ("value_text", "text"),
    ("neighbour_average", "numeric"), ("england_value", "numeric"), ("national_rank", "integer"),
    ("quartile_band", "text"), ("rag_override", "text"), ("rag_override_reason", "text"),
    ("rag_override_by", "text"), ("year_ago_value", "numeric"), ("direction_year_on_year", "text"),
    ("definition_changed", "boolean"),
]
MEASURE_COLUMNS = [
    ("measure_ref", "text"), ("measure_name", "text"), ("section", "text"), ("domain", "text"), ("unit", "text"),
    ("polarity", "text"), ("period_type", "text"), ("decimals", "integer"), ("rated", "boolean"),
    ("amber_tolerance", "numeric"), ("tolerance_type", "text"), ("stable_threshold", "numeric"),
    ("responsible_officer", "text"), ("lead", "text"), ("plan_priorities", "text"), ("definition", "text"),
    ("source", "text"),
]
STATUS = {ValueStatus.NOT_APPLICABLE: "missing", ValueStatus.TARGET_TEXT: "missing"}


@dataclass
class Fixture:
    measures: dict[str, dict[str, str]]
    paper: dict[str, dict[str, str]]
    rows: list[dict] = field(default_factory=list)

    def row(self, ref: str, period_end: date, source: str = "return", period_type: str | None = None) -> dict:
        return next(r for r in self.rows if r["measure_ref"] == ref and r["period_end"] == period_end
                    and r["source"] == source and (period_type is None or r["period_type"] == period_type))


def catalogue() -> dict[str, dict[str, str]]:
    with (PROJECT_ROOT / "dbt_project" / "seeds" / "measures.csv").open(encoding="utf-8") as handle:
        return {r["measure_ref"]: r for r in csv.DictReader(handle)}


def period_label(period_type: str, start: date, end: date) -> str:
    """As the dbt macro period_label prints it."""
    if period_type == "quarter":
        return Quarter.containing(start).label
    if period_type == "financial_year":
        return financial_year_label(start.year if start.month >= 4 else start.year - 1)
    if period_type == "month":
        return f"{start:%b %Y}"
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


def period_start(period_type: str, end: date) -> date:
    quarter = Quarter.containing(end)
    if period_type == "year_to_date":
        return date(quarter.year, 4, 1)
    if period_type == "rolling_12_months":
        return date(end.year - 1, end.month, end.day) + timedelta(days=1)
    if period_type == "academic_year_to_date":
        return date(end.year if end.month >= 9 else end.year - 1, 9, 1)
    if period_type == "month":
        return end.replace(day=1)
    return quarter.start


def _movement(value: Decimal | None, previous: Decimal | None, polarity: str) -> tuple[str | None, str | None]:
    if value is None or previous is None:
        return None, None
    moved = "up" if value > previous else "down" if value < previous else "level"
    if moved == "level":
        return moved, "static"
    if polarity not in ("high", "low"):
        return moved, None
    return moved, "improving" if (moved == "up") == (polarity == "high") else "worsening"


def _row(measure: dict[str, str], period_type: str, end: date, text: str | None, value: Decimal | None,
         source: str, **extra: object) -> dict:
    start = date(Quarter.containing(end).year, 4, 1) if period_type == "financial_year" else \
        period_start(period_type, end)
    row = {name: None for name, _ in COLUMNS}
    row.update(
        la_code=LA, measure_ref=measure["measure_ref"], measure_name=measure["measure_name"],
        period_type=period_type, period_start=start, period_end=end,
        period_label=period_label(period_type, start, end), value=value, section=measure["section"],
        domain=measure["domain"], unit=measure["unit"], polarity=measure["polarity"],
        decimals=int(measure["decimals"]), financial_year=Quarter.containing(end).year, source=source,
        value_text=text, value_status="reported" if value is not None else "missing",
        definition_changed=source == "record_level" and measure["measure_ref"] in EARLIER_DEFINITION)
    row.update(extra)
    return row


def _paper_rows(measure: dict[str, str], printed: dict[str, str]) -> list[dict]:
    ref, own = measure["measure_ref"], measure["period_type"]
    rated = measure["rated"] == "true"
    rows = []
    previous: Decimal | None = None
    for column, period_type, end in (("year_end_2018_19", "financial_year", date(2019, 3, 31)),
                                     ("q4_2018_19", own, date(2019, 3, 31)),
                                     ("q1_2019_20", own, date(2019, 6, 30))):
        text = printed[column]
        parsed = parse_value(text)
        value = parsed.number_for(measure["unit"]) if parsed.has_number else None
        status = STATUS.get(parsed.status, str(parsed.status))
        extra: dict[str, object] = {"value_status": status, "target_text": printed["target"] or None}
        if period_type != "financial_year":
            movement, direction = _movement(value, previous, measure["polarity"])
            rag = None
            if rated and value is not None and printed["face"]:
                rag = "amber" if ref in COMPUTED_AMBER else {"happy": "green", "sad": "red"}[printed["face"]]
            reason = ("Not rated: an activity or population measure." if not rated else
                      f"{text} against a target of {printed['target']}: {rag}." if rag else "No target rating.")
            extra.update(previous_value=previous, direction_movement=movement, direction_of_travel=direction,
                         rag=rag, rag_reason=reason)
            if ref in OVERRIDES and end == date(2019, 6, 30):
                computed, override, by, why = OVERRIDES[ref]
                extra.update(rag=computed, rag_reason=f"{text} against a target of {printed['target']}: amber, "
                             "inside the 2.5 amber band.", rag_override=override, rag_override_by=by,
                             rag_override_reason=why)
            if ref in BENCHMARKS:
                extra.update(neighbour_average=BENCHMARKS[ref][0], england_value=BENCHMARKS[ref][1])
            previous = value if value is not None else previous
        rows.append(_row(measure, period_type, end, text or None, value, "return", **extra))
    return rows


def _history_rows(measure: dict[str, str], values: list[int]) -> list[dict]:
    rows, previous, quarter = [], None, Quarter(2016, 1)
    for number in values:
        value = Decimal(number)
        movement, direction = _movement(value, previous, measure["polarity"])
        rows.append(_row(measure, measure["period_type"], quarter.end, None, value, "record_level",
                         previous_value=previous, direction_movement=movement, direction_of_travel=direction,
                         rag_reason="Not rated: an activity or population measure."))
        previous, quarter = value, quarter.next()
    return rows


def build_fixture(wh: Warehouse, schema: str = "marts") -> Fixture:
    """Publish the fixture as ``<schema>.fct_scorecard`` and ``<schema>.dim_measure``."""
    measures = catalogue()
    paper = {r["ref"]: r for r in csv.DictReader(io.StringIO(PAPER_2019_20))}
    fixture = Fixture(measures, paper)
    for ref, printed in paper.items():
        fixture.rows.extend(_paper_rows(measures[ref], printed))
    for ref, values in HISTORY.items():
        fixture.rows.extend(_history_rows(measures[ref], values))
    dimension = [{n: (None if v == "" else v) for n, v in m.items()} for m in measures.values()]
    for m in dimension:
        m["decimals"] = int(m["decimals"])
        m["rated"] = m["rated"] == "true"
    with wh.connect() as conn:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for table, columns, rows in (("fct_scorecard", COLUMNS, fixture.rows),
                                     ("dim_measure", MEASURE_COLUMNS, dimension)):
            conn.execute(sql.SQL("create table {}.{} ({})").format(
                sql.Identifier(schema), sql.Identifier(table),
                sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in columns)))
            names = [n for n, _ in columns]
            statement = sql.SQL("insert into {}.{} ({}) values ({})").format(
                sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names)))
            with conn.cursor() as cur:
                cur.executemany(statement, [[r[n] for n in names] for r in rows])
        # The suppression decisions, as dbt's fct_scorecard_public makes them: here only the paper's own.
        conn.execute(sql.SQL(
            "create table {s}.fct_scorecard_public as select la_code, measure_ref, period_type, period_start, "
            "period_end, source, unit, case when value_status = 'suppressed' then null else value end as value, "
            "value_status from {s}.fct_scorecard").format(s=sql.Identifier(schema)))
    return fixture


def documented_columns() -> list[str]:
    """The columns of marts.fct_scorecard as docs/CONVENTIONS.md lists them."""
    text = (PROJECT_ROOT / "docs" / "CONVENTIONS.md").read_text(encoding="utf-8")
    part = text.split("## The published scorecard", 1)[1].split("Columns (", 1)[1].split("`rag` is always", 1)[0]
    listed = re.findall(r"`([^`]*,[^`]*)`", part, flags=re.S)
    names = []
    for chunk in listed:
        names += [name.strip() for name in re.sub(r"\([^)]*\)", "", chunk, flags=re.S).split(",")]
    return [n for n in names if n]


def test_fixture_has_the_documented_columns():
    assert [n for n, _ in COLUMNS] == documented_columns()


def test_fixture_marks_the_measures_the_paper_printed(warehouse):
    fixture = build_fixture(warehouse)
    with warehouse.connect() as conn:
        counted = conn.execute("select count(distinct measure_ref) from marts.fct_scorecard "
                               "where source = 'return'").fetchone()[0]
    assert counted == len(fixture.paper) == 42

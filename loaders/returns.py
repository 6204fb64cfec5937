"""Hand-typed returns: unpivot each printed cell of a scorecard into ``staging.return_values`` and parse it.

A return in the layout of a reference scorecard (``loaders/contracts/returns/``) arrives as text, one row per
printed measure and one column per period or benchmark. This post-load hook (``loaders/post_load.py``) runs inside
the promote transaction and turns every non-blank printed value, statistical-neighbour average and national
average into one row: the printed text kept as it was, the number where there is one, and otherwise a status
saying why not (suppressed, not yet released, presented annually, a band, ...), see
``scorecard/parsing/values.py``. A cell in no accepted form rejects the council's load with its file, row and
column; nothing is ever guessed.

The printed ref is mapped to the catalogue's ``measure_ref`` through the ``measure_refs`` seed (dbt re-applies the
seed at every build, so a corrected mapping needs no reload).
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import psycopg
from psycopg import sql

from loaders.errors import ContractViolation, Problem
from loaders.load import StagedBatch
from loaders.post_load import register
from scorecard.parsing.values import ParsedValue, ValueParseError, parse_value

MAX_PROBLEMS = 20

DDL = """
create table if not exists staging.return_values (
    la_code          text not null,
    scorecard_year   text not null,
    source_table     text not null,
    printed_ref      text not null,
    measure_ref      text not null,
    printed_name     text,
    column_name      text not null,
    value_kind       text not null check (value_kind in ('value', 'neighbour_average', 'england_value')),
    period_type      text not null check (period_type in ('quarter', 'financial_year')),
    period_start     date not null,
    period_end       date not null,
    value_text       text not null,
    value            numeric,
    value_status     text not null,
    printed_unit     text,
    qualifier        text,
    alternative_value numeric,
    cumulative_value numeric,
    band_lower       numeric,
    band_upper       numeric,
    _batch_id        bigint not null,
    _row_number      bigint not null,
    primary key (la_code, scorecard_year, printed_ref, column_name)
)
"""

COLUMNS = ("la_code", "scorecard_year", "source_table", "printed_ref", "measure_ref", "printed_name", "column_name",
           "value_kind", "period_type", "period_start", "period_end", "value_text", "value", "value_status",
           "printed_unit", "qualifier", "alternative_value", "cumulative_value", "band_lower", "band_upper",
           "_batch_id", "_row_number")

INSERT = sql.SQL("insert into staging.return_values ({}) values ({})").format(
    sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS), sql.SQL(", ").join([sql.Placeholder()] * len(COLUMNS)))


@dataclass(frozen=True)
class Cell:
    """A printed column: what it holds and the period it is for."""

    column: str
    kind: str  # value | neighbour_average | england_value
    period_type: str  # quarter | financial_year (the printed column's period; dbt applies the measure's rule)
    start: date
    end: date


def _quarter(year: int, number: int) -> tuple[str, date, date]:
    """Financial quarter ``number`` (1 = April-June) of the financial year starting in ``year``."""
    start_month = (1 + 3 * number) % 12 or 12
    start_year = year + 1 if number == 4 else year
    end_month = start_month + 2
    return "quarter", date(start_year, start_month, 1), date(start_year, end_month,
                                                             calendar.monthrange(start_year, end_month)[1])


def _year(year: int) -> tuple[str, date, date]:
    return "financial_year", date(year, 4, 1), date(year + 1, 3, 31)


def _cells(values: dict[str, tuple[str, date, date]], benchmarks: dict[str, str],
           benchmark_year: int) -> tuple[Cell, ...]:
    cells = [Cell(column, "value", *period) for column, period in values.items()]
    cells += [Cell(column, kind, *_year(benchmark_year)) for column, kind in benchmarks.items()]
    return tuple(cells)


@dataclass(frozen=True)
class Layout:
    """One reference scorecard's layout."""

    scorecard_year: str  # as the measure_refs seed names it
    ref_column: str
    name_column: str
    cells: tuple[Cell, ...]


LAYOUTS: dict[str, Layout] = {
    "scorecard_2017_18": Layout(
        "2017-18", "pi_ref", "measure",
        _cells({"year_end_2016_17": _year(2016), "q1_2017_18": _quarter(2017, 1), "q2_2017_18": _quarter(2017, 2),
                "q3_2017_18": _quarter(2017, 3), "q4_2017_18": _quarter(2017, 4), "year_end_2017_18": _year(2017)},
               {"stat_neighbour_avg": "neighbour_average", "national_avg": "england_value"}, 2017)),
    "scorecard_2019_20": Layout(
        "2019-20", "ref", "measure",
        _cells({"year_end_2018_19": _year(2018), "q4_2018_19": _quarter(2018, 4), "q1_2019_20": _quarter(2019, 1),
                "q2_2019_20": _quarter(2019, 2), "q3_2019_20": _quarter(2019, 3), "q4_2019_20": _quarter(2019, 4)},
               {}, 2019)),
}


@cache
def _ref_mapping(seed: Path) -> dict[tuple[str, str], str]:
    if not seed.exists():
        return {}
    with seed.open(encoding="utf-8", newline="") as handle:
        return {(row["scorecard_year"], row["printed_ref"]): row["measure_ref"] for row in csv.DictReader(handle)}


def measure_ref_for(scorecard_year: str, printed_ref: str, seed: Path | None = None) -> str:
    """The catalogue ref of a printed ref: the seed's mapping, else the naming convention (2019-20 refs are catalogue
    refs; a 2017-18 ref the catalogue does not know becomes PI<ref>)."""
    if seed is None:
        from scorecard.settings import get_settings

        seed = get_settings().dbt_project_dir / "seeds" / "measure_refs.csv"
    mapped = _ref_mapping(seed).get((scorecard_year, printed_ref))
    if mapped:
        return mapped
    return printed_ref if scorecard_year != "2017-18" else f"PI{printed_ref}"


def _row(batch: StagedBatch, layout: Layout, record: dict, cell: Cell, parsed: ParsedValue) -> tuple:
    printed_ref = record[layout.ref_column].strip()
    return (batch.la_code, layout.scorecard_year, batch.contract.table, printed_ref,
            measure_ref_for(layout.scorecard_year, printed_ref), record[layout.name_column], cell.column, cell.kind,
            cell.period_type, cell.start, cell.end, parsed.original, parsed.value, parsed.status.value,
            parsed.unit.value if parsed.unit else None, parsed.qualifier, parsed.alternative, parsed.cumulative,
            parsed.lower, parsed.upper, batch.batch_id, record["_row_number"])


def unpivot(batch: StagedBatch, layout: Layout, records: list[dict]) -> list[tuple]:
    """One row per non-blank printed cell; raises ContractViolation naming every cell that does not parse."""
    rows: list[tuple] = []
    problems: list[Problem] = []
    for record in records:
        for cell in layout.cells:
            text = record.get(cell.column)
            if text is None or not text.strip():
                continue
            try:
                parsed = parse_value(text)
            except ValueParseError as exc:
                problems.append(Problem(batch.file_name, record["_row_number"], cell.column,
                                        "a printed value in an accepted form", f"{text} ({exc})"))
                continue
            rows.append(_row(batch, layout, record, cell, parsed))
    if problems:
        raise ContractViolation(problems[:MAX_PROBLEMS], total=len(problems))
    return rows


def _records(conn: psycopg.Connection, batch: StagedBatch) -> list[dict]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(sql.SQL("select * from staging.{} where la_code = %s and _batch_id = %s order by _row_number")
                    .format(sql.Identifier(batch.contract.table)), (batch.la_code, batch.batch_id))
        return list(cur.fetchall())


def replace_return_values(conn: psycopg.Connection, batches: list[StagedBatch]) -> None:
    """The hook: for each promoted return, replace that council's values for that scorecard."""
    conn.execute(DDL)
    for batch in batches:
        layout = LAYOUTS[batch.contract.table]
        rows = unpivot(batch, layout, _records(conn, batch))
        conn.execute("delete from staging.return_values where la_code = %s and scorecard_year = %s",
                     (batch.la_code, layout.scorecard_year))
        with conn.cursor() as cur:
            cur.executemany(INSERT, rows)


for _table in LAYOUTS:
    register(_table)(replace_return_values)

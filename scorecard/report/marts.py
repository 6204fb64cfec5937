"""Reading the published marts: the report reads ``marts.fct_scorecard`` (with the suppression decisions of
``marts.fct_scorecard_public``) and ``marts.dim_measure`` and nothing else of the warehouse (plus, for the page's
"as published" line, the current row of ``audit.publications``)."""

from __future__ import annotations

import dataclasses

import psycopg
from psycopg import sql

from scorecard.report.model import MartRow, MeasureInfo

SCHEMA = "marts"
FACT = "fct_scorecard"
DIMENSION = "dim_measure"
FACT_COLUMNS = tuple(f.name for f in dataclasses.fields(MartRow))
DIMENSION_COLUMNS = tuple(f.name for f in dataclasses.fields(MeasureInfo))


class ReportError(RuntimeError):
    """The report cannot be made from what is published; the message says what to do."""


def _columns(conn: psycopg.Connection, table: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        (SCHEMA, table)).fetchall()}


def _check(conn: psycopg.Connection, table: str, needed: tuple[str, ...]) -> None:
    present = _columns(conn, table)
    if not present:
        raise ReportError(f"{SCHEMA}.{table} is not published: run `scorecard run` (or `scorecard build`) first.")
    missing = [c for c in needed if c not in present]
    if missing:
        raise ReportError(f"{SCHEMA}.{table} has no column {', '.join(missing)} (docs/CONVENTIONS.md lists them): "
                          "publish a build of the current dbt project, then run the report again.")


def _select(table: str, columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("select {} from {}.{}").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(SCHEMA), sql.Identifier(table))


def read_measures(conn: psycopg.Connection) -> list[MeasureInfo]:
    _check(conn, DIMENSION, DIMENSION_COLUMNS)
    rows = conn.execute(_select(DIMENSION, DIMENSION_COLUMNS) + sql.SQL(" order by measure_ref")).fetchall()
    return [MeasureInfo(*row) for row in rows]


PUBLIC = "fct_scorecard_public"
# What a suppressed figure withholds on a committee paper (which is published outside the service).
WITHHELD = {"value", "rag", "rag_reason", "direction_movement", "direction_of_travel", "rag_override",
            "rag_override_reason", "rag_override_by"}


def read_rows(conn: psycopg.Connection, la_code: str) -> list[MartRow]:
    """Every published row of one council: all periods, both sources (the trends need the whole history), with
    small numbers suppressed as ``marts.fct_scorecard_public`` suppresses them (the paper leaves the service)."""
    _check(conn, FACT, FACT_COLUMNS)
    if not _columns(conn, PUBLIC):
        raise ReportError(f"{SCHEMA}.{PUBLIC} is not published, so small numbers cannot be suppressed: publish a "
                          "build of the current dbt project, then run the report again.")
    suppressed = sql.SQL("coalesce(p.value_status like 'suppressed%%', false)")
    columns = []
    for name in FACT_COLUMNS:
        column = sql.SQL("f.{}").format(sql.Identifier(name))
        if name in WITHHELD:
            column = sql.SQL("case when {} then null else {} end").format(suppressed, column)
        elif name in {"value_status", "value_text"}:
            column = sql.SQL("case when {} then p.value_status else {} end").format(suppressed, column)
        columns.append(column)
    query = sql.SQL(
        "select {} from {schema}.{fact} f left join {schema}.{public} p on p.la_code = f.la_code "
        "and p.measure_ref = f.measure_ref and p.period_type = f.period_type and p.period_start = f.period_start "
        "and p.period_end = f.period_end and p.source = f.source where f.la_code = %s "
        "order by f.measure_ref, f.period_end, f.period_type").format(
        sql.SQL(", ").join(columns), schema=sql.Identifier(SCHEMA), fact=sql.Identifier(FACT),
        public=sql.Identifier(PUBLIC))
    return [MartRow(*row) for row in conn.execute(query, (la_code,)).fetchall()]


def publication_note(conn: psycopg.Connection) -> str | None:
    """"Publication 12, published 2019-07-20 09:14 by etl" for the current publication, if it is recorded."""
    exists = conn.execute("select to_regclass('audit.publications')").fetchone()[0]
    if not exists:
        return None
    row = conn.execute("select publication_id, published_at, published_by from audit.publications "
                       "where status = 'current' order by publication_id desc limit 1").fetchone()
    if not row:
        return None
    return f"publication {row[0]}, published {row[1]:%d %B %Y %H:%M} by {row[2]}"

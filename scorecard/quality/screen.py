"""Per-batch checks screened in SQL: one query per batch settles its row counts, keys and SQL checks.

A load of many councils stages a batch of every table per council: 7,650 batches for 153 councils. The checks that
``shared.py`` cannot run once over all of a table's batches (row counts, whose bounds come from each batch's previous
batch; uniqueness, which holds within a batch; SQL checks, which compare the batch with its own council's other
tables) used to cost one Great Expectations validation per batch, and GX's Python for a validation costs about a
tenth of a second whatever the batch's size: most of a national load's gate.

So each batch's screenable checks are first counted together in one SQL statement, one scalar subquery per check.
A check the screen passes has passed: the screen is never more lenient than GX (its uniqueness counts a repeated
null as a duplicate, which GX ignores), and its verdict is recorded as GX would record it (the row count, or no
failing row). A check the screen fails, or cannot run, goes to GX as before, which decides it, names the failing
rows and renders it in the Data Docs. A check whose arguments the screen does not know (``mostly``, a row
condition, strict bounds) always goes to GX.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from scorecard.quality.shared import resolved
from scorecard.quality.suites import QUERY_EXPECTATION

log = logging.getLogger(__name__)

ROW_COUNT = "expect_table_row_count_to_be_between"
UNIQUE = "expect_column_values_to_be_unique"
COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
# The arguments the screen understands, by expectation type. Any other argument sends the check to GX.
KNOWN_ARGUMENTS = {
    ROW_COUNT: {"min_value", "max_value", "batch_id"},
    UNIQUE: {"column", "batch_id"},
    COMPOUND_UNIQUE: {"column_list", "batch_id", "ignore_row_if"},
    QUERY_EXPECTATION: {"unexpected_rows_query", "description", "batch_id"},
}


@dataclass(frozen=True)
class Screened:
    """A check the screen passed: what GX would have observed."""

    position: int  # the expectation's index in the list screened
    observed_value: int | None
    unexpected_count: int | None


def screenable(expectation: dict[str, Any], parameters: dict[str, Any]) -> bool:
    kind = expectation.get("type")
    known = KNOWN_ARGUMENTS.get(kind)
    if known is None:
        return False
    kwargs = resolved(expectation.get("kwargs") or {}, parameters)
    if set(kwargs) - known:
        return False
    if kind == COMPOUND_UNIQUE and kwargs.get("ignore_row_if", "all_values_are_missing") != "all_values_are_missing":
        return False
    if kind == ROW_COUNT:
        return all(v is None or isinstance(v, int | float) for v in (kwargs.get("min_value"), kwargs.get("max_value")))
    return True


def _count(query: sql.Composable) -> sql.Composed:
    return sql.SQL("(select count(*) from ({}) as screened)").format(query)


def _measure(expectation: dict[str, Any], table: sql.Identifier, table_text: str) -> sql.Composed:
    """The scalar subquery for one check: the row count, or how many rows fail it."""
    kind = expectation["type"]
    kwargs = expectation.get("kwargs") or {}
    if kind == ROW_COUNT:
        return sql.SQL("(select count(*) from {})").format(table)
    if kind == QUERY_EXPECTATION:
        # The suite's query with its placeholders resolved: a template for str.format(batch=...), as GX fills it
        # (its resolved SQL has its braces doubled). It goes on lines of its own, so a trailing -- comment ends there.
        query = kwargs["unexpected_rows_query"].format(batch=table_text).rstrip("; \t\r\n")
        return _count(sql.SQL("\n{}\n").format(sql.SQL(query)))
    columns = [kwargs["column"]] if kind == UNIQUE else list(kwargs["column_list"])
    keys = sql.SQL(", ").join(map(sql.Identifier, columns))
    # grouped as SQL groups, a null key equal to another: stricter than GX, which ignores missing values
    return _count(sql.SQL("select 1 from {} group by {} having count(*) > 1").format(table, keys))


def _passes(expectation: dict[str, Any], parameters: dict[str, Any], value: int) -> bool:
    if expectation["type"] != ROW_COUNT:
        return value == 0
    kwargs = resolved(expectation.get("kwargs") or {}, parameters)
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    return (low is None or value >= low) and (high is None or value <= high)


def screen(conn: psycopg.Connection, schema: str, table: str, expectations: list[dict[str, Any]],
           parameters: dict[str, Any]) -> tuple[list[Screened], list[dict[str, Any]]]:
    """Screen a batch's checks in one statement. Returns the checks that passed, and the expectations GX must still
    validate (those that failed the screen or cannot be screened), in their order."""
    relation = sql.Identifier(schema, table)
    text = relation.as_string(conn)
    positions: list[int] = []
    measures: list[sql.Composed] = []
    for i, expectation in enumerate(expectations):
        if not screenable(expectation, parameters):
            continue
        try:
            measures.append(_measure(expectation, relation, text))
        except (KeyError, IndexError, ValueError):  # a query GX cannot fill in either: GX reports it
            continue
        positions.append(i)
    if not positions:
        return [], list(expectations)
    statement = sql.SQL("select {}").format(sql.SQL(", ").join(measures))
    try:
        values = conn.execute(statement).fetchone()
    except psycopg.Error as exc:  # a check that cannot run: GX runs them all and reports which, in its words
        log.debug("screen of %s.%s could not run (%s); GX validates its checks", schema, table, exc)
        if not conn.autocommit:
            conn.rollback()
        return [], list(expectations)
    passed: list[Screened] = []
    settled: set[int] = set()
    for position, value in zip(positions, values, strict=True):
        expectation = expectations[position]
        if not _passes(expectation, parameters, int(value)):
            continue
        settled.add(position)
        if expectation["type"] == ROW_COUNT:
            passed.append(Screened(position, int(value), None))
        else:
            passed.append(Screened(position, 0 if expectation["type"] == QUERY_EXPECTATION else None, 0))
    return passed, [e for i, e in enumerate(expectations) if i not in settled]

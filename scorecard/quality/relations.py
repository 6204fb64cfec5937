"""What a check needs to know about the warehouse around the table it checks, worked out in SQL.

A staged batch is checked in ``load.<table>__b<batch>`` before it is promoted, usually beside other batches of the
same delivery. Cross-table checks therefore compare against "the council's rows as they will be once this delivery
is promoted" (``{current:<table>}``: the table's candidate in this delivery, else its rows in staging) and against
"the council's rows before this delivery" (``{previous:<table>}``). Parameters such as row-count bounds come from
``audit.load_batches``. Placeholders resolve to SQL composed with ``psycopg.sql`` (identifiers quoted, values as
literals); nothing is read into Python but catalogue facts and one row count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg import sql

from scorecard.quality.suites import PLACEHOLDER

STAGING = "staging"
LOAD = "load"
# Parameters every staging suite may use with {"$PARAMETER": name}.
LOAD_DATE = "load_date"
LOAD_DATE_PLUS_1Y = "load_date_plus_1y"
PREVIOUS_ROWS = "previous_rows"
RATIO_META = "previous_rows_ratio"  # meta of a row-count expectation: [low, high] multipliers of previous_rows


@dataclass(frozen=True)
class DeliveredBatch:
    """One candidate table of the delivery being checked."""

    table: str
    candidate: str
    file_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StagingScope:
    """Where a staged batch sits: its council, its table, its file-name fields and the rest of its delivery."""

    la_code: str
    table: str
    candidate: str
    file_fields: tuple[tuple[str, str], ...] = ()
    delivery: tuple[DeliveredBatch, ...] = field(default_factory=tuple)


class Unresolved(LookupError):
    """A placeholder names a table that does not exist where the check needs it."""


def _exists(conn: psycopg.Connection, schema: str, table: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null",
                        (sql.Identifier(schema, table).as_string(conn),)).fetchone()[0]


def _columns(conn: psycopg.Connection, schema: str, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s "
        "order by ordinal_position", (schema, table)).fetchall()]


def _council_rows(scope: StagingScope, table: str, file_fields: tuple[tuple[str, str], ...] = (),
                  exclude: list[tuple[tuple[str, str], ...]] | None = None,
                  columns: list[str] | None = None) -> sql.Composed:
    """``select ... from staging.<table>`` limited to the council (and to or away from file-field values)."""
    where = [sql.SQL("la_code = {}").format(sql.Literal(scope.la_code))]
    where += [sql.SQL("{} = {}").format(sql.Identifier(k), sql.Literal(v)) for k, v in file_fields]
    for fields in exclude or []:
        same = sql.SQL(" and ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Literal(v)) for k, v in fields)
        where.append(sql.SQL("not ({})").format(same))
    cols = sql.SQL(", ").join(map(sql.Identifier, columns)) if columns else sql.SQL("*")
    return sql.SQL("select {} from {} where {}").format(cols, sql.Identifier(STAGING, table),
                                                        sql.SQL(" and ").join(where))


def current_rows(conn: psycopg.Connection, scope: StagingScope, table: str) -> sql.Composed:
    """The council's rows of ``table`` as they will be once this delivery is promoted."""
    delivered = [b for b in scope.delivery if b.table == table]
    in_staging = _exists(conn, STAGING, table)
    if not delivered:
        if not in_staging:
            raise Unresolved(f"{table} has not been loaded for council {scope.la_code}")
        return sql.SQL("({})").format(_council_rows(scope, table))
    if not any(b.file_fields for b in delivered):
        return sql.SQL("(select * from {})").format(sql.Identifier(LOAD, delivered[0].candidate))
    # A table delivered as one file per year: this delivery's years, plus the other years already in staging.
    columns = _columns(conn, LOAD, delivered[0].candidate)
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    parts = [sql.SQL("select {} from {}").format(cols, sql.Identifier(LOAD, b.candidate)) for b in delivered]
    if in_staging:
        parts.append(_council_rows(scope, table, exclude=[b.file_fields for b in delivered], columns=columns))
    return sql.SQL("({})").format(sql.SQL(" union all ").join(parts))


def previous_rows(conn: psycopg.Connection, scope: StagingScope, table: str) -> sql.Composed:
    """The council's rows of ``table`` before this delivery (for its own table: the same file-name fields)."""
    own = table == scope.table
    if _exists(conn, STAGING, table):
        return sql.SQL("({})").format(_council_rows(scope, table, scope.file_fields if own else ()))
    if own:  # the first delivery of this table: nothing before it, with the candidate's columns
        return sql.SQL("(select * from {} where false)").format(sql.Identifier(LOAD, scope.candidate))
    raise Unresolved(f"{table} has not been loaded for council {scope.la_code}")


def build_table(conn: psycopg.Connection, schema: str, table: str) -> sql.Composed:
    if not _exists(conn, schema, table):
        raise Unresolved(f"{table} is not in this build ({schema})")
    return sql.SQL("{}").format(sql.Identifier(schema, table))


def resolve_query(conn: psycopg.Connection, query: str, *, schema: str, scope: StagingScope | None) -> str:
    """The query with its placeholders replaced by SQL (braces doubled: GX formats the result with ``{batch}``)."""

    def replace(match: Any) -> str:
        kind, table = match.group(1), match.group(2)
        if kind == "build":
            composed = build_table(conn, schema, table)
        elif scope is None:
            raise Unresolved(f"{{{kind}:{table}}} is only available to staging checks")
        elif kind == "current":
            composed = current_rows(conn, scope, table)
        else:
            composed = previous_rows(conn, scope, table)
        return composed.as_string(conn).replace("{", "{{").replace("}", "}}")

    return PLACEHOLDER.sub(replace, query)


def previous_row_count(conn: psycopg.Connection, scope: StagingScope) -> int | None:
    """Rows in the batch this one replaces (same table, council and file-name fields), if there is one."""
    row = conn.execute(
        "select rows from audit.load_batches where table_name = %s and la_code = %s and file_key = %s "
        "and status = 'loaded' order by batch_id desc limit 1",
        (scope.table, scope.la_code, "|".join(v for _, v in scope.file_fields))).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def staging_parameters(conn: psycopg.Connection, scope: StagingScope, expectations: list[dict[str, Any]],
                       today: date | None = None) -> dict[str, Any]:
    """The expectation parameters of a staged batch: load dates, and row-count bounds from the previous batch.

    A row-count expectation whose meta has ``previous_rows_ratio: [low, high]`` gets ``low * previous`` and
    ``high * previous`` for the ``$PARAMETER`` names in its ``min_value`` and ``max_value`` (no bound on the first
    batch, or where a ratio is null).
    """
    today = today or date.today()
    previous = previous_row_count(conn, scope)
    params: dict[str, Any] = {LOAD_DATE: today.isoformat(), PREVIOUS_ROWS: previous,
                              LOAD_DATE_PLUS_1Y: (today + timedelta(days=366)).isoformat()}
    for expectation in expectations:
        ratio = (expectation.get("meta") or {}).get(RATIO_META)
        if not ratio:
            continue
        low, high = ratio
        kwargs = expectation.get("kwargs") or {}
        for key, factor, rounding in (("min_value", low, math.floor), ("max_value", high, math.ceil)):
            name = kwargs.get(key, {}).get("$PARAMETER") if isinstance(kwargs.get(key), dict) else None
            if name:
                params[name] = None if previous is None or factor is None else int(rounding(previous * factor))
    return params

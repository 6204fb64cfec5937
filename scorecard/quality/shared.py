"""Checks shared by the batches of one load: a row-level expectation runs once over all of a table's batches.

A load of many councils stages one batch of each table per council. Great Expectations spends most of a gate's
time in Python for every expectation it validates, whatever the table's size, so checking 153 councils' batches
one by one costs 153 times the same overhead. Instead, the batches of one table with the same columns are checked
together through a view over all of them (``load.<table>__gate``), for the expectations whose verdict on the whole
is the verdict on every part:

- row-level expectations (each row passes or fails on its own: not null, between, in set, a pair of columns, a
  pattern) and the table's schema (column types and names, which every batch shares), without ``mostly``;
- whose arguments, once their ``$PARAMETER`` values are filled in, are the same for every batch (the load date,
  but not the row-count bounds from each batch's previous batch).

When such an expectation passes on the view, it passed on every batch: each batch gets the result. When it fails,
it is run again on each batch alone, so that the failure names the council, file and failing rows. Everything else
(row counts, uniqueness, SQL checks, parameters that differ) is checked per batch as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

ROW_LEVEL = frozenset({
    "expect_column_to_exist",
    "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list",
    "expect_column_values_to_be_of_type",
    "expect_column_values_to_be_in_type_list",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex",
    "expect_column_values_to_match_like_pattern",
    "expect_column_values_to_not_match_like_pattern",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_equal",
})
SHARE_META = "shared_check"  # meta key: the expectation's index in the suite, to match a result with it
VIEW_SUFFIX = "__gate"


def resolved(kwargs: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """The kwargs with each ``{"$PARAMETER": name}`` replaced by its value."""
    return {k: parameters.get(v["$PARAMETER"]) if isinstance(v, dict) and "$PARAMETER" in v else v
            for k, v in kwargs.items()}


def _key(kwargs: dict[str, Any]) -> str:
    return json.dumps(kwargs, sort_keys=True, default=str)


def shareable(expectation: dict[str, Any]) -> bool:
    kwargs = expectation.get("kwargs") or {}
    return expectation.get("type") in ROW_LEVEL and kwargs.get("mostly", 1) in (1, 1.0, None)


@dataclass
class SharedGroup:
    """Batches of one table checked together: the view over them and the expectations run on it once."""

    table: str  # the source table, e.g. cin_details
    schema: str
    candidates: list[str]
    members: list[int]  # indexes of the batches in the gate's list
    expectations: dict[int, dict[str, Any]] = field(default_factory=dict)  # suite index -> resolved expectation

    @property
    def view(self) -> str:
        return self.table + VIEW_SUFFIX


def _signatures(conn: psycopg.Connection, schema: str, tables: list[str]) -> dict[str, tuple[tuple[str, str], ...]]:
    rows = conn.execute(
        "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
        "from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relname = any(%s) and a.attnum > 0 and not a.attisdropped "
        "order by c.relname, a.attnum", (schema, tables)).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_ in rows:
        found.setdefault(table, []).append((column, type_))
    return {t: tuple(c) for t, c in found.items()}


def plan(conn: psycopg.Connection, batches: list[tuple[str, str, str, list[dict[str, Any]], dict[str, Any]]]
         ) -> list[SharedGroup]:
    """Group batches ``(source table, schema, candidate table, expectations, parameters)`` that can share checks.

    A group is two or more batches of one table in one schema with the same columns and types, and the
    expectations of the suite that are shareable with the same resolved arguments for every member."""
    by_table: dict[tuple[str, str], list[int]] = {}
    for index, (table, schema, _candidate, _expectations, _parameters) in enumerate(batches):
        by_table.setdefault((table, schema), []).append(index)
    groups: list[SharedGroup] = []
    for (table, schema), members in by_table.items():
        if len(members) < 2:
            continue
        signatures = _signatures(conn, schema, [batches[i][2] for i in members])
        by_signature: dict[Any, list[int]] = {}
        for i in members:
            if batches[i][2] in signatures:
                by_signature.setdefault(signatures[batches[i][2]], []).append(i)
        for same in by_signature.values():
            if len(same) < 2:
                continue
            suites = [batches[i][3] for i in same]
            if any(len(s) != len(suites[0]) for s in suites):
                continue
            group = SharedGroup(table, schema, [batches[i][2] for i in same], same)
            for position, expectation in enumerate(suites[0]):
                if not shareable(expectation):
                    continue
                kwargs = [resolved(batches[i][3][position].get("kwargs") or {}, batches[i][4]) for i in same]
                if any(batches[i][3][position].get("type") != expectation["type"] for i in same) \
                        or len({_key(k) for k in kwargs}) != 1:
                    continue
                meta = {**(expectation.get("meta") or {}), SHARE_META: position}
                group.expectations[position] = {**expectation, "kwargs": kwargs[0], "meta": meta}
            if group.expectations:
                groups.append(group)
    return groups


def create_view(conn: psycopg.Connection, group: SharedGroup) -> None:
    """``load.<table>__gate``: every member batch's rows (one load runs at a time: it holds the load lock)."""
    drop_view(conn, group)
    parts = sql.SQL(" union all ").join(sql.SQL("select * from {}").format(sql.Identifier(group.schema, c))
                                        for c in group.candidates)
    conn.execute(sql.SQL("create view {} as {}").format(sql.Identifier(group.schema, group.view), parts))


def drop_view(conn: psycopg.Connection, group: SharedGroup) -> None:
    conn.execute(sql.SQL("drop view if exists {}").format(sql.Identifier(group.schema, group.view)))

"""What a valid value of each contract column looks like, as SQL over the raw text Postgres received.

The loader streams a file into ``raw`` with COPY and then asks Postgres which values each column does not accept.
It checks each column's distinct values (a date of birth repeats across thousands of rows; it is checked once), and
only when one fails looks up the rows that hold it, so each error names the row and the column. Doing this in SQL,
rather than value by value in Python, is what lets a load run near the speed of COPY itself.
"""

from __future__ import annotations

import re

from psycopg import sql

from loaders.contract import Column

SHOWN_VALUE_LENGTH = 60
# strptime tokens a contract's date format may use: (part, width, regex). Dates are zero-padded, as the returns
# specify, so every part sits at a fixed position and is read with substr (no regex captures per row).
_TOKENS = {"%d": ("day", 2, r"\d{2}"), "%m": ("month", 2, r"\d{2}"), "%Y": ("year", 4, r"\d{4}"),
           "%y": ("year2", 2, r"\d{2}"), "%b": ("month_name", 3, r"[A-Za-z]{3}"), "%H": ("hour", 2, r"\d{2}"),
           "%M": ("minute", 2, r"\d{2}"), "%S": ("second", 2, r"\d{2}")}
_MONTH_NAMES = "janfebmaraprmayjunjulaugsepoctnovdec"


def value(col: Column) -> sql.Composable:
    """The column's value as the checks see it: trimmed, with an empty string meaning 'no value'."""
    return sql.SQL("nullif(trim({}), '')").format(sql.Identifier(col.db_name))


def date_layout(fmt: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """A regex for a strptime format, and where each part (day, month, year ...) starts (1-based) and its width."""
    pattern, parts, i, position = "^", {}, 0, 1
    while i < len(fmt):
        token = fmt[i:i + 2]
        if token in _TOKENS:
            name, width, part = _TOKENS[token]
            parts[name] = (position, width)
            pattern += part
            position += width
            i += 2
        else:
            pattern += re.escape(fmt[i])
            position += 1
            i += 1
    return pattern + "$", parts


def _date_valid(col: Column, v: sql.Composable) -> sql.Composable:
    pattern, parts = date_layout(col.format or "%Y-%m-%d")

    def part(name: str) -> sql.Composable:
        start, width = parts[name]
        return sql.SQL("substr({}, {}, {})").format(v, sql.Literal(start), sql.Literal(width))

    year = sql.SQL("{}::int").format(part("year")) if "year" in parts else sql.SQL("(2000 + {}::int)").format(
        part("year2"))
    if "month" in parts:
        month, month_ok = sql.SQL("{}::int").format(part("month")), sql.SQL("true")
    else:
        position = sql.SQL("strpos({}, lower({}))").format(sql.Literal(_MONTH_NAMES), part("month_name"))
        month = sql.SQL("(({} + 2) / 3)").format(position)
        month_ok = sql.SQL("({p} > 0 and ({p} - 1) % 3 = 0)").format(p=position)
    conditions = [month_ok, sql.SQL("audit.valid_ymd({}, {}, {}::int)").format(year, month, part("day"))]
    for name, limit in (("hour", 23), ("minute", 59), ("second", 59)):
        if name in parts:
            conditions.append(sql.SQL("{}::int <= {}").format(part(name), sql.Literal(limit)))
    # The parts are only read from text of the right shape (a case, not an and: SQL does not promise order).
    return sql.SQL("case when {} ~ {} then {} else false end").format(v, sql.Literal(pattern),
                                                                      sql.SQL(" and ").join(conditions))


def _number_valid(col: Column, v: sql.Composable, pattern: str) -> sql.Composable:
    checks = [sql.SQL("{} ~ {}").format(v, sql.Literal(pattern)), sql.SQL("length({}) <= 30").format(v)]
    bounds = []
    if col.min is not None:
        bounds.append(sql.SQL("{}::numeric >= {}").format(v, sql.Literal(col.min)))
    if col.max is not None:
        bounds.append(sql.SQL("{}::numeric <= {}").format(v, sql.Literal(col.max)))
    if not bounds:
        return sql.SQL(" and ").join(checks)
    # Bounds are only evaluated for text that is a number (a case, not an and: SQL does not promise order).
    return sql.SQL("case when {} then {} else false end").format(sql.SQL(" and ").join(checks),
                                                                 sql.SQL(" and ").join(bounds))


def valid(col: Column, v: sql.Composable | None = None) -> sql.Composable:
    """True when a value of ``col`` is acceptable (including 'no value' for an optional column). ``v`` is the
    value as an SQL expression, by default the column's trimmed value."""
    v = value(col) if v is None else v
    if col.type == "date":
        typed = _date_valid(col, v)
    elif col.type == "integer":
        typed = _number_valid(col, v, r"^[+-]?\d+$")
    elif col.type == "decimal":
        typed = _number_valid(col, v, r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    elif col.type == "code":
        typed = sql.SQL("{} = any({})").format(v, sql.Literal(list(col.codes)))
    elif col.type == "boolean":
        typed = sql.SQL("lower({}) = any({})").format(
            v, sql.Literal([x.lower() for x in col.true_values + col.false_values]))
    elif col.type == "text":
        # Text a spreadsheet would run as a formula when the data is opened in one is refused.
        typed = sql.SQL("{} !~ '^[=@]'").format(v)
        if col.max_length:
            typed = sql.SQL("{} and length({}) <= {}").format(typed, v, sql.Literal(col.max_length))
    else:  # identifier (already hashed) and redacted (a marker): presence is all there is to check
        typed = sql.SQL("true")
    if col.required:
        return sql.SQL("({} is not null and {})").format(v, typed)
    return sql.SQL("({} is null or {})").format(v, typed)

"""What a valid value of each contract column looks like, as SQL over the raw text Postgres received.

The loader streams a file into ``raw`` with COPY and then casts it into its candidate in one SQL pass that checks
every value as it casts it (``row_check``: a cheap test that settles nearly every value, ``valid`` for the rest).
Only when a row fails does it ask which values each column does not accept: it checks each column's distinct values
(``valid``) and looks up the rows that hold the failing ones, so each error names the row and the column. Doing this
in SQL, rather than value by value in Python, is what lets a load run near the speed of COPY itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# -- per row -----------------------------------------------------------------------------------------------------------
# ``valid`` is exact but slow where it needs a regex (a date's shape, a number's) or trims a value several times. The
# loader's happy path checks every row as it casts it, so each column first gets a cheaper test of the value as
# delivered that settles nearly every value: a date is looked up in a calendar of every date written in the column's
# format, a number is tested for digits only, a code is looked up as it is. A value the cheap test does not settle
# (padded with spaces, an unusual spelling, a sign, a time of day) is judged by ``valid`` itself, so the result is
# always exactly ``valid``'s.
CALENDAR = ("1900-01-01", 109_572)  # first day and number of days: 1900 to 2199, which covers any child's dates
_DATE_TOKENS = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%b": "Mon"}
_DIGITS = "0123456789"


@dataclass(frozen=True)
class RowCheck:
    """A column's test and cast for every row: ``ok`` is ``valid``, and ``typed`` is read only where ``ok`` holds."""

    ok: sql.Composable
    typed: sql.Composable


def row_check(col: Column, cast: sql.Composable, calendar: sql.Identifier | None = None) -> RowCheck:
    """The per-row check of ``col``, given its usual cast and, for a date, the alias of its calendar (``calendar``)
    joined to the raw rows on the value as delivered (``left join ... on <alias>._text = <column>``)."""
    raw = sql.Identifier(col.db_name)
    exact = valid(col)
    if col.type == "date" and calendar is not None:
        return RowCheck(sql.SQL("case when {}._day is not null then true else {} end").format(calendar, exact),
                        sql.SQL("coalesce({}._day, {})").format(calendar, cast))
    if col.type in {"integer", "decimal"}:
        number = sql.SQL("{}::bigint" if col.type == "integer" else "{}::numeric").format(raw)
        bounds: list[sql.Composable] = [sql.SQL("true")]
        if col.min is not None:
            bounds.append(sql.SQL("{} >= {}").format(number, sql.Literal(col.min)))
        if col.max is not None:
            bounds.append(sql.SQL("{} <= {}").format(number, sql.Literal(col.max)))
        # Digits only (a decimal: at most one point, and not only a point), short enough for a bigint: a number
        # ``valid`` accepts, found without a regex; its bounds still decide.
        plain = sql.SQL("ltrim({c}, {allowed}) = '' and length({c}) between 1 and 18").format(
            c=raw, allowed=sql.Literal(_DIGITS if col.type == "integer" else _DIGITS + "."))
        if col.type == "decimal":
            plain = sql.SQL("{} and {c} <> '.' and strpos(substr({c}, strpos({c}, '.') + 1), '.') = 0").format(
                plain, c=raw)
        return RowCheck(sql.SQL("case when {} then {} else {} end").format(plain, sql.SQL(" and ").join(bounds),
                                                                          exact), cast)
    if col.type == "boolean":
        # Each value as written, in lower, upper and title case: ``valid`` compares in lower case (ASCII values
        # only, where the cases are certain).
        lowered_true = {x.lower() for x in col.true_values}
        spellings = sorted({s for x in col.true_values + col.false_values if x.isascii()
                            for s in (x, x.lower(), x.upper(), x.title())})
        true = [s for s in spellings if s.lower() in lowered_true]
        typed = sql.SQL("case when {c} = any({true}) then true when {c} = any({spellings}) then false else {cast} end")
        return RowCheck(sql.SQL("case when {} = any({}) then true else {} end").format(
            raw, sql.Literal(spellings), exact),
            typed.format(c=raw, true=sql.Literal(true), spellings=sql.Literal(spellings), cast=cast))
    if col.type == "code":
        return RowCheck(sql.SQL("case when {} = any({}) then true else {} end").format(
            raw, sql.Literal(list(col.codes)), exact), cast)
    if col.type == "text":
        # A first character that is neither a space (so the value needs no trimming) nor = or @, and not too long.
        plain = sql.SQL("strpos(' =@', left({}, 1)) = 0").format(raw)
        if col.max_length:
            plain = sql.SQL("{} and length({}) <= {}").format(plain, raw, sql.Literal(col.max_length))
        return RowCheck(sql.SQL("case when {} then true else {} end").format(plain, exact), cast)
    # Identifiers and redacted columns: presence. The loader writes them to raw as a pseudonym or a marker, or no
    # value (NULL) when blank, never as spaces, so presence is being there.
    return RowCheck(sql.SQL("({} is not null)" if col.required else "true").format(raw), cast)


def calendar(fmt: str) -> sql.Composable | None:
    """A query of every date from CALENDAR written in ``fmt`` (``_text``, ``_day``), at midnight if ``fmt`` has a
    time; None when the format is not one a calendar settles (a two-digit year, no day, a date after the time).
    Its columns start with _, which no contract column does (``column_name``): raw columns stay unambiguous."""
    pattern = ""
    tokens = set()
    i = 0
    while i < len(fmt):
        token = fmt[i:i + 2]
        if token in _DATE_TOKENS and not tokens & {"%H", "%M", "%S"}:
            pattern += _DATE_TOKENS[token]
        elif token in {"%H", "%M", "%S"}:
            pattern += '"00"'
        elif token in _TOKENS:
            return None
        else:  # a literal, quoted for to_char
            pattern += '"' + fmt[i].replace("\\", "\\\\").replace('"', '\\"') + '"'
            i += 1
            continue
        tokens.add(token)
        i += 2
    if not ({"%Y", "%d"} <= tokens and tokens & {"%m", "%b"}):
        return None
    first, days = CALENDAR
    return sql.SQL("select to_char(day::timestamp, {}) as _text, day as _day "
                   "from (select {}::date + i as day from generate_series(0, {}) i) d").format(
        sql.Literal(pattern), sql.Literal(first), sql.Literal(days - 1))

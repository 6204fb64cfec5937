"""The contract-driven loader.

A delivery (the files that landed for one council) is loaded in two phases so that a bad batch changes nothing:

1. ``stage_file``: stream the file through its contract (header, types, code lists, ranges, required values),
   pseudonymise identifier columns, COPY the rows as delivered into ``raw.<table>`` (a partition per batch), check
   them there in SQL and cast them into a candidate ``load.<table>__b<batch>``, the batch's future partition of
   ``staging.<table>``. A file that breaks its contract is rejected whole with a typed error naming the file, row,
   column and what was expected; its raw rows are rolled back.
2. After the staging quality gate has passed on every candidate, ``promote`` attaches them all to ``staging`` in
   one transaction, dropping the partitions of the batches they replace (that council's previous snapshot).
   ``discard`` rejects them all otherwise.

The same file twice is a no-op: its sha256 equals the current batch's for that table and council.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from loaders import checks
from loaders.contract import Column, Contract, contract_for, header_key
from loaders.errors import (
    AmbiguousDeliveryError,
    ContractViolation,
    DuplicateKeyError,
    EncodingError,
    HeaderError,
    LoadError,
    Problem,
    UnknownFileError,
)

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 20
GROUPING_LIMIT = 31
COPY_CHUNK = 4 << 20  # characters buffered before each write to COPY: memory stays flat whatever the file size
REDACTED_MARK = "*"  # what raw keeps of a redacted column: that it had a value, never the value
FIELD_SIZE_LIMIT = 1_000_000  # characters; a larger field is an error, not a memory spike
PROGRESS_EVERY = 250_000
LOAD_WORK_MEM = "256MB"  # per hash table of the load's checks, for one transaction at a time
SEEN_IDENTIFIERS = 200_000  # pseudonyms remembered while reading a file (a pupil is in every termly census); ~40 MB

csv.field_size_limit(FIELD_SIZE_LIMIT)


@dataclass(frozen=True)
class StagedBatch:
    batch_id: int
    contract: Contract
    la_code: str
    file_name: str
    rows: int
    file_values: tuple[str, ...] = ()

    @property
    def file_key(self) -> str:
        return "|".join(self.file_values)

    @property
    def candidate(self) -> str:
        return f"{self.contract.table}__b{self.batch_id}"


@dataclass
class Delivery:
    """What ``stage_delivery`` did with the files of one council."""

    la_code: str
    staged: list[StagedBatch]
    unchanged: list[str]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- reading -----------------------------------------------------------------------------------------------------------
def _open_text(path: Path, contract: Contract):
    encoding = contract.encoding.lower().replace("_", "-")
    if encoding in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"  # a byte-order mark is accepted and dropped
    codecs.lookup(encoding)
    return path.open("r", encoding=encoding, newline="", errors="strict")


class NulByteError(ValueError):
    """A NUL byte in a text file: Postgres cannot store it in text, and no export should hold one."""


def _line_of_byte(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def _map_header(header: list[str], contract: Contract, file_name: str) -> list[int]:
    """For each contract column, its position in the file. Case, spacing and punctuation may differ."""
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    if len(header) == 1 and len(contract.columns) > 1:
        for other in (";", "\t", "|", ","):
            if other != contract.delimiter and other in header[0]:
                shown = "tab" if other == "\t" else repr(other)
                raise HeaderError([Problem(file_name, 1, None, f"columns separated by {contract.delimiter!r}",
                                           f"a header separated by {shown}")])
    for index, cell in enumerate(header):
        key = header_key(cell)
        if key in positions:
            problems.append(Problem(file_name, 1, cell, "each column once", "a repeated column"))
        positions[key] = index
    wanted = {header_key(c.name): c for c in contract.columns}
    for key, col in wanted.items():
        if key not in positions:
            problems.append(Problem(file_name, 1, col.name, "this column in the header", "no such column"))
    for key, index in positions.items():
        if key not in wanted:
            problems.append(Problem(file_name, 1, header[index] or f"#{index + 1}",
                                    f"only the contract's columns ({', '.join(c.name for c in contract.columns)})",
                                    "an extra column"))
    if problems:
        raise HeaderError(problems[:MAX_PROBLEMS_SHOWN], total=len(problems))
    return [positions[header_key(c.name)] for c in contract.columns]


def _records(path: Path, contract: Contract, pseudonymise: Callable[[str], str],
             file_name: str) -> Iterator[tuple[int, list[str], bool]]:
    """Yield (line number, values in contract order, plain) for every record: identifiers already pseudonymised
    ("" when blank), redacted columns reduced to a presence marker ("" when blank). ``plain`` says the values hold
    no delimiter, quote or line break, so they can be joined as they are. What can only be seen while reading
    (encoding, CSV structure, the header, field counts, NUL bytes) raises a LoadError here; values are checked in
    SQL after the COPY.

    Most lines hold no quote: splitting them on the delimiter is what the CSV reader would do, at a fraction of its
    cost per record. A line with a quote (a field may then hold a delimiter or span lines), a NUL byte or an
    outsize field is handed to the CSV reader, which reads that record and reports what is wrong with it."""
    columns = contract.columns
    identifiers = [i for i, c in enumerate(columns) if c.type == "identifier"]
    redacted = [i for i, c in enumerate(columns) if c.type == "redacted"]
    delimiter = contract.delimiter
    problems: list[Problem] = []
    total = 0
    number = 0  # physical lines read so far, which is how rows are numbered in errors
    try:
        with _open_text(path, contract) as handle:
            lines = iter(handle)
            held: list[str] = []  # a line the fast path hands back to the CSV reader

            def source() -> Iterator[str]:
                while True:
                    line = held.pop() if held else next(lines, None)
                    if line is None:
                        return
                    if "\x00" in line:
                        raise NulByteError
                    yield line

            reader = csv.reader(source(), delimiter=delimiter, strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise HeaderError([Problem(file_name, None, None, "a header row and data", "an empty file")]) from None
            except NulByteError:
                raise ContractViolation([Problem(file_name, 1, None, "text without NUL bytes",
                                                 "a NUL byte (a binary file, or a damaged export)")]) from None
            number = reader.line_num
            positions = _map_header(header, contract, file_name)
            width = len(header)
            in_order = positions == list(range(width))  # the usual case: each record is already in contract order
            seen: dict[str, str] = {}  # identifier as delivered -> pseudonym ("" for blank); bounded, see below
            for line in lines:
                number += 1
                if '"' in line or "\x00" in line or len(line) > FIELD_SIZE_LIMIT:
                    held.append(line)
                    before = reader.line_num  # the reader counts the lines it takes: this one and any it spans
                    try:
                        record = next(reader)
                    except NulByteError:
                        raise ContractViolation([Problem(file_name, number + reader.line_num - before,
                                                         None, "text without NUL bytes",
                                                         "a NUL byte (a binary file, or a damaged export)")]) from None
                    except csv.Error as exc:
                        raise ContractViolation([Problem(file_name, number - 1 + reader.line_num - before, None,
                                                         "well-formed CSV", str(exc))]) from None
                    number += reader.line_num - before - 1
                    if not record:
                        continue  # a blank line
                    plain = False
                else:
                    text = line.rstrip("\r\n")
                    if not text:
                        continue  # a blank line
                    record = text.split(delimiter)
                    plain = True
                if len(record) != width:
                    total += 1
                    if len(problems) < MAX_PROBLEMS_SHOWN:
                        problems.append(Problem(file_name, number, None, f"{width} fields",
                                                f"{len(record)} fields (a truncated line or a stray delimiter?)"))
                    continue
                values = record if in_order else [record[p] for p in positions]
                for i in identifiers:
                    delivered = values[i]
                    hashed = seen.get(delivered)
                    if hashed is None:
                        raw_id = delivered.strip()
                        hashed = pseudonymise(raw_id) if raw_id else ""
                        if len(seen) >= SEEN_IDENTIFIERS:
                            seen.clear()
                        seen[delivered] = hashed
                    values[i] = hashed
                for i in redacted:
                    values[i] = REDACTED_MARK if values[i].strip() else ""
                if not problems:
                    yield number, values, plain
    except UnicodeDecodeError as exc:
        line = _line_of_byte(path, exc.start)
        raise EncodingError([Problem(file_name, line, None, f"text encoded as {contract.encoding}",
                                     f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}")]) from None
    if problems:
        raise ContractViolation(problems, total=total)


def parsed_rows(path: Path, contract: Contract, pseudonymise: Callable[[str], str],
                file_name: str | None = None) -> Iterator[tuple[int, list[str | None]]]:
    """Yield (line number, values in contract order) for every record, identifiers already pseudonymised and
    redacted columns reduced to a presence marker (None when blank). Errors as ``_records``."""
    blank_is_none = [i for i, c in enumerate(contract.columns) if c.type in {"identifier", "redacted"}]
    for line, record, _ in _records(path, contract, pseudonymise, file_name or path.name):
        values: list[str | None] = record  # type: ignore[assignment]
        for i in blank_is_none:
            values[i] = values[i] or None
        yield line, values


def _copy_text(path: Path, contract: Contract, pseudonymise: Callable[[str], str], prefix: str,
               delimiter: str) -> Iterator[tuple[str, int]]:
    """The file's records as COPY ``format csv`` text, in chunks of about COPY_CHUNK characters (memory stays flat
    whatever the file size), each with its number of records. Each line is ``prefix``, the line number, then the
    values."""
    parts: list[str] = []
    size = 0
    quoted = io.StringIO()
    writer = csv.writer(quoted, delimiter=delimiter, lineterminator="\n")
    joinable = delimiter == contract.delimiter  # else a plain value might hold the COPY delimiter
    for line, values, plain in _records(path, contract, pseudonymise, path.name):
        if plain and joinable:
            text = f"{prefix}{line}{delimiter}{delimiter.join(values)}\n"
        else:  # values that may hold a delimiter, quote or line break: let the CSV writer quote them
            writer.writerow((line, *values))
            text = prefix + quoted.getvalue()
            quoted.seek(0)
            quoted.truncate()
        parts.append(text)
        size += len(text)
        if size > COPY_CHUNK:
            yield "".join(parts), len(parts)
            parts.clear()
            size = 0
    yield "".join(parts), len(parts)


# -- SQL ------------------------------------------------------------------------------------------------------------
def _raw_ddl(contract: Contract) -> sql.Composed:
    """``raw.<table>``: text as delivered, partitioned by batch (a batch is one partition: it is validated, cast
    and, if rejected, dropped without touching the others)."""
    names = [*contract.file_field_names, *(c.db_name for c in contract.columns)]
    cols = [sql.SQL("{} text").format(sql.Identifier(n)) for n in names]
    return sql.SQL("create table if not exists raw.{} "
                   "(_batch_id bigint not null, _row_number bigint not null, {}) partition by list (_batch_id)").format(
        sql.Identifier(contract.table), sql.SQL(", ").join(cols))


def raw_partition(contract: Contract, batch_id: int) -> sql.Identifier:
    return sql.Identifier(f"{contract.table}__b{batch_id}")


def _typed_columns(contract: Contract) -> sql.Composed:
    cols = [sql.SQL("{} text not null").format(sql.Identifier(n)) for n in contract.file_field_names]
    cols += [sql.SQL("{} {}").format(sql.Identifier(c.db_name), sql.SQL(c.pg_type)) for c in contract.columns]
    return sql.SQL(", ").join([sql.SQL("la_code text not null, _batch_id bigint not null, "
                                       "_row_number bigint not null"), *cols])


def _cast(col: Column) -> sql.Composable:
    value = checks.value(col)
    if col.type == "date":
        if (col.format or "%Y-%m-%d") == "%Y-%m-%d":
            return sql.SQL("{}::date").format(value)
        return sql.SQL("to_date({}, {})").format(value, sql.Literal(col.pg_date_format))
    if col.type == "integer":
        return sql.SQL("{}::bigint").format(value)
    if col.type == "decimal":
        return sql.SQL("{}::numeric").format(value)
    if col.type == "boolean":
        return sql.SQL("case when lower({v}) = any({t}) then true when lower({v}) = any({f}) then false end").format(
            v=value, t=sql.Literal([v.lower() for v in col.true_values]),
            f=sql.Literal([v.lower() for v in col.false_values]))
    if col.type in {"identifier", "code"}:
        return value
    if col.type == "redacted":
        return sql.SQL("null::text")
    return sql.SQL("nullif({}, '')").format(sql.Identifier(col.db_name))


def _current_sha(conn: psycopg.Connection, contract: Contract, la_code: str, file_key: str) -> str | None:
    row = conn.execute(
        "select sha256 from audit.load_batches where table_name = %s and la_code = %s and file_key = %s "
        "and status = 'loaded' order by batch_id desc limit 1", (contract.table, la_code, file_key)).fetchone()
    return row[0] if row else None


def stage_file(conn: psycopg.Connection, path: Path, contract: Contract, la_code: str, run_id: str,
               pseudonymise: Callable[[str], str]) -> StagedBatch | None:
    """Phase 1 for one file. Returns None when the file is the one already loaded (a no-op)."""
    file_values = contract.file_values(path.name)
    if file_values is None:
        raise UnknownFileError([Problem(path.name, None, None, f"a file name matching {contract.file_fields}",
                                        path.name)])
    file_key = "|".join(file_values)
    digest = sha256_of(path)
    if _current_sha(conn, contract, la_code, file_key) == digest:
        log.info("%s: unchanged since the last load, skipped", path.name)
        return None
    batch_id = conn.execute(
        "insert into audit.load_batches (run_id, la_code, domain, table_name, file_name, file_key, sha256, status) "
        "values (%s, %s, %s, %s, %s, %s, %s, 'loading') returning batch_id",
        (run_id, la_code, contract.domain, contract.table, path.name, file_key, digest)).fetchone()[0]
    conn.commit()
    try:
        rows = _copy_and_cast(conn, path, contract, la_code, batch_id, pseudonymise, file_values)
        conn.execute("update audit.load_batches set status = 'staged', rows = %s where batch_id = %s",
                     (rows, batch_id))
        conn.commit()
    except LoadError as exc:
        conn.rollback()
        conn.execute("update audit.load_batches set status = 'rejected', error = %s, finished_at = now() "
                     "where batch_id = %s", (str(exc), batch_id))
        conn.commit()
        raise
    except BaseException:
        conn.rollback()
        raise
    log.info("%s: %s rows staged as batch %s", path.name, rows, batch_id)
    return StagedBatch(batch_id, contract, la_code, path.name, rows, file_values)


def _copy_and_cast(conn: psycopg.Connection, path: Path, contract: Contract, la_code: str, batch_id: int,
                   pseudonymise: Callable[[str], str], file_values: tuple[str, ...]) -> int:
    table = sql.Identifier(contract.table)
    partition = raw_partition(contract, batch_id)
    # One batch of a table at a time until this transaction ends: creating its partition below locks the table
    # anyway, and two loaders making a new table's raw history at once would both try to create it.
    conn.execute("select pg_advisory_xact_lock(hashtext('scorecard:raw:' || %s))", (contract.table,))
    conn.execute(_raw_ddl(contract))
    all_names = [*contract.file_field_names, *(c.db_name for c in contract.columns)]
    for name in all_names:  # a contract that gained a column: raw keeps history, so add it
        conn.execute(sql.SQL("alter table raw.{} add column if not exists {} text").format(
            table, sql.Identifier(name)))
    conn.execute(sql.SQL("create table raw.{} partition of raw.{} for values in ({})").format(
        partition, table, sql.Literal(batch_id)))
    # The file's own delimiter, when COPY accepts it: a line without quotes then goes through as it was split.
    delimiter = contract.delimiter if contract.delimiter not in {'"', "\r", "\n"} and contract.delimiter.isascii() \
        else ","
    prefix = io.StringIO()
    csv.writer(prefix, delimiter=delimiter, lineterminator="").writerow((batch_id, *file_values, ""))
    names = sql.SQL(", ").join(sql.Identifier(n) for n in [*contract.file_field_names, "_row_number",
                                                            *(c.db_name for c in contract.columns)])
    # freeze: the partition was created in this transaction, so its rows need no visibility hints later
    copy_sql = sql.SQL("copy raw.{} (_batch_id, {}) from stdin (format csv, delimiter {}, freeze)").format(
        partition, names, sql.Literal(delimiter))
    rows = 0
    with conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for chunk, count in _copy_text(path, contract, pseudonymise, prefix.getvalue(), delimiter):
            copy.write(chunk)
            before, rows = rows, rows + count
            if rows // PROGRESS_EVERY > before // PROGRESS_EVERY:
                print(f"  {path.name}: {rows:,} rows", file=sys.stderr, flush=True)
    # Hash tables (the calendars of the value checks, the key check's groups) fit in memory at this size. (JIT is off
    # in every session of the pipeline, ``scorecard.warehouse.SESSION_OPTIONS``: compiling the checks' long
    # expressions took longer than running them, 1.5 s of a 4.5 s cast.)
    conn.execute(sql.SQL("set local work_mem = {}").format(sql.Literal(LOAD_WORK_MEM)))
    # A few statistics for the raw partition (a 300-row sample, milliseconds): without them the planner takes the
    # batch for a few dozen rows and hashes all of it against the calendar, in place of hashing the calendar
    # (at 737,670 rows, 4.7 s spilling to disk against 2.1 s).
    with _local_settings(conn, default_statistics_target="1"):
        conn.execute(sql.SQL("analyze raw.{}").format(partition))
    # The candidate is the batch's future partition of staging.<table>: typed, logged, and constrained to its batch
    # so that attaching it (``promote``) needs no scan. Its rows are written once; promoting them moves nothing.
    candidate = sql.Identifier(f"{contract.table}__b{batch_id}")
    if not _cast_checked(conn, contract, la_code, batch_id, partition, candidate, rows):
        # Some value is not valid: name each (file, row, column, expected, found). The exact cast below only runs
        # should every value be valid after all, which ``row_check`` being ``valid`` rules out.
        _check_values(conn, contract, partition, path.name)
        _create_candidate(conn, contract, la_code, batch_id, candidate)
        casts = sql.SQL(", ").join([*(sql.Identifier(n) for n in contract.file_field_names),
                                    *(_cast(c) for c in contract.columns)])
        conn.execute(sql.SQL("insert into load.{} select {}, _batch_id, _row_number, {} from raw.{}").format(
            candidate, sql.Literal(la_code), casts, partition))
    _check_keys(conn, contract, candidate, path.name)
    conn.execute(sql.SQL("analyze load.{}").format(candidate))
    return rows


def _cast_checked(conn: psycopg.Connection, contract: Contract, la_code: str, batch_id: int,
                  partition: sql.Identifier, candidate: sql.Identifier, rows: int) -> bool:
    """Create the batch's candidate from one query that checks every value as it casts it, keeping only the rows
    whose values are all valid (``checks.row_check``). True when that was every row; else the candidate is undone
    and False returned, for ``_check_values`` to name the values that failed.

    Checking row by row while casting costs less than checking each column's distinct values first and then
    casting: the rows are read once, and the checks share the casts' work (a date's calendar gives its day)."""
    calendars: dict[str, sql.Identifier] = {}  # date format -> its calendar table, one per format
    joins: list[sql.Composable] = []
    typed = [sql.SQL("{}::text").format(sql.Identifier(n)) for n in contract.file_field_names]
    ok: list[sql.Composable] = []
    with conn.transaction() as savepoint:
        for i, col in enumerate(contract.columns):
            lookup = None
            query = checks.calendar(col.format or "%Y-%m-%d") if col.type == "date" else None
            if query is not None:
                if col.format not in calendars:
                    calendars[col.format] = _calendar_table(conn, query)
                lookup = sql.Identifier(f"_calendar{i}")
                joins.append(sql.SQL("left join raw.{} as {} on {}._text = {}").format(
                    calendars[col.format], lookup, lookup, sql.Identifier(col.db_name)))
            check = checks.row_check(col, _cast(col), lookup)
            ok.append(check.ok)
            typed.append(sql.SQL("({})::{}").format(check.typed, sql.SQL(col.pg_type)))
        # The raw partition's statistics are from a small sample: with no merge or nested-loop joins the planner
        # cannot sort both sides of each calendar join where hashing the small calendar is far cheaper.
        # Created by its query (not made first and filled by an insert) so that Postgres may check and cast the rows
        # in parallel workers while the backend writes them (an insert reads its rows in one process only): the
        # checks take most of the cast's time. Its constraints are then those ``_create_candidate`` gives it.
        names = [*contract.file_field_names, *(c.db_name for c in contract.columns)]
        with _local_settings(conn, enable_mergejoin="off", enable_nestloop="off"):
            inserted = conn.execute(sql.SQL(
                "create table load.{} (la_code, _batch_id, _row_number, {}) as "
                "select {}::text, _batch_id, _row_number, {} from raw.{} {} where {}").format(
                candidate, sql.SQL(", ").join(sql.Identifier(n) for n in names), sql.Literal(la_code),
                sql.SQL(", ").join(typed), partition, sql.SQL(" ").join(joins), sql.SQL(" and ").join(ok))).rowcount
        if inserted != rows:
            raise psycopg.Rollback(savepoint)
        required = ["la_code", "_batch_id", "_row_number", *contract.file_field_names]
        conn.execute(sql.SQL("alter table load.{} {}, {}").format(
            candidate, sql.SQL(", ").join(sql.SQL("alter column {} set not null").format(sql.Identifier(n))
                                          for n in required),
            _candidate_constraints(contract, la_code, batch_id)))
        return True
    return False


@contextmanager
def _local_settings(conn: psycopg.Connection, **settings: str) -> Iterator[None]:
    """Server settings for the statements inside the block, in this transaction only, back to their defaults after
    it (should a statement fail, the transaction's rollback undoes them). One round trip each way: a national load
    does this for thousands of batches."""
    conn.execute(sql.SQL("; ").join(sql.SQL("set local {} = {}").format(sql.Identifier(name), sql.Literal(value))
                                    for name, value in settings.items()))
    yield
    conn.execute(sql.SQL("; ").join(sql.SQL("set local {} to default").format(sql.Identifier(name))
                                    for name in settings))


def _calendar_table(conn: psycopg.Connection, query: sql.Composable) -> sql.Identifier:
    """``raw._calendar_<hash>``: every date of ``checks.CALENDAR`` written in one format (``checks.calendar``), made
    the first time a load needs that format and kept: a national load stages thousands of batches, and making a
    calendar for each cost about 0.2 s a batch. Its name is a hash of its query, so a changed calendar is a new
    table. It is only read; a lookup that misses falls back to the exact check, so it can never accept a bad date."""
    text = query.as_string(conn)
    name = f"_calendar_{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    table = sql.Identifier(name)
    if conn.execute("select to_regclass(%s) is null", (f"raw.{name}",)).fetchone()[0]:
        conn.execute("select pg_advisory_xact_lock(hashtext('scorecard:calendar'))")  # two loaders, one table
        conn.execute(sql.SQL("create table if not exists raw.{} as {}").format(table, query))
        conn.execute(sql.SQL("analyze raw.{}").format(table))
    return table


def _candidate_constraints(contract: Contract, la_code: str, batch_id: int) -> sql.Composable:
    """The candidate's checks, for ``alter table ... add`` or ``create table``:
    - its batch, so that attaching it to ``staging.<table>`` as that batch's partition needs no scan;
    - its council, so that a query of one council's rows (``la_code in (...)``, as an incremental build filters its
      inputs) skips every other council's partitions: Postgres excludes a partition whose check refutes the filter
      (``constraint_exclusion = partition``, the default), where partition bounds on the batch cannot."""
    return sql.SQL("add constraint {} check (_batch_id = {}), add constraint {} check (la_code = {})").format(
        sql.Identifier(f"{contract.table}__b{batch_id}_batch"), sql.Literal(batch_id),
        sql.Identifier(f"{contract.table}__b{batch_id}_council"), sql.Literal(la_code))


def _create_candidate(conn: psycopg.Connection, contract: Contract, la_code: str, batch_id: int,
                      candidate: sql.Identifier) -> None:
    conn.execute(sql.SQL("create table load.{} ({})").format(candidate, _typed_columns(contract)))
    conn.execute(sql.SQL("alter table load.{} {}").format(candidate, _candidate_constraints(contract, la_code,
                                                                                             batch_id)))


def _check_values(conn: psycopg.Connection, contract: Contract, partition: sql.Identifier, file_name: str) -> None:
    """Every value against its column's type, code list, range and requiredness (see ``loaders/checks.py``).

    One scan of the batch collects each column's distinct values (grouping sets); only those are checked, and
    only a value that fails is looked up again to name its rows."""
    checked = [c for c in contract.columns if c.type not in {"identifier", "redacted"} or c.required]
    problems: list[tuple[int, Problem]] = []
    total = 0
    for start in range(0, len(checked), GROUPING_LIMIT):  # grouping() takes at most 31 arguments
        found, count = _check_columns(conn, checked[start:start + GROUPING_LIMIT], partition, file_name)
        problems.extend(found)
        total += count
    if problems:
        problems.sort(key=lambda item: item[0])
        raise ContractViolation([p for _, p in problems[:MAX_PROBLEMS_SHOWN]], total=total)


def _check_columns(conn: psycopg.Connection, cols: list[Column], partition: sql.Identifier,
                   file_name: str) -> tuple[list[tuple[int, Problem]], int]:
    names = [sql.Identifier(f"v{i}") for i in range(len(cols))]
    values = []
    for col, name in zip(cols, names, strict=True):
        # Identifiers (already hashed) and redacted columns can only be missing: check presence, not values.
        expr = checks.value(col) if col.type not in {"identifier", "redacted"} else sql.SQL(
            "case when {} is null then null else '*' end").format(checks.value(col))
        values.append(sql.SQL("{} as {}").format(expr, name))
    every = (1 << len(cols)) - 1
    failing = sql.SQL(" or ").join(
        sql.SQL("(g = {} and not {})").format(sql.Literal(every - (1 << (len(cols) - 1 - i))), checks.valid(col, name))
        for i, (col, name) in enumerate(zip(cols, names, strict=True)))
    columns = sql.SQL(", ").join(names)
    found = conn.execute(sql.SQL(
        "select g, {columns} from (select {columns}, grouping({columns}) as g from (select {values} from raw.{part}) t "
        "group by grouping sets ({sets})) d where {failing}").format(
        columns=columns, values=sql.SQL(", ").join(values), part=partition,
        sets=sql.SQL(", ").join(sql.SQL("({})").format(n) for n in names), failing=failing)).fetchall()
    bad: dict[int, list[str | None]] = {}
    for g, *row in found:
        index = len(cols) - 1 - (every - g).bit_length() + 1
        bad.setdefault(index, []).append(row[index])
    problems: list[tuple[int, Problem]] = []
    total = 0
    for index, bad_values in bad.items():
        col = cols[index]
        hidden = col.type in {"identifier", "redacted"}  # only their absence can fail; never shown
        rows = conn.execute(sql.SQL(
            "select _row_number, left({raw}, {width}), count(*) over () from raw.{part} "
            "where {v} = any({bad}) or ({v} is null and {null_bad}) order by _row_number limit {limit}").format(
            raw=sql.Identifier(col.db_name), width=sql.Literal(checks.SHOWN_VALUE_LENGTH), part=partition,
            v=checks.value(col), bad=sql.Literal([b for b in bad_values if b is not None and not hidden]),
            null_bad=sql.Literal(None in bad_values), limit=sql.Literal(MAX_PROBLEMS_SHOWN))).fetchall()
        total += rows[0][2] if rows else 0
        for row_number, shown, _ in rows:
            missing = hidden or shown is None or not shown.strip()
            problems.append((row_number, Problem(file_name, row_number, col.name,
                                                 "a value (required)" if missing else col.describe(),
                                                 None if hidden else shown)))
    return problems, total


def _check_keys(conn: psycopg.Connection, contract: Contract, candidate: sql.Identifier, file_name: str) -> None:
    if not contract.primary_key:
        return
    keys = sql.SQL(", ").join(sql.Identifier(contract.key_db_name(k)) for k in contract.primary_key)
    # Nearly every file is clean: ask only whether a key repeats, and name the rows when one does. By hashing the
    # keys: sorting them (which the planner may pick, in parallel) took 2.5 s, not 0.6 s, at 737,670 rows.
    with _local_settings(conn, enable_sort="off"):
        repeated = conn.execute(sql.SQL("select exists (select from load.{} group by {} having count(*) > 1)").format(
            candidate, keys)).fetchone()[0]
    if not repeated:
        return
    duplicates = conn.execute(sql.SQL(
        "select array_agg(_row_number order by _row_number) from load.{} group by {} having count(*) > 1 "
        "order by min(_row_number) limit {}").format(candidate, keys, sql.Literal(MAX_PROBLEMS_SHOWN + 1))).fetchall()
    if duplicates:
        key_text = "(" + ", ".join(contract.primary_key) + ")"
        problems = [Problem(file_name, rows[-1], ", ".join(contract.primary_key), f"a unique {key_text}",
                            f"the same key as row {rows[0]}") for (rows,) in duplicates]
        raise DuplicateKeyError(problems[:MAX_PROBLEMS_SHOWN], total=len(problems))


def _staging_columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        "select column_name, data_type from information_schema.columns where table_schema = %s and table_name = %s "
        "order by ordinal_position", ("staging", table)).fetchall()


def ensure_staging_table(conn: psycopg.Connection, contract: Contract, la_code: str | None = None,
                         file_name: str | None = None) -> None:
    """Create ``staging.<table>`` from its contract if it is missing, so that dbt can build before every source
    has been delivered. A table whose columns no longer match its contract is recreated when it holds no other
    council's rows (``la_code``); otherwise that is an error to resolve by migrating the other councils first."""
    table = sql.Identifier(contract.table)
    # A build and a load may both make sure of the same table: one at a time (held to the end of the transaction).
    conn.execute("select pg_advisory_xact_lock(hashtext('scorecard:staging-ddl'))")
    expected = _expected_columns(contract)
    current = [tuple(row) for row in _staging_columns(conn, contract.table)]
    if current and current != expected:
        others = conn.execute(sql.SQL("select count(*) from staging.{} where la_code is distinct from {}").format(
            table, sql.Literal(la_code))).fetchone()[0]
        if others:
            raise HeaderError([Problem(file_name or contract.table, None, None,
                                       f"the columns staging.{contract.table} has for other councils",
                                       "a contract that changed; migrate the other councils' data first")])
        conn.execute(sql.SQL("drop table staging.{} cascade").format(table))
        current = []
    if not current:
        conn.execute(sql.SQL("create table staging.{} ({}) partition by list (_batch_id)").format(
            table, _typed_columns(contract)))
    elif _relkind(conn, "staging", contract.table) == "r":
        # A warehouse made before staging was partitioned: its rows become the default partition, which later
        # deliveries empty council by council (``promote``).
        legacy = f"{contract.table}{DEFAULT_PARTITION}"
        conn.execute(sql.SQL("alter table staging.{} rename to {}").format(table, sql.Identifier(legacy)))
        conn.execute(sql.SQL("create table staging.{} ({}) partition by list (_batch_id)").format(
            table, _typed_columns(contract)))
        conn.execute(sql.SQL("alter table staging.{} attach partition staging.{} default").format(
            table, sql.Identifier(legacy)))


DEFAULT_PARTITION = "__default"
PROMOTE_LOCK_TIMEOUT = "500ms"  # below Postgres's deadlock_timeout (1 s): a waiting promotion gives way, never a reader
PROMOTE_WAIT_SECONDS = 600


def _relkind(conn: psycopg.Connection, schema: str, table: str) -> str | None:
    row = conn.execute("select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                       "where n.nspname = %s and c.relname = %s", (schema, table)).fetchone()
    return row[0] if row else None


_INFORMATION_SCHEMA_TYPES = {"text": "text", "bigint": "bigint", "numeric": "numeric", "date": "date",
                             "boolean": "boolean"}


def _expected_columns(contract: Contract) -> list[tuple[str, str]]:
    """The (name, information_schema data_type) pairs ``staging.<table>`` must have."""
    cols = [("la_code", "text"), ("_batch_id", "bigint"), ("_row_number", "bigint")]
    cols += [(name, "text") for name in contract.file_field_names]
    cols += [(c.db_name, _INFORMATION_SCHEMA_TYPES[c.pg_type]) for c in contract.columns]
    return cols


def promote(conn: psycopg.Connection, batches: list[StagedBatch],
            after: Callable[[psycopg.Connection, list[StagedBatch]], None] | None = None) -> None:
    """Phase 2: swap every candidate into staging in one transaction (all or nothing). ``after`` runs inside
    the same transaction (post-load hooks), so its failure leaves staging as it was.

    ``staging.<table>`` is partitioned by batch: a candidate becomes a partition (no rows move) and the partition
    of the batch it replaces is dropped. Both need a short exclusive lock on the table; while a build is reading
    it the promotion waits, retrying, rather than queueing behind the reader and blocking everyone after it."""
    if not batches:
        return
    deadline = time.monotonic() + PROMOTE_WAIT_SECONDS
    while True:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(PROMOTE_LOCK_TIMEOUT)))
                for batch in batches:
                    _attach(conn, batch)
                conn.execute("set local lock_timeout = 0")
                if after is not None:
                    after(conn, batches)
            break
        except psycopg.errors.LockNotAvailable:
            if time.monotonic() > deadline:
                raise
            log.info("staging is being read (a build?): the promotion waits for it")
            time.sleep(1)
    conn.commit()


def _attach(conn: psycopg.Connection, batch: StagedBatch) -> None:
    contract = batch.contract
    table = sql.Identifier(contract.table)
    ensure_staging_table(conn, contract, batch.la_code, batch.file_name)
    # Replace this council's snapshot: the partitions of its earlier batches of the same file-name fields (a table
    # delivered as one file per year replaces only that year's).
    replaced = [r[0] for r in conn.execute(
        "select c.relname from audit.load_batches b join pg_class c on c.relname = b.table_name || '__b' || b.batch_id "
        "join pg_inherits i on i.inhrelid = c.oid where i.inhparent = %s::regclass and b.table_name = %s "
        "and b.la_code = %s and b.file_key = %s and b.batch_id <> %s",
        (sql.Identifier("staging", contract.table).as_string(conn), contract.table, batch.la_code,
         batch.file_key, batch.batch_id)).fetchall()]
    for name in replaced:
        conn.execute(sql.SQL("drop table staging.{}").format(sql.Identifier(name)))
    if _relkind(conn, "staging", f"{contract.table}{DEFAULT_PARTITION}") == "r":
        scope = [sql.SQL("la_code = {}").format(sql.Literal(batch.la_code))]
        scope += [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Literal(value))
                  for name, value in zip(contract.file_field_names, batch.file_values, strict=True)]
        conn.execute(sql.SQL("delete from staging.{} where {}").format(
            sql.Identifier(f"{contract.table}{DEFAULT_PARTITION}"), sql.SQL(" and ").join(scope)))
    candidate = sql.Identifier(batch.candidate)
    conn.execute(sql.SQL("alter table load.{} set schema staging").format(candidate))
    conn.execute(sql.SQL("alter table staging.{} attach partition staging.{} for values in ({})").format(
        table, candidate, sql.Literal(batch.batch_id)))
    conn.execute("update audit.load_batches set status = 'superseded' where table_name = %s and la_code = %s "
                 "and file_key = %s and status = 'loaded' and batch_id <> %s",
                 (contract.table, batch.la_code, batch.file_key, batch.batch_id))
    conn.execute("update audit.load_batches set status = 'loaded', finished_at = now() where batch_id = %s",
                 (batch.batch_id,))


def staging_tables_due_analysis(conn: psycopg.Connection, tables: set[str]) -> list[str]:
    """Which of ``tables`` need their whole-table statistics again after a load (``analyze_staging``), the largest
    first. Analysing a partitioned table samples every partition again, so a table is due only when it has changed
    enough since its last analysis, by the rule autovacuum applies to an ordinary table: more rows promoted into it
    since then than ``autovacuum_analyze_threshold`` + ``autovacuum_analyze_scale_factor`` x its rows (50 + 10% by
    default). A national load makes every table due; one council's new month among 150 makes none due, and its new
    partitions have their own statistics from their load. A table never analysed (or whose last analysis the server
    has forgotten, after a crash) is due."""
    return [name for (name,) in conn.execute(
        """
        select c.relname::text
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_stat_user_tables s on s.relid = c.oid
        where n.nspname = 'staging' and c.relname = any(%s)
            and (c.reltuples < 0
                or greatest(s.last_analyze, s.last_autoanalyze) is null
                or (select coalesce(sum(b.rows), 0) from audit.load_batches b
                    where b.table_name = c.relname and b.status in ('loaded', 'superseded')
                        and b.finished_at > greatest(s.last_analyze, s.last_autoanalyze))
                    > current_setting('autovacuum_analyze_threshold')::float8
                        + current_setting('autovacuum_analyze_scale_factor')::float8 * c.reltuples)
        order by (select coalesce(sum(pg_relation_size(i.inhrelid)), 0) from pg_inherits i
                  where i.inhparent = c.oid) desc, 1
        """, (sorted(tables),)).fetchall()]


def analyze_staging(conn: psycopg.Connection, tables: list[str]) -> None:
    """Statistics of whole staging tables, for the build's plans (each partition has its own from its load;
    autovacuum never analyses a partitioned table). Once per load, not per delivery: it samples every council;
    ``staging_tables_due_analysis`` says which tables need it."""
    for name in tables:
        conn.execute(sql.SQL("analyze staging.{}").format(sql.Identifier(name)))
    conn.commit()


def drop_candidate(conn: psycopg.Connection, candidate: str) -> None:
    """Drop a candidate table, and with it the gate's view over it if a killed gate left one behind."""
    conn.execute(sql.SQL("drop table if exists load.{} cascade").format(sql.Identifier(candidate)))


def discard(conn: psycopg.Connection, batches: list[StagedBatch], reason: str) -> None:
    """Reject staged batches: drop their candidates and raw rows; staging keeps its last good state."""
    with conn.transaction():
        for batch in batches:
            drop_candidate(conn, batch.candidate)
            conn.execute(sql.SQL("drop table if exists raw.{}").format(
                raw_partition(batch.contract, batch.batch_id)))
            conn.execute("update audit.load_batches set status = 'rejected', error = %s, finished_at = now() "
                         "where batch_id = %s", (reason, batch.batch_id))
    conn.commit()


def recover_interrupted(conn: psycopg.Connection, contracts: tuple[Contract, ...], run_id: str) -> list[int]:
    """Reject the batches an earlier, interrupted load left behind (killed mid-COPY, server restarted): a batch
    still 'loading' or 'staged' from another run. Call it only while holding the load lock. Returns their ids."""
    stale = conn.execute("select batch_id, table_name from audit.load_batches "
                         "where status in ('loading', 'staged') and run_id <> %s", (run_id,)).fetchall()
    by_table = {c.table: c for c in contracts}
    for batch_id, table in stale:
        with conn.transaction():
            drop_candidate(conn, f"{table}__b{batch_id}")
            if table in by_table:
                conn.execute(sql.SQL("drop table if exists raw.{}").format(raw_partition(by_table[table], batch_id)))
            conn.execute("update audit.load_batches set status = 'rejected', finished_at = now(), error = "
                         "'interrupted: the load that started it did not finish (the batch was discarded)' "
                         "where batch_id = %s", (batch_id,))
        log.warning("Discarded batch %s of %s, left by an interrupted load", batch_id, table)
    conn.commit()
    return [b for b, _ in stale]


def stage_delivery(conn: psycopg.Connection, la_dir: Path, contracts: tuple[Contract, ...], run_id: str,
                   pseudonymise: Callable[[str], str], domains: set[str] | None = None,
                   start: float = 0.0) -> Delivery:
    """Phase 1 for every file of one council's folder. Any rejected file discards the whole delivery.

    Files are staged in name order, beginning ``start`` (a fraction, 0 to 1) of the way through the list and
    wrapping round: two deliveries staged at once from different starts seldom want the same table together."""
    la_code = la_dir.name
    files = sorted(p for p in la_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    first = int(len(files) * start) % len(files) if files else 0
    files = files[first:] + files[:first]
    unknown = [p.name for p in files if contract_for(p.name, contracts) is None]
    if unknown:
        raise UnknownFileError([Problem(name, None, None, "a file name that matches a load contract", name)
                                for name in unknown])
    seen: dict[tuple[str, tuple[str, ...] | None], str] = {}
    clashes: list[Problem] = []
    for path in files:
        contract = contract_for(path.name, contracts)
        assert contract is not None
        key = (contract.table, contract.file_values(path.name))
        if key in seen:
            clashes.append(Problem(path.name, None, None, f"one file for {contract.table}",
                                   f"a second one beside {seen[key]}"))
        seen[key] = path.name
    if clashes:
        raise AmbiguousDeliveryError(clashes)
    staged: list[StagedBatch] = []
    unchanged: list[str] = []
    try:
        for path in files:
            contract = contract_for(path.name, contracts)
            assert contract is not None
            if domains and contract.domain not in domains and contract.domain != "all":
                continue
            batch = stage_file(conn, path, contract, la_code, run_id, pseudonymise)
            (staged.append(batch) if batch else unchanged.append(path.name))
    except BaseException as exc:
        discard(conn, staged, f"rejected with the rest of its delivery: {str(exc).splitlines()[0]}")
        raise
    return Delivery(la_code, staged, unchanged)

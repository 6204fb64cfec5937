"""Evidence that the gate works in SQL: record every statement GX sends through SQLAlchemy while a block runs.

    with capture_sql() as statements:
        run_gate(...)
    summary(statements)   # statements by kind: aggregates, limited samples, catalogue look-ups, writes

Used by the tests (the gate never writes through GX, never reads a table without aggregating or limiting it) and by
``python -m scorecard.quality.trace`` to time the staging gate on the largest staged table.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    sql: str

    @property
    def kind(self) -> str:
        text = " ".join(self.sql.split()).lower()
        if re.match(r"(insert|update|delete|create|drop|alter|truncate|copy|grant)\b", text):
            return "write"
        if "pg_catalog" in text or "information_schema" in text or text.startswith(("show ", "select pg_", "select 1")):
            return "catalogue"
        if text.startswith("select count(*) as unexpected_row_count"):
            return "aggregate"
        if "with b as (select * from" in text:  # an SQL check's failing rows: streamed, GX keeps the first 200
            return "failing_rows"
        if re.search(r"\b(count|sum|min|max|avg|stddev)\s*\(", text):
            return "aggregate"
        if re.search(r"\blimit\b", text):
            return "limited"
        return "other"


@contextlib.contextmanager
def capture_sql() -> Iterator[list[Statement]]:
    """Record the statements every SQLAlchemy engine executes inside the block."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[Statement] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(Statement(str(statement)))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def summary(statements: list[Statement]) -> dict[str, int]:
    return dict(Counter(s.kind for s in statements))


def _largest_staged_table(conn, expectations_dir) -> str:  # noqa: ANN001
    # A staging table is partitioned by batch: its size is its partitions'.
    rows = conn.execute("select p.relname from pg_class p join pg_namespace n on n.oid = p.relnamespace "
                        "where n.nspname = 'staging' and p.relkind in ('r', 'p') and not p.relispartition "
                        "order by coalesce((select sum(greatest(c.reltuples, 0)) from pg_inherits i "
                        "join pg_class c on c.oid = i.inhrelid where i.inhparent = p.oid), "
                        "greatest(p.reltuples, 0)) desc").fetchall()
    for (table,) in rows:
        if (expectations_dir / "staging" / f"{table}.json").exists():
            return table
    raise SystemExit("No staged table has a suite: run `scorecard load` first.")


def main(argv: list[str] | None = None) -> int:
    """Time the staging gate on one staged table (the largest by default) and show the SQL it sent."""
    import argparse
    import time

    from psycopg import sql

    from scorecard.quality.gate import TableToCheck, run_gate
    from scorecard.quality.relations import StagingScope
    from scorecard.settings import get_settings
    from scorecard.warehouse import open_warehouse

    parser = argparse.ArgumentParser(prog="python -m scorecard.quality.trace", description=main.__doc__)
    parser.add_argument("--table", help="a staging table (default: the largest with a suite)")
    parser.add_argument("--show", type=int, default=5, help="statements to print")
    args = parser.parse_args(argv)
    settings = get_settings()
    import great_expectations  # noqa: F401  (imported before the clock starts)

    with open_warehouse(settings) as wh:
        with wh.connect() as conn:
            table = args.table or _largest_staged_table(conn, settings.expectations_dir)
            rows, la_code = conn.execute(sql.SQL("select count(*), min(la_code) from staging.{}").format(
                sql.Identifier(table))).fetchone()
        check = TableToCheck(schema="staging", table=table, suite=f"staging/{table}",
                             scope=StagingScope(la_code or "", table, table))
        started = time.perf_counter()
        with capture_sql() as statements:
            results = run_gate(wh, "staging", [check], run_id="trace", expectations_dir=settings.expectations_dir,
                               store=False)
        seconds = time.perf_counter() - started
    print(f"staging.{table}: {rows:,} rows, {len(results)} checks in {seconds:.1f}s "
          f"({sum(not r.success for r in results)} failed)")
    print(f"{len(statements)} statements through SQLAlchemy, by kind: {summary(statements)}")
    for statement in statements[: args.show]:
        print(f"  [{statement.kind}] {' '.join(statement.sql.split())[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

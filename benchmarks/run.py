"""Performance figures, each measured in one run, side by side (``make bench``; ``--help`` for the options).

1. The loader against the physical limit (``psql \\copy`` of the same file into an equivalent all-text table) and
   against the peer most people would write (``pandas.read_csv(...).to_sql``), on the largest extract.
2. The loader's peak memory on a ~100 MB and (with ``--big``) a ~1 GB extract: it must not grow with the file.
3. The pipeline's stages for the default council and for ``--las N`` councils side by side: generate, load
   (stage), staging gates, promote, dbt build, mart gates, publish — seconds and rows per second.
4. On the ``--las N`` warehouse: an incremental rebuild after one new month of one council's data (its extracts
   regenerated with the extract date a month later, loaded, built) against the full build.

Every figure comes from a fresh database on the server named by BENCH_SERVER_URL (default: the Postgres on
127.0.0.1:5432, else an embedded one), dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.contract import Contract, load_contracts  # noqa: E402
from scorecard import pipeline  # noqa: E402
from scorecard.generate import council_specs, generate_all, generate_councils  # noqa: E402
from scorecard.generate.common import GenerationSpec  # noqa: E402
from scorecard.settings import Settings, get_settings  # noqa: E402
from scorecard.warehouse import Warehouse, bootstrap  # noqa: E402

LARGEST = "school_census_pupils.csv"


# -- where ------------------------------------------------------------------------------------------------------------
@contextmanager
def server() -> Iterator[str]:
    url = os.environ.get("BENCH_SERVER_URL")
    if url:
        yield url
        return
    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
        return
    except psycopg.OperationalError:
        pass
    from scorecard.embedded import EmbeddedPostgres

    embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="bench-pg-")))
    embedded.start()
    try:
        yield embedded.url.rsplit("/", 1)[0] + "/postgres"
    finally:
        embedded.stop()


@contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[Warehouse]:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    wh = Warehouse(server_url.rsplit("/", 1)[0] + "/" + name)
    bootstrap(wh)
    try:
        yield wh
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def psql_binary() -> str:
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "pginstall" / "bin" / "psql"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("psql")
    if not found:
        raise SystemExit("psql not found (install the project's dependencies: make install)")
    return found


def contract_for_table(table: str) -> Contract:
    return next(c for c in load_contracts(ROOT / "loaders" / "contracts") if c.table == table)


# -- 1. loader against psql \copy and pandas.to_sql ---------------------------------------------------------------
def load_with_loader(wh: Warehouse, path: Path, contract: Contract) -> tuple[int, float, float]:
    """The loader on ``path``: rows, seconds to stage it (read, check, pseudonymise, COPY, cast, key check) and
    seconds to promote it into staging."""
    from loaders.load import promote, stage_file
    from scorecard.pseudonymise import Pseudonymiser

    with wh.connect() as conn:
        started = time.perf_counter()
        batch = stage_file(conn, path, contract, "895", "bench", Pseudonymiser(b"benchmark-key-0123456789"))
        staged = time.perf_counter() - started
        assert batch is not None
        started = time.perf_counter()
        promote(conn, [batch])
        promoted = time.perf_counter() - started
    return batch.rows, staged, promoted


def read_only(path: Path, contract: Contract) -> float:
    """Seconds the loader's Python side takes to read, check the shape of and pseudonymise ``path`` and write the
    text it sends to COPY, with no database: the floor of the loader while identifiers are hashed in the client."""
    from loaders.load import _copy_text
    from scorecard.pseudonymise import Pseudonymiser

    started = time.perf_counter()
    prefix = f"1{contract.delimiter}"  # a batch id, as the loader writes it before each line
    for _ in _copy_text(path, contract, Pseudonymiser(b"benchmark-key-0123456789"), prefix, contract.delimiter):
        pass
    return time.perf_counter() - started


def load_with_psql(wh: Warehouse, path: Path, contract: Contract) -> float:
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c.db_name)) for c in contract.columns)
    with wh.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("create table public.psql_copy ({})").format(columns))
    command = [psql_binary(), wh.libpq_url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
               f"\\copy public.psql_copy from '{path}' with (format csv, header true)"]
    started = time.perf_counter()
    subprocess.run(command, check=True)  # noqa: S603 - our own file and URL
    return time.perf_counter() - started


def load_with_pandas(wh: Warehouse, path: Path) -> float:
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(wh.sqlalchemy_url)
    started = time.perf_counter()
    for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=50_000):
        chunk.to_sql("pandas_to_sql", engine, schema="public", if_exists="append", index=False)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


# -- 2. peak memory ---------------------------------------------------------------------------------------------------
def scaled_copy(source: Path, target: Path, megabytes: int) -> int:
    """``source`` repeated until ``target`` is about ``megabytes`` MB; each copy's pupil ids made unique."""
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    upn = header.index("upn")
    written = 0
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        copy = 0
        while out.tell() < megabytes * 1_000_000:
            for row in rows:
                row = list(row)
                row[upn] = f"{row[upn]}{copy:03d}"
                writer.writerow(row)
                written += 1
            copy += 1
    return written


def peak_memory_mb(wh: Warehouse, path: Path, table: str) -> tuple[float, int, float]:
    """Run the loader on ``path`` in a child process; its peak RSS (MB), rows and seconds."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks.run import contract_for_table, load_with_loader\n"
        "from scorecard.warehouse import Warehouse\n"
        f"rows, seconds, _ = load_with_loader(Warehouse({wh.url!r}), Path({str(path)!r}), "
        f"contract_for_table({table!r}))\n"
        # VmHWM is this process image's own peak; ru_maxrss would also count the parent's memory at fork time.
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
        "peak = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'rows': rows, 'seconds': seconds, 'peak_kb': peak}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures["peak_kb"] / 1024, figures["rows"], figures["seconds"]


# -- 3. pipeline stages ------------------------------------------------------------------------------------
@dataclass
class PipelineRun:
    """A warehouse the whole pipeline ran on, kept for the sections that measure what follows."""

    figures: dict[str, tuple[float, int]]
    wh: Warehouse
    settings: Settings
    base: GenerationSpec
    councils: int


@contextmanager
def pipeline_run(server_url: str, councils: int, scale: float, workdir: Path) -> Iterator[PipelineRun]:
    """The whole pipeline over ``councils`` councils (one financial year), timed stage by stage; the warehouse
    lives until the block ends."""
    landing = workdir / f"landing_{councils}"
    figures: dict[str, tuple[float, int]] = {}
    started = time.perf_counter()
    base = GenerationSpec(out_dir=landing, scale=scale, first_year=2019, years=1)
    paths = generate_councils(base, councils)
    generated_rows = sum(max(sum(1 for _ in p.open(encoding="utf-8")) - 1, 0)
                         for p in paths if p.suffix == ".csv")
    figures["generate"] = (time.perf_counter() - started, generated_rows)
    with fresh_database(server_url, f"scorecard_bench_{councils}") as wh:
        settings = dataclasses.replace(get_settings(), warehouse_url=wh.url, landing_dir=landing,
                                       reports_dir=workdir / f"reports_{councils}",
                                       embedded_dir=workdir / "embedded")
        os.environ.setdefault("SCORECARD_PSEUDONYMISATION_KEY", "benchmark-key-0123456789")
        try:
            summary = pipeline.load(wh, settings, f"bench{councils}")
        except pipeline.LoadRejected as rejected:  # measured all the same: the gate ran on every council
            summary = rejected.summary
            print(f"{len(summary.rejected)} of {councils} councils rejected by the staging gate (the rest are "
                  f"measured): {', '.join(sorted(summary.rejected))}", flush=True)
        for stage, seconds in summary.seconds.items():
            figures[f"load: {stage}"] = (seconds, summary.rows)
        started = time.perf_counter()
        schema = pipeline.build(wh, settings, f"bench{councils}")
        with wh.connect() as conn:
            built = conn.execute(sql.SQL(
                "select coalesce(sum(n_live_tup), 0) from pg_stat_user_tables where schemaname = any({})").format(
                sql.Literal([schema, "transform"]))).fetchone()[0]
        figures["dbt build"] = (time.perf_counter() - started, int(built))
        started = time.perf_counter()
        pipeline.gate_marts(wh, settings, f"bench{councils}", schema)
        figures["mart gates"] = (time.perf_counter() - started, 0)
        started = time.perf_counter()
        publication = pipeline.publish_build(wh, settings, f"bench{councils}", schema)
        figures["publish"] = (time.perf_counter() - started, sum(publication.row_counts.values()))
        yield PipelineRun(figures, wh, settings, base, councils)


# -- 4. incremental rebuild -------------------------------------------------------------------------------
def incremental_rebuild(run: PipelineRun) -> dict[str, tuple[float, int]]:
    """One new month of one council's data on the warehouse of ``run``: the council's extracts regenerated with
    the extract date a month later, loaded (``pipeline.load``) and built (``pipeline.build``, incremental: only
    that council's intermediate rows are recomputed). Seconds and rows of the load and of the build."""
    spec = dataclasses.replace(council_specs(run.base, run.councils)[0], extra_months=1)
    generate_all(spec)
    started = time.perf_counter()
    summary = pipeline.load(run.wh, run.settings, "bench_month", la_codes=[spec.la_code])
    figures = {"load": (time.perf_counter() - started, summary.rows)}
    started = time.perf_counter()
    schema = pipeline.build(run.wh, run.settings, "bench_month")
    seconds = time.perf_counter() - started
    with run.wh.connect() as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.columns where table_schema = 'transform' "
            "and column_name = '_inputs_watermark'").fetchall()]
        rewritten = sum(conn.execute(sql.SQL("select count(*) from transform.{} where la_code = %s").format(
            sql.Identifier(table)), (spec.la_code,)).fetchone()[0] for table in tables)
    figures["dbt build"] = (seconds, rewritten)
    pipeline.drop_build(run.wh, schema)
    return figures


# -- report -------------------------------------------------------------------------------------------------
def row(label: str, seconds: float | None, rows: int | None, note: str = "") -> str:
    rate = f"{rows / seconds:,.0f}" if seconds and rows else ""
    shown = f"{seconds:,.1f}" if seconds is not None else ""
    return f"| {label} | {shown} | {rows:,} | {rate} | {note} |" if rows is not None else \
        f"| {label} | {shown} | | | {note} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size of the default council (1.0 = a shire county)")
    parser.add_argument("--las", type=int, default=10, help="councils side by side for the multi-council run")
    parser.add_argument("--big", action="store_true", help="also measure a ~1 GB extract (several minutes)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["peers", "memory", "pipeline", "las", "incremental"],
                        help="leave a section out")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    lines = ["| figure | seconds | rows | rows/s | note |", "|---|---|---|---|---|"]
    try:
        with server() as server_url:
            source = workdir / "source"
            generate_councils(GenerationSpec(out_dir=source, scale=args.scale), 1, national=False)
            largest = source / "895" / LARGEST
            contract = contract_for_table("school_census_pupils")
            if "peers" not in args.skip:
                with fresh_database(server_url, "scorecard_bench_peers") as wh:
                    rows, ours, promoted = load_with_loader(wh, largest, contract)
                    physical = load_with_psql(wh, largest, contract)
                    peer = load_with_pandas(wh, largest)
                floor = read_only(largest, contract)
                size = largest.stat().st_size / 1e6
                lines.append(row(f"loader, {LARGEST} ({size:.0f} MB)", ours, rows,
                                 "validate, pseudonymise, COPY to raw, cast to a candidate, key check"))
                lines.append(row("loader: promote the checked batch into staging", promoted, rows,
                                 "attach the candidate as a partition"))
                lines.append(row("loader's Python side alone (read, pseudonymise, write COPY text; no database)",
                                 floor, rows,
                                 "its floor while identifiers are hashed in the client"))
                lines.append(row("psql \\copy, same file, all-text table", physical, rows, "the physical limit"))
                lines.append(row("pandas read_csv + to_sql, same file", peer, rows, "the peer"))
                lines.append(f"| loader / psql \\copy | | | {physical / ours:.2f}x | goal >= 0.5x |")
                lines.append(f"| loader / pandas.to_sql | | | {peer / ours:.1f}x | goal >= 10x |")
            if "memory" not in args.skip:
                sizes = [100, 1000] if args.big else [100]
                for megabytes in sizes:
                    path = workdir / f"pupils_{megabytes}mb.csv"
                    written = scaled_copy(largest, path, megabytes)
                    with fresh_database(server_url, f"scorecard_bench_mem_{megabytes}") as wh:
                        peak, rows, seconds = peak_memory_mb(wh, path, "school_census_pupils")
                    path.unlink()
                    lines.append(row(f"loader peak memory, {megabytes} MB extract", seconds, rows,
                                     f"peak RSS {peak:,.0f} MB (goal < 300 MB)"))
                    assert rows == written
            available = len(council_specs(GenerationSpec(out_dir=workdir, scale=args.scale), args.las))
            if available < args.las:
                print(f"--las {args.las}: the generator knows {available} councils (England's, less the tiny ones "
                      "whose figures are all suppressed); measuring those", flush=True)
            for councils, label in ((1, "default council"), (available, f"{available} councils")):
                show = not ((councils == 1 and "pipeline" in args.skip) or (councils > 1 and "las" in args.skip))
                incremental = councils > 1 and "incremental" not in args.skip
                if not (show or incremental):
                    continue
                with pipeline_run(server_url, councils, args.scale, workdir) as run:
                    figures = run.figures
                    if show:
                        total = sum(s for name, (s, _) in figures.items() if name != "generate")
                        for name, (seconds, rows) in figures.items():
                            lines.append(row(f"{label}, one year: {name}", seconds, rows or None))
                        lines.append(row(f"{label}, one year: load + gates + build + publish", total, None,
                                         "goal for 153 councils: < 20 minutes"))
                    if incremental:
                        full, _ = figures["dbt build"]
                        month = incremental_rebuild(run)
                        lines.append(row(f"{label}: full dbt build", full, figures["dbt build"][1],
                                         "targets + dbt build of a fresh warehouse, every council"))
                        lines.append(row(f"{label}: one council's new month: load", *month["load"]))
                        seconds, rows = month["dbt build"]
                        lines.append(row(f"{label}: one council's new month: incremental dbt build", seconds, rows,
                                         "rows: that council's rows of the incremental models"))
                        lines.append(f"| incremental rebuild / full build | | | {seconds / full:.0%} | goal < 10% |")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

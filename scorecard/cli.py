"""The ``scorecard`` command: every step of the pipeline, and the demo. ``scorecard <command> --help`` for each."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from scorecard.settings import PROJECT_ROOT, Settings, get_settings

if TYPE_CHECKING:
    from scorecard.warehouse import Warehouse

log = logging.getLogger("scorecard")


def _print_rows(rows: list[dict], limit: int = 60) -> None:
    if not rows:
        print("(no published rows)")
        return
    cols = list(rows[0].keys())
    shown = rows[:limit]
    widths = {c: min(48, max(len(c), *(len(_fmt(r[c])) for r in shown))) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in shown:
        print("  ".join(_fmt(r[c])[: widths[c]].ljust(widths[c]) for c in cols))
    if len(rows) > limit:
        print(f"... {len(rows) - limit} more rows (query marts.fct_scorecard for all of them)")


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "normalize"):
        return f"{float(value):.1f}" if value != value.to_integral_value() else str(int(value))
    return str(value)


# -- commands ---------------------------------------------------------------------------------------------------------
def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard.generate import council_specs, generate_councils
    from scorecard.generate.common import GenerationSpec
    from scorecard.generate.inject import INJECTIONS

    if args.list_injections:
        for injection in INJECTIONS.values():
            print(f"{injection.name:26} {injection.target:30} {injection.description}")
        return 0
    out = Path(args.out) if args.out else settings.landing_dir
    started = time.perf_counter()
    spec = GenerationSpec(out_dir=out, seed=args.seed, first_year=args.first_year, years=args.years,
                          scale=args.scale, la_code=args.la_code, inject=tuple(args.inject or ()))
    paths = generate_councils(spec, args.las)
    councils = len(council_specs(spec, args.las))
    print(f"Wrote {len(paths)} extract files for {councils} council(s) and the national benchmarks to {out} "
          f"in {time.perf_counter() - started:.1f}s")
    return 0


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard import pipeline
    from scorecard.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        summary = pipeline.load(wh, settings, pipeline.new_run_id(), la_codes=args.la or None,
                                domains=set(args.domain) if args.domain else None,
                                landing_dir=Path(args.landing) if args.landing else None)
    rows = sum(b.rows for b in summary.loaded)
    print(f"Loaded {len(summary.loaded)} files ({rows:,} rows); {len(summary.unchanged)} unchanged since the last "
          f"load; {len(summary.warnings)} quality warnings.")
    return 0


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard import pipeline
    from scorecard.warehouse import open_warehouse

    run_id = pipeline.new_run_id()
    with open_warehouse(settings) as wh:
        schema = pipeline.build(wh, settings, run_id, full_refresh=args.full_refresh)
        pipeline.gate_marts(wh, settings, run_id, schema)
        if args.no_publish:
            print(f"Built and checked {schema}; publish it with `scorecard publish --schema {schema}`.")
            return 0
        publication = pipeline.publish_build(wh, settings, run_id, schema)
    print(f"Published {schema} as marts (publication {publication.publication_id}): {publication.row_counts}")
    return 0


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard import pipeline
    from scorecard.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        publication = pipeline.publish_build(wh, settings, pipeline.new_run_id(), args.schema)
    print(f"Published {args.schema} as marts (publication {publication.publication_id}).")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard import pipeline
    from scorecard.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        publication = pipeline.run_all(wh, settings)
        _print_rows(pipeline.published_rows(wh, limit=args.rows))
    print(f"Published publication {publication.publication_id}.")
    return 0


def cmd_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard.publish import rollback
    from scorecard.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        restored = rollback(wh, lock_timeout=settings.publish_lock_timeout)
    print(f"Publication {restored} is current again.")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        where = "embedded Postgres under .warehouse/" if wh.embedded else "WAREHOUSE_URL"
        p = wh.parts
        print(f"Warehouse: {p['host']}:{p['port']}/{p['dbname']} ({where})")
        with wh.connect() as conn:
            batches = conn.execute(
                "select table_name, la_code, rows, loaded_at from audit.load_batches where status = 'loaded' "
                "order by table_name, la_code").fetchall()
            print(f"Loaded tables: {len(batches)}")
            for table, la, rows, at in batches:
                print(f"  {table:<40} council {la}  {rows:>10,} rows  {at:%Y-%m-%d %H:%M}")
            rejected = conn.execute("select count(*) from audit.load_batches where status = 'rejected'").fetchone()[0]
            print(f"Rejected batches (all time): {rejected}")
            pub = conn.execute("select publication_id, published_at, published_by, row_counts from "
                               "audit.publications where status = 'current' order by publication_id desc "
                               "limit 1").fetchone()
            if pub:
                print(f"Current publication: {pub[0]} at {pub[1]:%Y-%m-%d %H:%M} by {pub[2]}: {pub[3]}")
            else:
                print("Nothing published yet: run `scorecard run` or `make demo`.")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Generate extracts, run the end-to-end DAG through Airflow, print the published scorecard."""
    from scorecard import pipeline
    from scorecard.embedded import EmbeddedPostgres
    from scorecard.warehouse import open_warehouse

    timings: dict[str, float] = {}
    started = time.perf_counter()
    gen_args = argparse.Namespace(out=str(settings.landing_dir), seed=args.seed, first_year=2016, years=4,
                                  scale=args.scale, la_code=settings.la_code, las=1, inject=None,
                                  list_injections=False)
    cmd_generate(gen_args, settings)
    timings["generate"] = time.perf_counter() - started

    server = None if settings.warehouse_url else EmbeddedPostgres(settings.embedded_dir)
    started_here = server.start() if server else False
    try:
        url = settings.warehouse_url or server.url  # type: ignore[union-attr]
        env = {**os.environ, **airflow_env(), "WAREHOUSE_URL": url}
        t0 = time.perf_counter()
        migrate_airflow(env)
        timings["airflow db migrate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        print("Running the scorecard_end_to_end DAG through Airflow (airflow dags test) ...", flush=True)
        result = subprocess.run([_airflow(), "dags", "test", "scorecard_end_to_end"], env=env,  # noqa: S603
                                capture_output=not args.verbose, text=True)
        timings["airflow dags test"] = time.perf_counter() - t0
        log_file = PROJECT_ROOT / ".airflow" / "last_demo_run.log"
        if not args.verbose:
            log_file.write_text(result.stdout + result.stderr)
        if result.returncode != 0 or "state=failed" in (result.stdout + result.stderr).lower() \
                or "DagRunState.FAILED" in (result.stdout + result.stderr):
            print(f"The DAG run failed. Full Airflow log: {log_file}\nNext: read the log's first ERROR; a quality "
                  f"failure is explained in {settings.reports_dir / 'quality' / 'latest.html'}.", file=sys.stderr)
            return 1
        run_settings = Settings(**{**settings.__dict__, "warehouse_url": url})
        with open_warehouse(run_settings) as wh:
            print("\nPublished scorecard (marts.fct_scorecard), each measure's latest period:")
            _print_rows(pipeline.published_rows(wh, la_code=settings.la_code, latest_only=True), limit=args.rows)
            t0 = time.perf_counter()
            reports = _demo_reports(wh, run_settings)
            timings["report"] = time.perf_counter() - t0
    finally:
        if server and started_here and not args.keep_running:
            server.stop()
    print(f"\nQuality report: {settings.reports_dir / 'quality' / 'latest.html'}")
    print(f"Data Docs:      {settings.reports_dir / 'data_docs' / 'index.html'}")
    for path in reports:
        print(f"Report:         {path}")
    print("Timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    return 0


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from scorecard import report
    from scorecard.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        if args.commentary_template:
            path = report.write_commentary_template(wh, settings, args.quarter, args.source)
            print(f"Wrote {path}: one row per measure on the scorecard; service leads fill in comment and author "
                  "(comments already in the file are kept).")
            return 0
        docs = report.generate_dbt_docs(wh, settings) if args.dbt_docs else None
        written = report.render(wh, settings, args.quarter, args.format.split(","), source=args.source, warn=_warn)
    for path in [*written, *([docs] if docs else [])]:
        print(f"Wrote {path}")
    return 0


def _demo_reports(wh: Warehouse, settings: Settings) -> list[Path]:
    """The committee scorecard for the latest quarter (HTML, XLSX, and PDF when Chromium is installed), dbt docs."""
    from scorecard import report

    formats = ["html", "xlsx", *(["pdf"] if report.pdf_available() else [])]
    docs = report.generate_dbt_docs(wh, settings)
    try:
        return [*report.render(wh, settings, None, formats, warn=_warn), docs]
    except report.ReportError as exc:  # the pipeline did publish; say why there is no scorecard, do not hide it
        _warn(f"the committee scorecard was not rendered: {exc}")
        return [docs]


def airflow_env() -> dict[str, str]:
    home = PROJECT_ROOT / ".airflow"
    home.mkdir(exist_ok=True)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", str(home)),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


def _airflow() -> str:
    return str(Path(sys.executable).parent / "airflow")


def migrate_airflow(env: dict[str, str]) -> None:
    """Migrate Airflow's metadata database (SQLite under .airflow/ unless AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)."""
    result = subprocess.run([_airflow(), "db", "migrate"], env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{result.stderr[-3000:]}")


# -- parser -----------------------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scorecard", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="show the log of every step")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("generate", help="write synthetic source extracts for a council",
                       description="Write one council's synthetic extracts (social care, education, early help, "
                                   "health) in the public formats, into <landing>/<la_code>/.")
    p.add_argument("--out", help="landing folder (default: SCORECARD_LANDING_DIR or .demo/landing)")
    p.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same files")
    p.add_argument("--scale", type=float, default=1.0, help="volume multiplier; 1.0 is a shire county")
    p.add_argument("--first-year", type=int, default=2016, help="first financial year (2016 = 2016-17)")
    p.add_argument("--years", type=int, default=4, help="how many financial years")
    p.add_argument("--la-code", default=os.environ.get("SCORECARD_LA_CODE", "895"), help="three-digit LA code")
    p.add_argument("--las", type=int, default=1, metavar="N",
                   help="generate N councils side by side (the first is --la-code), each its own size; at most "
                        "150 (England's councils less the two whose figures are all suppressed)")
    p.add_argument("--inject", action="append", metavar="NAME",
                   help="damage the first council's extracts the named way (repeatable; see --list-injections)")
    p.add_argument("--list-injections", action="store_true", help="list the named injections and exit")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("load", help="load the landed extracts into raw and staging, through the staging gate",
                       description="Stage every landed file through its contract, run the staging quality gate, "
                                   "and promote each council's delivery whole or reject it whole.")
    p.add_argument("--landing", help="landing folder (default: SCORECARD_LANDING_DIR or .demo/landing)")
    p.add_argument("--la", action="append", help="only this council (repeatable)")
    p.add_argument("--domain", action="append", help="only this domain (social_care, education, ...)")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("build", help="dbt build into a fresh schema, run the mart gate, and publish",
                       description="Parse the targets, dbt build the marts into a fresh schema, validate them, "
                                   "and publish them atomically (unless --no-publish).")
    p.add_argument("--no-publish", action="store_true", help="stop after the mart gate")
    p.add_argument("--full-refresh", action="store_true",
                   help="recompute every council's intermediate tables from scratch (dbt --full-refresh); by "
                        "default they are incremental: only councils whose loaded data or whose model SQL and "
                        "seeds changed since the last build are recomputed")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("publish", help="publish a validated build schema as marts",
                       description="Swap a build schema that passed the mart gate in as marts, in one transaction.")
    p.add_argument("--schema", required=True, help="the build schema printed by `scorecard build --no-publish`")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("run", help="load, build, check and publish in one process (no Airflow)",
                       description="The whole pipeline in this process, for scripts and debugging.")
    p.add_argument("--rows", type=int, default=40, help="how many published rows to print")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("rollback", help="restore the previous publication",
                       description="Make the previous publication current again; the current one is archived.")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("status", help="where the warehouse is, what is loaded and published",
                       description="Show the warehouse location, the loaded tables and the current publication.")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("report", help="render the committee scorecard (HTML, XLSX, PDF) from the published marts",
                       description="Render the scorecard for a quarter from the published marts into "
                                   "<reports>/scorecard/<quarter>/, with the commentary in "
                                   "<commentary>/<quarter>.csv (SCORECARD_COMMENTARY_DIR, default commentary/).")
    p.add_argument("--quarter", help="financial quarter, 2019-20Q1 or '2019-20 Q1' (default: the latest published)")
    p.add_argument("--format", default="html,xlsx",
                   help="comma-separated html, xlsx, pdf (pdf needs Debian's chromium package); default html,xlsx")
    p.add_argument("--source", choices=("auto", "record_level", "return"), default="auto",
                   help="whose figures: computed from extracts, as the returns printed them, or auto (computed "
                        "where there are any, else the return; the default)")
    p.add_argument("--commentary-template", action="store_true",
                   help="write <commentary>/<quarter>.csv with one row per measure for service leads, and stop")
    p.add_argument("--dbt-docs", action="store_true", help="also write dbt docs of the marts to <reports>/dbt_docs/")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("demo", help="generate extracts and run the end-to-end DAG through Airflow",
                       description="Generate a council's extracts, run the scorecard_end_to_end DAG with "
                                   "`airflow dags test` on a metadata DB under .airflow/, print the scorecard.")
    p.add_argument("--seed", type=int, default=42, help="random seed for the generated extracts")
    p.add_argument("--scale", type=float, default=0.25,
                   help="volume multiplier for the generated extracts (1.0 is a shire county; the demo is small)")
    p.add_argument("--rows", type=int, default=100, help="how many published rows to print")
    p.add_argument("--keep-running", action="store_true", help="leave the embedded Postgres running afterwards")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not args.verbose:  # some libraries set their own loggers to INFO: the handler decides what is shown
        for handler in logging.root.handlers:
            handler.setLevel(logging.WARNING)
    try:
        return args.func(args, get_settings())
    except KeyboardInterrupt:
        print("Interrupted; nothing half-done was published.", file=sys.stderr)
        return 130
    except Exception as exc:  # every error reaches the user as a message with a next step, not a traceback
        if args.verbose:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

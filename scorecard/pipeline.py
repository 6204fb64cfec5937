"""The pipeline's steps, as plain functions: the Airflow tasks and the command line both call these.

load -> staging gate -> promote;  targets -> dbt build -> mart gate -> publish -> clean-up.
Each step takes the warehouse and the settings, does one thing, and raises a typed error when it must stop the run.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from loaders.contract import Contract, load_contracts
from loaders.errors import LoadError
from loaders.load import (
    Delivery,
    StagedBatch,
    analyze_staging,
    discard,
    ensure_staging_table,
    promote,
    recover_interrupted,
    stage_delivery,
    staging_tables_due_analysis,
)
from loaders.post_load import run_hooks
from scorecard import config_load, dbt, publish
from scorecard.pseudonymise import Pseudonymiser, load_key
from scorecard.quality.gate import (
    CheckResult,
    GateFailed,
    TableToCheck,
    errors_in,
    run_gate,
    store_results,
    warnings_in,
)
from scorecard.quality.relations import DeliveredBatch, StagingScope
from scorecard.quality.report import write_report
from scorecard.settings import Settings
from scorecard.warehouse import Warehouse

log = logging.getLogger(__name__)


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "_" + secrets.token_hex(3)


@dataclass
class LoadSummary:
    run_id: str
    loaded: list[StagedBatch] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # la_code -> reason
    warnings: list[CheckResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: {"stage": 0.0, "staging gate": 0.0, "promote": 0.0})

    @property
    def rows(self) -> int:
        return sum(b.rows for b in self.loaded)

    @property
    def batch_ids(self) -> list[int]:
        return [b.batch_id for b in self.loaded]


class LoadRejected(RuntimeError):
    """At least one council's delivery was rejected; the others were loaded (``summary`` says which)."""

    def __init__(self, message: str, summary: LoadSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


def _quality_dir(settings: Settings) -> Path:
    return settings.reports_dir / "quality"


def _docs_dir(settings: Settings) -> Path:
    return settings.reports_dir / "data_docs"


def _staging_checks(settings: Settings, batches: list[StagedBatch]) -> list[TableToCheck]:
    """One check per staged batch, each knowing the rest of its delivery (for cross-table checks); the gate adds
    the parameters read from the warehouse (row-count bounds from the previous batch, load date)."""
    delivery = tuple(DeliveredBatch(b.contract.table, b.candidate, tuple(zip(b.contract.file_field_names,
                                                                             b.file_values, strict=True)))
                     for b in batches)
    return [TableToCheck(schema="load", table=b.candidate, suite=f"staging/{b.contract.table}",
                         owner=b.contract.owner, batch_id=b.batch_id, file_name=b.file_name,
                         identifier_columns=frozenset(c.db_name for c in b.contract.identifier_columns),
                         scope=StagingScope(la_code=b.la_code, table=b.contract.table, candidate=b.candidate,
                                            file_fields=d.file_fields, delivery=delivery))
            for b, d in zip(batches, delivery, strict=True)]


def _suite_exists(settings: Settings, suite: str) -> bool:
    return (settings.expectations_dir / f"{suite}.json").exists()


def _missing_suite_results(settings: Settings, stage: str, checks: list[TableToCheck]) -> list[CheckResult]:
    """A table with no suite is reported (a warning), so a new source cannot slip in unchecked unnoticed."""
    return [CheckResult(stage=stage, suite=c.suite, table=c.table, expectation="suite_exists", kwargs={},
                        code="NO_SUITE", description=f"No quality suite expectations/{c.suite}.json for this table.",
                        severity="warning", success=False, observed_value=None, unexpected_count=None, sample=None,
                        owner=c.owner, batch_id=c.batch_id, file_name=c.file_name)
            for c in checks if not _suite_exists(settings, c.suite)]


def gate(wh: Warehouse, settings: Settings, stage: str, checks: list[TableToCheck], run_id: str) -> list[CheckResult]:
    """Run the quality gate on ``checks``; record the results (audit.dq_results, Data Docs) and add them to the run's
    quality report. A table without a suite is reported as a warning."""
    present = [c for c in checks if _suite_exists(settings, c.suite)]
    results = run_gate(wh, stage, present, run_id=run_id, expectations_dir=settings.expectations_dir,
                       docs_dir=_docs_dir(settings))
    missing = _missing_suite_results(settings, stage, checks)
    if missing:
        store_results(wh, run_id, missing)
    results = results + missing
    write_report(results, run_id, _quality_dir(settings), _docs_dir(settings) / "index.html")
    return results


def load(wh: Warehouse, settings: Settings, run_id: str, *, la_codes: list[str] | None = None,
         domains: set[str] | None = None, landing_dir: Path | None = None) -> LoadSummary:
    """Load every council's delivery in the landing folder: stage, gate, then promote or discard it whole."""
    landing = landing_dir or settings.landing_dir
    if not landing.exists():
        raise FileNotFoundError(f"No landing folder {landing}: run `scorecard generate` or point "
                                "SCORECARD_LANDING_DIR at the folder where extracts arrive.")
    contracts: tuple[Contract, ...] = load_contracts(settings.contracts_dir)
    pseudonymise = Pseudonymiser(load_key(settings.embedded_dir))
    summary = LoadSummary(run_id)
    la_dirs = sorted(p for p in landing.iterdir() if p.is_dir() and (not la_codes or p.name in la_codes))
    if not la_dirs:
        raise FileNotFoundError(f"No council folders in {landing} (expected <landing>/<la_code>/<files>).")
    with wh.connect(application_name="scorecard-load") as conn:
        conn.execute("select pg_advisory_lock(hashtext('scorecard:load'))")
        conn.commit()
        try:
            recover_interrupted(conn, contracts, run_id)
            deliveries = _stage_deliveries(wh, la_dirs, contracts, pseudonymise, domains, summary,
                                           settings.load_workers)
            failed = _gate_deliveries(wh, settings, conn, deliveries, summary)
            for delivery in deliveries:
                if delivery.la_code not in failed:
                    _promote_delivery(conn, delivery, summary)
            started = time.perf_counter()
            _analyze_staging(wh, {b.contract.table for b in summary.loaded}, settings.load_workers)
            summary.seconds["promote"] += time.perf_counter() - started
        finally:
            conn.execute("select pg_advisory_unlock(hashtext('scorecard:load'))")
            conn.commit()
    if summary.rejected:
        reasons = "\n".join(f"  - council {la}: {reason}" for la, reason in summary.rejected.items())
        raise LoadRejected(f"{len(summary.rejected)} deliveries were rejected (staging keeps their last good "
                           f"state):\n{reasons}", summary)
    return summary


def _stage_deliveries(wh: Warehouse, la_dirs: list[Path], contracts: tuple[Contract, ...],
                      pseudonymise: Pseudonymiser, domains: set[str] | None, summary: LoadSummary,
                      workers: int) -> list[Delivery]:
    """Stage each council's delivery (``_stage_delivery``), ``workers`` councils at a time, each on its own
    connection. A batch's work alternates between Python (reading, checking and hashing the file while COPY streams
    it) and Postgres (casting it into its candidate), so two councils at once keep two cores busy where one leaves
    one idle. The deliveries come back in the order of ``la_dirs``, whatever order they finished in."""
    started = time.perf_counter()
    try:
        if workers <= 1 or len(la_dirs) <= 1:
            with wh.connect(application_name="scorecard-load-stage") as conn:
                staged = [_stage_delivery(conn, la_dir, contracts, pseudonymise, domains, summary.run_id, 0.0)
                          for la_dir in la_dirs]
        else:
            local = threading.local()  # each worker thread's connection and number
            connections: list[psycopg.Connection] = []
            lock = threading.Lock()

            def stage(la_dir: Path) -> tuple[Path, Delivery | LoadError]:
                if not hasattr(local, "conn"):
                    with lock:
                        local.worker = len(connections)
                        local.conn = wh.connect(application_name="scorecard-load-stage")
                        connections.append(local.conn)
                return _stage_delivery(local.conn, la_dir, contracts, pseudonymise, domains, summary.run_id,
                                       local.worker / workers)

            pool = ThreadPoolExecutor(max_workers=min(workers, len(la_dirs)), thread_name_prefix="stage")
            try:
                staged = list(pool.map(stage, la_dirs))
            finally:  # an unexpected error stops the councils not yet started (recover_interrupted tidies up)
                pool.shutdown(wait=True, cancel_futures=True)
                for conn in connections:
                    conn.close()
    finally:
        summary.seconds["stage"] += time.perf_counter() - started
    deliveries: list[Delivery] = []
    for la_dir, outcome in staged:
        if isinstance(outcome, LoadError):
            summary.rejected[la_dir.name] = str(outcome)
            continue
        summary.unchanged.extend(outcome.unchanged)
        if outcome.staged:
            deliveries.append(outcome)
    return deliveries


def _stage_delivery(conn: psycopg.Connection, la_dir: Path, contracts: tuple[Contract, ...],
                    pseudonymise: Pseudonymiser, domains: set[str] | None, run_id: str,
                    start: float) -> tuple[Path, Delivery | LoadError]:
    """Stage one council's files as candidate batches; a rejected file rejects the council's whole delivery (its
    error is returned, for the summary). Worker ``n`` of ``w`` starts its councils' files ``n / w`` of the way through
    them (``stage_delivery``'s ``start``): creating a batch's raw partition locks its table until the batch is
    staged, so workers in step on the same table would wait for each other."""
    try:
        delivery: Delivery = stage_delivery(conn, la_dir, contracts, run_id, pseudonymise, domains, start=start)
    except LoadError as exc:
        log.error("Council %s: %s", la_dir.name, exc)
        return la_dir, exc
    log.info("Council %s: staged %d files (%d unchanged)", la_dir.name, len(delivery.staged), len(delivery.unchanged))
    return la_dir, delivery


def _analyze_staging(wh: Warehouse, tables: set[str], workers: int) -> None:
    """``analyze_staging`` of each table that took a new batch and is due for it, ``workers`` tables at a time, the
    largest first: analysing a partitioned table samples its partitions one after another in one process, and at a
    national scale that is most of the promotion."""
    with wh.connect() as conn:
        due = staging_tables_due_analysis(conn, tables)
    log.info("Analysing %d of the %d staging tables loaded: %s", len(due), len(tables), ", ".join(due) or "none due")

    def analyze(name: str) -> None:
        with wh.connect(application_name="scorecard-load-analyze") as conn:
            analyze_staging(conn, [name])

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(due))), thread_name_prefix="analyze") as pool:
        list(pool.map(analyze, due))


def _gate_deliveries(wh: Warehouse, settings: Settings, conn: psycopg.Connection, deliveries: list[Delivery],
                     summary: LoadSummary) -> set[str]:
    """One staging gate over every staged delivery (batches of a table share their row-level checks); discard the
    deliveries with an error-severity failure. Returns their councils."""
    if not deliveries:
        return set()
    started = time.perf_counter()
    checks = [c for d in deliveries for c in _staging_checks(settings, d.staged)]
    results = gate(wh, settings, "staging", checks, summary.run_id)
    summary.seconds["staging gate"] += time.perf_counter() - started
    summary.warnings.extend(warnings_in(results))
    council_of = {b.batch_id: d.la_code for d in deliveries for b in d.staged}
    failures: dict[str, list[CheckResult]] = {}
    for failure in errors_in(results):
        failures.setdefault(council_of.get(failure.batch_id, ""), []).append(failure)
    if not failures:
        return set()
    report = write_report(results, summary.run_id, _quality_dir(settings), _docs_dir(settings) / "index.html")
    for delivery in deliveries:
        if delivery.la_code in failures:
            error = GateFailed("staging", failures[delivery.la_code], report)
            discard(conn, delivery.staged, str(error).splitlines()[0])
            summary.rejected[delivery.la_code] = str(error)
    return set(failures)


def _promote_delivery(conn: psycopg.Connection, delivery: Delivery, summary: LoadSummary) -> None:
    started = time.perf_counter()
    try:
        promote(conn, delivery.staged, after=run_hooks)
    except LoadError as exc:
        conn.rollback()
        discard(conn, delivery.staged, str(exc).splitlines()[0])
        summary.rejected[delivery.la_code] = str(exc)
        return
    finally:
        summary.seconds["promote"] += time.perf_counter() - started
    summary.loaded.extend(delivery.staged)


def build(wh: Warehouse, settings: Settings, run_id: str, *, full_refresh: bool = False) -> str:
    """Parse the targets, then ``dbt build`` the marts into a fresh schema, ``marts_build_<run>``. Returns its name.

    The per-council intermediate tables in ``transform`` are incremental: only the councils whose loaded batches
    (or whose models and seeds) changed since the last build are recomputed (``dbt_project/macros/
    incremental_councils.sql``); ``full_refresh`` recomputes every council from scratch."""
    schema = publish.build_schema_name(run_id)
    with wh.connect(autocommit=True, application_name="scorecard-build") as lock:
        # One build at a time: builds share the targets table, the empty source tables, the transform schema and
        # the schema dbt builds the marts in.
        lock.execute("select pg_advisory_lock(hashtext('scorecard:build'))")
        try:
            drop_build(wh, publish.BUILDING)  # what a killed build left
            drop_build(wh, schema)  # an earlier build of the same run, not published: this one replaces it
            config_load.load_targets(wh, settings.dbt_project_dir)
            with wh.connect() as conn, conn.transaction():
                # dbt reads every source: a table no council has delivered yet exists, empty.
                for contract in load_contracts(settings.contracts_dir):
                    ensure_staging_table(conn, contract)
            dbt.build(wh, settings.dbt_project_dir, publish.BUILDING, settings.la_code, full_refresh=full_refresh)
            with wh.connect(autocommit=True) as conn:  # views refer to tables by oid, so they follow the rename
                conn.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(publish.BUILDING),
                                                                          sql.Identifier(schema)))
        except BaseException:
            drop_build(wh, publish.BUILDING)
            drop_build(wh, schema)
            raise
        finally:
            lock.execute("select pg_advisory_unlock(hashtext('scorecard:build'))")
    return schema


def drop_build(wh: Warehouse, schema: str) -> None:
    if not (schema.startswith(publish.BUILD_PREFIX) or schema == publish.BUILDING):
        raise ValueError(f"refusing to drop {schema}: not a build schema")
    with wh.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))


def gate_marts(wh: Warehouse, settings: Settings, run_id: str, schema: str) -> list[CheckResult]:
    """Validate every table of the build; an error-severity failure drops the build and stops the run."""
    with wh.connect() as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE' "
            "order by table_name", (schema,)).fetchall()]
    checks = [TableToCheck(schema=schema, table=t, suite=f"marts/{t}", owner="Performance and Intelligence team")
              for t in tables]
    results = gate(wh, settings, "marts", checks, run_id)
    failures = errors_in(results)
    if failures:
        drop_build(wh, schema)
        raise GateFailed("marts", failures, _quality_dir(settings) / f"quality_{run_id}.html")
    return results


def publish_build(wh: Warehouse, settings: Settings, run_id: str, schema: str,
                  batch_ids: list[int] | None = None) -> publish.Publication:
    if batch_ids is None:
        with wh.connect() as conn:
            batch_ids = [r[0] for r in conn.execute(
                "select batch_id from audit.load_batches where status = 'loaded' order by batch_id").fetchall()]
    publication = publish.publish(wh, schema, run_id, batch_ids=batch_ids, dq_run_id=run_id,
                                  lock_timeout=settings.publish_lock_timeout)
    publish.clean_up(wh, keep=settings.keep_publications)
    return publication


def run_all(wh: Warehouse, settings: Settings, run_id: str | None = None) -> publish.Publication:
    """The whole pipeline in one process (the DAG runs the same steps as separate tasks)."""
    run_id = run_id or new_run_id()
    load(wh, settings, run_id)
    schema = build(wh, settings, run_id)
    gate_marts(wh, settings, run_id, schema)
    return publish_build(wh, settings, run_id, schema)


def published_rows(wh: Warehouse, la_code: str | None = None, limit: int | None = None,
                   latest_only: bool = False) -> list[dict]:
    """Published scorecard rows (record-level figures first); ``latest_only``: each measure's latest period."""
    columns = sql.SQL("la_code, measure_ref, measure_name, period_label, value, numerator, denominator, target_text, "
                      "rag, direction_of_travel")
    where = sql.SQL("where la_code = {}").format(sql.Literal(la_code)) if la_code else sql.SQL("")
    if latest_only:
        query = sql.SQL("select {cols} from (select distinct on (la_code, measure_ref) * from marts.fct_scorecard "
                        "{where} order by la_code, measure_ref, (source = 'record_level') desc, period_end desc, "
                        "period_type) latest order by la_code, measure_ref").format(cols=columns, where=where)
    else:
        query = sql.SQL("select {cols} from marts.fct_scorecard {where} "
                        "order by la_code, measure_ref, period_start").format(cols=columns, where=where)
    if limit:
        query += sql.SQL(" limit {}").format(sql.Literal(limit))
    with wh.connect() as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(query)
        return list(cur.fetchall())

"""What the Airflow tasks run: each opens the warehouse, runs one pipeline step and returns a small XCom value.

Kept apart from the DAG files so that they stay thin and parse fast, and so these can be tested without Airflow.
Only the standard library is imported at module level: the DAG files import the domain table and the period
helpers from here while they are parsed, and the pipeline (psycopg, loaders, Great Expectations) is imported by
the step that needs it, in the worker.

The embedded Postgres, if it serves, is left running between tasks (Airflow runs them in separate processes).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from scorecard.settings import Settings
    from scorecard.warehouse import Warehouse

log = logging.getLogger(__name__)

WAREHOUSE_CONN_ID_ENV = "SCORECARD_WAREHOUSE_CONN_ID"
DEFAULT_WAREHOUSE_CONN_ID = "scorecard_warehouse"


# -- the source domains and their rhythms -------------------------------------------------------------------------
@dataclass(frozen=True)
class Domain:
    """A source domain (the ``domain:`` of its load contracts) and when its extracts arrive."""

    name: str
    title: str
    rhythm: str  # monthly | termly | quarterly | yearly
    cron: str  # when its load runs (Europe/London), a few days after the period's extracts are due
    description: str

    @property
    def asset_uri(self) -> str:
        """The Airflow Asset updated when this domain's extracts have loaded and passed the staging gate."""
        return f"warehouse://staging/{self.name}"


DOMAINS: tuple[Domain, ...] = (
    Domain("social_care", "Social care", "monthly", "0 6 7 * *",
           "CIN census, SSDA903 and the local social care extracts, delivered monthly."),
    Domain("early_help", "Early help", "monthly", "0 6 7 * *",
           "The early help system's assessments (Annex A list 2 layout), extracted monthly with social care."),
    Domain("education", "Education", "termly", "0 6 7 1,5,9 *",
           "School census, SEN2 and the schools' registers, delivered after each term."),
    Domain("health", "Health", "monthly", "0 6 10 * *",
           "Health partners' operational extracts and waiting lists, monthly."),
    Domain("benchmarks", "Benchmarks", "yearly", "0 6 1 2 *",
           "The LAIT-style national file and statistical neighbours, refreshed yearly after the DfE releases."),
    Domain("returns", "Returns", "quarterly", "0 6 15 1,4,7,10 *",
           "Hand-typed scorecard returns, one per quarter."),
)
DOMAIN_NAMES = tuple(d.name for d in DOMAINS)
RHYTHM_MONTHS = {"monthly": 1, "termly": 4, "quarterly": 3, "yearly": 12}


def domain(name: str) -> Domain:
    for d in DOMAINS:
        if d.name == name:
            return d
    raise ValueError(f"unknown domain {name!r}; expected one of {', '.join(DOMAIN_NAMES)}")


# -- periods ---------------------------------------------------------------------------------------------------------
def _fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def quarter_end_before(day: date) -> date:
    """The last day of the latest financial quarter that ended strictly before ``day``."""
    first_of_quarter = date(day.year, ((day.month - 1) // 3) * 3 + 1, 1)
    return first_of_quarter - timedelta(days=1)


def is_quarter_end(day: date) -> bool:
    return (day + timedelta(days=1)).month in (1, 4, 7, 10) and (day + timedelta(days=1)).day == 1


def quarter_label(quarter_end: date) -> str:
    """``2019-06-30`` -> ``2019-20 Q1`` (financial quarters: Q1 is April to June), as the scorecard prints it."""
    if not is_quarter_end(quarter_end):
        raise ValueError(f"{quarter_end} is not the last day of a quarter")
    fy = quarter_end.year if quarter_end.month >= 4 else quarter_end.year - 1
    return f"{_fy_label(fy)} Q{(quarter_end.month - 4) % 12 // 3 + 1}"


_QUARTER = re.compile(r"(\d{4})-(\d{2}) Q([1-4])\Z")


def quarter_end_of(label: str) -> date:
    """``2019-20 Q1`` -> ``2019-06-30``; a ``YYYY-MM-DD`` quarter-end date is accepted as it is."""
    text = label.strip()
    match = _QUARTER.match(text)
    if match:
        fy, q = int(match.group(1)), int(match.group(3))
        if (fy + 1) % 100 != int(match.group(2)):
            raise ValueError(f"{label!r}: the years of a financial year run on (2019-20)")
        month = 3 * q + 3  # Q1 ends in June
        first_after = date(fy + (month // 12), month % 12 + 1, 1)
        return first_after - timedelta(days=1)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label!r} is neither a quarter like '2019-20 Q1' nor a date like 2019-06-30") from None
    if not is_quarter_end(day):
        raise ValueError(f"{label!r} is not the last day of a financial quarter (30 Jun, 30 Sep, 31 Dec, 31 Mar)")
    return day


def as_at_param(value: str | date | None) -> date | None:
    """The ``as_at`` of a run: None (everything loaded), or a quarter end given as a date or a quarter label."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return quarter_end_of(value.isoformat())
    return quarter_end_of(value)


def quarters_between(first: str, last: str) -> list[date]:
    """Every quarter end from the quarter ``first`` to the quarter ``last``, both included, oldest first."""
    start, end = quarter_end_of(first), quarter_end_of(last)
    if end < start:
        raise ValueError(f"{last} is before {first}")
    ends = []
    current = start
    while current <= end:
        ends.append(current)
        current = _next_quarter_end(current)
    return ends


def _next_quarter_end(quarter_end: date) -> date:
    first = quarter_end + timedelta(days=1)  # the first day of the next quarter
    months = first.year * 12 + first.month - 1 + 3
    return date(months // 12, months % 12 + 1, 1) - timedelta(days=1)


def reporting_period(rhythm: str, run_date: date) -> str:
    """The label of the latest period on ``rhythm`` that ended before ``run_date``: the period a scheduled load
    is for. Extracts are full snapshots, so the label names the delivery in the audit trail; it does not pick files.
    """
    if rhythm == "monthly":
        last = run_date.replace(day=1) - timedelta(days=1)
        return f"{last:%Y-%m}"
    if rhythm == "quarterly":
        return quarter_label(quarter_end_before(run_date))
    if rhythm == "termly":  # autumn Sep-Dec, spring Jan-Apr, summer May-Aug
        if run_date.month >= 9:
            return f"{_fy_label(run_date.year - 1)} summer term"
        if run_date.month >= 5:
            return f"{_fy_label(run_date.year - 1)} spring term"
        return f"{_fy_label(run_date.year - 1)} autumn term"
    if rhythm == "yearly":
        fy_now = run_date.year if run_date.month >= 4 else run_date.year - 1
        return _fy_label(fy_now - 1)
    raise ValueError(f"unknown rhythm {rhythm!r}")


def period_of_run(rhythm: str, when: datetime | None, given: str | None = None) -> str:
    """The period a load run is for: ``given`` if the run was asked for one, else the latest on ``rhythm`` that
    ended before ``when`` (the end of the run's data interval) in UK time."""
    if given:
        return given
    moment = when or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Europe/London"))
    return reporting_period(rhythm, moment.date())


_RUN_KINDS = {"manual": "manual", "scheduled": "sched", "asset_triggered": "asset", "backfill": "backfill"}


def step_run_id(airflow_run_id: str, suffix: str = "") -> str:
    """A short id for the warehouse's audit rows, reports and build schema, unique per Airflow run (and suffix).

    ``manual__2026-11-23T10:00:00.123+00:00`` -> ``manual_202611231000_1a2b3c``. Short enough that a suffix of up
    to ten characters survives the 40 characters a build schema keeps of it.
    """
    kind = airflow_run_id.split("__", 1)[0] if "__" in airflow_run_id else "run"
    kind = _RUN_KINDS.get(kind, re.sub(r"[^a-z0-9]+", "", kind.lower())[:8])
    digits = re.sub(r"\D", "", airflow_run_id)[:12]
    digest = hashlib.sha256(airflow_run_id.encode()).hexdigest()[:6]
    parts = [kind, digits, digest] + ([re.sub(r"[^a-z0-9]+", "_", suffix.lower())] if suffix else [])
    return "_".join(p for p in parts if p)


# -- settings and the warehouse --------------------------------------------------------------------------------------
def airflow_settings() -> Settings:
    """The settings, with the warehouse from WAREHOUSE_URL or else from an Airflow connection (by default
    ``scorecard_warehouse``, e.g. ``AIRFLOW_CONN_SCORECARD_WAREHOUSE``, a secrets backend or the UI)."""
    from scorecard.settings import get_settings

    settings = get_settings()
    if settings.warehouse_url:
        return settings
    url = _warehouse_url_from_connection(os.environ.get(WAREHOUSE_CONN_ID_ENV, DEFAULT_WAREHOUSE_CONN_ID))
    return dataclasses.replace(settings, warehouse_url=url) if url else settings


def _warehouse_url_from_connection(conn_id: str) -> str | None:
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None
    try:
        conn = Connection.get(conn_id)
    except Exception as exc:  # not defined (AirflowNotFoundException), or not inside a task: use the default
        log.debug("No Airflow connection %s (%s); using the embedded warehouse", conn_id, type(exc).__name__)
        return None
    log.info("Warehouse from the Airflow connection %s", conn_id)
    return conn.get_uri()


def open_warehouse_for_task(settings: Settings):
    from scorecard.warehouse import open_warehouse

    return open_warehouse(settings, stop_embedded=False)


# -- the steps -------------------------------------------------------------------------------------------------------
def find_extracts(domain_name: str, la_codes: list[str] | None = None) -> dict[str, list[str]]:
    """The files of ``domain_name`` that have landed, per council folder (``national`` included).

    Files that match no contract are not listed here: the load rejects that council's delivery and says why.
    """
    from loaders.contract import contract_for, load_contracts

    settings = airflow_settings()
    domain(domain_name)
    contracts = load_contracts(settings.contracts_dir)
    landing = settings.landing_dir
    found: dict[str, list[str]] = {}
    if not landing.exists():
        log.info("No landing folder %s yet", landing)
        return found
    for la_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        if la_codes and la_dir.name not in la_codes:
            continue
        names = []
        for path in sorted(p for p in la_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
            contract = contract_for(path.name, contracts)
            if contract is not None and contract.domain == domain_name:
                names.append(path.name)
        if names:
            found[la_dir.name] = names
    log.info("%s extracts landed: %s", domain_name, {la: len(n) for la, n in found.items()} or "none")
    return found


def load_task(run_id: str, la_codes: list[str] | None = None, domains: list[str] | None = None) -> dict:
    """Load the landed extracts (of ``domains``, default all) through their contracts and the staging gate."""
    from scorecard import pipeline

    settings = airflow_settings()
    with open_warehouse_for_task(settings) as wh:
        summary = pipeline.load(wh, settings, run_id, la_codes=la_codes or None,
                                domains=set(domains) if domains else None)
    log.info("Loaded %d batches (%d files unchanged), %d warnings", len(summary.loaded), len(summary.unchanged),
             len(summary.warnings))
    return {"batch_ids": summary.batch_ids, "unchanged": summary.unchanged,
            "tables": sorted({b.contract.table for b in summary.loaded}),
            "councils": sorted({b.la_code for b in summary.loaded}),
            "rows": sum(b.rows for b in summary.loaded), "warnings": len(summary.warnings)}


def build_task(run_id: str) -> str:
    from scorecard import pipeline

    settings = airflow_settings()
    with open_warehouse_for_task(settings) as wh:
        return pipeline.build(wh, settings, run_id)


def gate_marts_task(run_id: str, schema: str) -> str:
    from scorecard import pipeline

    settings = airflow_settings()
    with open_warehouse_for_task(settings) as wh:
        pipeline.gate_marts(wh, settings, run_id, schema)
    return schema


def publish_task(run_id: str, schema: str, batch_ids: list[int] | None = None, as_at: date | None = None) -> dict:
    """Publish the checked build; record what was published up to ``as_at`` (everything when None)."""
    from scorecard import pipeline

    settings = airflow_settings()
    with open_warehouse_for_task(settings) as wh:
        publication = pipeline.publish_build(wh, settings, run_id, schema, batch_ids or None)
        edition = published_edition(wh, as_at)
        record_event(wh, run_id, "published", {"publication_id": publication.publication_id,
                                               "as_at": edition["as_at"], "rows": edition["rows"],
                                               "checksum": edition["checksum"]})
    return {"publication_id": publication.publication_id, "row_counts": publication.row_counts, **edition}


def rebuild_quarter_task(run_id: str, as_at: date, formats: list[str]) -> dict:
    """A backfill step: build, check, publish and report the scorecard as at the end of one past quarter."""
    schema = build_task(run_id)
    gate_marts_task(run_id, schema)
    published = publish_task(run_id, schema, as_at=as_at)
    return {**published, "report": report_task(run_id, quarter_label(as_at), formats)}


def rebuild_current_task(run_id: str) -> dict:
    """Build, check and publish the scorecard from everything loaded (after a backfill: the live scorecard)."""
    schema = build_task(run_id)
    gate_marts_task(run_id, schema)
    return publish_task(run_id, schema)


def published_edition(wh: Warehouse, as_at: date | None) -> dict:
    """The published scorecard rows of periods ending on or before ``as_at``: how many, and a checksum of them
    (every column, in a fixed order), so that two builds of the same quarter can be compared."""
    with wh.connect() as conn:
        rows, checksum = conn.execute(
            "select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) "
            "from marts.fct_scorecard t where %(as_at)s::date is null or t.period_end <= %(as_at)s::date",
            {"as_at": as_at}).fetchone()
    return {"as_at": as_at.isoformat() if as_at else None, "rows": int(rows), "checksum": checksum}


def report_task(run_id: str, quarter: str | None, formats: list[str], renderer: str = "scorecard.report") -> dict:
    """Render the committee report for ``quarter`` (None: the latest published) with ``renderer``'s
    ``render(wh, settings, quarter, formats) -> list[Path]`` if it is installed; otherwise record that none is."""
    settings = airflow_settings()
    if not _installed(renderer):
        log.warning("No report renderer is installed (%s): no committee report was rendered", renderer)
        with open_warehouse_for_task(settings) as wh:
            record_event(wh, run_id, "report_not_rendered",
                         {"reason": f"no renderer installed ({renderer})", "quarter": quarter})
        return {"renderer": None, "quarter": quarter, "files": []}
    module = importlib.import_module(renderer)
    with open_warehouse_for_task(settings) as wh:
        paths = [str(p) for p in module.render(wh, settings, quarter, list(formats))]
        record_event(wh, run_id, "report_rendered", {"renderer": renderer, "quarter": quarter, "files": paths})
    log.info("Rendered %s", ", ".join(paths))
    return {"renderer": renderer, "quarter": quarter, "files": paths}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


# -- audit -------------------------------------------------------------------------------------------------------------
def record_event(wh: Warehouse, run_id: str | None, event: str, detail: dict[str, Any] | str | None = None, *,
                 dag_id: str | None = None, task_id: str | None = None) -> None:
    """One row in ``audit.pipeline_events``. ``dag_id``/``task_id`` default to the running Airflow task's."""
    dag_id = dag_id or os.environ.get("AIRFLOW_CTX_DAG_ID")
    task_id = task_id or os.environ.get("AIRFLOW_CTX_TASK_ID")
    text = detail if isinstance(detail, str) or detail is None else json.dumps(detail, default=str, sort_keys=True)
    with wh.connect() as conn:
        conn.execute("insert into audit.pipeline_events (run_id, dag_id, task_id, event, detail) "
                     "values (%s, %s, %s, %s, %s)", (run_id, dag_id, task_id, event, text))
        conn.commit()


def record_event_task(run_id: str, event: str, detail: dict[str, Any]) -> None:
    settings = airflow_settings()
    with open_warehouse_for_task(settings) as wh:
        record_event(wh, run_id, event, detail)


# -- which failures are worth a retry ------------------------------------------------------------------------------
_CONNECTION_TROUBLE = ("could not connect to server", "connection to server at", "connection refused",
                       "server closed the connection unexpectedly", "terminating connection due to administrator",
                       "the database system is starting up", "the database system is shutting down")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _definitive_errors() -> tuple[type[BaseException], ...]:
    """Failures that would happen the same way again. Imported lazily (and defensively: classifying a failure must
    never itself fail)."""
    try:
        from loaders.errors import ContractError, LoadError
        from scorecard.pipeline import LoadRejected
        from scorecard.quality.gate import GateFailed
    except ImportError:
        return (ImportError,)
    return (GateFailed, LoadRejected, LoadError, ContractError, ImportError)


def _transient_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:
        return (ConnectionError, TimeoutError)
    return (psycopg.OperationalError, psycopg.InterfaceError, ConnectionError, TimeoutError)


def is_transient(exc: BaseException) -> bool:
    """True for a failure that may pass on its own (the database unreachable, restarting, a lock or serialisation
    conflict): worth a retry with backoff. False for anything that would fail the same way again: a quality gate,
    a rejected delivery, a broken contract, a failing dbt model, a programming error."""
    chain = _chain(exc)
    definitive = _definitive_errors()
    if any(isinstance(e, definitive) for e in chain):
        return False
    transient = _transient_errors()
    for e in chain:
        if isinstance(e, transient):
            return True
        if type(e).__name__ == "OperationalError" and type(e).__module__.split(".")[0] in {"sqlalchemy", "psycopg2"}:
            return True
        if type(e).__name__ == "DbtError" and any(s in str(e).lower() for s in _CONNECTION_TROUBLE):
            return True
    return False

"""The quality gate: Great Expectations suites from ``expectations/`` validated in Postgres.

Every check runs as SQL in Postgres, through GX's SQLAlchemy execution engine or the screen's one statement per
batch: no table is pulled into Python (the SQL checks bring back at most GX's 200-row cap of failing rows, of which
a scrubbed sample is kept). A suite is a GX
ExpectationSuite JSON file; an expectation's ``severity`` is ``critical`` (an error: blocks publishing) or
``warning`` (publishes, and is reported), overridable in ``expectations/severity_overrides.yml``. A table's row-level
checks run once over all the batches of a load (``shared.py``); a batch's row counts, keys and SQL checks are screened
in one SQL statement first, and only those that fail there are validated by GX (``screen.py``). Results go to
``audit.dq_results`` and into GX Data Docs under ``reports/data_docs``; identifiers never appear in a stored sample
(see ``scrub.py``).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from scorecard.quality import relations, screen, scrub, shared
from scorecard.quality.suites import (
    FROM_GX,
    QUERY_EXPECTATION,
    check_code,
    columns_named,
    load_overrides,
    load_suite,
    placeholders,
    with_overrides,
)
from scorecard.warehouse import Warehouse

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

log = logging.getLogger(__name__)

SAMPLE_SIZE = scrub.SAMPLE_SIZE
MAX_FAILING_ROWS = 200  # failing rows an SQL check brings back (GX keeps no more than this either)
TOTAL_COLUMN = "failing_rows"
__all__ = ["CheckResult", "GateFailed", "TableToCheck", "errors_in", "load_suite", "run_gate", "store_results",
           "warnings_in"]


class GateFailed(RuntimeError):
    """An error-severity check failed: the batch or build must not be used."""

    def __init__(self, stage: str, failures: list[CheckResult], report: Path | None = None) -> None:
        self.stage = stage
        self.failures = failures
        self.report = report
        lines = [f"The {stage} quality gate failed {len(failures)} error-severity check(s):"]
        for f in failures[:20]:
            lines.append(f"  - {f.file_name or f.table}: {f.check_name} ({f.unexpected_count or 0} failing rows; "
                         f"owner {f.owner})")
        if report:
            then = ("ask the data owner for a corrected extract; the council's previous good data stays in use"
                    if stage == "staging" else "fix the model or its inputs; the published scorecard is unchanged")
            lines.append(f"Next: read the quality report {report}, then {then}.")
        super().__init__("\n".join(lines))


@dataclass
class CheckResult:
    stage: str
    suite: str
    table: str
    expectation: str
    kwargs: dict[str, Any]
    code: str | None
    description: str
    severity: str
    success: bool
    observed_value: Any
    unexpected_count: int | None
    sample: list[Any] | None
    owner: str
    batch_id: int | None = None
    file_name: str | None = None
    next_step: str = ""
    error: str | None = None  # the check could not run (the database's message)

    @property
    def check_name(self) -> str:
        column = self.kwargs.get("column") or ",".join(self.kwargs.get("column_list", []) or [])
        if not column and self.kwargs.get("column_A"):
            column = f"{self.kwargs['column_A']},{self.kwargs.get('column_B', '')}"
        name = self.code or self.expectation
        return f"{name}{f' on {column}' if column else ''}"


@dataclass
class TableToCheck:
    """A table in the warehouse and the suite that checks it."""

    schema: str
    table: str
    suite: str  # path below expectations/, without .json, e.g. "staging/cin_details"
    owner: str = "unassigned"
    batch_id: int | None = None
    file_name: str | None = None
    identifier_columns: frozenset[str] = field(default_factory=frozenset)
    parameters: dict[str, Any] = field(default_factory=dict)
    scope: relations.StagingScope | None = None  # staged batches: council, delivery, file-name fields

    @property
    def source_table(self) -> str:
        """The table's name without its batch suffix (``cin_details`` for ``load.cin_details__b12``)."""
        return self.scope.table if self.scope else self.table


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _hold_results(store: Any) -> None:
    """Make the validation results store hold each run's result (``store.held``, by key) instead of serializing it.

    The results are scrubbed in place after the run (no identifier may reach the Data Docs), then stored once, only
    if Data Docs are built (``_store_held``): not serialized once by GX and again scrubbed, nor listed back from the
    store (``list_keys`` builds every key, quadratic over a load of many batches)."""
    store.held = {}
    store.held_keys = []
    store.store_held = store.set

    def hold(key: Any, value: Any, **_: Any) -> None:
        store.held[key] = value
        store.held_keys.append(key)

    store.set = hold


def _store_held(store: Any, keys: list[Any]) -> None:
    for key in keys:
        store.store_held(key, store.held[key])


def _context(docs_dir: Path | None) -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False}
    except Exception:  # a GX without the setting: progress bars only cost log noise
        log.debug("could not turn off GX progress bars")
    _hold_results(context.validation_results_store)
    # An ephemeral context keeps its configuration in memory only, and nothing reads it back; writing it out again
    # (every data asset, suite and validation definition, as YAML) on every change is most of GX's own overhead.
    context._save_project_config = lambda *_, **__: None
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(site_name="local", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return context


def bounded(query: str, table: str) -> str:
    """An SQL check's query, ready for GX: ``{batch}`` is the checked table, and at most ``MAX_FAILING_ROWS`` failing
    rows come back, each carrying the total.

    GX would hand ``{batch}`` over as an aliased subquery, or unaliased when the query says JOIN; naming the table
    here lets a check alias it and join freely (GX still wants to see ``{batch}``: it stays in a comment). GX counts
    a check's rows and fetches them; the limit keeps a file where every row fails from being read into Python, while
    ``failing_rows`` still reports how many failed.
    """
    query = query.replace("{batch}", table.replace("{", "{{").replace("}", "}}")).rstrip("; \t\r\n")
    # The query is a version-controlled suite's SQL; its placeholders were composed with psycopg.sql. It goes on
    # lines of its own, so that a trailing -- comment in it ends there.
    return (f"select failing.*, count(*) over () as {TOTAL_COLUMN} from (\n{query}\n) as failing "  # noqa: S608
            f"limit {MAX_FAILING_ROWS} /* {{batch}} */")


def _prepare(conn: psycopg.Connection, item: TableToCheck, expectations: list[dict[str, Any]]
             ) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str]]]:
    """Resolve the SQL checks' placeholders. Returns the runnable expectations and those that cannot run."""
    ready: list[dict[str, Any]] = []
    blocked: list[tuple[dict[str, Any], str]] = []
    for expectation in expectations:
        if expectation.get("type") == QUERY_EXPECTATION and placeholders(expectation):
            try:
                query = relations.resolve_query(conn, expectation["kwargs"]["unexpected_rows_query"],
                                                schema=item.schema, scope=item.scope)
            except relations.Unresolved as exc:
                blocked.append((expectation, str(exc)))
                continue
            expectation = {**expectation, "kwargs": {**expectation["kwargs"], "unexpected_rows_query": query}}
        ready.append(expectation)
    return ready, blocked


def _bounded_queries(conn: psycopg.Connection, item: TableToCheck, expectations: list[dict[str, Any]]
                     ) -> list[dict[str, Any]]:
    """The expectations as GX runs them: each SQL check bounded to ``MAX_FAILING_ROWS`` (see ``bounded``)."""
    table = sql.Identifier(item.schema, item.table).as_string(conn)
    return [{**e, "kwargs": {**e["kwargs"], "unexpected_rows_query": bounded(e["kwargs"]["unexpected_rows_query"],
                                                                             table)}}
            if e.get("type") == QUERY_EXPECTATION else e for e in expectations]


def _exception_message(info: dict[str, Any] | None) -> str | None:
    """GX reports an exception either flat or per metric; keep the database's message, not the SQL or traceback."""
    if not info:
        return None
    found = [info] if "exception_message" in info else [v for v in info.values() if isinstance(v, dict)]
    for entry in found:
        message = entry.get("exception_message")
        if message:
            return str(message).split("[SQL:")[0].strip()[:500]
    return None


def _with_parameters(kwargs: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """The kwargs as they were checked: ``{"$PARAMETER": name}`` replaced by its value, GX's batch id left out."""
    return {k: v for k, v in shared.resolved(kwargs, parameters).items() if k != "batch_id"}


def _result_of(stage: str, item: TableToCheck, config: Any, er: Any, parameters: dict[str, Any]) -> CheckResult:
    result = dict(er.result or {})  # scrubbed by _validate_raw
    meta = config.meta or {}
    error = _exception_message(er.exception_info) if not er.success else None
    observed = result.get("observed_value", error)
    count = result.get("unexpected_count")
    sample = scrub.sample_of(result)
    if config.type == QUERY_EXPECTATION and isinstance(observed, int):
        count = observed = int(sample[0].get(TOTAL_COLUMN, observed)) if sample else observed
        sample = [{k: v for k, v in row.items() if k != TOTAL_COLUMN} for row in sample] if sample else None
    return CheckResult(
        stage=stage, suite=item.suite, table=item.source_table, expectation=config.type,
        kwargs=_jsonable(_with_parameters(config.kwargs, parameters)),
        code=meta.get("code"), description=meta.get("description", ""),
        severity=FROM_GX.get(str(getattr(config.severity, "value", config.severity)), "error"),
        success=bool(er.success), observed_value=_jsonable(scrub.scrub_value(observed)),
        unexpected_count=count, sample=_jsonable(sample), owner=item.owner,
        batch_id=item.batch_id, file_name=item.file_name, next_step=meta.get("next", ""), error=error)


def _result_from_suite(stage: str, item: TableToCheck, expectation: dict[str, Any], kwargs: dict[str, Any], *,
                       success: bool, observed: Any, count: int | None, next_step: str | None = None
                       ) -> CheckResult:
    """A result recorded without GX, from the expectation as the suite (with its overrides) has it."""
    meta = expectation.get("meta") or {}
    return CheckResult(
        stage=stage, suite=item.suite, table=item.source_table, expectation=expectation["type"],
        kwargs=_jsonable(kwargs), code=check_code(expectation), description=meta.get("description", ""),
        severity=FROM_GX.get(str(expectation.get("severity")), "error"), success=success, observed_value=observed,
        unexpected_count=count, sample=None, owner=item.owner, batch_id=item.batch_id, file_name=item.file_name,
        next_step=meta.get("next", "") if next_step is None else next_step)


def _blocked_result(stage: str, item: TableToCheck, expectation: dict[str, Any], why: str) -> CheckResult:
    next_step = (expectation.get("meta") or {}).get("next") or \
        "Load the related extract (the check compares against it), then load again."
    return _result_from_suite(stage, item, expectation, expectation.get("kwargs") or {}, success=False,
                              observed=f"could not run: {why}", count=None, next_step=next_step)


def _screened_results(conn: psycopg.Connection, stage: str, item: TableToCheck, expectations: list[dict[str, Any]],
                      parameters: dict[str, Any]) -> tuple[list[CheckResult], list[dict[str, Any]]]:
    """The checks the SQL screen passed, as results, and the expectations left for GX (``screen.py``)."""
    passed, left = screen.screen(conn, item.schema, item.table, expectations, parameters)
    results = []
    for check in passed:
        expectation = _bounded_queries(conn, item, [expectations[check.position]])[0]
        results.append(_result_from_suite(stage, item, expectation, _with_parameters(expectation["kwargs"],
                                                                                     parameters),
                                          success=True, observed=check.observed_value, count=check.unexpected_count))
    return results, left


def _validate_raw(context: Any, source: Any, stage: str, item: TableToCheck, expectations: list[dict[str, Any]],
                  parameters: dict[str, Any], meta: dict[str, Any], name: str | None = None
                  ) -> tuple[list[Any], list[Any]]:
    """Run a table's expectations in one validation with SUMMARY results, then the SQL checks that failed again
    with their failing rows (COMPLETE: at most ``MAX_FAILING_ROWS``, see ``bounded``). Returns GX's expectation
    results, scrubbed, and the keys of the stored validation results (for the Data Docs).

    One validation, not one for the plain expectations and another for the SQL checks: GX's fixed cost for each
    validation is most of a gate's time when a load has many small batches."""
    import great_expectations as gx

    name = name or f"{stage}.{item.source_table}" + (f".b{item.batch_id}" if item.batch_id is not None else "")
    asset = source.add_table_asset(name=name, table_name=item.table, schema_name=item.schema)
    batch = asset.add_batch_definition_whole_table("whole table")
    outcomes: list[Any] = []
    keys: list[Any] = []
    store = context.validation_results_store
    summary = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    part, suffix, result_format = expectations, "", summary
    while part:
        suite = context.suites.add(gx.ExpectationSuite(name=name + suffix, expectations=part, meta=meta))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name + suffix, data=batch, suite=suite))
        before = len(store.held_keys)
        outcome = definition.run(expectation_parameters=parameters or None, result_format=result_format)
        failed_queries = set()
        for er in outcome.results:
            config = er.expectation_config
            if result_format is summary and config.type == QUERY_EXPECTATION and not er.success:
                failed_queries.add(config.kwargs.get("unexpected_rows_query"))
                continue  # its failing rows come from the second validation
            # what the Data Docs render is scrubbed too
            result = scrub.scrub_result(dict(er.result or {}), columns_named({"kwargs": config.kwargs}),
                                        item.identifier_columns)
            er.result = result
            outcomes.append(er)
        keys += store.held_keys[before:]  # each holds its outcome, scrubbed in place above
        if result_format is not summary:
            break
        part = [e for e in expectations if e.get("type") == QUERY_EXPECTATION
                and e["kwargs"].get("unexpected_rows_query") in failed_queries]
        suffix, result_format = ".failing_rows", {"result_format": "COMPLETE"}
    # Each asset added rewrites the context's configuration with every asset in it: keep it to the one in use.
    source.delete_asset(name)
    return outcomes, keys


def _validate(context: Any, source: Any, stage: str, item: TableToCheck, expectations: list[dict[str, Any]],
              parameters: dict[str, Any], meta: dict[str, Any]) -> tuple[list[CheckResult], list[Any]]:
    outcomes, keys = _validate_raw(context, source, stage, item, expectations, parameters, meta)
    return [_result_of(stage, item, er.expectation_config, er, parameters) for er in outcomes], keys


@dataclass
class _Planned:
    """A table's suite as this gate runs it: its expectations (with overrides) and parameter values."""

    item: TableToCheck
    meta: dict[str, Any]
    expectations: list[dict[str, Any]]
    parameters: dict[str, Any]


def _plan(conn: psycopg.Connection, item: TableToCheck, expectations_dir: Path, overrides: Any,
          suites: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]) -> _Planned:
    if item.suite not in suites:  # read once per gate, not once per batch
        suite_data = load_suite(expectations_dir, item.suite)
        suites[item.suite] = suite_data, with_overrides(item.suite, suite_data["expectations"], overrides)
    suite_data, expectations = suites[item.suite]
    parameters = dict(item.parameters)
    if item.scope is not None:
        parameters = {**relations.staging_parameters(conn, item.scope, expectations), **parameters}
    return _Planned(item, suite_data.get("meta", {}), expectations, parameters)


def _run_shared(context: Any, source: Any, conn: psycopg.Connection, stage: str, group: shared.SharedGroup,
                plans: list[_Planned]) -> tuple[dict[int, list[CheckResult]], set[tuple[int, int]], list[Any]]:
    """Validate a group's shared expectations once, on the view over its batches.

    Returns each member's results of the expectations that passed, the (member, suite index) pairs that must be
    checked on the member alone (they failed on the whole, or came back without a result), and the Data Docs keys.
    """
    first = plans[group.members[0]].item
    item = TableToCheck(schema=group.schema, table=group.view, suite=first.suite, owner=first.owner,
                        identifier_columns=first.identifier_columns)
    shared.create_view(conn, group)
    try:
        log.info("Checking %s: %d expectations once over %d batches", group.table, len(group.expectations),
                 len(group.members))
        name = f"{stage}.{group.table}.{len(group.members)}_batches_from_b{first.batch_id}"
        outcome, keys = _validate_raw(context, source, stage, item, list(group.expectations.values()), {},
                                      plans[group.members[0]].meta, name=name)
    finally:
        shared.drop_view(conn, group)
    passed: dict[int, Any] = {}
    for er in outcome:
        position = (er.expectation_config.meta or {}).get(shared.SHARE_META)
        if er.success and position in group.expectations:
            passed[position] = er
    results: dict[int, list[CheckResult]] = {}
    again: set[tuple[int, int]] = set()
    for member in group.members:
        plan = plans[member]
        for position in group.expectations:
            if position in passed:
                er = passed[position]
                results.setdefault(member, []).append(
                    _result_of(stage, plan.item, er.expectation_config, er, plan.parameters))
            else:
                again.add((member, position))
    return results, again, keys


def run_gate(wh: Warehouse, stage: str, tables: list[TableToCheck], *, run_id: str, expectations_dir: Path,
             docs_dir: Path | None = None, store: bool = True) -> list[CheckResult]:
    """Validate every table with its suite, store the results in audit.dq_results (unless ``store`` is false, for
    a measurement) and return them.

    Batches of the same table share their row-level checks (``shared.py``): each such check runs once over all of
    them, and again on each batch alone only if it fails."""
    if not tables:
        return []
    overrides = load_overrides(expectations_dir)
    context = _context(docs_dir)
    source = context.data_sources.add_postgres(name="warehouse", connection_string=wh.sqlalchemy_url)
    results: list[CheckResult] = []
    keys: list[Any] = []
    with wh.connect(autocommit=True, application_name="scorecard-gate") as conn:
        suites: dict[str, Any] = {}
        plans = [_plan(conn, item, expectations_dir, overrides, suites) for item in tables]
        groups = shared.plan(conn, [(p.item.source_table, p.item.schema, p.item.table, p.expectations, p.parameters)
                                    for p in plans if p.item.scope is not None]) if stage == "staging" else []
        done: dict[int, set[int]] = {}  # member -> suite indexes already checked on the whole
        by_member: dict[int, list[CheckResult]] = {}
        staged = [i for i, p in enumerate(plans) if p.item.scope is not None]
        for group in groups:
            group.members = [staged[i] for i in group.members]
            passed, again, written = _run_shared(context, source, conn, stage, group, plans)
            keys += written
            for member, member_results in passed.items():
                by_member.setdefault(member, []).extend(member_results)
            for member in group.members:
                done[member] = {p for p in group.expectations if (member, p) not in again}
        for index, plan in enumerate(plans):
            own = [e for position, e in enumerate(plan.expectations) if position not in done.get(index, set())]
            ready, blocked = _prepare(conn, plan.item, own)
            screened, ready = _screened_results(conn, stage, plan.item, ready, plan.parameters)
            ran, written = _validate(context, source, stage, plan.item, _bounded_queries(conn, plan.item, ready),
                                     plan.parameters, plan.meta) if ready else ([], [])
            results += by_member.get(index, []) + screened + ran
            results += [_blocked_result(stage, plan.item, e, why) for e, why in blocked]
            keys += written
    if docs_dir is not None and keys:
        _store_held(context.validation_results_store, keys)
        # a set: GX tests every stored key for membership (a list made that quadratic over a load of many batches)
        context.build_data_docs(site_names=["local"], resource_identifiers=set(keys))
    if store:
        store_results(wh, run_id, results)
    return results


def store_results(wh: Warehouse, run_id: str, results: list[CheckResult]) -> None:
    with wh.connect() as conn, conn.cursor() as cur:
        cur.executemany(
            "insert into audit.dq_results (run_id, stage, suite, table_name, batch_id, file_name, data_owner, "
            "expectation, expectation_kwargs, check_code, severity, success, observed_value, unexpected_count, "
            "failing_sample) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(run_id, r.stage, r.suite, r.table, r.batch_id, r.file_name, r.owner, r.expectation,
              json.dumps(r.kwargs), r.code, r.severity, r.success, json.dumps(r.observed_value),
              r.unexpected_count, json.dumps(r.sample) if r.sample is not None else None) for r in results])


def errors_in(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.success and r.severity == "error"]


def warnings_in(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.success and r.severity == "warning"]


def last_results(conn: psycopg.Connection, run_id: str) -> list[tuple]:
    return conn.execute("select stage, table_name, check_code, expectation, severity, success, unexpected_count, "
                        "data_owner, file_name from audit.dq_results where run_id = %s order by result_id",
                        (run_id,)).fetchall()

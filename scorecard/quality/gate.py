"""The quality gate: Great Expectations suites from ``expectations/`` validated in Postgres.

Every check runs as SQL through GX's SQLAlchemy execution engine: no table is pulled into Python (the SQL checks
bring back at most GX's 200-row cap of failing rows, of which a scrubbed sample is kept). A suite is a GX
ExpectationSuite JSON file; an expectation's ``severity`` is ``critical`` (an error: blocks publishing) or
``warning`` (publishes, and is reported), overridable in ``expectations/severity_overrides.yml``. Results go to
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

from scorecard.quality import relations, scrub
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


def _context(docs_dir: Path | None) -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False}
    except Exception:  # a GX without the setting: progress bars only cost log noise
        log.debug("could not turn off GX progress bars")
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
    """Resolve and bound the SQL checks' queries. Returns the runnable expectations and those that cannot run."""
    ready: list[dict[str, Any]] = []
    blocked: list[tuple[dict[str, Any], str]] = []
    table = sql.Identifier(item.schema, item.table).as_string(conn)
    for expectation in expectations:
        if expectation.get("type") == QUERY_EXPECTATION:
            query = expectation["kwargs"]["unexpected_rows_query"]
            try:
                if placeholders(expectation):
                    query = relations.resolve_query(conn, query, schema=item.schema, scope=item.scope)
            except relations.Unresolved as exc:
                blocked.append((expectation, str(exc)))
                continue
            kwargs = {**expectation["kwargs"], "unexpected_rows_query": bounded(query, table)}
            expectation = {**expectation, "kwargs": kwargs}
        ready.append(expectation)
    return ready, blocked


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
    return {k: parameters.get(v["$PARAMETER"]) if isinstance(v, dict) and "$PARAMETER" in v else v
            for k, v in kwargs.items() if k != "batch_id"}


def _result_of(stage: str, item: TableToCheck, config: Any, er: Any, parameters: dict[str, Any]) -> CheckResult:
    result = scrub.scrub_result(dict(er.result or {}), columns_named({"kwargs": config.kwargs}),
                                item.identifier_columns)
    er.result = result  # what the Data Docs render is scrubbed too
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


def _blocked_result(stage: str, item: TableToCheck, expectation: dict[str, Any], why: str) -> CheckResult:
    meta = expectation.get("meta") or {}
    return CheckResult(
        stage=stage, suite=item.suite, table=item.source_table, expectation=expectation["type"],
        kwargs=_jsonable(expectation.get("kwargs") or {}), code=check_code(expectation),
        description=meta.get("description", ""), severity=FROM_GX.get(str(expectation.get("severity")), "error"),
        success=False, observed_value=f"could not run: {why}", unexpected_count=None, sample=None, owner=item.owner,
        batch_id=item.batch_id, file_name=item.file_name,
        next_step=meta.get("next") or "Load the related extract (the check compares against it), then load again.")


def _validate(context: Any, source: Any, stage: str, item: TableToCheck, expectations: list[dict[str, Any]],
              parameters: dict[str, Any], meta: dict[str, Any]) -> tuple[list[CheckResult], list[Any]]:
    """Run a table's expectations: plain ones with SUMMARY results, SQL checks with their failing rows."""
    import great_expectations as gx

    name = f"{stage}.{item.source_table}" + (f".b{item.batch_id}" if item.batch_id is not None else "")
    asset = source.add_table_asset(name=name, table_name=item.table, schema_name=item.schema)
    batch = asset.add_batch_definition_whole_table("whole table")
    results: list[CheckResult] = []
    keys: list[Any] = []
    plain = [e for e in expectations if e.get("type") != QUERY_EXPECTATION]
    queries = [e for e in expectations if e.get("type") == QUERY_EXPECTATION]
    store = context.validation_results_store
    for part, suffix, result_format in ((plain, "", {"result_format": "SUMMARY",
                                                     "partial_unexpected_count": SAMPLE_SIZE}),
                                        (queries, ".sql_checks", {"result_format": "COMPLETE"})):
        if not part:
            continue
        suite = context.suites.add(gx.ExpectationSuite(name=name + suffix, expectations=part, meta=meta))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name + suffix, data=batch, suite=suite))
        before = set(store.list_keys())
        outcome = definition.run(expectation_parameters=parameters or None, result_format=result_format)
        results += [_result_of(stage, item, er.expectation_config, er, parameters) for er in outcome.results]
        for key in set(store.list_keys()) - before:  # store the scrubbed result for the Data Docs
            store.set(key, outcome)
            keys.append(key)
    return results, keys


def run_gate(wh: Warehouse, stage: str, tables: list[TableToCheck], *, run_id: str, expectations_dir: Path,
             docs_dir: Path | None = None, store: bool = True) -> list[CheckResult]:
    """Validate every table with its suite, store the results in audit.dq_results (unless ``store`` is false, for
    a measurement) and return them."""
    if not tables:
        return []
    overrides = load_overrides(expectations_dir)
    context = _context(docs_dir)
    source = context.data_sources.add_postgres(name="warehouse", connection_string=wh.sqlalchemy_url)
    results: list[CheckResult] = []
    keys: list[Any] = []
    with wh.connect(autocommit=True, application_name="scorecard-gate") as conn:
        for item in tables:
            suite_data = load_suite(expectations_dir, item.suite)
            expectations = with_overrides(item.suite, suite_data["expectations"], overrides)
            parameters = dict(item.parameters)
            if item.scope is not None:
                parameters = {**relations.staging_parameters(conn, item.scope, expectations), **parameters}
            ready, blocked = _prepare(conn, item, expectations)
            ran, written = _validate(context, source, stage, item, ready, parameters, suite_data.get("meta", {}))
            results += ran + [_blocked_result(stage, item, e, why) for e, why in blocked]
            keys += written
    if docs_dir is not None and keys:
        context.build_data_docs(site_names=["local"], resource_identifiers=keys)
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

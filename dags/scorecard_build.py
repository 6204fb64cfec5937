"""The scorecard: rebuilt when, and only when, a source domain's new extracts have loaded and passed their checks.

``scorecard`` runs on the domains' Assets (any one of them updated): dbt build into a fresh schema -> mart gate ->
atomic publish -> committee report. dbt runs as one task (``dbt build`` orders and tests the models itself, and
the build goes into a fresh schema that is dropped whole if anything fails, so there is no partial state for a
per-layer split to resume from). Triggered by hand with ``{"as_at": "2019-06-30"}`` it rebuilds the scorecard as
it stood at the end of that quarter and renders that quarter's report.

``scorecard_backfill`` rebuilds several past quarters in one run, oldest first, from the data already loaded:
``airflow dags trigger scorecard_backfill --conf '{"first_quarter": "2019-20 Q1", "last_quarter": "2019-20 Q4"}'``.
Each quarter is built, checked, published and reported in turn (the same quarter built twice publishes the same
rows: ``audit.pipeline_events`` records each edition's row count and checksum); then the current scorecard is
rebuilt and published again, so the backfill leaves the live scorecard as it found it.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, AssetAny, Param, dag, task

from scorecard.airflow_tasks import DOMAINS
from scorecard.notify import task_defaults

DOMAIN_ASSETS = [Asset(d.asset_uri) for d in DOMAINS]
SCORECARD = Asset("warehouse://marts/fct_scorecard")
REPORT_FORMATS = Param(["html"], type="array", items={"type": "string"},
                       description="Formats of the committee report (what scorecard.report can render).")


@dag(
    dag_id="scorecard",
    description="Build, check and publish the scorecard when a domain's extracts have passed their checks.",
    schedule=AssetAny(*DOMAIN_ASSETS),
    start_date=datetime(2016, 4, 1),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    params={
        "as_at": Param(None, type=["null", "string"], format="date",
                       description="A quarter end (e.g. 2019-06-30): the scorecard as it stood then. "
                                   "Default: everything loaded."),
        "report_formats": REPORT_FORMATS,
    },
    tags=["scorecard"],
    doc_md=__doc__,
)
def scorecard():
    @task
    def build_marts(**context) -> str:
        from scorecard.airflow_tasks import as_at_param, build_task, record_event_task, step_run_id

        as_at_param(context["params"]["as_at"])  # a bad date fails the run before anything is built
        run_id = step_run_id(context["run_id"])
        triggers = [{"asset": getattr(event.asset, "uri", str(event.asset)), "from": event.source_dag_id,
                     "extra": dict(event.extra or {})}
                    for events in (context.get("triggering_asset_events") or {}).values() for event in events]
        if triggers:
            record_event_task(run_id, "build_triggered", {"assets": triggers})
        return build_task(run_id)

    @task
    def check_marts(schema: str, **context) -> str:
        from scorecard.airflow_tasks import gate_marts_task, step_run_id

        return gate_marts_task(step_run_id(context["run_id"]), schema)

    @task(outlets=[SCORECARD])
    def publish_scorecard(schema: str, **context) -> dict:
        from scorecard.airflow_tasks import as_at_param, publish_task, step_run_id

        return publish_task(step_run_id(context["run_id"]), schema, as_at=as_at_param(context["params"]["as_at"]))

    @task
    def render_reports(published: dict, **context) -> dict:
        from scorecard.airflow_tasks import as_at_param, quarter_label, report_task, step_run_id

        as_at = as_at_param(context["params"]["as_at"])
        return report_task(step_run_id(context["run_id"]), quarter_label(as_at) if as_at else None,
                           context["params"]["report_formats"])

    render_reports(publish_scorecard(check_marts(build_marts())))


@dag(
    dag_id="scorecard_backfill",
    description="Rebuild the scorecard for past quarters from the data already loaded, then the current one.",
    schedule=None,
    start_date=datetime(2016, 4, 1),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    params={
        "first_quarter": Param("2019-20 Q1", type="string", pattern=r"^\d{4}-\d{2} Q[1-4]$",
                               description="The first quarter to rebuild, e.g. 2019-20 Q1."),
        "last_quarter": Param("2019-20 Q4", type="string", pattern=r"^\d{4}-\d{2} Q[1-4]$",
                              description="The last quarter to rebuild, e.g. 2019-20 Q4."),
        "report_formats": REPORT_FORMATS,
    },
    tags=["scorecard", "backfill"],
    doc_md=__doc__,
)
def scorecard_backfill():
    @task
    def list_quarters(**context) -> list[str]:
        from scorecard.airflow_tasks import quarters_between

        params = context["params"]
        return [q.isoformat() for q in quarters_between(params["first_quarter"], params["last_quarter"])]

    @task(max_active_tis_per_dagrun=1)
    def rebuild_quarter(as_at: str, **context) -> dict:
        from scorecard.airflow_tasks import as_at_param, rebuild_quarter_task, step_run_id

        day = as_at_param(as_at)
        return rebuild_quarter_task(step_run_id(context["run_id"], f"{day:%Y%m%d}"), day,
                                    context["params"]["report_formats"])

    @task
    def summarise(editions: list[dict]) -> list[dict]:
        """Fails the run if any quarter failed (this task then never runs); lists what each edition published."""
        return sorted(({k: e[k] for k in ("as_at", "publication_id", "rows", "checksum")} for e in editions),
                      key=lambda e: e["as_at"])

    @task(outlets=[SCORECARD], trigger_rule="all_done")
    def rebuild_current(**context) -> dict:
        from scorecard.airflow_tasks import rebuild_current_task, step_run_id

        return rebuild_current_task(step_run_id(context["run_id"], "current"))

    editions = rebuild_quarter.expand(as_at=list_quarters())
    summarise(editions)
    editions >> rebuild_current()


scorecard()
scorecard_backfill()

"""The whole pipeline in one DAG, on demand: load every landed extract, gate, build, gate, publish, report.

What ``scorecard demo`` runs, and the quickest way to rebuild everything by hand. The scheduled path is the
per-domain load DAGs (``load_domains.py``) and the Asset-triggered ``scorecard`` DAG. Thin wiring: each task calls
one step in ``scorecard.airflow_tasks``. Nothing runs at import time.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, dag, task

from scorecard.notify import task_defaults

SCORECARD = Asset("warehouse://marts/fct_scorecard")


@dag(
    dag_id="scorecard_end_to_end",
    description="Load the landed extracts, check them, build the scorecard, check it and publish it atomically.",
    schedule=None,
    start_date=datetime(2016, 4, 1),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["scorecard"],
    doc_md=__doc__,
)
def scorecard_end_to_end():
    @task
    def load_extracts(**context) -> dict:
        from scorecard.airflow_tasks import load_task, step_run_id

        return load_task(step_run_id(context["run_id"]))

    @task
    def build_marts(loaded: dict, **context) -> str:
        from scorecard.airflow_tasks import build_task, step_run_id

        return build_task(step_run_id(context["run_id"]))

    @task
    def check_marts(schema: str, **context) -> str:
        from scorecard.airflow_tasks import gate_marts_task, step_run_id

        return gate_marts_task(step_run_id(context["run_id"]), schema)

    @task(outlets=[SCORECARD])
    def publish_scorecard(schema: str, loaded: dict, **context) -> dict:
        from scorecard.airflow_tasks import publish_task, step_run_id

        return publish_task(step_run_id(context["run_id"]), schema, loaded["batch_ids"])

    @task
    def render_reports(published: dict, **context) -> dict:
        from scorecard.airflow_tasks import report_task, step_run_id

        return report_task(step_run_id(context["run_id"]), None, ["html"])

    loaded = load_extracts()
    render_reports(publish_scorecard(check_marts(build_marts(loaded)), loaded))


scorecard_end_to_end()

"""One load DAG per source domain: pick up the extracts that landed, load them through their contracts and the
staging quality gate, and update the domain's Asset when something new passed (the scorecard DAG runs on those).

| DAG | domain (contracts' ``domain:``) | rhythm | runs (Europe/London) |
|---|---|---|---|
| ``load_social_care`` | social_care | monthly | 06:00 on the 7th |
| ``load_early_help`` | early_help | monthly | 06:00 on the 7th |
| ``load_education`` | education | termly | 06:00 on 7 January, 7 May, 7 September |
| ``load_health`` | health | monthly | 06:00 on the 10th |
| ``load_benchmarks`` | benchmarks | yearly | 06:00 on 1 February |
| ``load_returns`` | returns | quarterly | 06:00 on the 15th of January, April, July, October |

Early help has its own DAG: its extract comes from the early help system, on the social care rhythm, and a late
early help file should not hold up the schools' load (or the other way round).

On demand for a period: ``airflow dags trigger load_social_care --conf '{"period": "2019-07"}'`` (or with a
``--logical-date``: the period is then the one that ended before it). Extracts are full snapshots, so a run loads
whatever has landed; the period names the delivery in ``audit.pipeline_events`` and in the Asset event.
``la_codes`` limits a run to some councils' folders. Nothing new (no file, or every file loaded before): the run
succeeds, the Asset is not updated and the scorecard is not rebuilt.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, CronTriggerTimetable, Param, dag, task
from dateutil.relativedelta import relativedelta

from scorecard.airflow_tasks import DOMAINS, RHYTHM_MONTHS, Domain
from scorecard.notify import task_defaults

TIMEZONE = "Europe/London"


def make_load_dag(source: Domain):
    asset = Asset(source.asset_uri)

    @dag(
        dag_id=f"load_{source.name}",
        description=f"{source.title}: load the landed extracts, run the staging gate, update {source.asset_uri}.",
        schedule=CronTriggerTimetable(source.cron, timezone=TIMEZONE,
                                      interval=relativedelta(months=RHYTHM_MONTHS[source.rhythm])),
        start_date=datetime(2016, 4, 1),
        catchup=False,
        max_active_runs=1,
        default_args=task_defaults(),
        params={
            "period": Param(None, type=["null", "string"],
                            description="The period this delivery is for (default: the one that ended before the "
                                        "run, on the domain's rhythm)."),
            "la_codes": Param([], type="array", items={"type": "string"},
                              description="Only these councils' folders (default: every folder)."),
        },
        tags=["scorecard", "load", source.name],
        doc_md=__doc__,
    )
    def load_domain():
        @task
        def find_extracts(**context) -> dict:
            from airflow.sdk.exceptions import AirflowSkipException

            from scorecard.airflow_tasks import find_extracts

            found = find_extracts(source.name, context["params"]["la_codes"] or None)
            if not found:
                raise AirflowSkipException(f"No {source.name} extracts have landed")
            return found

        @task
        def load_and_gate(found: dict, **context) -> dict:
            from scorecard.airflow_tasks import load_task, period_of_run, step_run_id

            when = context.get("data_interval_end") or context["dag_run"].run_after
            period = period_of_run(source.rhythm, when, context["params"]["period"])
            loaded = load_task(step_run_id(context["run_id"]), la_codes=sorted(found), domains=[source.name])
            return {**loaded, "period": period}

        @task(outlets=[asset])
        def update_asset(loaded: dict, **context) -> dict:
            from airflow.sdk.exceptions import AirflowSkipException

            from scorecard.airflow_tasks import record_event_task, step_run_id

            if not loaded["batch_ids"]:
                raise AirflowSkipException("Nothing new passed the gate: every landed extract was loaded before")
            extra = {"domain": source.name, "period": loaded["period"], "batch_ids": loaded["batch_ids"],
                     "tables": loaded["tables"], "councils": loaded["councils"]}
            context["outlet_events"][asset].extra = extra
            record_event_task(step_run_id(context["run_id"]), "asset_updated", {"asset": source.asset_uri, **extra})
            return extra

        update_asset(load_and_gate(find_extracts()))

    return load_domain()


for _source in DOMAINS:
    make_load_dag(_source)

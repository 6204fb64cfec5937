"""How the DAGs handle a failing task: retry transient database errors with backoff, fail everything else at once,
write every failure to ``audit.pipeline_events`` and send an email alert when one is configured.

Configuration (environment only; never in code):

| variable | default | meaning |
|---|---|---|
| ``SCORECARD_ALERT_EMAIL`` | unset: no email | comma-separated recipients of failure alerts |
| ``SCORECARD_ALERT_FROM`` | the SMTP connection's ``from_email`` | the sender |
| ``SCORECARD_SMTP_CONN_ID`` | ``smtp_default`` | the Airflow SMTP connection, e.g. ``AIRFLOW_CONN_SMTP_DEFAULT`` |
| ``SCORECARD_TASK_RETRIES`` | ``3`` | retries of a task that hit a transient database error |
| ``SCORECARD_RETRY_DELAY_SECONDS`` | ``60`` | the first retry's delay; it doubles each time, up to 15 minutes |

The DAG files import this module while they are parsed: it imports nothing heavy at module level.
"""

from __future__ import annotations

import html
import logging
import os
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseNotifier, RetryDecision, RetryPolicy

log = logging.getLogger(__name__)

ALERT_EMAIL_ENV = "SCORECARD_ALERT_EMAIL"
MAX_DETAIL = 2000


class TransientDatabaseErrorsOnly(RetryPolicy):
    """Retry (with the task's backoff) only when the failure is transient; fail at once otherwise.

    A failed quality gate, a rejected delivery or a broken contract fails the same way every time, so retrying it
    only delays the alert. See ``scorecard.airflow_tasks.is_transient``.
    """

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int,
                 context: Any = None) -> RetryDecision:
        try:
            from scorecard.airflow_tasks import is_transient

            transient = is_transient(exception)
        except Exception:  # classifying must not turn a failure into a retry loop
            log.exception("Could not classify %s; failing without retry", type(exception).__name__)
            transient = False
        if transient:
            return RetryDecision.retry(reason=f"transient database error ({type(exception).__name__}): retrying")
        return RetryDecision.fail(reason=f"{type(exception).__name__} is not transient: failing without retry")

    def serialize(self) -> dict[str, Any]:
        return {"__type": type(self).__name__}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> TransientDatabaseErrorsOnly:
        return cls()


class ScorecardNotifier(BaseNotifier):
    """Writes the event to ``audit.pipeline_events``; on a failure, also emails ``SCORECARD_ALERT_EMAIL`` (if set)
    through the SMTP provider's notifier. Neither step can fail the task: problems are logged."""

    def __init__(self, event: str = "task_failed", email: bool = True) -> None:
        super().__init__()
        self.event = event
        self.email = email

    def notify(self, context: Any) -> None:
        summary = failure_summary(context)
        try:
            _write_audit(self.event, summary)
        except Exception:  # the warehouse may be the very thing that is down
            log.exception("Could not write the %s event to audit.pipeline_events", self.event)
        recipients = alert_recipients()
        if self.email and recipients:
            try:
                _send_email(recipients, summary, context)
            except Exception:
                log.exception("Could not send the failure alert to %s", ", ".join(recipients))


def alert_recipients() -> list[str]:
    return [a.strip() for a in os.environ.get(ALERT_EMAIL_ENV, "").split(",") if a.strip()]


def failure_summary(context: Any) -> dict[str, Any]:
    """What an alert says: where and what failed. Only the exception's type and first lines (our errors never
    carry a child identifier: the loader withholds them, the gates report counts)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    exception = context.get("exception")
    text = "" if exception is None else str(exception)
    return {
        "dag_id": getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "airflow_run_id": getattr(dag_run, "run_id", None) or context.get("run_id"),
        "try_number": getattr(ti, "try_number", None),
        "error_type": type(exception).__name__ if exception is not None else None,
        "error": text[:MAX_DETAIL],
        "log_url": getattr(ti, "log_url", None),
    }


def _write_audit(event: str, summary: dict[str, Any]) -> None:
    from scorecard.airflow_tasks import airflow_settings, open_warehouse_for_task, record_event, step_run_id

    run_id = step_run_id(summary["airflow_run_id"]) if summary["airflow_run_id"] else None
    detail = {k: summary[k] for k in ("airflow_run_id", "try_number", "error_type", "error")}
    with open_warehouse_for_task(airflow_settings()) as wh:
        record_event(wh, run_id, event, detail, dag_id=summary["dag_id"], task_id=summary["task_id"])


def _send_email(recipients: list[str], summary: dict[str, Any], context: Any) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    subject = f"[scorecard] {summary['dag_id']}.{summary['task_id']} failed"
    first_line = (summary["error"] or "").splitlines()[0] if summary["error"] else "(no message)"
    body = ("<p>The task <b>{task}</b> of <b>{dag}</b> failed (run {run}, try {tries}).</p>"
            "<p>{etype}: {msg}</p><p>Log: {log_url}</p>"
            "<p>Nothing was published by this run. audit.pipeline_events has the details.</p>").format(
        task=html.escape(str(summary["task_id"])), dag=html.escape(str(summary["dag_id"])),
        run=html.escape(str(summary["airflow_run_id"])), tries=summary["try_number"],
        etype=html.escape(str(summary["error_type"])), msg=html.escape(first_line),
        log_url=html.escape(str(summary["log_url"])))
    notifier = SmtpNotifier(to=recipients, from_email=os.environ.get("SCORECARD_ALERT_FROM") or None,
                            subject=subject, html_content=body,
                            smtp_conn_id=os.environ.get("SCORECARD_SMTP_CONN_ID", "smtp_default"))
    notifier.notify(context)
    log.info("Failure alert sent to %s", ", ".join(recipients))


def task_defaults() -> dict[str, Any]:
    """``default_args`` every scorecard DAG uses."""
    return {
        "owner": "scorecard",
        "retries": int(os.environ.get("SCORECARD_TASK_RETRIES", "3")),
        "retry_delay": timedelta(seconds=float(os.environ.get("SCORECARD_RETRY_DELAY_SECONDS", "60"))),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
        "retry_policy": TransientDatabaseErrorsOnly(),
        "on_failure_callback": [ScorecardNotifier("task_failed")],
        "on_retry_callback": [ScorecardNotifier("task_retry", email=False)],
    }

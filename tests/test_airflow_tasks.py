"""The Airflow-facing steps without Airflow running: periods, run ids, which failures are retried, the edition
checksum, the report hand-off and the failure notifier (audit row and email through a real SMTP exchange)."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from types import SimpleNamespace

import psycopg
import pytest

from scorecard import airflow_tasks as at
from tests.airflow_env import SmtpSink
from tests.conftest import query


def test_quarter_labels_and_ends_round_trip():
    assert at.quarter_label(date(2019, 6, 30)) == "2019-20 Q1"
    assert at.quarter_label(date(2019, 12, 31)) == "2019-20 Q3"
    assert at.quarter_label(date(2020, 3, 31)) == "2019-20 Q4"
    for label in ("2018-19 Q1", "2018-19 Q2", "2018-19 Q3", "2018-19 Q4"):
        assert at.quarter_label(at.quarter_end_of(label)) == label
    assert at.quarter_end_of("2019-09-30") == date(2019, 9, 30)
    with pytest.raises(ValueError, match="not the last day"):
        at.quarter_end_of("2019-09-29")
    with pytest.raises(ValueError, match="run on"):
        at.quarter_end_of("2019-21 Q1")
    with pytest.raises(ValueError):
        at.quarter_label(date(2019, 6, 29))


def test_quarters_between_lists_every_quarter_end_oldest_first():
    assert at.quarters_between("2018-19 Q3", "2019-20 Q2") == [
        date(2018, 12, 31), date(2019, 3, 31), date(2019, 6, 30), date(2019, 9, 30)]
    assert at.quarters_between("2019-20 Q4", "2019-20 Q4") == [date(2020, 3, 31)]
    with pytest.raises(ValueError, match="before"):
        at.quarters_between("2019-20 Q2", "2019-20 Q1")


def test_as_at_accepts_nothing_a_quarter_end_or_a_label():
    assert at.as_at_param(None) is None
    assert at.as_at_param("") is None
    assert at.as_at_param("2019-20 Q1") == date(2019, 6, 30)
    assert at.as_at_param("2019-06-30") == date(2019, 6, 30)
    with pytest.raises(ValueError):
        at.as_at_param("2019-06-15")


@pytest.mark.parametrize(("rhythm", "run_date", "period"), [
    ("monthly", date(2019, 8, 7), "2019-07"),
    ("monthly", date(2020, 1, 7), "2019-12"),
    ("quarterly", date(2019, 7, 15), "2019-20 Q1"),
    ("quarterly", date(2020, 4, 15), "2019-20 Q4"),
    ("termly", date(2020, 1, 7), "2019-20 autumn term"),
    ("termly", date(2020, 5, 7), "2019-20 spring term"),
    ("termly", date(2019, 9, 7), "2018-19 summer term"),
    ("yearly", date(2020, 2, 1), "2018-19"),
])
def test_a_scheduled_load_is_for_the_period_that_ended_before_it(rhythm, run_date, period):
    assert at.reporting_period(rhythm, run_date) == period


def test_the_period_of_a_run_is_read_in_uk_time_or_given():
    # 23:30 UTC on 31 July is 00:30 on 1 August in London: July has ended.
    assert at.period_of_run("monthly", datetime(2019, 7, 31, 23, 30, tzinfo=UTC)) == "2019-07"
    assert at.period_of_run("monthly", datetime(2019, 7, 31, 22, 30, tzinfo=UTC)) == "2019-06"
    assert at.period_of_run("monthly", datetime(2019, 7, 31, tzinfo=UTC), "2019-05") == "2019-05"


def test_step_run_ids_are_short_distinct_and_stable():
    first = at.step_run_id("manual__2026-11-23T10:00:00.123456+00:00")
    again = at.step_run_id("manual__2026-11-23T10:00:00.123456+00:00")
    other = at.step_run_id("manual__2026-11-23T10:00:00.654321+00:00")
    assert first == again != other
    quarter = at.step_run_id("asset_triggered__2026-11-23T10:00:00+00:00", "20190630")
    assert quarter.endswith("_20190630") and len(quarter) <= 40
    assert all(ch.isalnum() or ch == "_" for ch in quarter + first)


def _operational_error() -> psycopg.OperationalError:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/x", connect_timeout=2)
    except psycopg.OperationalError as exc:
        return exc
    raise AssertionError("connected to a closed port")


def test_only_transient_database_errors_are_retried():
    from loaders.errors import ContractError, ContractViolation, Problem
    from scorecard.dbt import DbtError
    from scorecard.pipeline import LoadRejected
    from scorecard.publish import PublishError
    from scorecard.quality.gate import GateFailed
    from scorecard.warehouse import WarehouseError

    down = _operational_error()
    assert at.is_transient(down)
    wrapped = WarehouseError("Cannot connect to the warehouse")
    wrapped.__cause__ = down
    assert at.is_transient(wrapped)
    lock = PublishError("Could not take the locks")
    lock.__cause__ = psycopg.errors.LockNotAvailable("lock timeout")
    assert at.is_transient(lock)
    assert at.is_transient(DbtError("dbt build failed: connection to server at \"127.0.0.1\", port 5432 failed"))

    assert not at.is_transient(GateFailed("staging", []))
    assert not at.is_transient(LoadRejected("1 deliveries were rejected"))
    assert not at.is_transient(ContractViolation([Problem("f.csv", 2, "c", "a date")]))
    assert not at.is_transient(ContractError("bad contract"))
    assert not at.is_transient(DbtError("dbt build failed: 1 of 80 ERROR creating model"))
    assert not at.is_transient(ValueError("2019-06-15 is not a quarter end"))
    assert not at.is_transient(ModuleNotFoundError("No module named x"))
    rejected_after_a_blip = LoadRejected("rejected")
    rejected_after_a_blip.__context__ = down
    assert not at.is_transient(rejected_after_a_blip)


def test_the_retry_policy_retries_transient_errors_and_fails_the_rest():
    from airflow.sdk import RetryAction

    from scorecard.notify import TransientDatabaseErrorsOnly
    from scorecard.quality.gate import GateFailed

    policy = TransientDatabaseErrorsOnly()
    assert policy.evaluate(_operational_error(), 1, 4).action == RetryAction.RETRY
    assert policy.evaluate(GateFailed("marts", []), 1, 4).action == RetryAction.FAIL
    assert policy.evaluate(KeyError("x"), 1, 4).action == RetryAction.FAIL


@pytest.fixture()
def task_env(monkeypatch, settings, warehouse):
    monkeypatch.setenv("WAREHOUSE_URL", warehouse.url)
    monkeypatch.setenv("SCORECARD_LANDING_DIR", str(settings.landing_dir))
    monkeypatch.setenv("SCORECARD_REPORTS_DIR", str(settings.reports_dir))
    monkeypatch.delenv("SCORECARD_ALERT_EMAIL", raising=False)
    return warehouse


def test_an_edition_counts_and_checksums_the_rows_up_to_its_quarter(task_env):
    wh = task_env
    with wh.connect() as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_scorecard (measure_ref text, period_end date, value numeric)")
        conn.execute("insert into marts.fct_scorecard values ('CSC001', '2019-06-30', 10), "
                     "('CSC001', '2019-09-30', 12), ('CSC002', '2019-06-30', 50.5)")
        conn.commit()
    q1 = at.published_edition(wh, date(2019, 6, 30))
    everything = at.published_edition(wh, None)
    assert (q1["as_at"], q1["rows"], everything["as_at"], everything["rows"]) == ("2019-06-30", 2, None, 3)
    assert q1["checksum"] != everything["checksum"]
    with wh.connect() as conn:  # a later quarter's row changes nothing in Q1's edition; a Q1 value does
        conn.execute("update marts.fct_scorecard set value = 13 where period_end = '2019-09-30'")
        conn.commit()
    assert at.published_edition(wh, date(2019, 6, 30))["checksum"] == q1["checksum"]
    with wh.connect() as conn:
        conn.execute("update marts.fct_scorecard set value = 11 where measure_ref = 'CSC001' "
                     "and period_end = '2019-06-30'")
        conn.commit()
    assert at.published_edition(wh, date(2019, 6, 30))["checksum"] != q1["checksum"]


def test_without_a_renderer_the_report_step_records_that_none_is_installed(task_env):
    result = at.report_task("run_x", "2019-20 Q1", ["html"], renderer="scorecard.no_such_renderer")
    assert result == {"renderer": None, "quarter": "2019-20 Q1", "files": []}
    rows = query(task_env, "select run_id, event, detail::jsonb ->> 'reason' from audit.pipeline_events")
    assert rows == [("run_x", "report_not_rendered", "no renderer installed (scorecard.no_such_renderer)")]


def _failure_context(exception: BaseException) -> dict:
    ti = SimpleNamespace(dag_id="load_social_care", task_id="load_and_gate", try_number=1,
                         log_url="http://localhost:8080/log")
    return {"ti": ti, "dag_run": SimpleNamespace(run_id="manual__2026-11-23T10:00:00+00:00"), "exception": exception}


def test_a_failure_is_audited_and_emailed_when_an_address_is_configured(task_env, monkeypatch):
    from scorecard.notify import ScorecardNotifier
    from scorecard.pipeline import LoadRejected

    with SmtpSink() as sink:
        for key, value in sink.connection_env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("SCORECARD_ALERT_EMAIL", "duty-engineer@example.org, lead@example.org")
        ScorecardNotifier()(_failure_context(LoadRejected("1 deliveries were rejected\n  - council 895: ...")))
    rows = query(task_env, "select dag_id, task_id, event, detail::jsonb ->> 'error_type' from audit.pipeline_events")
    assert rows == [("load_social_care", "load_and_gate", "task_failed", "LoadRejected")]
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert message["to"] == ["duty-engineer@example.org", "lead@example.org"]
    assert "load_social_care.load_and_gate failed" in message["text"]
    assert "LoadRejected: 1 deliveries were rejected" in message["text"]


def test_no_email_is_sent_unless_an_address_is_configured(task_env, monkeypatch):
    from scorecard.notify import ScorecardNotifier

    with SmtpSink() as sink:
        for key, value in sink.connection_env().items():
            monkeypatch.setenv(key, value)
        ScorecardNotifier()(_failure_context(RuntimeError("boom")))
        ScorecardNotifier("task_retry", email=False)(_failure_context(RuntimeError("blip")))
    assert sink.messages == []
    assert query(task_env, "select event from audit.pipeline_events order by event_id") == [("task_failed",),
                                                                                            ("task_retry",)]


def test_the_notifier_never_fails_the_task_even_when_the_warehouse_is_down(monkeypatch, settings):
    from scorecard.notify import ScorecardNotifier

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://postgres@127.0.0.1:{port}/nowhere")
    monkeypatch.delenv("SCORECARD_ALERT_EMAIL", raising=False)
    ScorecardNotifier()(_failure_context(RuntimeError("boom")))  # logs, does not raise

"""Real Airflow runs (``airflow dags test`` on a migrated metadata DB) of every DAG against Postgres: the load DAGs,
the scorecard DAG and the end-to-end DAG; failing gates, retries of transient errors only, alerts and audit."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

from scorecard.airflow_tasks import DOMAIN_NAMES
from tests.airflow_env import SmtpSink, airflow_env, asset_events, dags_test, dags_test_many, migrate, task_states
from tests.conftest import FIXTURES, query
from tests.referrals_fixture import write_referrals

pytestmark = pytest.mark.slow

SUITE = {"name": "", "expectations": [
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "severity": "critical",
     "meta": {"code": "ROWS_PRESENT", "description": "The extract has rows."}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "min_value": 0, "max_value": 100},
     "severity": "critical", "meta": {"code": "VALUE_RANGE", "description": "Values are 0 to 100."}}]}


def _small_domains(root: Path) -> tuple[Path, Path]:
    """One small contract (and staging suite) per domain, so each load DAG has something of its own to load."""
    contracts, expectations = root / "contracts", root / "expectations" / "staging"
    contracts.mkdir(parents=True)
    expectations.mkdir(parents=True)
    for domain in DOMAIN_NAMES:
        table = f"airflow_test_{domain}"
        (contracts / f"{table}.yml").write_text(
            f"table: {table}\ndomain: {domain}\nowner: tests\nfile_pattern: \"{table}*.csv\"\nprimary_key: [id]\n"
            "columns:\n  - {name: id, type: text, required: true}\n  - {name: value, type: integer}\n")
        (expectations / f"{table}.json").write_text(json.dumps({**SUITE, "name": f"staging/{table}"}))
    return contracts, expectations.parent


def _land(landing: Path, domain: str, values: list[int]) -> Path:
    folder = landing / ("national" if domain == "benchmarks" else "895")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"airflow_test_{domain}.csv"
    path.write_text("id,value\n" + "".join(f"r{i},{v}\n" for i, v in enumerate(values)))
    return path


@pytest.fixture()
def small_domains_env(warehouse, settings, tmp_path):
    contracts, expectations = _small_domains(tmp_path / "domains")
    # The warehouse comes from an Airflow connection here (no WAREHOUSE_URL): secrets stay out of code.
    env = airflow_env(tmp_path / "airflow", AIRFLOW_CONN_SCORECARD_WAREHOUSE=warehouse.url,
                      SCORECARD_LANDING_DIR=str(settings.landing_dir),
                      SCORECARD_REPORTS_DIR=str(settings.reports_dir),
                      SCORECARD_CONTRACTS_DIR=str(contracts), SCORECARD_EXPECTATIONS_DIR=str(expectations),
                      SCORECARD_RETRY_DELAY_SECONDS="1")
    migrate(env)
    return env


def test_each_load_dag_loads_its_domain_gates_it_and_updates_its_asset(warehouse, settings, small_domains_env):
    env = small_domains_env
    for i, domain in enumerate(DOMAIN_NAMES):
        _land(settings.landing_dir, domain, [i, 50, 100])
    runs = [{"dag_id": f"load_{d}", "logical_date": "2019-08-20"} for d in DOMAIN_NAMES]
    runs.append({"dag_id": "load_health", "conf": {"period": "2019-08"}})  # again: nothing new
    states, output = dags_test_many(env, runs)
    assert states == ["success"] * 7, output[-4000:]
    for domain in DOMAIN_NAMES:
        if domain != "health":
            assert set(task_states(env, f"load_{domain}").values()) == {("success", 1)}
    loaded = query(warehouse, "select distinct domain from audit.load_batches where status = 'loaded'")
    assert sorted(d for (d,) in loaded) == sorted(DOMAIN_NAMES)
    events = asset_events(env)
    assert [(uri, dag) for uri, dag, _ in events] == [(f"warehouse://staging/{d}", f"load_{d}") for d in DOMAIN_NAMES]
    extras = {e["domain"]: e for _, _, e in events}
    assert extras["social_care"]["period"] == "2019-07"
    assert extras["education"]["period"] == "2018-19 spring term"
    assert extras["returns"]["period"] == "2019-20 Q1"
    assert extras["benchmarks"]["councils"] == ["national"]
    assert extras["health"]["tables"] == ["airflow_test_health"]
    counts = query(warehouse, "select la_code, count(*) from staging.airflow_test_benchmarks group by la_code")
    assert counts == [("national", 3)]
    assert query(warehouse, "select count(*) from audit.pipeline_events where event = 'asset_updated'")[0][0] == 6
    # The second health run found nothing new: it succeeded without updating the asset (no scorecard rebuild).
    assert task_states(env, "load_health") == {"find_extracts": ("success", 1), "load_and_gate": ("success", 1),
                                               "update_asset": ("skipped", 1)}

    # A corrected extract for a given period, on demand.
    _land(settings.landing_dir, "health", [1, 2, 3, 4])
    state, output = dags_test(env, "load_health", conf={"period": "2019-08"})
    assert state == "success", output[-4000:]
    uri, _, extra = asset_events(env)[-1]
    assert (uri, extra["period"]) == ("warehouse://staging/health", "2019-08")


def test_a_failing_staging_gate_fails_the_load_without_retry_and_updates_no_asset(warehouse, settings,
                                                                                  small_domains_env):
    env = small_domains_env
    _land(settings.landing_dir, "education", [5, 500])  # 500 breaks the suite's range check
    with SmtpSink() as sink:
        env.update(sink.connection_env(), SCORECARD_ALERT_EMAIL="duty@example.org")
        state, output = dags_test(env, "load_education", logical_date="2020-01-07")
    assert state == "failed", output[-4000:]
    assert "staging quality gate failed" in output
    states = task_states(env, "load_education")
    assert states == {"find_extracts": ("success", 1), "load_and_gate": ("failed", 1),
                      "update_asset": ("upstream_failed", 0)}
    assert asset_events(env) == []
    assert query(warehouse, "select to_regclass('staging.airflow_test_education')")[0][0] is None
    audit = "select dag_id, task_id, event, detail::jsonb ->> 'error_type' from audit.pipeline_events"
    assert query(warehouse, audit) == [("load_education", "load_and_gate", "task_failed", "LoadRejected")]
    assert [m["to"] for m in sink.messages] == [["duty@example.org"]]
    assert "load_education.load_and_gate failed" in sink.messages[0]["text"]


def test_a_transient_database_error_is_retried_with_backoff_then_fails(settings, tmp_path):
    contracts, expectations = _small_domains(tmp_path / "domains")
    _land(settings.landing_dir, "social_care", [1])
    with socket.socket() as s:  # a warehouse that does not answer
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = airflow_env(tmp_path / "airflow", WAREHOUSE_URL=f"postgresql://postgres@127.0.0.1:{port}/down",
                      SCORECARD_LANDING_DIR=str(settings.landing_dir), SCORECARD_CONTRACTS_DIR=str(contracts),
                      SCORECARD_EXPECTATIONS_DIR=str(expectations),
                      SCORECARD_TASK_RETRIES="2", SCORECARD_RETRY_DELAY_SECONDS="1")
    migrate(env)
    state, output = dags_test(env, "load_social_care")
    assert state == "failed", output[-4000:]
    assert task_states(env, "load_social_care")["load_and_gate"] == ("failed", 3)
    assert output.count("transient database error (WarehouseError): retrying") == 3  # the third is out of retries
    assert "Cannot connect to the warehouse" in output


@pytest.fixture()
def referral_env(warehouse, settings, tmp_path):
    """The project's contracts and suites with the fixed staging suite for cin_details (as tests/test_pipeline.py)."""
    expectations = tmp_path / "expectations"
    shutil.copytree(settings.expectations_dir, expectations)
    shutil.copy(FIXTURES / "expectations" / "staging" / "cin_details.json", expectations / "staging")
    env = airflow_env(tmp_path / "airflow", WAREHOUSE_URL=warehouse.url,
                      SCORECARD_LANDING_DIR=str(settings.landing_dir),
                      SCORECARD_REPORTS_DIR=str(settings.reports_dir),
                      SCORECARD_EXPECTATIONS_DIR=str(expectations), SCORECARD_RETRY_DELAY_SECONDS="1")
    migrate(env)
    return env


def test_scorecard_dag_publishes_only_when_the_mart_gate_passes(warehouse, settings, referral_env):
    env = referral_env
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=300)
    state, output = dags_test(env, "load_social_care")
    assert state == "success", output[-4000:]

    # A mart gate that cannot pass: the build is dropped, publish and reports are skipped, nothing is published.
    strict = Path(env["SCORECARD_EXPECTATIONS_DIR"]) / "marts" / "fct_scorecard.json"
    original = strict.read_text()
    suite = json.loads(original)
    suite["expectations"].append({"type": "expect_table_row_count_to_be_between", "kwargs": {"max_value": 0},
                                  "severity": "critical", "meta": {"code": "NEVER", "description": "test"}})
    strict.write_text(json.dumps(suite))
    state, output = dags_test(env, "scorecard")
    assert state == "failed", output[-4000:]
    assert task_states(env, "scorecard") == {"build_marts": ("success", 1), "check_marts": ("failed", 1),
                                             "publish_scorecard": ("upstream_failed", 0),
                                             "render_reports": ("upstream_failed", 0)}, output[-4000:]
    assert "marts quality gate failed" in output
    assert query(warehouse, "select count(*) from audit.publications")[0][0] == 0
    assert query(warehouse, "select count(*) from pg_namespace where nspname like 'marts%%'")[0][0] == 0

    strict.write_text(original)
    state, output = dags_test(env, "scorecard")
    assert state == "success", output[-4000:]
    assert set(task_states(env, "scorecard").values()) == {("success", 1)}, output[-4000:]
    assert query(warehouse, "select status from audit.publications") == [("current",)]
    assert query(warehouse, "select count(*) from marts.fct_scorecard")[0][0] > 0
    events = dict(query(warehouse, "select event, detail from audit.pipeline_events where event in "
                                   "('published', 'report_rendered', 'report_not_rendered')"))
    published = json.loads(events["published"])
    assert published["as_at"] is None
    assert published["rows"] == query(warehouse, "select count(*) from marts.fct_scorecard")[0][0]
    assert {"report_rendered", "report_not_rendered"} & set(events)
    assert [uri for uri, _, _ in asset_events(env)] == ["warehouse://staging/social_care",
                                                        "warehouse://marts/fct_scorecard"]


def test_end_to_end_dag_publishes_the_scorecard(warehouse, settings, referral_env):
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=300)
    state, output = dags_test(referral_env, "scorecard_end_to_end")
    assert state == "success", output[-4000:]
    assert set(task_states(referral_env, "scorecard_end_to_end").values()) == {("success", 1)}, output[-4000:]
    assert query(warehouse, "select count(*) from marts.fct_scorecard")[0][0] > 0
    assert query(warehouse, "select status from audit.publications") == [("current",)]


def test_a_failing_gate_fails_the_run_and_nothing_is_published(warehouse, settings, referral_env):
    landed = settings.landing_dir / "895" / "cin_details.csv"
    write_referrals(landed, n=50)
    with landed.open("a") as handle:
        handle.write("555001,CINX,1900-01-01,1A,N1,,,,false\n")
    state, output = dags_test(referral_env, "scorecard_end_to_end")
    assert state == "failed", output[-4000:]
    assert "staging quality gate failed" in output
    assert task_states(referral_env, "scorecard_end_to_end") == {
        "load_extracts": ("failed", 1), "build_marts": ("upstream_failed", 0), "check_marts": ("upstream_failed", 0),
        "publish_scorecard": ("upstream_failed", 0), "render_reports": ("upstream_failed", 0)}, output[-4000:]
    assert query(warehouse, "select count(*) from audit.publications")[0][0] == 0
    assert query(warehouse, "select count(*) from pg_namespace where nspname = 'marts'")[0][0] == 0

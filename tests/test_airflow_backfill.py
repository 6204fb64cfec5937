"""Backfill: rebuilding four past quarters in one ``scorecard_backfill`` run publishes, for each quarter, the same
rows as building that quarter on its own with a parameterised ``scorecard`` run; and leaves the current scorecard
published at the end."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from psycopg import sql

from scorecard.airflow_tasks import quarter_label, quarters_between
from tests.airflow_env import airflow_env, dags_test_many, migrate, task_states
from tests.conftest import FIXTURES, query
from tests.referrals_fixture import write_referrals

pytestmark = pytest.mark.slow

FIRST, LAST = "2017-18 Q3", "2018-19 Q2"


def _editions(wh) -> dict[str, list[tuple]]:
    """For every publication that recorded an ``as_at``: the rows it published for periods ending by then."""
    editions: dict[str, list[tuple]] = {}
    events = query(wh, "select detail from audit.pipeline_events where event = 'published' order by event_id")
    for (detail,) in events:
        published = json.loads(detail)
        if published["as_at"] is None:
            continue
        status, archive = query(wh, "select status, archive_schema from audit.publications where publication_id = %s",
                                (published["publication_id"],))[0]
        schema = "marts" if status == "current" else archive
        with wh.connect() as conn:
            rows = conn.execute(sql.SQL("select * from {}.fct_scorecard where period_end <= %s order by la_code, "
                                        "measure_ref, period_type, period_start").format(sql.Identifier(schema)),
                                (date.fromisoformat(published["as_at"]),)).fetchall()
        assert len(rows) == published["rows"]
        editions.setdefault(published["as_at"], []).append((published["checksum"], rows))
    return editions


def test_a_backfill_of_four_quarters_publishes_what_building_them_one_by_one_does(warehouse, settings, tmp_path):
    expectations = tmp_path / "expectations"
    shutil.copytree(settings.expectations_dir, expectations)
    shutil.copy(FIXTURES / "expectations" / "staging" / "cin_details.json", expectations / "staging")
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=300)
    env = airflow_env(tmp_path / "airflow", WAREHOUSE_URL=warehouse.url,
                      SCORECARD_LANDING_DIR=str(settings.landing_dir), SCORECARD_REPORTS_DIR=str(settings.reports_dir),
                      SCORECARD_EXPECTATIONS_DIR=str(expectations), SCORECARD_KEEP_PUBLICATIONS="20")
    migrate(env)
    quarters = [q.isoformat() for q in quarters_between(FIRST, LAST)]

    # The backfill: one run over the four quarters, from the data already loaded.
    states, output = dags_test_many(env, [
        {"dag_id": "load_social_care"},
        {"dag_id": "scorecard_backfill", "conf": {"first_quarter": FIRST, "last_quarter": LAST}},
    ])
    assert states == ["success", "success"], output[-4000:]
    backfill_states = task_states(env, "scorecard_backfill")
    assert {task for task, (state, _) in backfill_states.items() if state == "success"} == {
        "list_quarters", "rebuild_quarter[0]", "rebuild_quarter[1]", "rebuild_quarter[2]", "rebuild_quarter[3]",
        "summarise", "rebuild_current"}
    backfilled = _editions(warehouse)
    assert sorted(backfilled) == quarters
    current = query(warehouse, "select p.run_id from audit.publications p where status = 'current'")
    assert current[0][0].endswith("_current"), "the backfill leaves the current scorecard published"

    # The same quarters one by one: a parameterised scorecard run each.
    states, output = dags_test_many(env, [{"dag_id": "scorecard", "conf": {"as_at": q}} for q in quarters])
    assert states == ["success"] * 4, output[-4000:]
    both = _editions(warehouse)
    counts = []
    for quarter in quarters:
        (backfill_sum, backfill_rows), (single_sum, single_rows) = both[quarter]
        assert backfill_rows, f"nothing published for {quarter_label(date.fromisoformat(quarter))}"
        assert backfill_rows == single_rows
        assert backfill_sum == single_sum
        counts.append(len(backfill_rows))
    assert counts == sorted(counts) and counts[0] < counts[-1], "each later quarter adds periods"
    reports = query(warehouse, "select detail::jsonb ->> 'quarter' from audit.pipeline_events "
                               "where event in ('report_rendered', 'report_not_rendered') and "
                               "detail::jsonb ->> 'quarter' is not null order by event_id")
    labels = [quarter_label(date.fromisoformat(q)) for q in quarters]
    reported = [q for (q,) in reports]
    assert sorted(reported[:4]) == labels and reported[4:] == labels

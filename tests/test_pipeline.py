"""The pipeline end to end on a real Postgres, with a real dbt build and real GX gates."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from datetime import date

import psycopg
import pytest
from psycopg import sql

from scorecard import pipeline, publish
from tests.conftest import FIXTURES, query
from tests.referrals_fixture import expected_referrals, expected_repeat_percent, write_referrals

pytestmark = pytest.mark.slow


@pytest.fixture()
def referral_settings(settings, tmp_path):
    """The project's contracts and suites, except a fixed staging suite for cin_details (so these tests do not
    depend on how the real suite evolves)."""
    expectations = tmp_path / "expectations"
    shutil.copytree(settings.expectations_dir, expectations)
    shutil.copy(FIXTURES / "expectations" / "staging" / "cin_details.json", expectations / "staging")
    return dataclasses.replace(settings, expectations_dir=expectations)


def checksum(wh, table: str = "marts.fct_scorecard") -> str:
    return query(wh, f"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {table} t")[0][0]  # noqa: S608


def published(wh) -> dict[tuple[str, str], tuple]:
    rows = query(wh, "select measure_ref, period_label, value, numerator, denominator from marts.fct_scorecard")
    return {(r[0], r[1]): r[2:] for r in rows}


def test_end_to_end_publishes_referral_measures_worked_out_by_hand(warehouse, referral_settings):
    rows = write_referrals(referral_settings.landing_dir / "895" / "cin_details.csv", n=600,
                           start=date(2017, 4, 1), days=729)
    publication = pipeline.run_all(warehouse, referral_settings, "e2e")
    assert publication.row_counts["fct_scorecard"] > 0
    values = published(warehouse)
    referrals = expected_referrals(rows)
    repeats = expected_repeat_percent(rows)
    assert {label for (ref, label) in values if ref == "CSC001"} == set(referrals)
    for label, count in referrals.items():
        assert values[("CSC001", label)][0] == count
        assert float(values[("CSC002", label)][0]) == pytest.approx(repeats[label])
    assert query(warehouse, "select status, batch_ids <> '{}' from audit.publications") == [("current", True)]
    assert query(warehouse, "select count(*) from audit.dq_results where run_id = 'e2e' and not success "
                            "and severity = 'error'")[0][0] == 0


def test_running_twice_publishes_the_same_rows_without_duplicating_staging(warehouse, referral_settings):
    write_referrals(referral_settings.landing_dir / "895" / "cin_details.csv", n=200)
    pipeline.run_all(warehouse, referral_settings, "first")
    first = checksum(warehouse)
    staging_rows = query(warehouse, "select count(*) from staging.cin_details")[0][0]
    pipeline.run_all(warehouse, referral_settings, "second")
    assert checksum(warehouse) == first
    assert query(warehouse, "select count(*) from staging.cin_details")[0][0] == staging_rows == 200
    assert query(warehouse, "select count(*) from raw.cin_details")[0][0] == 200


def test_failing_staging_check_stops_before_publishing_and_marts_is_unchanged(warehouse, referral_settings):
    landed = referral_settings.landing_dir / "895" / "cin_details.csv"
    write_referrals(landed, n=200)
    pipeline.run_all(warehouse, referral_settings, "good")
    marts_before = checksum(warehouse)
    marts_oid = query(warehouse, "select oid from pg_namespace where nspname = 'marts'")
    staging_before = checksum(warehouse, "staging.cin_details")
    # A referral dated 1900 passes the contract (it is a real date) but fails the staging suite's plausibility check.
    with landed.open("a") as handle:
        handle.write("555001,CINX,1900-01-01,1A,N1,,,,false\n")
    with pytest.raises(pipeline.LoadRejected, match="staging quality gate failed"):
        pipeline.run_all(warehouse, referral_settings, "bad")
    assert checksum(warehouse) == marts_before
    assert query(warehouse, "select oid from pg_namespace where nspname = 'marts'") == marts_oid
    assert checksum(warehouse, "staging.cin_details") == staging_before
    assert query(warehouse, "select count(*) from audit.publications")[0][0] == 1
    failed = query(warehouse, "select table_name, check_code, unexpected_count, data_owner from audit.dq_results "
                              "where run_id = 'bad' and not success and severity = 'error'")
    assert [(f[1], f[2]) for f in failed] == [("REFERRAL_DATE_PLAUSIBLE", 1)]
    report = (referral_settings.reports_dir / "quality" / "quality_bad.html").read_text()
    assert "cin_details.csv" in report and "REFERRAL_DATE_PLAUSIBLE" in report and "Child in Need" in report


def test_a_failing_mart_check_is_not_published(warehouse, referral_settings, tmp_path):
    write_referrals(referral_settings.landing_dir / "895" / "cin_details.csv", n=100)
    pipeline.run_all(warehouse, referral_settings, "good")
    before = checksum(warehouse)
    strict = tmp_path / "strict_expectations"
    (strict / "marts").mkdir(parents=True)
    (strict / "marts" / "fct_scorecard.json").write_text(
        '{"name": "strict", "expectations": [{"type": "expect_table_row_count_to_be_between", '
        '"kwargs": {"min_value": 100000}, "severity": "critical", "meta": {"code": "TOO_FEW"}}]}')
    strict_settings = dataclasses.replace(referral_settings, expectations_dir=strict)
    schema = pipeline.build(warehouse, strict_settings, "strict")
    with pytest.raises(pipeline.GateFailed, match="TOO_FEW"):
        pipeline.gate_marts(warehouse, strict_settings, "strict", schema)
    assert checksum(warehouse) == before
    assert not query(warehouse, "select 1 from pg_namespace where nspname = %s", (schema,))


def _copy_build(wh, n: int) -> str:
    """A build schema holding a copy of the published scorecard with its values shifted by ``n``."""
    schema = publish.build_schema_name(f"copy{n}")
    ident = sql.Identifier(schema)
    with wh.connect() as conn:
        conn.execute(sql.SQL("create schema {}").format(ident))
        conn.execute(sql.SQL("create table {}.fct_scorecard as select * from marts.fct_scorecard").format(ident))
        conn.execute(sql.SQL("update {}.fct_scorecard set numerator = numerator + %s").format(ident), (n,))
    return schema


def test_readers_never_see_marts_missing_or_half_built_during_publishes(warehouse, referral_settings):
    write_referrals(referral_settings.landing_dir / "895" / "cin_details.csv", n=200)
    pipeline.run_all(warehouse, referral_settings, "base")
    expected_rows = query(warehouse, "select count(*) from marts.fct_scorecard")[0][0]
    builds = [_copy_build(warehouse, n) for n in range(1, 11)]
    errors: list[str] = []
    counts: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        with psycopg.connect(warehouse.libpq_url, autocommit=True) as conn:
            while not stop.is_set():
                try:
                    counts.append(conn.execute("select count(*) from marts.fct_scorecard").fetchone()[0])
                except psycopg.Error as exc:
                    errors.append(str(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n, schema in enumerate(builds, start=1):
            publish.publish(warehouse, schema, f"copy{n}")
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert len(counts) > 10 and set(counts) == {expected_rows}
    assert query(warehouse, "select count(*) from audit.publications where status = 'current'")[0][0] == 1


def test_rollback_restores_the_previous_publication_exactly(warehouse, referral_settings):
    write_referrals(referral_settings.landing_dir / "895" / "cin_details.csv", n=150)
    pipeline.run_all(warehouse, referral_settings, "base")
    original = checksum(warehouse)
    publish.publish(warehouse, _copy_build(warehouse, 5), "changed")
    assert checksum(warehouse) != original
    publish.rollback(warehouse)
    assert checksum(warehouse) == original
    statuses = query(warehouse, "select run_id, status from audit.publications order by publication_id")
    assert statuses == [("base", "current"), ("changed", "rolled_back")]


def test_clean_up_keeps_the_newest_archives(warehouse, referral_settings):
    write_referrals(referral_settings.landing_dir / "895" / "cin_details.csv", n=50)
    pipeline.run_all(warehouse, referral_settings, "base")
    for n in range(1, 6):
        publish.publish(warehouse, _copy_build(warehouse, n), f"p{n}")
    dropped = publish.clean_up(warehouse, keep=2)
    assert len(dropped) == 3
    archives = query(warehouse, "select count(*) from pg_namespace where nspname like 'marts\\_pub\\_%%'")
    assert archives[0][0] == 2



def test_bi_reader_is_not_granted_the_record_level_members_table(warehouse):
    schema = publish.build_schema_name("grants")
    ident = sql.Identifier(schema)
    with warehouse.connect() as conn:
        conn.execute(sql.SQL("create schema {}").format(ident))
        conn.execute(sql.SQL("create table {}.fct_scorecard (value numeric)").format(ident))
        conn.execute(sql.SQL("create table {}.fct_social_care_measure_members (child_key text)").format(ident))
    publish.publish(warehouse, schema, "grants")
    privileges = query(warehouse, "select has_table_privilege('bi_reader', 'marts.fct_scorecard', 'select'), "
                                  "has_table_privilege('bi_reader', 'marts.fct_social_care_measure_members', 'select')")
    assert privileges == [(True, False)]

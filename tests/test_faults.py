"""Faults mid-run: after each, the published scorecard is the last good one, a re-run completes, and nothing is
duplicated or lost (row counts and checksums against a clean run)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from scorecard import pipeline
from scorecard.dbt import DbtError
from scorecard.embedded import EmbeddedPostgres
from scorecard.warehouse import Warehouse, bootstrap
from tests.referrals_fixture import write_referrals

pytestmark = pytest.mark.slow
SCORECARD = str(Path(sys.executable).parent / "scorecard")


def fingerprint(wh: Warehouse) -> dict[str, tuple[int, str]]:
    """Row count and checksum of every table in staging and marts, and the count of current batches."""
    out: dict[str, tuple[int, str]] = {}
    with wh.connect() as conn:
        # Tables as readers see them: a partitioned staging table, not its partitions (named by batch).
        tables = conn.execute("select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = "
                              "c.relnamespace where n.nspname in ('staging', 'marts') and c.relkind in ('r', 'p') "
                              "and not c.relispartition order by 1, 2").fetchall()
        for schema, table in tables:
            ident = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            count, digest = conn.execute(sql.SQL(
                "select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {} t").format(
                ident)).fetchone()
            out[f"{schema}.{table}"] = (count, digest)
        out["current batches"] = (conn.execute(
            "select count(*) from audit.load_batches where status = 'loaded'").fetchone()[0], "")
    return out


def staging_fingerprint(wh: Warehouse) -> dict[str, tuple[int, str]]:
    """The same without the batch ids (which a re-run legitimately changes)."""
    out: dict[str, tuple[int, str]] = {}
    with wh.connect() as conn:
        for (table,) in conn.execute("select c.relname from pg_class c join pg_namespace n on n.oid = "
                                     "c.relnamespace where n.nspname = 'staging' and c.relkind in ('r', 'p') "
                                     "and not c.relispartition order by 1").fetchall():
            columns = [r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'staging' and "
                "table_name = %s and column_name <> '_batch_id' order by ordinal_position", (table,)).fetchall()]
            cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            out[table] = conn.execute(sql.SQL(
                "select count(*), md5(coalesce(string_agg(r::text, '|' order by r::text), '')) "
                "from (select {} from staging.{}) r").format(cols, sql.Identifier(table))).fetchone()
    return out


def cli_env(wh: Warehouse, settings, **extra: str) -> dict[str, str]:
    return {**os.environ, "WAREHOUSE_URL": wh.url, "SCORECARD_LANDING_DIR": str(settings.landing_dir),
            "SCORECARD_REPORTS_DIR": str(settings.reports_dir), "SCORECARD_EMBEDDED_DIR": str(settings.embedded_dir),
            **extra}


def big_referrals(settings, n: int = 200_000) -> None:
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=n, days=700)


def test_loader_killed_mid_copy_leaves_nothing_behind_and_a_rerun_completes(warehouse, settings):
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=300)
    pipeline.run_all(warehouse, settings, "good")
    before = fingerprint(warehouse)
    big_referrals(settings)
    proc = subprocess.Popen([SCORECARD, "load"], env=cli_env(warehouse, settings),  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    with psycopg.connect(warehouse.libpq_url, autocommit=True) as watcher:
        while time.monotonic() < deadline:  # wait until the COPY is running, then kill the loader outright
            if watcher.execute("select 1 from pg_stat_activity where query ilike 'copy raw.%%'").fetchone():
                break
            time.sleep(0.05)
        else:
            proc.kill()
            pytest.fail("the loader never reached its COPY")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)
    assert fingerprint(warehouse) == before, "a killed load changed staging or marts"
    summary = pipeline.load(warehouse, settings, "rerun")
    assert summary.rows == 200_000
    with warehouse.connect() as conn:
        statuses = dict(conn.execute("select status, count(*) from audit.load_batches group by 1").fetchall())
        leftovers = conn.execute("select count(*) from pg_tables where schemaname = 'load'").fetchone()[0]
    assert statuses.get("loading", 0) == 0 and statuses.get("staged", 0) == 0
    assert leftovers == 0
    assert fingerprint(warehouse)["staging.cin_details"][0] == 200_000


def test_a_failing_dbt_model_publishes_nothing(warehouse, settings, tmp_path):
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=200)
    pipeline.run_all(warehouse, settings, "good")
    before = fingerprint(warehouse)
    broken = tmp_path / "dbt_project"
    shutil.copytree(settings.dbt_project_dir, broken, ignore=shutil.ignore_patterns("target", "logs"))
    (broken / "models" / "marts" / "broken_model.sql").write_text("select 1 / 0 as boom\n")
    broken_settings = dataclasses.replace(settings, dbt_project_dir=broken)
    with pytest.raises(DbtError, match="broken_model"):
        pipeline.run_all(warehouse, broken_settings, "broken")
    assert fingerprint(warehouse) == before
    with warehouse.connect() as conn:
        assert not conn.execute("select 1 from pg_namespace where nspname like 'marts_build_broken%%'").fetchone()
    pipeline.run_all(warehouse, settings, "again")
    assert fingerprint(warehouse)["marts.fct_scorecard"] == before["marts.fct_scorecard"]


def test_two_pipeline_runs_at_once_neither_duplicates_nor_loses(warehouse, settings):
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=500)
    env = cli_env(warehouse, settings)
    runs = [subprocess.Popen([SCORECARD, "run"], env=env, stdout=subprocess.PIPE,  # noqa: S603
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    reference = staging_fingerprint(warehouse)
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from staging.cin_details").fetchone()[0] == 500
        loaded = conn.execute("select table_name, count(*) from audit.load_batches where status = 'loaded' "
                              "group by 1 having count(*) > 1").fetchall()
        assert loaded == []
        assert conn.execute("select count(*) from audit.publications where status = 'current'").fetchone()[0] == 1
    # The same data loaded once, alone, gives the same staging.
    with scratch_warehouse(warehouse, "single") as single:
        pipeline.load(single, dataclasses.replace(settings, warehouse_url=single.url), "single")
        assert staging_fingerprint(single)["cin_details"] == reference["cin_details"]


@contextlib.contextmanager
def scratch_warehouse(beside: Warehouse, name: str):
    """A second, bootstrapped warehouse on the server of ``beside``, dropped afterwards."""
    database = f"scorecard_test_{name}"
    admin_url = beside.libpq_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(database)))
    wh = Warehouse(beside.url.rsplit("/", 1)[0] + "/" + database)
    try:
        bootstrap(wh)
        yield wh
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database)))


def test_councils_staged_two_at_a_time_load_as_they_do_one_at_a_time(warehouse, settings):
    """``load_workers = 2`` stages two councils at once, each worker on its own connection and starting at a
    different file: the same councils are loaded and rejected, and staging holds the same rows, as with one."""
    for seed, la in enumerate(("895", "896", "897", "898", "899")):
        write_referrals(settings.landing_dir / la / "cin_details.csv", n=300, seed=seed)
    with (settings.landing_dir / "897" / "cin_details.csv").open("a") as bad:
        bad.write("999999,C999,2018-13-45,1A,N1,,,,0\n")

    def load(wh: Warehouse, workers: int) -> tuple:
        with pytest.raises(pipeline.LoadRejected) as rejected:
            pipeline.load(wh, dataclasses.replace(settings, warehouse_url=wh.url, load_workers=workers), "run")
        summary = rejected.value.summary
        with wh.connect() as conn:
            leftovers = conn.execute("select count(*) from pg_tables where schemaname = 'load'").fetchone()[0]
            counts = dict(conn.execute("select la_code, count(*) from staging.cin_details group by 1").fetchall())
        return (summary.rejected, [b.la_code for b in summary.loaded], leftovers, counts, staging_fingerprint(wh))

    two = load(warehouse, 2)
    assert list(two[0]) == ["897"] and "2018-13-45" in two[0]["897"]
    assert two[1] == sorted(two[1])  # promoted in council order, whichever worker staged them
    assert two[2] == 0
    assert two[3] == {"895": 300, "896": 300, "898": 300, "899": 300}
    with scratch_warehouse(warehouse, "one_worker") as single:
        assert load(single, 1) == two



@pytest.fixture()
def embedded(tmp_path):
    server = EmbeddedPostgres(tmp_path / "warehouse")
    server.start()
    yield server
    server.stop()


def _kill_postmaster(server: EmbeddedPostgres) -> None:
    pid = int((server.data_dir / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    # Orphaned backends end once they notice the postmaster is gone; give them a moment.
    time.sleep(1.0)


def test_embedded_postgres_starts_after_a_crash_that_left_a_busy_backend_behind(embedded):
    """A backend deep in a query outlives its killed postmaster and holds the old shared memory; start() must
    still bring the cluster back (it waits for such orphans, then stops them) rather than fail."""
    import threading

    embedded.orphan_grace_seconds = 2.0
    busy = psycopg.connect(embedded.url, autocommit=True)
    worker = threading.Thread(
        target=lambda: _ignore_errors(busy.execute, "select count(*) from generate_series(1, 2000000000)"),
        daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    with psycopg.connect(embedded.url, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            if watcher.execute("select 1 from pg_stat_activity where query like '%%generate_series(1, 2000000000)%%'"
                               " and pid <> pg_backend_pid()").fetchone():
                break
            time.sleep(0.05)
    _kill_postmaster(embedded)
    assert embedded._orphans(), "the busy backend should have outlived its postmaster"
    assert embedded.start() is True
    with psycopg.connect(embedded.url, autocommit=True) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    worker.join(timeout=30)


def _ignore_errors(fn, *args) -> None:
    with contextlib.suppress(psycopg.Error):  # the busy query ends with its server: that is the point
        fn(*args)


def test_embedded_postgres_killed_mid_load_recovers_and_a_rerun_completes(embedded, settings):
    wh = Warehouse(embedded.url, embedded=True)
    bootstrap(wh)
    run_settings = dataclasses.replace(settings, warehouse_url=wh.url)
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=300)
    pipeline.run_all(wh, run_settings, "good")
    before = fingerprint(wh)
    big_referrals(settings)
    proc = subprocess.Popen([SCORECARD, "load"], env=cli_env(wh, run_settings),  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    with psycopg.connect(wh.libpq_url, autocommit=True) as watcher:
        while time.monotonic() < deadline and proc.poll() is None:  # kill the server while the COPY is running
            if watcher.execute("select 1 from pg_stat_activity where query ilike 'copy raw.%%'").fetchone():
                break
            time.sleep(0.02)
    assert proc.poll() is None, "the load ended before the server could be killed mid-COPY"
    _kill_postmaster(embedded)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    embedded.start()  # crash recovery
    assert fingerprint(wh) == before
    summary = pipeline.load(wh, run_settings, "rerun")
    assert summary.rows == 200_000


def test_postgres_stopped_mid_build_and_restarted(embedded, settings):
    wh = Warehouse(embedded.url, embedded=True)
    bootstrap(wh)
    run_settings = dataclasses.replace(settings, warehouse_url=wh.url)
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=300)
    pipeline.run_all(wh, run_settings, "good")
    before = fingerprint(wh)
    write_referrals(settings.landing_dir / "895" / "cin_details.csv", n=350, seed=99)
    pipeline.load(wh, run_settings, "newer")
    proc = subprocess.Popen([SCORECARD, "build"], env=cli_env(wh, run_settings),  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    with psycopg.connect(wh.libpq_url, autocommit=True) as watcher:
        while time.monotonic() < deadline and proc.poll() is None:
            # dbt's own connections: the build is under way
            if watcher.execute("select 1 from pg_stat_activity where application_name = 'dbt'").fetchone():
                break
            time.sleep(0.05)
    embedded.stop()
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0, output
    embedded.start()
    after = fingerprint(wh)
    assert after["marts.fct_scorecard"] == before["marts.fct_scorecard"], "a broken build changed marts"
    pipeline.run_all(wh, run_settings, "rebuilt")
    with wh.connect() as conn:
        assert conn.execute("select count(*) from audit.publications where status = 'current'").fetchone()[0] == 1
        assert conn.execute("select count(*) from staging.cin_details").fetchone()[0] == 350
    assert fingerprint(wh)["marts.fct_scorecard"] != before["marts.fct_scorecard"]


"""The same DAGs under the CeleryExecutor: a Postgres metadata DB, Redis as the broker and two Celery workers.

    .venv/bin/python scripts/celery_demo.py [--flow end-to-end|assets] [--broker URL] [--timeout 900] [--keep]

What it does, all on this machine, and what it undoes at the end whatever happens (success, failure, timeout,
Ctrl-C):

1. creates two databases on the Postgres server (``--postgres``, default 127.0.0.1:5432): Airflow's metadata DB
   (SQLite cannot be shared between processes on several machines) and a warehouse for the run;
2. writes a small council's synthetic extracts (``scorecard generate``), unless ``--landing`` names a folder;
3. migrates the metadata DB and starts the api-server (workers report to its execution API), the scheduler, the
   DAG processor and two Celery workers (``worker1@``, ``worker2@``) that read one queue on the broker (``--broker``,
   default Redis on 127.0.0.1:6379), a queue named for this run so no other worker on the broker takes its tasks;
4. runs a flow (``--flow``; every other DAG stays paused) and waits for it, at most ``--timeout`` seconds:
   ``end-to-end`` (default) triggers ``scorecard_end_to_end``; ``assets`` unpauses ``load_social_care`` and
   ``scorecard``, so the scheduler runs the latest scheduled social care load and its Asset update starts the
   scorecard DAG; then prints each task's state, which worker ran it and for how long, and the audit trail;
5. stops everything it started and drops the databases (``--keep`` keeps them and the temporary folder).

Exit status 0 if the run succeeded. Secrets: none; the pseudonymisation key is random per run unless
SCORECARD_PSEUDONYMISATION_KEY is set.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = ("worker1", "worker2")
FLOWS = {"end-to-end": ("scorecard_end_to_end",), "assets": ("load_social_care", "scorecard")}


@dataclass
class Demo:
    postgres: str
    broker: str
    flow: str
    timeout: float
    landing: Path | None
    keep: bool
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)
    home: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="scorecard-celery-")))

    @property
    def meta_db(self) -> str:
        return f"scorecard_celery_meta_{self.tag}"

    @property
    def warehouse_db(self) -> str:
        return f"scorecard_celery_wh_{self.tag}"

    @property
    def queue(self) -> str:
        return f"scorecard_demo_{self.tag}"

    def url(self, dbname: str, driver: str = "postgresql") -> str:
        parsed = urlparse(self.postgres)
        return parsed._replace(scheme=driver, path=f"/{dbname}").geturl()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def environment(demo: Demo, api_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    env.update({
        "AIRFLOW_HOME": str(demo.home / "airflow"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": demo.url(demo.meta_db, "postgresql+psycopg2"),
        # Airflow's async engine would default to asyncpg (not installed); psycopg 3 does async as well.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": demo.url(demo.meta_db, "postgresql+psycopg_async"),
        "AIRFLOW__CELERY__BROKER_URL": demo.broker,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + demo.url(demo.meta_db),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": demo.queue,
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",  # only the demo's DAG is unpaused
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "XDG_RUNTIME_DIR": str(demo.home),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "WAREHOUSE_URL": demo.url(demo.warehouse_db),
        "SCORECARD_LANDING_DIR": str(demo.landing or demo.home / "landing"),
        "SCORECARD_REPORTS_DIR": str(demo.home / "reports"),
        "SCORECARD_EMBEDDED_DIR": str(demo.home / "embedded"),
    })
    env.setdefault("SCORECARD_PSEUDONYMISATION_KEY", secrets.token_hex(32))
    return env


def run(command: list[str], env: dict[str, str], timeout: float) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return result.stdout


def start(demo: Demo, name: str, command: list[str], env: dict[str, str]) -> None:
    path = demo.home / f"{name}.log"
    handle = path.open("w")
    demo.logs[name] = path
    demo.processes[name] = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,  # noqa: S603
                                            cwd=ROOT, start_new_session=True)
    log(f"started {name} (pid {demo.processes[name].pid}), log {path}")


def stop_all(demo: Demo) -> None:
    for proc in demo.processes.values():
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 30
    for name, proc in demo.processes.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop in time: killing it")
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
    log(f"stopped {len(demo.processes)} processes")


def wait_for(what: str, check, timeout: float, demo: Demo) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [n for n, p in demo.processes.items() if p.poll() is not None]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} exited while waiting for {what}; see {demo.logs[dead[0]]}")
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(2)
    raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f}s")


def api_healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5) as response:  # noqa: S310
        return response.status == 200


def meta(demo: Demo, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(demo.url(demo.meta_db), connect_timeout=10) as conn:
        return conn.execute(query, params).fetchall()


def workers_of(demo: Demo) -> dict[tuple[str, str], str]:
    """(dag_id, task_id) -> the worker whose log says it executed that task."""
    ran: dict[tuple[str, str], str] = {}
    for worker in WORKERS:
        text = demo.logs[worker].read_text(errors="replace")
        for match in re.finditer(r"Executing workload in Celery: .*?task_id='([^']+)', dag_id='([^']+)'", text):
            ran[(match.group(2), match.group(1))] = worker
    return ran


def demo_run(demo: Demo) -> int:
    if not reachable(demo.postgres, 5432):
        raise RuntimeError(f"Postgres is not reachable at {demo.postgres}")
    if not reachable(demo.broker, 6379 if demo.broker.startswith("redis") else 5672):
        raise RuntimeError(f"The broker is not reachable at {demo.broker}")
    with psycopg.connect(demo.postgres, autocommit=True, connect_timeout=10) as admin:
        for name in (demo.meta_db, demo.warehouse_db):
            admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
            demo.databases.append(name)
    log(f"created databases {demo.meta_db} (Airflow metadata) and {demo.warehouse_db} (warehouse)")
    api_port = free_port()
    env = environment(demo, api_port)
    if demo.landing is None:
        log("generating a small council's extracts (scorecard generate --scale 0.05 --years 2)")
        run([str(BIN / "scorecard"), "generate", "--scale", "0.05", "--years", "2", "--first-year", "2018"], env, 600)
    log("airflow db migrate (Postgres)")
    run([str(BIN / "airflow"), "db", "migrate"], env, 600)

    started = time.monotonic()
    airflow = str(BIN / "airflow")
    start(demo, "api-server", [airflow, "api-server", "--port", str(api_port)], env)
    start(demo, "scheduler", [airflow, "scheduler"], env)
    start(demo, "dag-processor", [airflow, "dag-processor"], env)
    for worker in WORKERS:
        worker_env = {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
        start(demo, worker, [airflow, "celery", "worker", "--queues", demo.queue, "--concurrency", "1",
                             "--celery-hostname", f"{worker}@%h", "--without-mingle", "--without-gossip"],
              worker_env)
    wait_for("the api-server", lambda: api_healthy(api_port), 240, demo)
    dags = FLOWS[demo.flow]
    wait_for(f"{', '.join(dags)} to be parsed", lambda: len(meta(
        demo, "select dag_id from serialized_dag where dag_id = any(%s)", (list(dags),))) == len(dags), 240, demo)
    wait_for("both Celery workers", lambda: all(
        "ready." in demo.logs[w].read_text(errors="replace") for w in WORKERS), 240, demo)
    log(f"all components up after {time.monotonic() - started:.0f}s")

    begun = time.monotonic()
    deadline = begun + demo.timeout
    if demo.flow == "end-to-end":
        run([airflow, "dags", "unpause", "scorecard_end_to_end"], env, 120)
        run_id = f"celery_demo__{demo.tag}"
        run([airflow, "dags", "trigger", "scorecard_end_to_end", "--run-id", run_id], env, 120)
        log(f"triggered scorecard_end_to_end, run {run_id}")
        runs = [wait_run(demo, "scorecard_end_to_end", deadline, run_id)]
    else:
        # The scheduler starts the latest scheduled social care load; its Asset event starts the scorecard DAG.
        for dag_id in dags:
            run([airflow, "dags", "unpause", dag_id], env, 120)
        log(f"unpaused {', '.join(dags)}: waiting for the scheduled load and the Asset-triggered scorecard")
        runs = [wait_run(demo, dags[0], deadline)]
        runs.append(wait_run(demo, dags[1], deadline) if runs[0][2] == "success" else runs[0])
    log(f"finished in {time.monotonic() - begun:.0f}s: " + ", ".join(f"{d} {state}" for d, _, state in runs))
    report(demo, runs)
    return 0 if all(state == "success" for _, _, state in runs) else 1


def wait_run(demo: Demo, dag_id: str, deadline: float, run_id: str | None = None) -> tuple[str, str, str]:
    """Wait for ``run_id`` of ``dag_id`` (default: its first run) to finish; returns (dag_id, run_id, state)."""
    state = "none"
    while time.monotonic() < deadline:
        rows = meta(demo, "select run_id, state from dag_run where dag_id = %s and (%s::text is null or run_id = %s) "
                          "order by id limit 1", (dag_id, run_id, run_id))
        if rows:
            run_id, state = rows[0]
            if state in {"success", "failed"}:
                log(f"{dag_id} run {run_id}: {state}")
                return dag_id, run_id, state
        dead = [n for n, p in demo.processes.items() if p.poll() is not None]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} exited during the run; see {demo.logs[dead[0]]}")
        time.sleep(3)
    log(f"timed out after {demo.timeout:.0f}s waiting for {dag_id} (state {state})")
    return dag_id, run_id or "-", "timed out"


def report(demo: Demo, runs: list[tuple[str, str, str]]) -> None:
    ran = workers_of(demo)
    print(f"\n{'dag':<22} {'task':<18} {'state':<16} {'try':>3}  {'worker':<8} {'host':<10} {'seconds':>7}  celery id")
    for dag_id, run_id, _ in runs:
        for task_id, state, tries, host, celery_id, seconds in meta(
                demo, "select task_id, state, try_number, hostname, external_executor_id, "
                      "extract(epoch from end_date - start_date) from task_instance where dag_id = %s and run_id = %s "
                      "order by start_date nulls last", (dag_id, run_id)):
            print(f"{dag_id:<22} {task_id:<18} {state or '-':<16} {tries:>3}  {ran.get((dag_id, task_id), '-'):<8} "
                  f"{host or '-':<10} {float(seconds or 0):>7.1f}  {celery_id or '-'}")
    print(f"\nworkers used: {', '.join(sorted(set(ran.values()))) or 'none'}; broker {demo.broker}; "
          f"queue {demo.queue}")
    if all(state == "success" for _, _, state in runs):
        with psycopg.connect(demo.url(demo.warehouse_db), connect_timeout=10) as conn:
            rows = conn.execute("select count(*) from marts.fct_scorecard").fetchone()[0]
            publication = conn.execute("select publication_id, run_id from audit.publications "
                                       "where status = 'current'").fetchone()
            events = conn.execute("select dag_id, event, detail from audit.pipeline_events "
                                  "order by event_id").fetchall()
        print(f"published: marts.fct_scorecard has {rows} rows (publication {publication[0]}, run {publication[1]})")
        for dag_id, event, detail in events:
            print(f"audit.pipeline_events: {dag_id} {event} {_brief(detail)}")


def _brief(detail: str | None) -> str:
    """An audit detail with long lists (batch ids) shortened to their length."""
    def shorten(value):
        if isinstance(value, list):
            return [shorten(v) for v in value] if len(value) <= 3 else f"<{len(value)} items>"
        if isinstance(value, dict):
            return {k: shorten(v) for k, v in value.items()}
        return value

    try:
        return json.dumps(shorten(json.loads(detail or "null")))
    except ValueError:
        return detail or ""


def clean_up(demo: Demo) -> None:
    stop_all(demo)
    if demo.keep:
        log(f"kept databases {', '.join(demo.databases)} and {demo.home}")
        return
    try:
        with psycopg.connect(demo.postgres, autocommit=True, connect_timeout=10) as admin:
            for name in demo.databases:
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        log(f"dropped databases {', '.join(demo.databases) or '(none)'}")
    except psycopg.Error as exc:
        log(f"could not drop {', '.join(demo.databases)}: {exc}")
    _drop_queue(demo)
    shutil.rmtree(demo.home, ignore_errors=True)


def _drop_queue(demo: Demo) -> None:
    """Remove this run's queue (and on Redis its bindings: no other key has this run's queue name in it)."""
    if demo.broker.startswith("amqp"):
        try:
            import kombu

            with kombu.Connection(demo.broker, connect_timeout=5) as conn:
                kombu.Queue(demo.queue).bind(conn.default_channel).delete()
        except Exception as exc:
            log(f"could not tidy the broker: {exc}")
        return
    try:
        import redis

        client = redis.Redis.from_url(demo.broker, socket_timeout=5)
        keys = list(client.scan_iter(match=f"*{demo.queue}*"))  # the queue and its bindings; the name is this run's
        if keys:
            client.delete(*keys)
    except Exception as exc:  # the demo's result does not depend on this
        log(f"could not tidy the broker: {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("CELERY_DEMO_POSTGRES",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a Postgres server URL to create the demo's databases on")
    parser.add_argument("--broker", default=os.environ.get("CELERY_DEMO_BROKER", "redis://127.0.0.1:6379/0"),
                        help="the Celery broker (redis://... or amqp://...)")
    parser.add_argument("--flow", choices=sorted(FLOWS), default="end-to-end",
                        help="end-to-end: trigger scorecard_end_to_end; assets: let the scheduler run the social "
                             "care load, whose Asset update starts the scorecard DAG")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the run to finish")
    parser.add_argument("--landing", type=Path, help="a landing folder with extracts (default: generate some)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the temporary folder")
    args = parser.parse_args(argv)
    demo = Demo(args.postgres, args.broker, args.flow, args.timeout, args.landing, args.keep)

    def _terminate(signum, frame):  # Ctrl-C is KeyboardInterrupt; a kill should clean up too
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    try:
        return demo_run(demo)
    except Exception as exc:
        log(f"FAILED: {exc}")
        for name, path in demo.logs.items():
            tail = path.read_text(errors="replace").splitlines()[-5:] if path.exists() else []
            print(f"--- last lines of {name} ---\n" + "\n".join(tail))
        return 1
    finally:
        clean_up(demo)
        log(f"done in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    sys.exit(main())

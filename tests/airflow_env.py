"""Running Airflow for real in tests: a migrated SQLite metadata DB in a temporary AIRFLOW_HOME.

``airflow db migrate`` runs once per test session (into a template home); each test copies the migrated database
into its own AIRFLOW_HOME, so every test starts from an empty, migrated metadata DB without paying for the migration.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from scorecard.settings import PROJECT_ROOT

AIRFLOW = str(Path(sys.executable).parent / "airflow")
_TEMPLATE_HOME: Path | None = None


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow command with its own home; ``extra`` overrides (e.g. WAREHOUSE_URL). The
    warehouse is never inherited from the caller's environment."""
    env = {key: value for key, value in os.environ.items()
           if key != "WAREHOUSE_URL" and not key.startswith(("AIRFLOW_CONN_", "AIRFLOW__", "SCORECARD_ALERT"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "XDG_RUNTIME_DIR": str(home),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    })
    env.update(extra)
    home.mkdir(parents=True, exist_ok=True)
    return env


def migrate(env: dict[str, str]) -> None:
    """Give ``env``'s AIRFLOW_HOME a migrated metadata DB (a copy of the session's template)."""
    global _TEMPLATE_HOME
    if _TEMPLATE_HOME is None:
        template = Path(tempfile.mkdtemp(prefix="scorecard-airflow-template-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        template_env = {**env, "AIRFLOW_HOME": str(template), "XDG_RUNTIME_DIR": str(template)}
        result = subprocess.run([AIRFLOW, "db", "migrate"], env=template_env, capture_output=True,  # noqa: S603
                                text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        _TEMPLATE_HOME = template
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(_TEMPLATE_HOME / "airflow.db", home / "airflow.db")


def dags_test(env: dict[str, str], dag_id: str, *args: str, conf: dict | None = None,
              logical_date: str | None = None, timeout: int = 900) -> tuple[str, str]:
    """Run ``airflow dags test``; returns (final dag-run state, full output)."""
    command = [AIRFLOW, "dags", "test", dag_id]
    if logical_date:
        command.append(logical_date)
    if conf is not None:
        command += ["--conf", json.dumps(conf)]
    result = subprocess.run([*command, *args], env=env, capture_output=True, text=True,  # noqa: S603
                            timeout=timeout)
    output = result.stdout + result.stderr
    state = "unknown"
    for line in output.splitlines():
        if "DagRun Finished" in line and "state=" in line:
            state = line.split("state=", 1)[1].split(",", 1)[0].strip()
    return state, output


_RUN_MANY = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import timezone

bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
for run in json.loads(sys.argv[2]):
    logical_date = timezone.parse(run["logical_date"]) if run.get("logical_date") else timezone.utcnow()
    dag_run = bag.get_dag(run["dag_id"]).test(logical_date=logical_date, run_conf=run.get("conf"))
    print("RUN-RESULT " + json.dumps({"dag_id": run["dag_id"], "state": str(dag_run.state)}), flush=True)
"""


def dags_test_many(env: dict[str, str], runs: list[dict], timeout: int = 1800) -> tuple[list[str], str]:
    """Several ``dags test`` runs, one after the other, in one Airflow process (Airflow starts once; a run's
    tasks still run exactly as ``airflow dags test`` runs them). ``runs``: dicts with ``dag_id`` and optionally
    ``logical_date`` and ``conf``. Returns (final state of each run, full output)."""
    result = subprocess.run([sys.executable, "-c", _RUN_MANY, env["AIRFLOW__CORE__DAGS_FOLDER"],  # noqa: S603
                             json.dumps(runs)], env=env, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    states = [json.loads(line.removeprefix("RUN-RESULT "))["state"].rsplit(".", 1)[-1].lower()
              for line in result.stdout.splitlines() if line.startswith("RUN-RESULT ")]
    return states + ["unknown"] * (len(runs) - len(states)), output


def _metadata(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db")


def task_states(env: dict[str, str], dag_id: str) -> dict[str, tuple[str | None, int]]:
    """The latest run of ``dag_id``: task id (``task[map_index]`` when mapped) -> (state, try_number)."""
    with _metadata(env) as db:
        run = db.execute("select run_id from dag_run where dag_id = ? order by id desc limit 1", (dag_id,)).fetchone()
        assert run, f"no run of {dag_id}"
        rows = db.execute("select task_id, map_index, state, try_number from task_instance "
                          "where dag_id = ? and run_id = ?", (dag_id, run[0])).fetchall()
    return {(task if index < 0 else f"{task}[{index}]"): (state, tries) for task, index, state, tries in rows}


def asset_events(env: dict[str, str]) -> list[tuple[str, str, dict]]:
    """Every asset event recorded: (asset uri, source dag id, extra)."""
    with _metadata(env) as db:
        rows = db.execute("select a.uri, e.source_dag_id, e.extra from asset_event e join asset a on a.id = e.asset_id "
                          "order by e.id").fetchall()
    return [(uri, dag, json.loads(extra) if extra else {}) for uri, dag, extra in rows]


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1 that keeps every message it is sent (for the alert tests).

    ``with SmtpSink() as sink:`` then ``sink.connection_env()`` gives AIRFLOW_CONN_SMTP_DEFAULT for it.
    """

    def __init__(self) -> None:
        import socketserver
        import threading

        self.messages: list[dict[str, object]] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                message: dict[str, object] = {"to": []}
                self.wfile.write(b"220 sink ready\r\n")
                while line := self.rfile.readline():
                    command = line.decode("utf-8", "replace").strip()
                    verb = command.split(" ", 1)[0].upper()
                    if verb in {"EHLO", "HELO"}:
                        self.wfile.write(b"250 sink\r\n")
                    elif verb == "MAIL":
                        message["from"] = command.split(":", 1)[1].strip(" <>")
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "RCPT":
                        message["to"].append(command.split(":", 1)[1].strip(" <>"))  # type: ignore[union-attr]
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "DATA":
                        self.wfile.write(b"354 go ahead\r\n")
                        body = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            body.append(data.decode("utf-8", "replace"))
                        message["data"] = "".join(body)
                        message["text"] = _readable(message["data"])  # type: ignore[arg-type]
                        sink.messages.append(message)
                        message = {"to": []}
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def connection_env(self) -> dict[str, str]:
        conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": self.port,
                "extra": {"disable_tls": True, "disable_ssl": True, "from_email": "scorecard-alerts@example.org",
                          "retry_limit": 0, "timeout": 10}}
        return {"AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(conn)}


def _readable(data: str) -> str:
    """The subject and the decoded text of every part of a MIME message."""
    import email

    parsed = email.message_from_string(data)
    parts = [str(parsed.get("Subject", ""))]
    for part in parsed.walk():
        payload = part.get_payload(decode=True)
        if payload:
            parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)

"""Running dbt against the warehouse.

dbt runs as a subprocess (the ``dbt`` beside the project's interpreter), so a failing model cannot
leave state behind in the caller, and its output streams to the caller's log as it goes (progress for long builds).
Connection settings go to dbt through the environment; the profile in ``dbt_project/profiles.yml`` reads them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from scorecard.warehouse import SESSION_OPTIONS, Warehouse

log = logging.getLogger(__name__)


class DbtError(RuntimeError):
    """dbt reported a failure: a model or a dbt test failed, nothing was published."""


@dataclass(frozen=True)
class DbtRun:
    command: list[str]
    returncode: int
    output: str


def dbt_env(wh: Warehouse) -> dict[str, str]:
    parts = wh.parts
    env = dict(os.environ)
    env.update({
        "SCORECARD_DB_HOST": str(parts["host"]),
        "SCORECARD_DB_PORT": str(parts["port"]),
        "SCORECARD_DB_USER": str(parts["user"]),
        "SCORECARD_DB_PASSWORD": str(parts["password"]),
        "SCORECARD_DB_NAME": str(parts["dbname"]),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        # libpq's session options: the pipeline's (no JIT, see scorecard.warehouse), after any the caller set
        "PGOPTIONS": " ".join(filter(None, [os.environ.get("PGOPTIONS", "").strip(), SESSION_OPTIONS])),
    })
    return env


def target_dir(project_dir: Path, wh: Warehouse, purpose: str = "") -> Path:
    """A target folder per warehouse, so partial parsing is reused and two warehouses never share artefacts; and one
    per ``purpose`` (the docs), since dbt parses the whole project again whenever its vars differ from the last
    parse in the same folder (9 s at every build, before builds had a fixed schema and the docs their own folder)."""
    key = hashlib.sha256(f"{wh.parts['host']}:{wh.parts['port']}/{wh.parts['dbname']}".encode()).hexdigest()[:12]
    return project_dir / "target" / (f"{key}_{purpose}" if purpose else key)


def run_dbt(wh: Warehouse, project_dir: Path, args: list[str], variables: dict[str, str] | None = None,
            check: bool = True, purpose: str = "") -> DbtRun:
    target = target_dir(project_dir, wh, purpose)
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(project_dir),
               "--profiles-dir", str(project_dir), "--target-path", str(target)]
    if variables:
        command += ["--vars", json.dumps(variables)]
    log.info("dbt %s", " ".join(args))
    env = dbt_env(wh)
    env["DBT_LOG_PATH"] = str(target / "logs")
    lines: list[str] = []
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,  # noqa: S603
                          cwd=project_dir) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            log.info("dbt | %s", line.rstrip())
    run = DbtRun(command, proc.returncode, "".join(lines))
    if check and run.returncode != 0:
        failures = [_plain(ln) for ln in lines if any(w in ln for w in ("ERROR", "FAIL", "Error", "error:"))][:15]
        raise DbtError(f"dbt {' '.join(args)} failed (exit {run.returncode}):\n  " + "\n  ".join(failures)
                       + f"\nNext: read {target / 'logs' / 'dbt.log'} for the full log, fix the model or the data, "
                       "and run the build again. Nothing was published.")
    return run


def _plain(line: str) -> str:
    """A dbt output line without its colour codes and timestamp."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m|^\d\d:\d\d:\d\d\s+", "", line.strip())


def build(wh: Warehouse, project_dir: Path, marts_schema: str, la_code: str, select: str | None = None,
          full_refresh: bool = False) -> DbtRun:
    """``dbt build`` (seeds, models and data tests in dependency order) with the marts in ``marts_schema``;
    ``full_refresh`` rebuilds the incremental models (and seeds) from scratch.

    dbt's unit tests are left out: they test the SQL, not the data, so they give the same answer on every build of
    the same code. They run in the test suite instead (``unit_tests``, ``tests/test_dbt_unit_tests.py``)."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    return run_dbt(wh, project_dir, args, {"marts_schema": marts_schema, "la_code": la_code})


UNIT_TEST_VARS = {"marts_schema": "marts_unit_tests", "la_code": "895"}


def prepare_unit_tests(wh: Warehouse, project_dir: Path) -> DbtRun:
    """What dbt's unit tests need in the warehouse: a unit test reads the column types of the relations its fixtures
    stand in for, so every seed is loaded and every model built (no tests), in ``transform`` and a throwaway marts
    schema. Meant for a fresh warehouse whose source tables exist empty (``dbt build --empty`` cannot be used: its
    wrapping of ``ref`` breaks the models that alias a ref); the targets table must exist, as for a build."""
    return run_dbt(wh, project_dir, ["build", "--resource-type", "seed", "--resource-type", "model"], UNIT_TEST_VARS)


def unit_tests(wh: Warehouse, project_dir: Path, select: str = "test_type:unit", prepare: bool = True) -> DbtRun:
    """dbt's unit tests (``dbt test --select test_type:unit``), which ``build`` leaves out; ``prepare`` first
    creates what they read (``prepare_unit_tests``). Raises DbtError if one fails."""
    if prepare:
        prepare_unit_tests(wh, project_dir)
    return run_dbt(wh, project_dir, ["test", "--select", select], UNIT_TEST_VARS)

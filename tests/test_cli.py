"""Every command answers --help, and errors reach the user as one line with what to do next."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCORECARD = str(Path(sys.executable).parent / "scorecard")
COMMANDS = ["generate", "load", "build", "publish", "run", "rollback", "status", "report", "demo"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help(command):
    args = [SCORECARD, "--help"] if command is None else [SCORECARD, command, "--help"]
    result = subprocess.run(args, capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert "usage: scorecard" in result.stdout
    if command is None:
        for name in COMMANDS:
            assert name in result.stdout


def test_an_unreachable_warehouse_is_one_clear_line(tmp_path):
    env = {"WAREHOUSE_URL": "postgresql://postgres@127.0.0.1:1/nowhere", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([SCORECARD, "status"], capture_output=True, text=True, env=env)  # noqa: S603
    assert result.returncode == 1
    assert result.stderr.startswith("error: Cannot connect to the warehouse")
    assert "Next:" in result.stderr and "Traceback" not in result.stderr

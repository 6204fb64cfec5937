"""Quality suites as files under ``expectations/``: loading them, and the severity of each check.

A suite is a GX ExpectationSuite JSON file. Each expectation carries a GX ``severity`` (``critical`` is an error and
blocks publishing, ``warning`` publishes and is reported) and ``meta.code`` (the DfE validation rule's code where it
has one, else a descriptive code). ``expectations/severity_overrides.yml`` changes the severity of a check without
editing its suite::

    staging/cin_details:
      ICPC_AFTER_REFERRAL: error      # error | warning; quote codes that start with a digit ('903_517')

SQL checks (``unexpected_rows_expectation``) may name other tables through placeholders, resolved by the gate:
``{current:<table>}`` (the council's rows of a staging table as they will be once this delivery is promoted),
``{previous:<table>}`` (the council's rows before this delivery) and ``{build:<table>}`` (a table of the same build).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

OVERRIDES_FILE = "severity_overrides.yml"
QUERY_EXPECTATION = "unexpected_rows_expectation"
# Severity as the project speaks it (error | warning) and as GX spells it in a suite.
TO_GX = {"error": "critical", "warning": "warning"}
FROM_GX = {"critical": "error", "warning": "warning", "info": "warning"}
PLACEHOLDER = re.compile(r"\{(current|previous|build):([a-z][a-z0-9_]*)\}")


class SuiteError(ValueError):
    """A suite or the overrides file is malformed."""


def load_suite(expectations_dir: Path, suite: str) -> dict[str, Any]:
    path = expectations_dir / f"{suite}.json"
    if not path.exists():
        raise FileNotFoundError(f"No quality suite {suite} ({path.name}): add expectations/{suite}.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"expectations/{suite}.json is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"expectations/{suite}.json needs an 'expectations' list")
    return data


def load_overrides(expectations_dir: Path) -> dict[str, dict[str, str]]:
    """``suite -> check code -> error|warning`` from ``severity_overrides.yml`` (empty if there is no file)."""
    path = expectations_dir / OVERRIDES_FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SuiteError(f"{OVERRIDES_FILE} must map a suite to its checks' severities")
    overrides: dict[str, dict[str, str]] = {}
    for suite, checks in data.items():
        if not isinstance(checks, dict):
            raise SuiteError(f"{OVERRIDES_FILE}: {suite} must map check codes to error or warning")
        for code, severity in checks.items():
            if not isinstance(code, str):  # YAML reads 903_517 as the number 903517
                raise SuiteError(f"{OVERRIDES_FILE}: {suite}: write check code {code!r} in quotes, e.g. '903_517'")
            if severity not in TO_GX:
                raise SuiteError(f"{OVERRIDES_FILE}: {suite} {code} has severity {severity!r}; "
                                 "expected error or warning")
        overrides[str(suite)] = {str(code): str(sev) for code, sev in checks.items()}
    return overrides


def check_code(expectation: dict[str, Any]) -> str | None:
    return (expectation.get("meta") or {}).get("code")


def severity_of(expectation: dict[str, Any]) -> str:
    """The project's severity (error | warning) of an expectation as written in its suite."""
    return FROM_GX.get(str(expectation.get("severity", "critical")), "error")


def with_overrides(suite: str, expectations: list[dict[str, Any]],
                   overrides: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """The suite's expectations with their severities overridden; an override naming no check is an error."""
    wanted = overrides.get(suite, {})
    codes = {check_code(e) for e in expectations}
    unknown = sorted(set(wanted) - codes)
    if unknown:
        raise SuiteError(f"{OVERRIDES_FILE} overrides {', '.join(unknown)} in {suite}, which has no such check")
    out = []
    for expectation in expectations:
        item = copy.deepcopy(expectation)
        code = check_code(item)
        if code in wanted:
            item.setdefault("meta", {})["severity_in_suite"] = severity_of(expectation)
            item["severity"] = TO_GX[wanted[code]]
        out.append(item)
    return out


def placeholders(expectation: dict[str, Any]) -> list[tuple[str, str]]:
    """The ``(kind, table)`` placeholders an SQL check names."""
    query = (expectation.get("kwargs") or {}).get("unexpected_rows_query")
    return PLACEHOLDER.findall(query) if isinstance(query, str) else []


def columns_named(expectation: dict[str, Any]) -> set[str]:
    """The columns a (non-SQL) expectation's kwargs name."""
    kwargs = expectation.get("kwargs") or {}
    names = {kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)}
    for key in ("column_list", "column_set"):
        if isinstance(kwargs.get(key), list):
            names.update(str(c) for c in kwargs[key])
    return names

"""Configuration that has printed forms is parsed at the door, like any other input.

The catalogue's targets (``dbt_project/seeds/measure_targets.csv``, the text as a scorecard prints it) are parsed
into typed targets and written to ``staging.measure_targets`` in one transaction before every build, so editing a
target and running ``scorecard build`` changes the published rating. A target that does not parse stops the build
with the file, row and text, and the previous targets stay in place.
"""

from __future__ import annotations

import csv
from pathlib import Path

from loaders.errors import ContractViolation, Problem
from scorecard.parsing.targets import Comparator, TargetParseError, parse_target
from scorecard.warehouse import Warehouse

TARGETS_FILE = Path("seeds") / "measure_targets.csv"


def read_targets(path: Path) -> list[tuple]:
    rows: list[tuple] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            text = (record.get("target_text") or "").strip()
            try:
                target = parse_target(text)
                year = int(record["financial_year"])
            except (TargetParseError, ValueError, KeyError) as exc:
                problems.append(Problem(path.name, line, "target_text", "a target in an accepted form", f"{exc}"))
                continue
            if target is None:
                continue
            value = None if target.comparator is Comparator.RANGE else target.value
            rows.append((record["measure_ref"], year, text, target.comparator.value, value, target.lower,
                         target.upper, target.unit.value, target.basis.value, target.due_date,
                         record.get("source") or None))
    if problems:
        raise ContractViolation(problems)
    return rows


def load_targets(wh: Warehouse, dbt_project_dir: Path) -> int:
    path = dbt_project_dir / TARGETS_FILE
    rows = read_targets(path) if path.exists() else []
    with wh.connect() as conn, conn.transaction():
        conn.execute("delete from staging.measure_targets")
        with conn.cursor() as cur:
            cur.executemany(
                "insert into staging.measure_targets (measure_ref, financial_year, target_text, comparator, "
                "target_value, lower_bound, upper_bound, unit, basis, due_date, source) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    return len(rows)

"""Children looked after, as the SSDA903 files the social care generator writes describe them.

The health generator reads the periods of care to give each child entering care an initial health assessment; the
education generator reads them (with the 903 header's UPN and date of birth) to give the children of its school
population who are looked after the same identity and the same spells in care, so the census ``incare`` flag and
a join of the 903 UPNs to the census agree.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

EPISODES_FILE = "903_episodes.csv"
HEADER_FILE = "903_header.csv"
# REC codes of the end of a period, by the adoptedfromcare code of the school census they lead to.
# E11/E12 adoption, E45/E46 special guardianship order, E41/E47/E48 residence or child arrangements order.
ADOPTED_FROM_CARE = {"E11": "A", "E12": "A", "E45": "G", "E46": "G", "E41": "C", "E47": "C", "E48": "C"}


@dataclass
class CarePeriod:
    child: str
    start: date
    end: date | None
    dob: date | None
    reason_ceased: str = ""


@dataclass
class LookedAfterChild:
    child: str
    sex: str
    dob: date
    upn: str
    periods: list[CarePeriod] = field(default_factory=list)


def parse_dmy(value: str | None) -> date | None:
    value = (value or "").strip()
    return datetime.strptime(value, "%d/%m/%Y").date() if value else None


def read_903_periods(la_dir: Path) -> list[CarePeriod] | None:
    """Periods of care from ``903_episodes.csv`` (a period starts at an episode with RNE = S), or None if absent.

    A period ends at the DEC of its last episode, unless that episode ended with REC = X1 (a new episode follows)
    or has no DEC (still looked after). Dates of birth come from ``903_header.csv`` when it is there.
    """
    episodes_path = la_dir / EPISODES_FILE
    if not episodes_path.exists():
        return None
    births = {child.child: child.dob for child in _read_header(la_dir)}
    by_child: dict[str, list[dict[str, str]]] = {}
    with episodes_path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            by_child.setdefault(row["CHILD"], []).append(row)
    periods: list[CarePeriod] = []
    for child, rows in by_child.items():
        rows.sort(key=lambda row: parse_dmy(row["DECOM"]) or date.min)
        current: CarePeriod | None = None
        for row in rows:
            start = parse_dmy(row["DECOM"])
            if start is None:
                continue
            if row.get("RNE", "").strip() == "S" or current is None:
                current = CarePeriod(child, start, None, births.get(child))
                periods.append(current)
            ended = parse_dmy(row.get("DEC"))
            reason = (row.get("REC") or "").strip()
            current.end = ended if ended is not None and reason != "X1" else None
            current.reason_ceased = reason if current.end is not None else ""
    periods.sort(key=lambda period: (period.start, period.child))
    return periods


def _read_header(la_dir: Path) -> list[LookedAfterChild]:
    path = la_dir / HEADER_FILE
    if not path.exists():
        return []
    children: list[LookedAfterChild] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            dob = parse_dmy(row.get("DOB"))
            if dob is not None:
                sex = (row.get("SEX") or "").strip()
                children.append(LookedAfterChild(row["CHILD"], {"1": "M", "2": "F"}.get(sex, sex), dob,
                                                 (row.get("UPN") or "").strip()))
    return children


def read_looked_after_children(la_dir: Path) -> list[LookedAfterChild] | None:
    """The 903 header's children with their periods of care, or None when the 903 files are not there."""
    periods = read_903_periods(la_dir)
    if periods is None or not (la_dir / HEADER_FILE).exists():
        return None
    children = {child.child: child for child in _read_header(la_dir)}
    for period in periods:
        if period.child in children:
            children[period.child].periods.append(period)
    return [child for child in children.values() if child.periods]

"""The annual SSDA903 outcome tables: OC2 (health and offending of children looked after for 12 months) and OC3
(care leavers' contact, activity and accommodation around their 17th to 21st birthdays).

Collection year ``year`` is the financial year ``year`` (1 April ``year`` to 31 March ``year + 1``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from . import _social_care_codes as codes
from ._social_care_extract import dmy
from ._social_care_model import CarePeriod, Child, age_on, birthday

# Ways of leaving care that make a young person a care leaver (not adoption, special guardianship or other orders).
_LEAVING_CARE = frozenset({"E4A", "E4B", "E13", "E5", "E6", "E7", "E8", "E9", "E14", "E17"})
_CARE_LEAVER_AGES = range(17, 22)


def oc2_cohort(children: list[Child], year: int) -> Iterator[tuple[Child, CarePeriod]]:
    """Children looked after on 31 March ``year + 1`` who had been looked after continuously for 12 months."""
    first, last = date(year, 4, 1), date(year + 1, 3, 31)
    for child in children:
        for period in child.care_periods:
            if period.start <= first and period.end > last:
                yield child, period


def health_rows(children: list[Child], year: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    last = date(year + 1, 3, 31)
    assessed = min(0.95, max(0.75, rng.gauss(0.87, 0.03)))  # this year's share with a health assessment
    dental = min(0.95, max(0.7, rng.gauss(0.85, 0.04)))
    for child, _ in oc2_cohort(children, year):
        age = age_on(child.dob, last)
        score, reason = "", ""
        if 4 <= age <= 16:
            if rng.random() < 0.78:
                score = str(min(40, max(0, round(rng.gauss(14.5, 6.5)))))
            else:
                reason = codes.Weighted({"SDQ2": 35, "SDQ3": 15, "SDQ4": 35, "SDQ5": 15}).draw(rng)
        else:
            reason = "SDQ1"  # no questionnaire: the child was under 4 or over 16
        convicted = ("1" if rng.random() < 0.04 else "0") if age >= 10 else ""
        health_check = ("1" if rng.random() < 0.9 else "0") if age < 5 else ""
        misuse = age >= 10 and rng.random() < 0.05
        received = misuse and rng.random() < 0.6
        offered = received or (misuse and rng.random() < 0.7)
        yield (child.child_id, dmy(child.dob), score, reason, convicted, health_check,
               "1" if rng.random() < 0.86 else "0", "1" if rng.random() < dental else "0",
               "1" if rng.random() < assessed else "0", "1" if misuse else "0",
               ("1" if received else "0") if misuse else "", ("1" if offered else "0") if misuse else "")


def left_care_as_care_leaver(child: Child) -> date | None:
    """When a child who qualifies for leaving-care support left care: looked after for at least 13 weeks since their
    14th birthday, still looked after at some time after their 16th birthday, and not leaving for a permanent home."""
    fourteenth, sixteenth = birthday(child.dob, 14), birthday(child.dob, 16)
    since_fourteen = sum(max(0, (p.end - max(p.start, fourteenth)).days) for p in child.care_periods)
    last = child.care_periods[-1] if child.care_periods else None
    if last is None or since_fourteen < 91 or last.end <= sixteenth or last.reason not in _LEAVING_CARE:
        return None
    return last.end


@dataclass(frozen=True)
class CareLeaverYear:
    child: Child
    age: int
    in_touch: str
    activity: str
    accommodation: str


class CareLeavers:
    def __init__(self, rows: list[CareLeaverYear]) -> None:
        self._rows = rows

    def for_year(self, year: int, extract_date: date) -> Iterator[tuple[object, ...]]:
        first, last = date(year, 4, 1), min(date(year + 1, 3, 31), extract_date)
        for row in self._rows:
            if first <= birthday(row.child.dob, row.age) <= last:
                yield row.child.child_id, dmy(row.child.dob), row.in_touch, row.activity, row.accommodation


def care_leaver_rows(children: list[Child], rng: random.Random) -> CareLeavers:
    """Each care leaver's position at each birthday from 17 to 21 after they left care (drawn once, so that the
    same young person is followed consistently from one year's file to the next)."""
    rows: list[CareLeaverYear] = []
    for child in children:
        left = left_care_as_care_leaver(child)
        if left is None:
            continue
        neet = False
        for age in _CARE_LEAVER_AGES:
            if birthday(child.dob, age) < left:
                continue
            in_touch = codes.Weighted({"YES": 90, "NO": 3.5, "REFU": 2, "RHOM": 2, "NREQ": 2, "DIED": 0.3}).draw(rng)
            if in_touch != "YES":
                rows.append(CareLeaverYear(child, age, in_touch, "0", "0"))
                if in_touch == "DIED":
                    break
                continue
            neet = rng.random() < ((0.7 if neet else 0.3) if age >= 19 else (0.55 if neet else 0.22))
            activity = (codes.ACTIVITY_NEET if neet else codes.ACTIVITY_IN_EET).draw(rng)
            rows.append(CareLeaverYear(child, age, in_touch, activity, _accommodation(rng, age)))
    rows.sort(key=lambda row: (int(row.child.child_id), row.age))
    return CareLeavers(rows)


def _accommodation(rng: random.Random, age: int) -> str:
    letter = codes.ACCOMMODATION_TYPE.draw(rng)
    if (letter == "Z" and age >= 21) or (letter == "C" and age >= 18):  # staying put ends at 21, homes at 18
        letter = "U"
    unsuitable = letter in codes.ALWAYS_UNSUITABLE or letter == "X" or rng.random() < 0.015
    return f"{letter}{2 if unsuitable else 1}"

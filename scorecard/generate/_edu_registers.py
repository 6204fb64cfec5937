"""Registers of children out of school: elective home education (EHE) and children missing education (CME).

Episodes start before the first simulated year so that the registers hold their usual caseload on day one.
A child on either register is off roll while the episode lasts, so the school census does not show them;
an episode that ends with the family moving away ends the child's residence.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from ._edu_calendar import academic_year_of
from ._edu_population import Child, Population
from ._edu_random import arrivals
from .common import GenerationSpec

EHE_REASONS = (
    ("PHILOSOPHICAL", 20.0), ("DISSATISFIED_WITH_SCHOOL", 18.0), ("HEALTH", 14.0), ("BULLYING", 6.0),
    ("AVOID_EXCLUSION", 4.0), ("SEN_NOT_MET", 8.0), ("LIFESTYLE", 6.0), ("OTHER", 10.0), ("NOT_KNOWN", 14.0),
)
EHE_RETURNED, EHE_MOVED, EHE_AGE = "RETURNED_TO_SCHOOL", "MOVED_OUT_OF_AREA", "REACHED_SCHOOL_LEAVING_AGE"
CME_FOUND, CME_MOVED, CME_ABROAD, CME_OTHER = (
    "LOCATED_ON_ROLL", "LOCATED_MOVED_OUT_OF_AREA", "MOVED_ABROAD", "LOCATED_OTHER_PROVISION",
)


@dataclass
class RegisterEntry:
    register_id: str
    upn: str
    dob: date
    gender: str
    ncyear: int
    start: date
    end: date | None
    outcome: str
    reason: str = ""


def _fy(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _overlaps(child: Child, start: date, end: date | None) -> bool:
    for other_start, other_end in child.off_roll:
        if (end is None or other_start < end) and (other_end is None or other_end > start):
            return True
    return False


def _find_child(
    rng: random.Random, population: Population, day: date, ncyears: range, end: date | None
) -> Child | None:
    academic_year = academic_year_of(day)
    for _ in range(40):
        ncyear = rng.choice(ncyears)
        members = population.by_cohort.get(academic_year - ncyear - 5)
        if not members:
            continue
        child = rng.choice(members)
        if child.on_roll_possible(day) and not child.in_care(day) and not _overlaps(child, day, end):
            return child
    return None


def school_leaving_day(child: Child) -> date:
    """The last Friday of June of year 11: the end of compulsory school age."""
    june_30 = date(child.cohort + 17, 6, 30)
    return june_30 - timedelta(days=(june_30.weekday() - 4) % 7)


def build_ehe(spec: GenerationSpec, population: Population) -> list[RegisterEntry]:
    rng = spec.rng("education.ehe")
    extract = spec.extract_date
    entries: list[RegisterEntry] = []
    def rate(day: date) -> float:
        return spec.scale * 185 * 1.08 ** (_fy(day) - spec.first_year)
    for day in arrivals(rng, date(spec.first_year - 4, 9, 1), extract, rate):
        start = _weekday(day)
        roll = rng.random()
        if roll < 0.42:
            outcome, end = EHE_RETURNED, start + timedelta(days=20 + round(rng.expovariate(1 / 260)))
        elif roll < 0.60:
            outcome, end = EHE_MOVED, start + timedelta(days=20 + round(rng.expovariate(1 / 400)))
        else:
            outcome, end = EHE_AGE, None
        ncyears = range(7, 12) if rng.random() < 0.6 else range(1, 7)
        child = _find_child(rng, population, start, ncyears, end)
        if child is None:
            continue
        if outcome == EHE_AGE:
            end = school_leaving_day(child)
            child.sixth_form_years = 0
        if child.leave is not None and end is not None and child.leave < end:
            outcome, end = EHE_MOVED, child.leave
        if end is not None and end <= start:
            continue
        if outcome == EHE_MOVED and end is not None:
            child.leave = end if child.leave is None else min(child.leave, end)
        child.off_roll.append((start, end if outcome == EHE_RETURNED else None))
        shown_end = end if end is not None and end <= extract else None
        entries.append(
            RegisterEntry(
                f"EHE{len(entries) + 1:06d}", child.upn, child.dob, child.gender,
                child.ncyear(academic_year_of(start)), start, shown_end, outcome if shown_end else "",
                str(rng.choices([r for r, _ in EHE_REASONS], weights=[w for _, w in EHE_REASONS])[0]),
            )
        )
    return entries


def build_cme(spec: GenerationSpec, population: Population) -> list[RegisterEntry]:
    rng = spec.rng("education.cme")
    extract = spec.extract_date
    entries: list[RegisterEntry] = []
    def rate(day: date) -> float:
        return spec.scale * 150 * 1.12 ** (_fy(day) - spec.first_year)
    for day in arrivals(rng, date(spec.first_year - 3, 9, 1), extract, rate):
        start = _weekday(day)
        if rng.random() < 0.55:
            length = 3 + round(rng.expovariate(1 / 30))
        else:
            length = 20 + round(math.exp(rng.gauss(math.log(210), 0.7)))
        end = start + timedelta(days=length)
        roll = rng.random()
        outcome = CME_FOUND if roll < 0.5 else CME_MOVED if roll < 0.75 else CME_ABROAD if roll < 0.85 else CME_OTHER
        if rng.random() < 0.7:
            child = _find_child(rng, population, start, range(1, 12), end)
            if child is None:
                continue
            if child.leave is not None and child.leave < end:
                outcome, end = CME_MOVED, max(child.leave, start + timedelta(days=1))
            if outcome in (CME_MOVED, CME_ABROAD):
                child.leave = end if child.leave is None else min(child.leave, end)
                child.off_roll.append((start, None))
            else:
                child.off_roll.append((start, end))
            upn, dob, gender, ncyear = child.upn, child.dob, child.gender, child.ncyear(academic_year_of(start))
        else:  # newly arrived, never on a school roll here: no UPN
            ncyear = rng.randint(1, 11)
            cohort = academic_year_of(start) - ncyear - 5
            upn, dob = "", date(cohort, 9, 1) + timedelta(days=rng.randint(0, 364))
            gender = "M" if rng.random() < 0.5 else "F"
        shown_end = end if end <= extract else None
        entries.append(
            RegisterEntry(
                f"CME{len(entries) + 1:06d}", upn, dob, gender, ncyear, start, shown_end,
                outcome if shown_end else "",
            )
        )
    return entries

"""Synthetic early help extracts: early help assessments, children's centre registrations and attendances,
youth support service contacts and troubled families (Family Focus) claims.

Person ids follow the case-management system's person-number format (six or seven digits). The early help
module issues them from its own block (2,500,000 - 3,999,999) so that they never collide with the numbers the
social care generator draws; the pseudonymising loader treats them as identifiers like any other.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ._edu_random import arrivals, poisson
from .common import GenerationSpec, fmt_date, write_csv

ISO = "%Y-%m-%d"
EHA_HEADER = (
    "assessment_id", "child_id", "dob", "gender", "start_date", "completion_date", "end_date", "lead_agency_type",
    "lead_organisation", "closure_reason",
)
REGISTRATION_HEADER = (
    "child_id", "dob", "registration_date", "centre", "vulnerability", "vulnerability_start_date",
    "vulnerability_end_date",
)
ENGAGEMENT_HEADER = ("child_id", "attendance_date", "centre", "activity")
YOUTH_HEADER = ("contact_id", "person_id", "dob", "gender", "contact_date", "contact_type", "service")
FAMILY_FOCUS_HEADER = ("claim_id", "family_id", "attachment_date", "claim_date", "outcome", "children_in_family")

PARTNERS = (
    ("School", 45.0), ("Health Visiting", 15.0), ("School Nursing", 8.0), ("Early Years Setting", 10.0),
    ("Voluntary Sector", 12.0), ("Housing Provider", 4.0), ("Police", 2.0), ("Adult Services", 4.0),
)
CLOSURE_REASONS = (
    ("OUTCOMES_ACHIEVED", 55.0), ("STEPPED_UP_TO_SOCIAL_CARE", 12.0), ("FAMILY_WITHDREW_CONSENT", 15.0),
    ("MOVED_AWAY", 8.0), ("TRANSFERRED_TO_UNIVERSAL_SERVICES", 10.0),
)
CENTRE_TOWNS = (
    "Crewe", "Macclesfield", "Congleton", "Sandbach", "Nantwich", "Wilmslow", "Knutsford", "Alsager", "Middlewich",
    "Poynton", "Handforth",
)
ACTIVITIES = (("STAY_AND_PLAY", 45.0), ("BABY_GROUP", 20.0), ("HEALTH_CLINIC", 15.0), ("PARENTING_COURSE", 8.0),
              ("FAMILY_SUPPORT", 12.0))
YOUTH_CONTACT_TYPES = (("ONE_TO_ONE", 40.0), ("GROUP_WORK", 30.0), ("DETACHED", 10.0), ("DROP_IN", 15.0),
                       ("ONLINE", 5.0))
YOUTH_SERVICES = (("YOUTH_SUPPORT", 55.0), ("TARGETED_YOUTH_SUPPORT", 30.0), ("PARTICIPATION", 15.0))
# Early help assessments started a year, by financial year relative to the first (index 0 = the year before).
EHA_STARTS = (1650, 1650, 1150, 1700, 1850)
COUNCIL_LED = (0.48, 0.50, 0.52, 0.60, 0.72)
# Family Focus claims by quarter of each financial year (the year before the first, then the simulated years).
FAMILY_FOCUS_CLAIMS = ((5, 8, 7, 10), (40, 35, 38, 40), (45, 41, 25, 69), (210, 150, 132, 345), (182, 170, 160, 188))


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([key for key, _ in table], weights=[weight for _, weight in table])[0]


def _fy(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _by_year(values: tuple[float, ...], spec: GenerationSpec, day: date) -> float:
    return values[min(max(_fy(day) - spec.first_year + 1, 0), len(values) - 1)]


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


class PersonNumbers:
    """Unique six- or seven-digit person numbers from a block of the number range."""

    def __init__(self, rng: random.Random, low: int, high: int) -> None:
        self._rng, self._low, self._high = rng, low, high
        self._used: set[int] = set()

    def next(self) -> str:
        while True:
            value = self._rng.randint(self._low, self._high)
            if value not in self._used:
                self._used.add(value)
                return str(value)


@dataclass
class _Person:
    person_id: str
    dob: date
    gender: str


def generate(spec: GenerationSpec) -> list[Path]:
    out = spec.la_dir
    numbers = PersonNumbers(spec.rng("early_help.person_numbers"), 2_500_000, 3_999_999)
    return [
        write_csv(out / "early_help_assessments.csv", EHA_HEADER, _assessments(spec, numbers)),
        *_children_centres(spec, numbers, out),
        write_csv(out / "youth_service_contacts.csv", YOUTH_HEADER, _youth_contacts(spec, numbers)),
        write_csv(out / "family_focus_claims.csv", FAMILY_FOCUS_HEADER, _family_focus(spec)),
    ]


def _assessments(spec: GenerationSpec, numbers: PersonNumbers) -> list[tuple[object, ...]]:
    rng = spec.rng("early_help.assessments")
    extract = spec.extract_date
    council = f"{spec.la_name} Prevention Service"
    rows: list[tuple[object, ...]] = []
    closed: list[tuple[_Person, date]] = []
    serial = 0
    def rate(day: date) -> float:
        return spec.scale * _by_year(EHA_STARTS, spec, day)
    for day in arrivals(rng, date(spec.first_year - 1, 4, 1), extract, rate):
        start = _weekday(day)
        person = None
        if closed and rng.random() < 0.15:  # a child with an earlier, closed assessment
            index = rng.randrange(len(closed))
            if closed[index][1] < start:
                person = closed.pop(index)[0]
        if person is None:
            age_days = round(365.25 * min(17.9, rng.gammavariate(2.2, 3.2)))
            person = _Person(numbers.next(), start - timedelta(days=age_days), "M" if rng.random() < 0.52 else "F")
        serial += 1
        completed = start + timedelta(days=rng.randint(5, 45))
        length = round(math.exp(rng.gauss(math.log(170), 0.55)))
        end = start + timedelta(days=max(length, (completed - start).days + 7))
        led_by_council = rng.random() < _by_year(COUNCIL_LED, spec, start)
        organisation = council if led_by_council else _pick(rng, PARTNERS)
        if end <= extract:
            closed.append((person, end))
        rows.append((
            f"EHA{serial:07d}", person.person_id, fmt_date(person.dob, ISO), person.gender, fmt_date(start, ISO),
            fmt_date(completed if completed <= extract else None, ISO), fmt_date(end if end <= extract else None, ISO),
            "COUNCIL" if led_by_council else "PARTNER", organisation,
            _pick(rng, CLOSURE_REASONS) if end <= extract else "",
        ))
    return rows


def _children_centres(spec: GenerationSpec, numbers: PersonNumbers, out: Path) -> list[Path]:
    """Children under five registered with a children's centre, and their attendances."""
    rng = spec.rng("early_help.children_centres")
    extract = spec.extract_date
    first_attendance = date(spec.first_year - 1, 4, 1)
    registrations: list[tuple[object, ...]] = []
    attendances: list[tuple[object, ...]] = []
    centres = [f"{town} Children's Centre" for town in CENTRE_TOWNS]
    for year in range(spec.first_year - 5, spec.first_year + spec.years):
        for _ in range(spec.scaled(2600)):
            dob = date(year, 4, 1) + timedelta(days=rng.randint(0, 364))
            if dob > extract:
                continue
            registered = dob + timedelta(days=rng.randint(0, 900))
            vulnerable = rng.random() < 0.12
            vulnerability, vulnerable_from, vulnerable_to = "", None, None
            if vulnerable:
                vulnerable_from = dob + timedelta(days=rng.randint(0, 900))
                vulnerable = vulnerable_from <= extract
            if vulnerable and vulnerable_from is not None:
                vulnerability = rng.choices(("CIN", "CP", "LAC"), (60, 25, 15))[0]
                vulnerable_to = vulnerable_from + timedelta(days=60 + round(rng.expovariate(1 / 320)))
                registered = min(registered, vulnerable_from + timedelta(days=rng.randint(0, 30)))
            if registered > extract:
                continue
            centre = rng.choice(centres)
            child_id = numbers.next()
            registrations.append((
                child_id, fmt_date(dob, ISO), fmt_date(registered, ISO), centre, vulnerability,
                fmt_date(vulnerable_from if vulnerable else None, ISO),
                fmt_date(vulnerable_to if vulnerable_to and vulnerable_to <= extract else None, ISO),
            ))
            # Attendances a year: many come rarely, some weekly; vulnerable families less often over the years.
            roll = rng.random()
            per_year = 0.3 if roll < 0.3 else (2.5 if roll < 0.8 else 10.0)
            if vulnerable:
                per_year *= 1.6
            day = registered
            last = min(extract, dob + timedelta(days=5 * 365))
            seen: set[date] = set()
            while True:
                rate = per_year * (1.0 - 0.1 * max(0, _fy(day) - spec.first_year))
                day += timedelta(days=1 + round(rng.expovariate(max(rate, 0.05) / 365.25)))
                if day > last:
                    break
                visit = _weekday(day)
                if visit > last or visit < first_attendance or visit in seen:
                    continue
                seen.add(visit)
                attendances.append((child_id, fmt_date(visit, ISO), centre, _pick(rng, ACTIVITIES)))
    return [
        write_csv(out / "children_centre_registrations.csv", REGISTRATION_HEADER, registrations),
        write_csv(out / "children_centre_engagement.csv", ENGAGEMENT_HEADER, attendances),
    ]


def _youth_contacts(spec: GenerationSpec, numbers: PersonNumbers) -> list[tuple[object, ...]]:
    """Episodes of support for 13-19 year olds, busiest after results in the autumn, each with a few contacts."""
    rng = spec.rng("early_help.youth")
    extract = spec.extract_date
    seasonal = {9: 1.7, 10: 1.7, 11: 1.5, 12: 1.0, 1: 0.9, 2: 0.9, 3: 0.9, 4: 0.8, 5: 0.8, 6: 0.8, 7: 1.2, 8: 1.0}
    rows: list[tuple[object, ...]] = []
    people: list[_Person] = []
    day = date(spec.first_year - 1, 4, 1)
    serial = 0
    while True:
        day += timedelta(days=1)
        if day > extract:
            break
        starts = poisson(rng, spec.scale * 4100 / 365.25 * seasonal[day.month])
        for _ in range(starts):
            if people and rng.random() < 0.3:
                person = rng.choice(people)
                if (day - person.dob).days > 19 * 365:
                    continue
            else:
                age_days = rng.randint(13 * 365, 19 * 365)
                person = _Person(numbers.next(), day - timedelta(days=age_days), "M" if rng.random() < 0.5 else "F")
                people.append(person)
            service = _pick(rng, YOUTH_SERVICES)
            contact = _weekday(day)
            for _ in range(1 + min(12, round(rng.expovariate(1 / 2.5)))):
                if contact > extract:
                    break
                serial += 1
                rows.append((
                    f"YS{serial:08d}", person.person_id, fmt_date(person.dob, ISO), person.gender,
                    fmt_date(contact, ISO), _pick(rng, YOUTH_CONTACT_TYPES), service,
                ))
                contact = _weekday(contact + timedelta(days=rng.randint(7, 21)))
    return rows


def _family_focus(spec: GenerationSpec) -> list[tuple[object, ...]]:
    """Payment-by-results claims, made in batches at the claim points of each quarter."""
    rng = spec.rng("early_help.family_focus")
    rows: list[tuple[object, ...]] = []
    families: set[str] = set()
    serial = 0
    for offset, quarters in enumerate(FAMILY_FOCUS_CLAIMS):
        year = spec.first_year - 1 + offset
        if year >= spec.first_year + spec.years:
            break
        for quarter, expected in enumerate(quarters):
            month = 4 + 3 * quarter
            q_year = year + (month > 12)
            month = (month - 1) % 12 + 1
            claim_points = [_last_working_day(q_year + (month + k > 12), (month + k - 1) % 12 + 1) for k in (1, 2)]
            for _ in range(poisson(rng, spec.scale * expected)):
                while True:
                    family = f"FF{rng.randint(100_000, 999_999)}"
                    if family not in families:
                        families.add(family)
                        break
                serial += 1
                claimed = rng.choices(claim_points, (40, 60))[0]
                attached = claimed - timedelta(days=rng.randint(180, 720))
                rows.append((
                    f"FFC{serial:06d}", family, fmt_date(attached, ISO), fmt_date(claimed, ISO),
                    rng.choices(("SSP", "CE"), (85, 15))[0], rng.choices((1, 2, 3, 4, 5), (30, 35, 20, 10, 5))[0],
                ))
    return rows


def _last_working_day(year: int, month: int) -> date:
    day = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day

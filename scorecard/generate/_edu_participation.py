"""Participation of young people in years 12-13 (NEET tracking) and take-up of funded early education.

NEET: one row per young person per month end, while they are of academic age 16 or 17 and live here, with an
NCCIS-style activity code and its group (EET, NEET, UNKNOWN). Activity moves month to month: a few
leave education or work each month, most who are NEET find a place within months, and each September the
tracking of the new year's activity leaves a share unknown for a while.

Early years: one row per eligible child per funding term and offer. The two-year-old offer goes to children
on the DWP eligibility list (and looked-after children, those with an EHC plan or DLA); the universal
three- and four-year-old offer to every child from the term after their third birthday until they start
reception. Children enter the funding from the term after the birthday (September-December birthdays from
the spring term, January-March from the summer term, April-August from the autumn term).
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from ._edu_calendar import TERM_CODES, academic_year_label
from ._edu_population import BIRTH_COHORT_SIZE, Population
from .common import GenerationSpec

EET_CODES = {"110": 0.0, "120": 10.0, "130": 72.0, "210": 7.0, "220": 3.0, "310": 3.0, "410": 2.0, "230": 3.0}
NEET_CODES = {"610": 12.0, "615": 8.0, "619": 50.0, "630": 8.0, "640": 12.0, "650": 4.0, "680": 6.0}
UNKNOWN_CODES = {"810": 85.0, "820": 15.0}
NEET_HEADER = ("snapshot_date", "upn", "dob", "academic_age", "activity_code", "activity_group")
EARLY_YEARS_HEADER = (
    "academic_year", "term", "offer", "child_id", "dob", "eligibility_basis", "taking_up", "funded_hours",
    "provider_type",
)
TWO_YEAR_OLD_TAKE_UP = (0.76, 0.75, 0.72, 0.78, 0.70, 0.68)


def month_ends(first: date, last: date) -> list[date]:
    days: list[date] = []
    year, month = first.year, first.month
    while True:
        next_first = date(year + (month == 12), month % 12 + 1, 1)
        end = next_first - timedelta(days=1)
        if end > last:
            return days
        days.append(end)
        year, month = next_first.year, next_first.month


def _draw(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def write_neet(spec: GenerationSpec, population: Population, path: Path) -> int:
    rng = spec.rng("education.neet")
    months = month_ends(spec.start_date, spec.extract_date)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(NEET_HEADER)
        for child in population.children:
            state, group = "", ""
            dob_text = child.dob.isoformat()
            for month_end in months:
                academic_year = month_end.year if month_end.month >= 9 else month_end.year - 1
                age = academic_year - child.cohort - 1  # academic age: age at 31 August before the year
                if age not in (16, 17) or not child.resident(month_end):
                    state = ""
                    continue
                if not state:
                    state, group = _start(rng, child.sixth_form_years >= age - 15)
                else:
                    state, group = _move(rng, state, group, month_end, child.sixth_form_years >= age - 15)
                writer.writerow((month_end.isoformat(), child.upn, dob_text, age, state, group))
                rows += 1
    return rows


def _start(rng: random.Random, sixth_form: bool) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.03:
        return _draw(rng, UNKNOWN_CODES), "UNKNOWN"
    if roll < 0.05:
        return _draw(rng, NEET_CODES), "NEET"
    return ("110" if sixth_form else _draw(rng, EET_CODES)), "EET"


def _move(rng: random.Random, state: str, group: str, month_end: date, sixth_form: bool) -> tuple[str, str]:
    roll = rng.random()
    if month_end.month == 9 and roll < 0.07:  # the September tracking of the new year's activity
        return _draw(rng, UNKNOWN_CODES), "UNKNOWN"
    if group == "EET":
        if roll < 0.0026:
            return _draw(rng, NEET_CODES), "NEET"
        if roll < 0.0046:
            return _draw(rng, UNKNOWN_CODES), "UNKNOWN"
        return state, group
    if group == "NEET":
        if roll < 0.14:
            return ("110" if sixth_form else _draw(rng, EET_CODES)), "EET"
        if roll < 0.16:
            return _draw(rng, UNKNOWN_CODES), "UNKNOWN"
        return state, group
    if roll < 0.32:
        return ("110" if sixth_form else _draw(rng, EET_CODES)), "EET"
    if roll < 0.36:
        return _draw(rng, NEET_CODES), "NEET"
    return state, group


def _funding_term(birthday: date) -> tuple[int, int]:
    """(academic year, term index 0-2) of the first funded term after a birthday."""
    if birthday.month >= 9:
        return birthday.year, 1
    if birthday.month <= 3:
        return birthday.year - 1, 2
    return birthday.year, 0


def write_early_years(spec: GenerationSpec, population: Population, path: Path) -> int:
    rng = spec.rng("education.early_years")
    extract = spec.extract_date
    first_ay, last_ay = population.first_academic_year, population.last_academic_year
    terms = [
        (term.academic_year, TERM_CODES.index(term.code))
        for term in population.calendar.terms
        if first_ay <= term.academic_year <= last_ay and term.start <= extract
    ]
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EARLY_YEARS_HEADER)
        serial = 0
        # Children who are three or four in the first year to two-year-olds in the last.
        for cohort in range(first_ay - 5, last_ay - 1):
            for _ in range(spec.scaled(BIRTH_COHORT_SIZE)):
                serial += 1
                child_id = f"EY{serial:07d}"
                dob = date(cohort, 9, 1) + timedelta(days=rng.randint(0, 364))
                dob_text = dob.isoformat()
                second, third = _birthday(dob, 2), _birthday(dob, 3)
                two_from, three_from = _funding_term(second), _funding_term(third)
                reception = (cohort + 5, 0)
                roll = rng.random()
                basis = ""
                if roll < 0.20:
                    basis = "DWP"
                elif roll < 0.205:
                    basis = "LAC"
                elif roll < 0.215:
                    basis = rng.choice(("EHCP", "DLA"))
                propensity = rng.gauss(0.0, 0.12)
                extended = rng.random() < 0.38
                for key in terms:
                    academic_year, index = key
                    if basis and two_from <= key < three_from:
                        year_index = min(max(academic_year - first_ay, 0), len(TWO_YEAR_OLD_TAKE_UP) - 1)
                        takes = rng.random() < TWO_YEAR_OLD_TAKE_UP[year_index] + propensity
                        writer.writerow((
                            academic_year_label(academic_year), TERM_CODES[index], "2YO", child_id, dob_text, basis,
                            "Y" if takes else "N", "15" if takes else "",
                            rng.choices(("PVI", "SCHOOL", "CHILDMINDER"), (80, 12, 8))[0] if takes else "",
                        ))
                        rows += 1
                    elif three_from <= key < reception:
                        takes = rng.random() < 0.981
                        hours = "30" if extended and academic_year >= 2017 else "15"
                        writer.writerow((
                            academic_year_label(academic_year), TERM_CODES[index], "3-4YO", child_id, dob_text,
                            "UNIVERSAL", "Y" if takes else "N", hours if takes else "",
                            rng.choices(("PVI", "SCHOOL", "CHILDMINDER"), (55, 40, 5))[0] if takes else "",
                        ))
                        rows += 1
    return rows


def _birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return date(dob.year + years, 3, 1)

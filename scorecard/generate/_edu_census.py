"""School census pupil rows (one per pupil per termly census) and termly exclusions, streamed to CSV.

The rows follow the lower-case COLLECT export tables ``pupilonroll`` and ``termlyexclusionsonroll`` with the
census keys a council's export carries (``term``, ``year``, ``referencedate``) and the school's ``urn``.
Attendance in a row covers the term the row names (COLLECT carries a term's attendance one census later; the
council's termly extract does not). Session counts are collected for reception to year 11 only: blank for
nursery and sixth-form pupils, as in the census.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ._edu_calendar import Term, fmt_collect
from ._edu_population import Child, Population
from ._edu_random import poisson
from ._edu_schools import School
from ._edu_sen import SenData
from .common import GenerationSpec

PUPIL_HEADER = (
    "term", "year", "referencedate", "urn", "upn", "formerupn", "dob", "gender", "entrydate", "enrolstatus",
    "ncyearactual", "senprovision", "incare", "adoptedfromcare", "termlysessionspossible",
    "termlysessionsauthorised", "termlysessionsunauthorised",
)
EXCLUSION_HEADER = (
    "term", "year", "urn", "upn", "startdate", "category", "reason", "sessions", "incare", "senprovision",
)
# Mean share of possible sessions missed, by year group (-1 nursery .. 13), and in special schools.
ABSENCE_BY_NCYEAR = {0: 0.045, 1: 0.041, 2: 0.040, 3: 0.039, 4: 0.039, 5: 0.039, 6: 0.040, 7: 0.042, 8: 0.049,
                     9: 0.055, 10: 0.060, 11: 0.063}
ABSENCE_SPECIAL = 0.10
TERM_FACTOR = {"AUT": 0.92, "SPR": 1.10, "SUM": 0.98}
# Suspensions per term relative to the child's propensity, by year group; permanent exclusion risk likewise.
SUSPENSION_FACTOR = {0: 0.02, 1: 0.03, 2: 0.04, 3: 0.08, 4: 0.1, 5: 0.11, 6: 0.12, 7: 1.0, 8: 1.2, 9: 1.4,
                     10: 1.4, 11: 1.2, 12: 0.08, 13: 0.05}
PERMANENT_FACTOR = {0: 0.0, 1: 0.0005, 2: 0.001, 3: 0.0015, 4: 0.0015, 5: 0.002, 6: 0.002, 7: 0.016, 8: 0.022,
                    9: 0.025, 10: 0.022, 11: 0.008, 12: 0.001, 13: 0.0}
REASONS = (("DB", 32), ("PA", 7), ("PP", 17), ("VA", 20), ("VP", 5), ("DA", 4), ("DM", 3), ("OT", 8), ("BU", 1),
           ("RA", 1), ("SM", 1), ("TH", 1))
FIXED_SESSIONS = ((1, 5), (2, 45), (3, 5), (4, 20), (6, 13), (10, 10), (20, 2))


@dataclass
class CensusCounts:
    pupil_rows: int = 0
    exclusion_rows: int = 0


def _ncyear_label(ncyear: int) -> str:
    return "N2" if ncyear == -1 else "R" if ncyear == 0 else str(ncyear)


class _TermContext:
    __slots__ = ("term", "census", "census_text", "year_text", "end")

    def __init__(self, term: Term, extract: date) -> None:
        self.term = term
        self.census = term.census_date
        self.census_text = fmt_collect(term.census_date)
        self.year_text = str(term.academic_year if term.code == "AUT" else term.academic_year + 1)
        self.end = min(term.end, extract)


def write_census(
    spec: GenerationSpec, population: Population, sen: SenData, pupils_path: Path, exclusions_path: Path
) -> CensusCounts:
    rng = spec.rng("education.census")
    extract = spec.extract_date
    calendar = population.calendar
    first_ay, last_ay = population.first_academic_year, population.last_academic_year
    terms = [
        _TermContext(term, extract)
        for term in calendar.terms
        if first_ay <= term.academic_year <= last_ay and term.start <= extract
    ]
    year_factor = {year: rng.uniform(0.96, 1.05) for year in range(first_ay, last_ay + 1)}
    exclusion_trend = {year: 1.0 + 0.07 * (year - first_ay) for year in range(first_ay, last_ay + 1)}
    autumn = {year: population.autumn_start(year) for year in range(first_ay - 14, last_ay + 1)}
    reasons, reason_weights = [code for code, _ in REASONS], [weight for _, weight in REASONS]
    lengths, length_weights = [n for n, _ in FIXED_SESSIONS], [weight for _, weight in FIXED_SESSIONS]
    counts = CensusCounts()
    provision = sen.provision
    with pupils_path.open("w", newline="", encoding="utf-8") as pupils_file, exclusions_path.open(
        "w", newline="", encoding="utf-8"
    ) as exclusions_file:
        pupils = csv.writer(pupils_file, lineterminator="\n")
        exclusions = csv.writer(exclusions_file, lineterminator="\n")
        pupils.writerow(PUPIL_HEADER)
        exclusions.writerow(EXCLUSION_HEADER)
        for child in population.children:
            plans = provision.get(child.upn)
            current_year, year_noise = -1, 1.0
            enrol = "M" if child.index % 173 == 0 else "C"
            dob_text, entry_cache = fmt_collect(child.dob), {}
            for context in terms:
                term = context.term
                ncyear = term.academic_year - child.cohort - 5
                if ncyear < -1 or ncyear > 13:
                    continue
                census_day = context.census
                if not child.on_roll_possible(census_day):
                    continue
                placed = _placement(child, ncyear, census_day, autumn)
                if placed is None:
                    continue
                school, stage_start, special = placed
                record = school.record_at(census_day)
                if record is None:
                    continue
                entry = max(stage_start, child.arrive)
                if entry > census_day:
                    continue
                if term.academic_year != current_year:
                    current_year = term.academic_year
                    year_noise = math.exp(rng.gauss(0.0, 0.3) - 0.045)
                first = max(term.start, entry)
                last = context.end
                if child.leave is not None and child.leave <= last:
                    last = child.leave - timedelta(days=1)
                code = "N"
                if plans:
                    for start, end, kind in plans:
                        if start <= census_day and (end is None or census_day < end):
                            code = kind
                            break
                if code == "N" and child.sen_support and child.sen_support[0] <= ncyear <= child.sen_support[1]:
                    code = "K"
                in_care = child.in_care(census_day)
                since = child.adopted_since
                adopted = child.adopted_code if since is not None and since <= census_day else ""
                possible_text = authorised_text = unauthorised_text = ""
                if 0 <= ncyear <= 11:
                    possible = 2 * calendar.school_days_between(first, last)
                    base = ABSENCE_SPECIAL if special else ABSENCE_BY_NCYEAR[ncyear]
                    if in_care:
                        base *= 0.9 if ncyear <= 6 else 1.15
                    rate = base * child.absence * year_noise * TERM_FACTOR[term.code] * year_factor[current_year]
                    rate *= math.exp(rng.gauss(0.0, 0.25) - 0.031)
                    absent = min(possible, round(possible * min(rate, 0.97)))
                    share = min(0.9, 0.17 + 0.1 * max(0.0, child.absence - 1.0)) * math.exp(rng.gauss(0.0, 0.3))
                    unauthorised = min(absent, round(absent * share))
                    possible_text, authorised_text = str(possible), str(absent - unauthorised)
                    unauthorised_text = str(unauthorised)
                entry_text = entry_cache.get(entry)
                if entry_text is None:
                    entry_text = entry_cache[entry] = fmt_collect(entry)
                incare_text = "1" if in_care else "0"
                pupils.writerow((
                    term.code, context.year_text, context.census_text, record.urn, child.upn, child.formerupn,
                    dob_text, child.gender, entry_text, enrol, _ncyear_label(ncyear), code, incare_text, adopted,
                    possible_text, authorised_text, unauthorised_text,
                ))
                counts.pupil_rows += 1
                if ncyear < 0:
                    continue
                factor = 0.6 if special else SUSPENSION_FACTOR[ncyear]
                mean = child.behaviour * factor * exclusion_trend[current_year] * (1.4 if in_care else 1.0)
                suspensions = poisson(rng, mean)
                perm_risk = child.behaviour * (0.002 if special else PERMANENT_FACTOR[ncyear])
                permanent = rng.random() < perm_risk * exclusion_trend[current_year]
                if not suspensions and not permanent:
                    continue
                days = calendar.school_days_in(first, last)
                if not days:
                    continue
                perm_day = None
                if permanent:
                    after_census = [day for day in days if day > census_day]
                    if after_census:
                        perm_day = rng.choice(after_census)
                        child.removed = perm_day + timedelta(days=1)
                fixed_days = rng.sample(days, min(suspensions, len(days)))
                rows = []
                for day in sorted(fixed_days):
                    if perm_day is not None and day > perm_day:
                        continue
                    lunchtime = rng.random() < 0.02
                    rows.append((
                        day, "LNCH" if lunchtime else "FIXD", rng.choices(reasons, reason_weights)[0],
                        "1" if lunchtime else str(rng.choices(lengths, length_weights)[0]),
                    ))
                if perm_day is not None:
                    rows.append((perm_day, "PERM", rng.choices(reasons, reason_weights)[0], ""))
                for day, category, reason, sessions in rows:
                    exclusions.writerow((
                        term.code, context.year_text, record.urn, child.upn, fmt_collect(day), category, reason,
                        sessions, incare_text, code,
                    ))
                    counts.exclusion_rows += 1
    return counts


def _placement(child: Child, ncyear: int, day: date, autumn: dict[int, date]) -> tuple[School, date, bool] | None:
    """The school a child attends on ``day`` in a year group, the date they joined it and whether it is special."""
    if child.special is not None and child.special_entry is not None and child.special_entry <= day and ncyear >= 0:
        return child.special, child.special_entry, True
    if ncyear == -1:
        return (child.primary, autumn[child.cohort + 4], False) if child.nursery and child.primary else None
    if ncyear <= 6:
        start = autumn[child.cohort + 4] if child.nursery else autumn[child.cohort + 5]
        return (child.primary, start, False) if child.primary else None
    if ncyear <= 11 or ncyear - 11 <= child.sixth_form_years:
        return (child.secondary, autumn[child.cohort + 12], False) if child.secondary else None
    return None

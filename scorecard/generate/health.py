"""Synthetic health extracts: health assessments and dental checks of children in care, and the
neurodevelopmental diagnostic pathway records of the clinical commissioning groups.

Children in care: an initial health assessment (IHA) for every new period of care, review health assessments
(six-monthly under five, yearly from five) and dental checks while the child stays in care. The periods come
from the SSDA903 episodes the social care generator writes into the same folder (``903_episodes.csv``, and dates
of birth from ``903_header.csv``), so the CHILD ids and DECOM dates join to the 903 tables. Without them (health
generated on its own) the module simulates its own cohort of children entering care in the same id format.

Diagnostic pathways: one record per referral to the ASD, ADHD or other neurodevelopmental assessment pathway of
each CCG, from a daily queue simulation in which demand outgrows assessment capacity. Each appropriate referral
is assessed, removed from the list, or still waiting at the extract date, so the monthly waiting list
reconciles: awaiting at month end = awaiting at month start + appropriate referrals - assessments started -
removals.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ._edu_calendar import england_bank_holidays
from ._edu_care import CarePeriod, read_903_periods
from ._edu_ids import NhsNumberAllocator
from ._edu_random import arrivals, poisson
from .common import GenerationSpec, fmt_date, write_csv

DMY = "%d/%m/%Y"
DMY_HM = "%d/%m/%Y %H:%M"
ISO = "%Y-%m-%d"
IHA_HEADER = ("CHILD", "DECOM", "IHA_REQUESTED", "IHA_COMPLETED", "IHA_COMPLETED_BY")
RHA_HEADER = ("CHILD", "DECOM", "RHA_DUE", "RHA_COMPLETED")
DENTAL_HEADER = ("CHILD", "DECOM", "CHECK_DATE")
PATHWAY_HEADER = (
    "referral_id", "pathway", "ccg_code", "ccg_name", "nhs_number", "dob", "referral_date", "appropriate",
    "assessment_start_date", "removed_date", "removal_reason", "intervention_date",
)
CCGS = (("01C", "NHS Eastern Cheshire CCG", 1.05), ("01R", "NHS South Cheshire CCG", 0.95))
# Monthly referrals and assessment capacity per CCG at scale 1 in the first simulated year; demand grows faster.
PATHWAYS = {
    "ASD": {"referrals": 30.0, "growth": 0.08, "capacity": 21.0, "capacity_growth": 0.06, "appropriate": 0.85},
    "ADHD": {"referrals": 18.0, "growth": 0.06, "capacity": 15.5, "capacity_growth": 0.05, "appropriate": 0.9},
    "OTHER": {"referrals": 9.0, "growth": 0.04, "capacity": 8.5, "capacity_growth": 0.04, "appropriate": 0.88},
}
REMOVAL_REASONS = (("MOVED_AWAY", 40.0), ("DECLINED_ASSESSMENT", 25.0), ("DID_NOT_ATTEND", 25.0), ("OTHER", 10.0))
# Share of IHAs requested within 48 hours and completed within 20 working days, by financial year
# relative to the first simulated one (earlier years use the first value).
IHA_REQUESTED_IN_TIME = (0.62, 0.72, 0.80, 0.85)
IHA_COMPLETED_IN_TIME = (0.42, 0.57, 0.63, 0.70)


def _fy(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _by_year(values: tuple[float, ...], spec: GenerationSpec, day: date) -> float:
    return values[min(max(_fy(day) - spec.first_year, 0), len(values) - 1)]


def generate(spec: GenerationSpec) -> list[Path]:
    out = spec.la_dir
    periods = read_903_periods(out)
    if periods is None:
        periods = simulate_periods(spec)
    iha_rows, rha_rows, dental_rows = _health_of_children_in_care(spec, periods)
    return [
        write_csv(out / "initial_health_assessments.csv", IHA_HEADER, iha_rows),
        write_csv(out / "review_health_assessments.csv", RHA_HEADER, rha_rows),
        write_csv(out / "dental_checks.csv", DENTAL_HEADER, dental_rows),
        write_csv(out / "diagnostic_pathway_events.csv", PATHWAY_HEADER, _pathway_records(spec)),
    ]


def simulate_periods(spec: GenerationSpec) -> list[CarePeriod]:
    """About 200 children a year entering care (scaled), with ids in the case-management person-number format."""
    rng = spec.rng("health.care_cohort")
    periods: list[CarePeriod] = []
    used: set[str] = set()
    for day in arrivals(rng, date(spec.first_year - 6, 4, 1), spec.extract_date, lambda _: spec.scale * 200):
        while True:
            child = str(rng.randint(100_000, 2_499_999))
            if child not in used:
                used.add(child)
                break
        dob = day - timedelta(days=rng.randint(0, 17 * 365))
        end = day + timedelta(days=1 + round(rng.expovariate(1 / 700)))
        periods.append(CarePeriod(child, day, end if end <= spec.extract_date else None, dob))
    return periods


class _WorkingDays:
    def __init__(self, first_year: int, last_year: int) -> None:
        self._holidays: set[date] = set()
        for year in range(first_year, last_year + 1):
            self._holidays |= england_bank_holidays(year)

    def add(self, day: date, count: int) -> date:
        """The working day ``count`` working days after ``day``."""
        while count > 0:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in self._holidays:
                count -= 1
        return day


def _health_of_children_in_care(
    spec: GenerationSpec, periods: list[CarePeriod]
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    rng = spec.rng("health.children_in_care")
    extract = spec.extract_date
    first = min((period.start.year for period in periods), default=spec.first_year) - 1
    working = _WorkingDays(first, extract.year + 1)
    iha_rows: list[tuple[object, ...]] = []
    rha_rows: list[tuple[object, ...]] = []
    dental_rows: list[tuple[object, ...]] = []
    for period in periods:
        if period.start > extract:
            continue
        last_day = min(period.end, extract) if period.end is not None else extract
        decom = fmt_date(period.start, DMY)
        # Requested within 48 hours: the day care started or the next, in office hours; otherwise days later.
        if rng.random() < _by_year(IHA_REQUESTED_IN_TIME, spec, period.start):
            requested_day = period.start + timedelta(days=rng.randint(0, 1))
        else:
            requested_day = period.start + timedelta(days=rng.randint(3, 16))
        requested = datetime.combine(requested_day, datetime.min.time()) + timedelta(
            hours=rng.randint(8, 17), minutes=rng.randint(0, 59)
        )
        # Completed within 20 working days of entering care (at most 18, at least 3 days after the request),
        # or late (25 or more working days), by a paediatrician unless the child is placed far away.
        earliest = requested_day + timedelta(days=3)
        on_time = working.add(period.start, rng.randint(8, 18))
        if rng.random() < _by_year(IHA_COMPLETED_IN_TIME, spec, period.start) and on_time >= earliest:
            completed: date | None = on_time
        else:
            completed = max(working.add(period.start, 25 + round(rng.expovariate(1 / 12))), earliest)
        if completed is not None and completed > last_day:
            completed = None  # left care (or the extract was taken) before the assessment
        by = ""
        if completed is not None:
            by = "PAEDIATRICIAN" if rng.random() < 0.9 else "OTHER_MEDICAL_PRACTITIONER"
        iha_rows.append((
            period.child, decom, requested.strftime(DMY_HM) if requested_day <= last_day else "",
            fmt_date(completed, DMY), by,
        ))
        _reviews(rng, period, completed, last_day, decom, rha_rows)
        _dental(rng, period, last_day, decom, dental_rows)
    return iha_rows, rha_rows, dental_rows


def _age_years(dob: date | None, day: date) -> float:
    return 10.0 if dob is None else (day - dob).days / 365.25


def _reviews(
    rng: random.Random, period: CarePeriod, iha: date | None, last_day: date, decom: str,
    rows: list[tuple[object, ...]],
) -> None:
    """Review health assessments: due six months (under five) or a year after the last assessment."""
    anchor = iha or period.start + timedelta(days=28)
    due_days: set[date] = set()
    while True:
        interval = 182 if _age_years(period.dob, anchor) < 5 else 365
        due = anchor + timedelta(days=interval)
        if due > last_day or due in due_days:
            return
        due_days.add(due)
        roll = rng.random()
        if roll < 0.84:
            done: date | None = due - timedelta(days=rng.randint(0, 45))
        elif roll < 0.95:
            done = due + timedelta(days=rng.randint(1, 90))
        else:
            done = None
        if done is not None and (done > last_day or done <= anchor):
            done = None
        rows.append((period.child, decom, fmt_date(due, DMY), fmt_date(done, DMY)))
        anchor = done or due


def _dental(rng: random.Random, period: CarePeriod, last_day: date, decom: str, rows: list[tuple[object, ...]]) -> None:
    """Dental checks: a first one within months of coming into care, then about every six to twelve months."""
    day = period.start + timedelta(days=rng.randint(60, 270))
    seen: set[date] = set()
    while day <= last_day:
        if _age_years(period.dob, day) >= 1.0 and rng.random() < 0.85 and day not in seen:
            seen.add(day)
            rows.append((period.child, decom, fmt_date(day, DMY)))
        day += timedelta(days=rng.randint(150, 380))


def _monthly(spec: GenerationSpec, value: float, growth: float, day: date) -> float:
    return spec.scale * value * (1.0 + growth) ** ((day - spec.start_date).days / 365.25)


@dataclass
class _Referral:
    referral_id: str
    nhs_number: str
    dob: date
    referral: date
    appropriate: bool
    urgent: bool
    leaves_list: date
    assessed: date | None = None
    removed: date | None = None
    reason: str = ""
    intervention: date | None = None


def _pathway_records(spec: GenerationSpec) -> list[tuple[object, ...]]:
    """Daily queue per CCG and pathway from two years before the first simulated year to the extract date."""
    rng = spec.rng("health.pathways")
    nhs_numbers = NhsNumberAllocator(spec.rng("health.nhs_numbers"))
    extract = spec.extract_date
    begin = date(spec.first_year - 2, 4, 1)
    rows: list[tuple[object, ...]] = []
    serial = 0
    known: list[tuple[str, date]] = []  # children already referred to another pathway
    for ccg_code, ccg_name, share in CCGS:
        for pathway, params in PATHWAYS.items():
            urgent: deque[_Referral] = deque()
            routine: deque[_Referral] = deque()
            leaving: list[tuple[date, int, _Referral]] = []  # heap: the day each would leave the list unassessed
            records: list[_Referral] = []
            day = begin
            while day <= extract:
                if day.weekday() < 5:
                    per_day = _monthly(spec, params["referrals"], params["growth"], day) * share * 12 / 261
                    for _ in range(poisson(rng, per_day)):
                        serial += 1
                        if known and rng.random() < 0.08:
                            nhs, dob = rng.choice(known)
                        else:
                            nhs = nhs_numbers.allocate()
                            dob = day - timedelta(days=rng.randint(2 * 365, 17 * 365))
                            known.append((nhs, dob))
                        referral = _Referral(
                            f"NDP{serial:07d}", nhs, dob, day, rng.random() < params["appropriate"],
                            rng.random() < 0.1, day + timedelta(days=1 + round(rng.expovariate(0.0006))),
                        )
                        records.append(referral)
                        if referral.appropriate:
                            (urgent if referral.urgent else routine).append(referral)
                            heapq.heappush(leaving, (referral.leaves_list, serial, referral))
                    # Assessments start in referral order, urgent referrals first.
                    capacity = _monthly(spec, params["capacity"], params["capacity_growth"], day) * share * 12 / 261
                    for _ in range(poisson(rng, capacity)):
                        chosen = _next_waiting(urgent) or _next_waiting(routine)
                        if chosen is None:
                            break
                        chosen.assessed = day
                        gap = round(math.exp(rng.gauss(math.log(45), 0.6)))
                        if rng.random() < 0.85 and day + timedelta(days=gap) <= extract:
                            chosen.intervention = _next_weekday(day + timedelta(days=gap))
                # Some leave the list without an assessment (moved away, declined, did not attend).
                while leaving and leaving[0][0] <= day:
                    _, _, referral = heapq.heappop(leaving)
                    if referral.assessed is None:
                        referral.removed = day
                        referral.reason = _pick(rng, REMOVAL_REASONS)
                day += timedelta(days=1)
            for referral in records:
                rows.append((
                    referral.referral_id, pathway, ccg_code, ccg_name, referral.nhs_number,
                    fmt_date(referral.dob, ISO), fmt_date(referral.referral, ISO),
                    "Y" if referral.appropriate else "N", fmt_date(referral.assessed, ISO),
                    fmt_date(referral.removed, ISO), referral.reason, fmt_date(referral.intervention, ISO),
                ))
    rows.sort(key=lambda row: (row[6], row[0]))
    return rows


def _next_waiting(queue: deque[_Referral]) -> _Referral | None:
    """The first referral in the queue still waiting (removed ones are dropped as they reach the front)."""
    while queue:
        referral = queue.popleft()
        if referral.removed is None:
            return referral
    return None


def _next_weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([key for key, _ in table], weights=[weight for _, weight in table])[0]



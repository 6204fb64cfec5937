"""Special educational needs: requests for EHC needs assessment, assessments, plans and their annual reviews.

Statements of SEN made before the September 2014 reforms are transferred to EHC plans by 31 March 2018.
From September 2014 requests arrive at a rate that grows about 15% a year; about three in four are agreed
for assessment, nine in ten assessments end in a plan. How long a plan takes to issue, how quickly the
educational psychologist's advice arrives and how many annual reviews are done in time vary by financial
year, so the timeliness measures move as they did on the printed scorecards. A child with a plan may move
to a special school at the next September, which the school census then shows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ._edu_calendar import academic_year_of
from ._edu_ids import UpnAllocator
from ._edu_population import ETHNICITIES, Child, Population
from ._edu_random import arrivals
from ._edu_schools import PHASE_SPECIAL, School, SchoolEstate
from .common import GenerationSpec

REFORM_DATE = date(2014, 9, 1)
TRANSFER_DEADLINE = date(2018, 3, 31)
SEN_TYPES = (
    ("ASD", 30.0), ("SEMH", 15.0), ("SLCN", 15.0), ("MLD", 10.0), ("SLD", 9.0), ("SPLD", 4.0), ("PMLD", 3.0),
    ("PD", 5.0), ("HI", 2.0), ("VI", 1.0), ("MSI", 0.3), ("OTH", 4.0),
)
# Age (years at the start of the academic year) of the child when the request arrives.
REQUEST_AGES = (
    (1, 1.0), (2, 4.0), (3, 8.0), (4, 12.0), (5, 12.0), (6, 10.0), (7, 9.0), (8, 8.0), (9, 7.0), (10, 6.0),
    (11, 6.0), (12, 5.0), (13, 4.0), (14, 4.0), (15, 3.0), (16, 1.5), (17, 1.0), (18, 0.5),
)
EXCEPTION_REASONS = ("SCHOOL_CLOSURE", "PERSONAL_CIRCUMSTANCES", "ABSENT_FROM_AREA", "MISSED_APPOINTMENT")
# Share of new plans issued within 20 weeks, of EP advice returned within 6 weeks, of annual reviews in time,
# by financial year relative to the first simulated year (index 0); earlier years use the first value.
PLANS_IN_TIME = (0.41, 0.34, 0.22, 0.33, 0.45)
EP_IN_TIME = (0.55, 0.45, 0.15, 0.50, 0.60)
REVIEWS_IN_TIME = (0.57, 0.59, 0.63, 0.67, 0.70)


@dataclass
class SenPerson:
    upn: str
    dob: date
    sex: str
    ethnicity: str
    child: Child | None  # the census child, when the person is one
    leave: date | None
    uln: str = ""


@dataclass
class Request:
    person: SenPerson
    received: date
    source: str
    outcome_date: date | None
    outcome: str
    mediation: bool
    tribunal: bool
    exported: bool


@dataclass
class Assessment:
    request: Request
    outcome: str
    outcome_date: date | None
    week20: bool
    mediation: bool
    tribunal: bool


@dataclass
class Plan:
    plan_id: str
    person: SenPerson
    request_received: date | None
    twenty_week_due: date | None
    ep_requested: date | None
    ep_received: date | None
    issued: date | None
    exception: bool
    exception_reason: str
    transfer: bool
    statement_date: date | None
    ceased: date | None
    cease_reason: str
    primary_need: str


@dataclass
class Review:
    plan: Plan
    due: date
    meeting: date | None
    decision: date | None


@dataclass
class SenData:
    persons: list[SenPerson] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    # Per UPN: (start, end, code) with code S (statement) or E (EHC plan); end exclusive, None if open.
    provision: dict[str, list[tuple[date, date | None, str]]] = field(default_factory=dict)


def _fy(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _by_year(values: tuple[float, ...], spec: GenerationSpec, day: date) -> float:
    index = min(max(_fy(day) - spec.first_year, 0), len(values) - 1)
    return values[index]


def _pick(rng: random.Random, table: tuple[tuple[object, float], ...]) -> object:
    return rng.choices([key for key, _ in table], weights=[weight for _, weight in table])[0]


class _People:
    """Finds or makes the person a request is about."""

    def __init__(self, spec: GenerationSpec, population: Population, rng: random.Random) -> None:
        self._spec = spec
        self._population = population
        self._rng = rng
        self._taken: set[int] = set()
        self._extra_upns = UpnAllocator(spec.la_code)
        self.persons: list[SenPerson] = []

    def person_for(self, day: date, age: int) -> SenPerson:
        cohort = academic_year_of(day) - age - 1
        members = self._population.by_cohort.get(cohort)
        if members:
            for _ in range(40):
                child = self._rng.choice(members)
                if child.index not in self._taken and child.resident(day):
                    self._taken.add(child.index)
                    person = SenPerson(child.upn, child.dob, child.gender, child.ethnicity, child, child.leave)
                    self.persons.append(person)
                    return person
        # Someone outside the simulated cohorts (older young people): a person of the SEN record only.
        rng = self._rng
        dob = date(cohort, 9, 1) + timedelta(days=rng.randint(0, 364))
        upn = self._extra_upns.allocate(f"{rng.randint(6000, 6999):04d}", cohort + 5)  # a block no school here uses
        leave = None
        if rng.random() < 0.25:
            leave = day + timedelta(days=rng.randint(200, 3000))
        ethnicity = str(_pick(rng, ETHNICITIES))
        person = SenPerson(upn, dob, "M" if rng.random() < 0.7 else "F", ethnicity, None, leave)
        self.persons.append(person)
        return person


def build_sen(spec: GenerationSpec, population: Population, estate: SchoolEstate) -> SenData:
    rng = spec.rng("education.sen")
    people = _People(spec, population, rng)
    data = SenData()
    extract = spec.extract_date
    specials = estate.by_phase(PHASE_SPECIAL)
    plan_seq = 0

    def new_plan_id() -> str:
        nonlocal plan_seq
        plan_seq += 1
        return f"EHCP{plan_seq:06d}"

    # Statements made before the reforms, at about 190 a year (scaled), from 2000.
    for day in arrivals(rng, date(2000, 1, 1), REFORM_DATE - timedelta(days=1), lambda _: spec.scale * 200):
        person = people.person_for(day, int(_pick(rng, REQUEST_AGES)))
        ceased, reason = _cease(rng, person, day, extract)
        if ceased is not None and ceased < REFORM_DATE:
            _maybe_special(rng, person, day, ceased, specials)
            continue  # ended before the reforms: not in today's systems
        transfer = REFORM_DATE + timedelta(days=rng.randint(0, (TRANSFER_DEADLINE - REFORM_DATE).days))
        need = str(_pick(rng, SEN_TYPES))
        if ceased is not None and ceased <= transfer:
            plan = Plan(new_plan_id(), person, None, None, None, None, None, False, "", True, day, ceased, reason, need)
            _record_provision(data, person.upn, day, ceased, "S")
        else:
            review_start = transfer - timedelta(days=rng.randint(60, 126))
            plan = Plan(
                new_plan_id(), person, review_start, None, None, None, transfer, False, "", True, day, ceased, reason,
                need,
            )
            _record_provision(data, person.upn, day, transfer, "S")
            _record_provision(data, person.upn, transfer, ceased, "E")
            data.reviews.extend(_reviews(rng, spec, plan, transfer))
        _maybe_special(rng, person, day, ceased, specials)
        data.plans.append(plan)

    # Requests for EHC needs assessment from the reforms on.
    def rate(day: date) -> float:
        return spec.scale * 330 * 1.17 ** (_fy(day) - spec.first_year)
    for day in arrivals(rng, REFORM_DATE, extract, rate):
        received = day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day
        if received > extract:
            break
        person = people.person_for(received, int(_pick(rng, REQUEST_AGES)))
        _request(rng, spec, data, person, received, specials, new_plan_id)

    recorded = {id(plan.person) for plan in data.plans} | {id(request.person) for request in data.requests}
    data.persons = [person for person in people.persons if id(person) in recorded]
    uln_used: set[str] = set()
    for person in data.persons:
        if (extract - person.dob).days > 14 * 365:
            while True:
                uln = str(rng.randint(1_000_000_000, 9_999_999_999))
                if uln not in uln_used:
                    uln_used.add(uln)
                    person.uln = uln
                    break
    return data


def _record_provision(data: SenData, upn: str, start: date, end: date | None, code: str) -> None:
    if end is not None and end <= start:
        return
    data.provision.setdefault(upn, []).append((start, end, code))


def _cease(rng: random.Random, person: SenPerson, start: date, extract: date) -> tuple[date | None, str]:
    """When and why a plan (or statement) made on ``start`` ends; (None, "") if it is still active."""
    candidates: list[tuple[date, str]] = []
    if person.leave is not None:
        candidates.append((person.leave + timedelta(days=rng.randint(0, 60)), "5" if rng.random() < 0.9 else "7"))
    # End of education: at the end of the academic year in which the young person reaches this age.
    end_age = int(_pick(rng, ((16, 6.0), (18, 20.0), (19, 17.0), (21, 20.0), (23, 17.0), (25, 20.0))))
    cohort = academic_year_of(person.dob)
    end_year = cohort + end_age + 1
    end_day = date(end_year, 7, rng.randint(10, 31))
    reason = {16: "2", 18: str(rng.choice("2236")), 19: str(rng.choice("346")), 21: str(rng.choice("3469"))}.get(
        end_age, "1" if end_age == 25 else str(rng.choice("3469"))
    )
    candidates.append((end_day, reason))
    if rng.random() < 0.04:  # needs met without a plan while still at school
        candidates.append((start + timedelta(days=rng.randint(365, 8 * 365)), "2"))
    if rng.random() < 0.002:
        candidates.append((start + timedelta(days=rng.randint(30, 5 * 365)), "8"))
    day, why = min(candidates)
    if day <= start:
        day = start + timedelta(days=rng.randint(30, 200))
    if day > extract:
        return None, ""
    return day, why


def _maybe_special(
    rng: random.Random, person: SenPerson, issued: date, ceased: date | None, specials: list[School]
) -> None:
    """About four in ten children with a plan in reception to year 10 move to a special school the next September."""
    child = person.child
    if child is None or not specials or child.special is not None:
        return
    academic_year = academic_year_of(issued) + 1
    if not 0 <= child.ncyear(academic_year) <= 10 or rng.random() >= 0.42:
        return
    entry = date(academic_year, 9, 4)
    if ceased is not None and entry >= ceased:
        return
    child.special = rng.choices(specials, weights=[school.weight for school in specials])[0]
    child.special_entry = entry


def _request(
    rng: random.Random,
    spec: GenerationSpec,
    data: SenData,
    person: SenPerson,
    received: date,
    specials: list[School],
    new_plan_id: Callable[[], str],
) -> None:
    extract = spec.extract_date
    outcome_date = received + timedelta(days=rng.randint(14, 56))
    roll = rng.random()
    outcome = "A" if roll < 0.78 else ("J" if roll < 0.95 else "W")
    exported = person.leave is not None and person.leave < received + timedelta(days=140)
    refused = outcome == "J"
    request = Request(
        person,
        received,
        str(rng.choices("1234", weights=(55, 3, 35, 7))[0]),
        outcome_date if outcome_date <= extract else None,
        outcome if outcome_date <= extract else "",
        refused and rng.random() < 0.15,
        refused and rng.random() < 0.08,
        exported,
    )
    data.requests.append(request)
    if outcome != "A" or outcome_date > extract:
        return
    ep_requested = outcome_date + timedelta(days=rng.randint(0, 7))
    if rng.random() < _by_year(EP_IN_TIME, spec, ep_requested):
        ep_received: date | None = ep_requested + timedelta(days=rng.randint(18, 42))
    else:
        ep_received = ep_requested + timedelta(days=43 + round(rng.expovariate(1 / 35)))
    roll = rng.random()
    assessment_outcome = "I" if roll < 0.91 else ("N" if roll < 0.98 else "W")
    need = str(_pick(rng, SEN_TYPES))
    if assessment_outcome != "I":
        decided = received + timedelta(days=rng.randint(80, 135))
        data.assessments.append(
            Assessment(
                request,
                assessment_outcome if decided <= extract else "",
                decided if decided <= extract else None,
                False,
                assessment_outcome == "N" and rng.random() < 0.2,
                assessment_outcome == "N" and rng.random() < 0.1,
            )
        )
        return
    # When the final plan is issued: within 20 weeks for this year's share, otherwise weeks or months late.
    due = received + timedelta(weeks=20)
    provisional = received + timedelta(days=rng.randint(110, 175))
    if rng.random() < _by_year(PLANS_IN_TIME, spec, provisional):
        issued = received + timedelta(days=rng.randint(95, 140))
        exception = rng.random() < 0.03
    else:
        issued = due + timedelta(days=1 + round(rng.gammavariate(1.6, 55)))
        exception = rng.random() < 0.25
    issued = max(issued, ep_received + timedelta(days=7), outcome_date + timedelta(days=35))
    if issued.weekday() >= 5:
        issued += timedelta(days=7 - issued.weekday())
    decided = issued - timedelta(days=rng.randint(21, 42))
    decided = max(decided, outcome_date + timedelta(days=14))
    data.assessments.append(
        Assessment(request, "I" if decided <= extract else "", decided if decided <= extract else None, exception,
                   False, False)
    )
    plan = Plan(
        new_plan_id(),
        person,
        received,
        due,
        ep_requested if ep_requested <= extract else None,
        ep_received if ep_received <= extract else None,
        issued if issued <= extract else None,
        exception,
        rng.choice(EXCEPTION_REASONS) if exception else "",
        False,
        None,
        None,
        "",
        need,
    )
    if issued <= extract:
        ceased, reason = _cease(rng, person, issued, extract)
        plan.ceased, plan.cease_reason = ceased, reason
        _record_provision(data, person.upn, issued, ceased, "E")
        data.reviews.extend(_reviews(rng, spec, plan, issued))
        _maybe_special(rng, person, issued, ceased, specials)
    data.plans.append(plan)


def _reviews(rng: random.Random, spec: GenerationSpec, plan: Plan, issued: date) -> list[Review]:
    """Annual reviews: due a year after the plan or the last review meeting, the LA's decision within 4 weeks."""
    extract = spec.extract_date
    reviews: list[Review] = []
    due = issued + timedelta(days=365)
    while due <= extract and (plan.ceased is None or due < plan.ceased):
        roll = rng.random()
        if roll < _by_year(REVIEWS_IN_TIME, spec, due):
            meeting: date | None = due - timedelta(days=rng.randint(0, 40))
            decision: date | None = meeting + timedelta(days=rng.randint(3, 28))
        elif roll < 0.92:
            meeting = due + timedelta(days=rng.randint(-10, 20) + round(rng.gammavariate(1.5, 90)))
            decision = meeting + timedelta(days=rng.randint(5, 60))
        else:
            meeting, decision = None, None  # never held: outstanding until the plan ends
        if meeting is not None and plan.ceased is not None and meeting >= plan.ceased:
            meeting, decision = None, None
        reviews.append(
            Review(
                plan,
                due,
                meeting if meeting is not None and meeting <= extract else None,
                decision if decision is not None and decision <= extract else None,
            )
        )
        if meeting is None:
            break
        due = meeting + timedelta(days=365)
    return reviews

"""Schools of a synthetic council, their academy conversions and their Ofsted inspection history.

A physical school keeps one DfE establishment number for its pupils' UPNs but, as in Get Information About
Schools, an academy conversion closes the maintained school's URN and opens a new academy URN (the
predecessor is recorded). Inspections follow a Markov chain over the overall-effectiveness grade with the
inspection frequency of the framework: outstanding schools exempt for years, good ones every four or so,
requires improvement within about two, inadequate maintained schools become sponsored academies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .common import GenerationSpec

LOCALITIES = (
    "Crewe", "Macclesfield", "Congleton", "Sandbach", "Nantwich", "Wilmslow", "Knutsford", "Alsager",
    "Middlewich", "Poynton", "Holmes Chapel", "Handforth", "Bollington", "Audlem", "Disley", "Prestbury",
    "Shavington", "Haslington", "Wybunbury", "Alderley Edge",
)
LOCALITY_WEIGHTS = (14, 12, 7, 5, 5, 5, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1)
PRIMARY_WORDS = (
    "Oakfield", "Beechwood", "Willowbrook", "Meadowside", "Hillcrest", "Parkside", "Greenfields", "Brookside",
    "St Mary's CofE", "St John's CofE", "St Anne's Catholic", "Millfields", "Highfields", "Elmridge",
    "Ashgrove", "Westfield", "Eastfield", "Churchfields", "Springfield", "Woodlands", "Holly Bank", "Rowan",
    "Larchwood", "Heathfield", "Moorside", "Riverside", "Cherry Tree", "Orchard", "Fernbank", "Bridgemere",
)
SPECIAL_WORDS = ("Hollins Green", "Park Lane", "Springbank", "Oakwood", "Mossley Vale", "Dane Valley", "Tytherington")

PHASE_PRIMARY, PHASE_SECONDARY, PHASE_SPECIAL = "Primary", "Secondary", "Special"
TYPE_ACADEMY, TYPE_MAINTAINED = "Academy", "Maintained"

# Next overall-effectiveness grade given the current one (1 outstanding .. 4 inadequate), by phase.
TRANSITIONS: dict[str, dict[int, tuple[float, float, float, float]]] = {
    PHASE_PRIMARY: {
        1: (0.45, 0.45, 0.09, 0.01), 2: (0.05, 0.80, 0.14, 0.01), 3: (0.01, 0.62, 0.33, 0.04), 4: (0.0, 0.6, 0.4, 0.0),
    },
    PHASE_SECONDARY: {
        1: (0.40, 0.40, 0.16, 0.04), 2: (0.04, 0.66, 0.25, 0.05), 3: (0.02, 0.45, 0.43, 0.10), 4: (0.0, 0.5, 0.5, 0.0),
    },
    PHASE_SPECIAL: {
        1: (0.55, 0.35, 0.10, 0.00), 2: (0.08, 0.72, 0.20, 0.00), 3: (0.04, 0.66, 0.30, 0.00), 4: (0.0, 0.6, 0.4, 0.0),
    },
}
# The chains' long-run, time-weighted shares (about 91% good or outstanding primary, 79% secondary, 90% special).
INITIAL_GRADES: dict[str, tuple[float, float, float, float]] = {
    PHASE_PRIMARY: (0.14, 0.77, 0.085, 0.005),
    PHASE_SECONDARY: (0.11, 0.68, 0.18, 0.03),
    PHASE_SPECIAL: (0.25, 0.65, 0.10, 0.00),
}
# Years until the next graded inspection, by the current grade.
INSPECTION_GAP_YEARS = {1: (6.0, 10.0), 2: (3.5, 5.0), 3: (1.5, 2.5), 4: (1.0, 2.0)}


@dataclass
class UrnRecord:
    urn: str
    name: str
    school_type: str
    open_date: date
    close_date: date | None
    predecessor_urn: str | None


@dataclass
class Inspection:
    urn: str
    inspection_date: date
    publication_date: date
    grade: int


@dataclass
class School:
    key: int
    phase: str
    locality: int
    estab: str
    weight: float
    has_nursery: bool
    has_sixth_form: bool
    records: list[UrnRecord] = field(default_factory=list)

    @property
    def opened(self) -> date:
        return self.records[0].open_date

    def urn_at(self, day: date) -> str | None:
        for record in self.records:
            if record.open_date <= day and (record.close_date is None or day <= record.close_date):
                return record.urn
        return None

    def record_at(self, day: date) -> UrnRecord | None:
        for record in self.records:
            if record.open_date <= day and (record.close_date is None or day <= record.close_date):
                return record
        return None


@dataclass
class SchoolEstate:
    schools: list[School]
    inspections: list[Inspection]

    def by_phase(self, phase: str) -> list[School]:
        return [school for school in self.schools if school.phase == phase]


def _month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def _choose(rng: random.Random, weights: tuple[float, ...]) -> int:
    """Index drawn with the given weights."""
    return rng.choices(range(len(weights)), weights=weights)[0]


class _UrnPool:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def maintained(self) -> str:
        while True:
            urn = str(self._rng.randint(110_000, 111_999))
            if urn not in self._used:
                self._used.add(urn)
                return urn

    def academy(self, opened: date) -> str:
        # Academy URNs rise with the date the academy opened, as in GIAS (about 135000 in 2010, 148000 in 2020).
        base = 135_000 + int((opened - date(2010, 9, 1)).days * 3.6)
        while True:
            urn = str(base + self._rng.randint(0, 60))
            if urn not in self._used:
                self._used.add(urn)
                return urn


def _names(rng: random.Random, phase: str, locality: str, used: set[str]) -> str:
    for _ in range(200):
        if phase == PHASE_PRIMARY:
            name = f"{locality} {rng.choice(PRIMARY_WORDS)} Primary School"
        elif phase == PHASE_SECONDARY:
            name = rng.choice((f"{locality} High School", f"{locality} {rng.choice(PRIMARY_WORDS[:8])} High School"))
        else:
            name = f"{rng.choice(SPECIAL_WORDS)} School"
        if name not in used:
            used.add(name)
            return name
    name = f"{locality} School {len(used) + 1}"
    used.add(name)
    return name


def _academy_name(rng: random.Random, name: str) -> str:
    if rng.random() < 0.5:
        return name.replace(" School", " Academy")
    return name


def build_estate(spec: GenerationSpec) -> SchoolEstate:
    """Schools, URN histories and inspections for the whole simulated period."""
    rng = spec.rng("education.schools")
    urns = _UrnPool(rng)
    window_start, window_end = spec.start_date, spec.extract_date
    counts = {
        PHASE_PRIMARY: spec.scaled(125),
        PHASE_SECONDARY: spec.scaled(25),
        PHASE_SPECIAL: spec.scaled(5),
    }
    academies_at_start = {
        PHASE_PRIMARY: round(counts[PHASE_PRIMARY] * 0.32),
        PHASE_SECONDARY: round(counts[PHASE_SECONDARY] * 0.80),
        PHASE_SPECIAL: round(counts[PHASE_SPECIAL] * 0.40),
    }
    used_names: set[str] = set()
    schools: list[School] = []
    la_formed = date(2009, 4, 1)  # maintained schools of a unitary formed in 2009 carry that open date
    estab_next = {PHASE_PRIMARY: 2000, PHASE_SECONDARY: 4000, PHASE_SPECIAL: 7000}
    for phase in (PHASE_PRIMARY, PHASE_SECONDARY, PHASE_SPECIAL):
        for index in range(counts[phase]):
            locality = _choose(rng, LOCALITY_WEIGHTS)
            estab_next[phase] += rng.randint(1, 12)
            size = {PHASE_PRIMARY: rng.uniform(0.4, 2.2), PHASE_SECONDARY: rng.uniform(0.6, 1.5)}.get(
                phase, rng.uniform(0.7, 1.3)
            )
            school = School(
                key=len(schools),
                phase=phase,
                locality=locality,
                estab=f"{estab_next[phase]:04d}",
                weight=size,
                has_nursery=phase == PHASE_PRIMARY and rng.random() < 0.35,
                has_sixth_form=phase != PHASE_PRIMARY and (phase == PHASE_SPECIAL or rng.random() < 0.75),
            )
            name = _names(rng, phase, LOCALITIES[locality], used_names)
            school.records.append(UrnRecord(urns.maintained(), name, TYPE_MAINTAINED, la_formed, None, None))
            if index < academies_at_start[phase]:
                converted = _month_start(
                    date(2011, 1, 1) + timedelta(days=rng.randint(0, (window_start - date(2011, 1, 1)).days - 1))
                )
                _convert(school, converted, rng, urns)
            schools.append(school)
    # A new primary free school opens in the third September of the window, where the housing has grown.
    new_open = date(spec.first_year + 2, 9, 1)
    if new_open <= window_end:
        locality = 0
        school = School(
            key=len(schools), phase=PHASE_PRIMARY, locality=locality, estab="2999", weight=0.5,
            has_nursery=False, has_sixth_form=False,
        )
        name = _names(rng, PHASE_PRIMARY, LOCALITIES[locality], used_names).replace(" School", " Academy")
        school.records.append(UrnRecord(urns.academy(new_open), name, TYPE_ACADEMY, new_open, None, None))
        schools.append(school)
    # Voluntary conversions in the window: about 5% of the remaining maintained schools a year.
    for school in schools:
        if school.records[-1].school_type == TYPE_MAINTAINED and rng.random() < 0.05 * spec.years:
            day = window_start + timedelta(days=rng.randint(0, (window_end - window_start).days))
            _convert(school, _month_start(day), rng, urns)
    inspections: list[Inspection] = []
    for school in schools:
        inspections.extend(_inspect(school, rng, urns, window_end))
    inspections.sort(key=lambda item: (item.inspection_date, item.urn))
    return SchoolEstate(schools, inspections)


def _convert(school: School, day: date, rng: random.Random, urns: _UrnPool) -> bool:
    """Close the current maintained URN the day before ``day`` and open an academy URN on ``day``."""
    current = school.records[-1]
    if current.school_type == TYPE_ACADEMY or day <= current.open_date:
        return False
    current.close_date = day - timedelta(days=1)
    school.records.append(
        UrnRecord(urns.academy(day), _academy_name(rng, current.name), TYPE_ACADEMY, day, None, current.urn)
    )
    return True


def _inspect(school: School, rng: random.Random, urns: _UrnPool, until: date) -> list[Inspection]:
    phase = school.phase
    results: list[Inspection] = []
    opened = school.opened
    if opened > date(2014, 1, 1):  # a new school: first inspection in its third year
        day = opened + timedelta(days=rng.randint(700, 1000))
        grade = _choose(rng, INITIAL_GRADES[phase]) + 1
    else:
        day = date(2009, 9, 1) + timedelta(days=rng.randint(0, 4 * 365))
        grade = _choose(rng, INITIAL_GRADES[phase]) + 1
    first = True
    while day <= until:
        if not first:
            grade = _choose(rng, TRANSITIONS[phase][grade]) + 1
        first = False
        record = school.record_at(day)
        if record is not None:
            published = day + timedelta(days=rng.randint(14, 35))
            if published <= until:
                results.append(Inspection(record.urn, day, published, grade))
        low, high = INSPECTION_GAP_YEARS[grade]
        next_day = day + timedelta(days=round(365 * rng.uniform(low, high)))
        if grade == 4 and school.records[-1].school_type == TYPE_MAINTAINED:
            conversion = _month_start(day + timedelta(days=rng.randint(150, 300)))
            if conversion <= until and _convert(school, conversion, rng, urns):
                next_day = conversion + timedelta(days=rng.randint(730, 1100))
        else:
            # A converter academy is inspected as a new school, about three years after it opened.
            for record in school.records:
                if record.predecessor_urn and day < record.open_date < next_day:
                    next_day = max(next_day, record.open_date + timedelta(days=rng.randint(700, 1200)))
        day = next_day
    return results

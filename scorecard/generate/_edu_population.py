"""The children of a synthetic council: who lives there, which schools they attend, and when.

One ``Child`` per child of the birth cohorts the school census years need. Each has a residence interval
(born here or moved in, maybe moved away), a primary and a secondary school (the secondary usually in the
same locality), whether they stay on to the sixth form, and propensities that the census, exclusion and
special-needs generators read: how often they are absent, how likely they are to be suspended, whether they
receive SEN support, and a spell in care. Other generators add to it: EHC plans move some children to special
schools, elective home education and missing-education episodes take them off roll.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ._edu_calendar import SchoolCalendar, academic_year_of
from ._edu_care import ADOPTED_FROM_CARE, read_looked_after_children
from ._edu_ids import UpnAllocator, is_valid_upn, temporary_upn
from ._edu_schools import PHASE_PRIMARY, PHASE_SECONDARY, School, SchoolEstate
from .common import GenerationSpec

ETHNICITIES = (
    ("WBRI", 86.0), ("WIRI", 0.5), ("WOTH", 3.5), ("MWBC", 1.2), ("MWBA", 0.5), ("MWAS", 0.9), ("MOTH", 1.1),
    ("AIND", 1.0), ("APKN", 0.4), ("ABAN", 0.2), ("AOTH", 0.7), ("BCRB", 0.2), ("BAFR", 0.5), ("BOTH", 0.1),
    ("CHNE", 0.4), ("OOTH", 0.6), ("REFU", 1.0), ("NOBT", 1.2),
)
BIRTH_COHORT_SIZE = 5150  # children per year of birth at scale 1 (about 53,000 pupils on roll)


@dataclass(slots=True)
class Child:
    index: int
    dob: date
    gender: str
    cohort: int  # academic year of birth: born 1 September cohort .. 31 August cohort + 1
    ethnicity: str
    arrive: date  # resident in the council's area from
    leave: date | None  # moved away on
    primary: School | None
    secondary: School | None
    nursery: bool  # attends the primary school's nursery class in the year before reception
    sixth_form_years: int  # 0, 1 or 2 years in the school's sixth form
    absence: float  # multiplies the absence rate of the child's year group (mean 1)
    behaviour: float  # suspensions per term before the phase factor
    sen_support: tuple[int, int] | None  # NC years (0 = reception) with SEN support
    care: list[tuple[date, date | None]]  # spells looked after by the council: start inclusive, end exclusive
    adopted_code: str  # adoptedfromcare code after leaving care through adoption or a special guardianship order
    adopted_since: date | None  # the day that code applies from
    upn: str = ""
    formerupn: str = ""
    special: School | None = None
    special_entry: date | None = None
    removed: date | None = None  # off roll for good (permanent exclusion to alternative provision)
    off_roll: list[tuple[date, date | None]] = field(default_factory=list)

    def ncyear(self, academic_year: int) -> int:
        """National curriculum year group by age (-1 = nursery, 0 = reception)."""
        return academic_year - self.cohort - 5

    def resident(self, day: date) -> bool:
        return self.arrive <= day and (self.leave is None or day < self.leave)

    def on_roll_possible(self, day: date) -> bool:
        """Resident, not removed and not in an off-roll spell (home education, missing education) on ``day``."""
        if not self.resident(day) or (self.removed is not None and day >= self.removed):
            return False
        for start, end in self.off_roll:
            if start <= day and (end is None or day < end):
                return False
        return True

    def in_care(self, day: date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in self.care)


@dataclass
class Population:
    children: list[Child]
    by_cohort: dict[int, list[Child]]
    first_academic_year: int
    last_academic_year: int
    calendar: SchoolCalendar
    upns: UpnAllocator

    def autumn_start(self, academic_year: int) -> date:
        """First day of the autumn term (September entry date) of an academic year."""
        for term in self.calendar.terms:
            if term.academic_year == academic_year and term.code == "AUT":
                return term.start
        return date(academic_year, 9, 3)


def _weighted_school(rng: random.Random, schools: list[School]) -> School:
    return rng.choices(schools, weights=[school.weight for school in schools])[0]


def _lognormal_unit_mean(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma) - sigma * sigma / 2)


def census_academic_years(spec: GenerationSpec) -> tuple[int, int]:
    """The academic years the school data covers: the one before the first financial year to the extract."""
    return spec.first_year - 1, academic_year_of(spec.extract_date)


def build_population(spec: GenerationSpec, estate: SchoolEstate) -> Population:
    rng = spec.rng("education.population")
    first_ay, last_ay = census_academic_years(spec)
    calendar = SchoolCalendar(first_ay - 1, last_ay)
    primaries = estate.by_phase(PHASE_PRIMARY)
    secondaries = estate.by_phase(PHASE_SECONDARY)
    by_locality: dict[int, list[School]] = {}
    for school in secondaries:
        by_locality.setdefault(school.locality, []).append(school)
    upns = UpnAllocator(spec.la_code)
    children: list[Child] = []
    by_cohort: dict[int, list[Child]] = {}
    population = Population(children, by_cohort, first_ay, last_ay, calendar, upns)
    # Cohorts from those in year 13 in the first academic year to those in nursery in the last.
    for cohort in range(first_ay - 18, last_ay - 4 + 1):
        size = spec.scaled(BIRTH_COHORT_SIZE * (1.0 + 0.004 * (cohort - 2005)))
        members: list[Child] = []
        reception_year = cohort + 5
        reception_start = date(reception_year, 9, 1)
        open_primaries = [school for school in primaries if school.opened <= reception_start] or primaries
        for _ in range(size):
            dob = date(cohort, 9, 1) + timedelta(days=rng.randint(0, 365))
            if dob.year == cohort + 1 and dob.month >= 9:  # 366 days on in a leap year: keep it in the cohort
                dob = date(cohort + 1, 8, 31)
            if rng.random() < 0.86:
                arrive = dob
            else:  # moved in at school age (reception to year 11)
                arrive = date(reception_year + rng.randint(0, 11), 9, 1) + timedelta(days=rng.randint(0, 364))
            # Families move away at about 1.6% a year.
            leave: date | None = arrive + timedelta(days=30 + round(365.25 * rng.expovariate(0.016)))
            if leave is not None and leave > dob + timedelta(days=19 * 365):
                leave = None
            primary = _weighted_school(rng, open_primaries)
            local = by_locality.get(primary.locality)
            secondary = _weighted_school(rng, local) if local and rng.random() < 0.8 else _weighted_school(
                rng, secondaries
            )
            sixth = 0
            if secondary.has_sixth_form and rng.random() < 0.42:
                sixth = 2 if rng.random() < 0.9 else 1
            at_risk = rng.random() < 0.07
            sen_support = None
            if rng.random() < 0.17:
                start = rng.randint(0, 8)
                sen_support = (start, rng.randint(start + 1, 14))
            care: list[tuple[date, date | None]] = []
            adopted, adopted_since = "", None
            if rng.random() < 0.033:  # replaced by the 903 children when the social care files are there
                start = dob + timedelta(days=rng.randint(0, 17 * 365))
                end = min(start + timedelta(days=round(rng.expovariate(1 / 1000)) + 10), dob + timedelta(days=18 * 365))
                care.append((start, end))
                if end < dob + timedelta(days=10 * 365) and rng.random() < 0.35:
                    adopted, adopted_since = rng.choice(("A", "A", "G", "C")), end
            child = Child(
                index=len(children),
                dob=dob,
                gender="M" if rng.random() < 0.512 else "F",
                cohort=cohort,
                ethnicity=rng.choices([code for code, _ in ETHNICITIES], weights=[w for _, w in ETHNICITIES])[0],
                arrive=arrive,
                leave=leave,
                primary=primary,
                secondary=secondary,
                nursery=primary.has_nursery and rng.random() < 0.8,
                sixth_form_years=sixth,
                absence=_lognormal_unit_mean(rng, 0.9),
                behaviour=(0.45 if at_risk else 0.004) * _lognormal_unit_mean(rng, 0.5),
                sen_support=sen_support,
                care=care,
                adopted_code=adopted,
                adopted_since=adopted_since,
            )
            _allocate_upn(population, child, rng, spec.la_code)
            children.append(child)
            members.append(child)
        by_cohort[cohort] = members
    link_looked_after(spec, population)
    return population


def link_looked_after(spec: GenerationSpec, population: Population) -> int:
    """Give children of the population the identity and care spells of the 903's looked-after children.

    When the social care generator has written ``903_header.csv`` and ``903_episodes.csv`` into the council's
    folder, every 903 child with a UPN takes the place of a child of the same birth cohort here: the census then
    shows that UPN, date of birth and sex, and ``incare`` on exactly the days the 903 periods cover. The
    population's own simulated spells in care are dropped. Returns how many children were linked (0 without 903).
    """
    looked_after = read_looked_after_children(spec.la_dir)
    if looked_after is None:
        return 0
    rng = spec.rng("education.care_link")
    for child in population.children:
        child.care, child.adopted_code, child.adopted_since = [], "", None
    used = {child.upn for child in population.children}
    linked: set[int] = set()
    for record in looked_after:
        if not is_valid_upn(record.upn) or record.upn in used:
            continue
        members = population.by_cohort.get(academic_year_of(record.dob))
        if not members:
            continue
        first, last = record.periods[0], record.periods[-1]
        for _ in range(30):
            child = rng.choice(members)
            if child.index not in linked and child.formerupn == "":
                break
        else:
            continue
        linked.add(child.index)
        used.add(record.upn)
        if child.arrive == child.dob:  # born here: resident from the (new) date of birth
            child.arrive = record.dob
        child.upn, child.dob = record.upn, record.dob
        child.gender = record.sex if record.sex in ("M", "F") else child.gender
        child.care = [(period.start, period.end) for period in record.periods]
        child.arrive = min(child.arrive, first.start)
        if child.leave is not None and (last.end is None or child.leave < last.end):
            child.leave = None
        code = ADOPTED_FROM_CARE.get(last.reason_ceased, "")
        if code and last.end is not None:
            child.adopted_code, child.adopted_since = code, last.end
    return len(linked)


def _allocate_upn(population: Population, child: Child, rng: random.Random, la_code: str) -> None:
    """The UPN is allocated by the first school the child joins here, in the year they join."""
    reception_year = child.cohort + 5
    first_year = max(reception_year - (1 if child.nursery else 0), academic_year_of(child.arrive))
    school = child.primary if first_year - child.cohort - 5 <= 6 else child.secondary
    estab = school.estab if school is not None else "9999"
    child.upn = population.upns.allocate(estab, first_year)
    if child.arrive > child.dob and rng.random() < 0.01:
        child.formerupn = temporary_upn(la_code, rng)


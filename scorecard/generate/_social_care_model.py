"""The records the social-care simulation produces: children, their episodes of need and their periods of care.

Dates may lie after the extract date (the simulation plays every journey to its end); the writers blank or drop
whatever has not happened by the extract date, as a real extract would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

NEVER = date(9999, 12, 31)


def birthday(dob: date, years: int) -> date:
    """The date a person born on ``dob`` turns ``years`` (29 February birthdays fall on 1 March)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return date(dob.year + years, 3, 1)


def age_on(dob: date, day: date) -> int:
    """Age in whole years on ``day`` (negative before birth)."""
    years = day.year - dob.year
    if (day.month, day.day) < (dob.month, dob.day):
        years -= 1
    return years


def days(n: float) -> timedelta:
    return timedelta(days=int(n))


@dataclass(slots=True)
class Assessment:
    start: date
    authorised: date
    internal_review: date | None
    factors: tuple[str, ...]


@dataclass(slots=True)
class Section47:
    start: date
    icpc_target: date
    icpc: date | None
    concluded: date  # the day the enquiry ended: at the conference, or when no conference was needed

    @property
    def icpc_not_required(self) -> bool:
        return self.icpc is None


@dataclass(slots=True)
class ProtectionPlan:
    cpp_id: int
    start: date
    end: date
    initial_category: str
    latest_category: str
    previous_plans: int
    reviews: list[date] = field(default_factory=list)


@dataclass(slots=True)
class CinPlan:
    start: date
    end: date


@dataclass(slots=True)
class CinEpisode:
    """One referral and everything done under it until the case closes (the CIN census CINdetails module)."""

    seq: int
    referral_date: date
    source: str
    need: str
    nfa: bool
    closure_date: date = NEVER
    closure_reason: str = ""
    assessments: list[Assessment] = field(default_factory=list)
    section47s: list[Section47] = field(default_factory=list)
    cin_plans: list[CinPlan] = field(default_factory=list)
    cp_plans: list[ProtectionPlan] = field(default_factory=list)

    @property
    def first_icpc(self) -> date | None:
        dates = [s47.icpc for s47 in self.section47s if s47.icpc is not None]
        return min(dates) if dates else None


@dataclass(slots=True)
class Placement:
    start: date
    place: str
    provider: str
    carer: int  # who looks after the child; a new carer is a placement change (RNE P), the same one a type change (T)
    postcode: str
    urn: str
    distance_miles: float


@dataclass(slots=True)
class CareEpisode:
    """One SSDA903 episode: a spell with one legal status and one placement."""

    start: date
    rne: str
    legal_status: str
    placement: Placement
    end: date = NEVER
    rec: str = ""
    reason_place_change: str = ""


@dataclass(slots=True)
class MissingEpisode:
    kind: str  # M missing, A away from placement without authorisation
    start: date
    end: date


@dataclass(slots=True)
class Adoption:
    decision: date  # the decision that the child should be placed for adoption (AD1 DATE_INT, DATE_PLACED)
    placement_order: date
    match: date
    placed: date
    order: date  # adoption order: the period of care ends
    ceased: date = NEVER  # the decision reversed (the child is not adopted)
    ceased_reason: str = ""
    by_foster_carer: bool = False
    adopters: int = 2
    adopter_sexes: str = "MF"
    adopter_status: str = "L11"


@dataclass(slots=True)
class CarePeriod:
    start: date
    end: date
    reason: str  # the REC code of the last episode
    need: str  # 903 category of need (N1-N8)
    home_postcode: str
    uasc: bool = False
    episodes: list[CareEpisode] = field(default_factory=list)
    reviews: list[tuple[date, str]] = field(default_factory=list)
    missing: list[MissingEpisode] = field(default_factory=list)
    adoption: Adoption | None = None


@dataclass(slots=True)
class Child:
    child_id: str
    dob: date
    expected_dob: date | None
    sex: int  # 1 male, 2 female
    ethnicity: str
    disabilities: tuple[str, ...]
    risk: int  # 0 low, 1 medium, 2 high: how far a referral tends to go
    home_postcode: str
    north: bool
    upn: str
    upn_la: str
    former_upn: str = ""
    uasc: bool = False
    death_date: date | None = None
    previous_plans: int = 0
    last_referral: date | None = None
    busy_until: date = date.min  # the closure date of the latest episode of need
    episodes: list[CinEpisode] = field(default_factory=list)
    care_periods: list[CarePeriod] = field(default_factory=list)

    @property
    def eighteenth(self) -> date:
        return birthday(self.dob, 18)

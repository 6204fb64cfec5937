"""The social-care simulation: referrals arriving day by day, to new children or to children known before.

The simulation starts ``WARM_UP_YEARS`` before the first financial year of the extract so that, by the start of the
extract window, the council already has its children on plans and in care (some in care for a decade), children
referred before, and care leavers.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta

from . import _social_care_codes as codes
from ._social_care_care import CareSimulator
from ._social_care_ids import IdFactory
from ._social_care_journeys import JourneySimulator
from ._social_care_model import Child, age_on, days
from .calendar_uk import is_working_day
from .common import GenerationSpec

WARM_UP_YEARS = 15
REFERRALS_PER_YEAR = 3000.0
UASC_PER_YEAR = 10.0
# Share of referrals for a child referred in the previous 12 months, and for one referred longer ago.
P_REPEAT_WITHIN_YEAR = 0.205
P_REPEAT_LATER = 0.09
# How willing a known child of each risk level is to be picked for a repeat referral.
_REPEAT_ACCEPTANCE = (0.30, 0.70, 1.0)
_NEW_CHILD_RISK = codes.Weighted({0: 55, 1: 32, 2: 13})
# Age at a first referral by risk level: (lowest age in days, highest age in days) bands and their shares;
# a negative age is an unborn baby. The most worrying referrals are more often about babies.
_AGE_BANDS = ((-150, -20), (0, 364), (365, 1825), (1826, 3652), (3653, 5843), (5844, 6390))
_FIRST_REFERRAL_AGE_SHARES = ((2, 8, 20, 26, 35, 9), (3, 9, 21, 25, 34, 8), (9, 14, 22, 20, 29, 6))
_MONTH_FACTOR = {4: 1.0, 5: 1.05, 6: 1.05, 7: 1.02, 8: 0.82, 9: 0.98, 10: 1.05, 11: 1.08, 12: 0.88, 1: 1.02,
                 2: 1.02, 3: 1.03}
_WORKING_DAY_FACTOR = 1.29  # weekday rate relative to the daily mean; weekends and bank holidays get the rest
_CLOSED_DAY_FACTOR = 0.28


@dataclass(frozen=True)
class SimulationResult:
    children: list[Child]
    window_start: date
    window_end: date


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; means here are small)."""
    if mean <= 0:
        return 0
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def daily_rate(per_year: float, day: date, year_factor: float) -> float:
    weekday = _WORKING_DAY_FACTOR if is_working_day(day) else _CLOSED_DAY_FACTOR
    return per_year / 365.25 * _MONTH_FACTOR[day.month] * year_factor * weekday


class Simulation:
    def __init__(self, spec: GenerationSpec) -> None:
        self.spec = spec
        self.ids = IdFactory(spec.rng("social_care.ids"), spec.la_code)
        self._arrivals = spec.rng("social_care.arrivals")
        self._people = spec.rng("social_care.children")
        self._choice = spec.rng("social_care.repeat_referrals")
        care = CareSimulator(spec.rng("social_care.care"), self.ids)
        self.journeys = JourneySimulator(spec.rng("social_care.journeys"), spec.rng("social_care.quarters"), care)
        self.children: list[Child] = []
        self._log_days: list[date] = []
        self._log_children: list[Child] = []
        self._year_factors: dict[int, float] = {}

    def year_factor(self, day: date) -> float:
        """Demand differs from one financial year to the next."""
        year = day.year - (day.month < 4)
        if year not in self._year_factors:
            self._year_factors[year] = self.spec.rng(f"social_care.year.{year}").lognormvariate(0, 0.06)
        return self._year_factors[year]

    def run(self) -> SimulationResult:
        start = date(self.spec.first_year - WARM_UP_YEARS, 4, 1)
        end = self.spec.extract_date
        day = start
        while day <= end:
            factor = self.year_factor(day)
            for _ in range(poisson(self._arrivals, daily_rate(REFERRALS_PER_YEAR * self.spec.scale, day, factor))):
                self._referral(day, self._known_child(day) or self._new_child(day))
            for _ in range(poisson(self._arrivals, daily_rate(UASC_PER_YEAR * self.spec.scale, day, 1.0))):
                self._referral(day, self._new_child(day, uasc=True))
            day += timedelta(days=1)
        return SimulationResult(self.children, self.spec.start_date, end)

    def _referral(self, day: date, child: Child) -> None:
        episode = self.journeys.run(child, day)
        child.episodes.append(episode)
        child.last_referral = day
        child.busy_until = episode.closure_date
        self._log_days.append(day)
        self._log_children.append(child)

    # --- who is referred -----------------------------------------------------------------------------------------
    def _available(self, child: Child, day: date) -> bool:
        return (child.busy_until < day - timedelta(days=3) and child.death_date is None
                and age_on(child.dob, day + timedelta(days=183)) < 18)

    @staticmethod
    def _acceptance(child: Child) -> float:
        """Children who have been on a protection plan before are the ones most often referred again."""
        return 1.0 if child.previous_plans else _REPEAT_ACCEPTANCE[child.risk]

    def _known_child(self, day: date) -> Child | None:
        rng = self._choice
        draw = rng.random()
        if draw < P_REPEAT_WITHIN_YEAR:
            low = bisect_left(self._log_days, day - timedelta(days=365))
            high = bisect_left(self._log_days, day)
            if high <= low:
                return None
            for _ in range(30):
                child = self._log_children[rng.randrange(low, high)]
                if self._available(child, day) and rng.random() < self._acceptance(child):
                    return child
        elif draw < P_REPEAT_WITHIN_YEAR + P_REPEAT_LATER and self.children:
            for _ in range(30):
                child = self.children[rng.randrange(len(self.children))]
                if (child.last_referral is not None and child.last_referral < day - timedelta(days=365)
                        and self._available(child, day) and rng.random() < self._acceptance(child)):
                    return child
        return None

    def _new_child(self, day: date, *, uasc: bool = False) -> Child:
        rng = self._people
        if uasc:
            dob = day - timedelta(days=rng.randint(15 * 365 + 30, 17 * 365 + 180))
            if rng.random() < 0.4:  # an estimated birth date: 1 January of the year the young person gives
                dob = date(dob.year + (age_on(date(dob.year, 1, 1), day) >= 17), 1, 1)
        else:
            risk = _NEW_CHILD_RISK.draw(rng)
            low, high = rng.choices(_AGE_BANDS, weights=_FIRST_REFERRAL_AGE_SHARES[risk])[0]
            dob = day - timedelta(days=rng.randint(low, high))
        expected = dob + days(rng.randint(-10, 10)) if dob > day else None
        north = rng.random() < 0.45
        disabilities: tuple[str, ...] = ()
        if not uasc and rng.random() < 0.08:
            found = {codes.DISABILITY.draw(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))}
            disabilities = tuple(sorted(found))
        upn, upn_la = self.ids.upn(dob, moved_in=rng.random() < 0.25)
        child = Child(
            child_id=self.ids.person_id(),
            dob=dob,
            expected_dob=expected,
            sex=(1 if rng.random() < 0.92 else 2) if uasc else (1 if rng.random() < 0.52 else 2),
            ethnicity=codes.UASC_ETHNICITY.draw(rng) if uasc else codes.ETHNICITY.draw(rng),
            disabilities=disabilities,
            risk=2 if uasc else risk,
            home_postcode=codes.pick(rng, codes.HOME_SECTORS_NORTH if north else codes.HOME_SECTORS_SOUTH),
            north=north,
            upn=upn,
            upn_la=upn_la,
            former_upn=self.ids.temporary_upn() if rng.random() < 0.02 else "",
            uasc=uasc,
        )
        if (child.risk == 2 and rng.random() < 0.18) or (child.risk == 1 and rng.random() < 0.05):
            child.previous_plans = 1  # on a protection plan in another council before moving here
        self.children.append(child)
        return child

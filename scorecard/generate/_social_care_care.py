"""Periods of care: how a child's time looked after unfolds once the council decides it must look after them.

A period starts with a route out of care chosen by age (adoption, special guardianship, a child arrangements order,
going home, leaving at 18, moving to independence, custody, transfer to another council), which fixes when it ends
and how. Legal statuses and placements are then laid along the period, and merged into SSDA903 episodes: a new
episode whenever the legal status or the placement changes, with the reason for new episode (RNE) saying which.

Placement types and providers follow SSDA903: U1-U3 foster care with relatives or friends (always PR1, the council's
own provision), U4-U6 foster care with other carers (PR1 in-house carers, PR4/PR5 independent fostering agencies,
PR2 another council), K1/K2 secure and children's homes, S1 residential schools, H5 semi-independent living,
P1 placed with parents (PR0), P2 independent living, R3 mother and baby units, R5 young offender institutions,
A3-A6 placed for adoption, Z1 other.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import _social_care_codes as codes
from ._social_care_codes import Weighted
from ._social_care_ids import IdFactory
from ._social_care_model import (
    Adoption,
    CareEpisode,
    CarePeriod,
    Child,
    MissingEpisode,
    Placement,
    age_on,
    birthday,
    days,
)
from .calendar_uk import add_working_days, next_working_day, previous_working_day

ADOPT, SGO, CAO, HOME, AGE18, INDEPENDENT, CUSTODY, TRANSFER, REMAND, UASC = (
    "adopt", "sgo", "cao", "home", "age18", "independent", "custody", "transfer", "remand", "uasc",
)
_ROUTES_BY_AGE: tuple[tuple[int, Weighted], ...] = (
    (1, Weighted({ADOPT: 52, SGO: 21, HOME: 19, CAO: 2, AGE18: 4, TRANSFER: 2})),
    (5, Weighted({ADOPT: 30, SGO: 23, HOME: 34, CAO: 4, AGE18: 7, TRANSFER: 2})),
    (10, Weighted({ADOPT: 2, SGO: 22, HOME: 45, CAO: 5, AGE18: 24, TRANSFER: 2})),
    (16, Weighted({SGO: 5, HOME: 67, CAO: 2, AGE18: 20, INDEPENDENT: 2, CUSTODY: 2, TRANSFER: 2})),
    (99, Weighted({HOME: 68, AGE18: 26, INDEPENDENT: 4, CUSTODY: 2})),
)
_LEAVING_AT_18 = Weighted({"E17": 18, "E5": 35, "E6": 12, "E8": 20, "E13": 10, "E7": 5})
_GOING_HOME = Weighted({"E4A": 60, "E13": 25, "E4B": 15})
_UASC_ENDS = Weighted({"E8": 40, "E5": 35, "E6": 10, "E17": 15})

# Mean days before a placement ends of its own accord (rather than by the care plan).
_MEAN_STAY = {
    "U6": 300, "U3": 340, "U4": 3200, "U1": 3600, "U5": 5000, "U2": 5000, "K2": 520, "K1": 90, "H5": 420,
    "P2": 500, "P1": 5000, "R3": 100, "R5": 120, "S1": 700, "Z1": 180, "A5": 9000, "A6": 9000,
}
_FOSTER = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
_ADOPTIVE = frozenset({"A3", "A4", "A5", "A6"})
_LONG_TERM = {"U6": "U4", "U3": "U1"}
_KIN_FOSTER = frozenset({"U1", "U2", "U3"})
_FOSTER_PROVIDERS = Weighted({"PR1": 46, "PR4": 41, "PR5": 11, "PR2": 2})
_ADOPTERS = Weighted({"PR1": 50, "PR2": 30, "PR5": 20})  # own adopters, a regional agency, a voluntary agency
_PROVIDERS = {
    "K2": Weighted({"PR1": 12, "PR4": 80, "PR5": 8}), "K1": Weighted({"PR2": 70, "PR3": 30}),
    "H5": Weighted({"PR4": 65, "PR5": 20, "PR1": 15}), "P1": Weighted({"PR0": 1}),
    "P2": Weighted({"PR1": 50, "PR4": 50}), "R3": Weighted({"PR4": 70, "PR5": 30}), "R5": Weighted({"PR3": 1}),
    "S1": Weighted({"PR4": 60, "PR5": 30, "PR1": 10}), "Z1": Weighted({"PR4": 50, "PR1": 50}),
    "A3": _ADOPTERS, "A4": _ADOPTERS, "A5": _ADOPTERS, "A6": _ADOPTERS,
}
# Share of placements of each kind more than 20 miles from home (foster care is set by provider below).
_SHARE_OVER_20_MILES = {"K2": 0.5, "K1": 0.9, "S1": 0.85, "R5": 0.9, "H5": 0.35, "P2": 0.2, "R3": 0.5, "Z1": 0.4}


class CareSimulator:
    """Plays out periods of care for one council."""

    def __init__(self, rng: random.Random, ids: IdFactory) -> None:
        self._rng = rng
        self._carers = 0
        self._in_house_fostering_urn = "SC" + ids.number(6)
        self._agency_urns = ["SC" + ids.number(6) for _ in range(14)]
        self._home_urns = ["SC" + ids.number(6) for _ in range(45)]
        self._school_urns = [ids.number(6) for _ in range(8)]

    # --- the period ----------------------------------------------------------------------------------------------
    def run(self, child: Child, start: date, need: str, *, emergency: bool = False, remand: bool = False) -> CarePeriod:
        rng = self._rng
        age = age_on(child.dob, start)
        eighteenth = child.eighteenth
        route = UASC if child.uasc else REMAND if remand else self._route(age)
        adoption: Adoption | None = None
        if route == ADOPT:
            adoption = self._adoption(start)
            end, reason = adoption.order, ("E11" if rng.random() < 0.3 else "E12")
            if adoption.ceased_reason != "RD1":  # the plan for adoption was reversed
                route = SGO if rng.random() < 0.5 else AGE18
                end, reason = self._end_of(route, child, start, adoption.ceased + days(rng.randint(60, 400)))
        else:
            end, reason = self._end_of(route, child, start, None)
        if end >= eighteenth:
            route, end, reason = AGE18, eighteenth, _LEAVING_AT_18.draw(rng)
        end = max(end, start + timedelta(days=1))
        period = CarePeriod(start=start, end=end, reason=reason, need=need, home_postcode=child.home_postcode,
                            uasc=child.uasc, adoption=adoption)
        legal = self._legal_statuses(route, start, end, age, emergency, adoption)
        placements = self._placements(child, route, start, end, age, adoption)
        if route in (SGO, CAO):
            period.reason = self._permanence_reason(route, placements[-1])
        period.episodes = self._episodes(start, end, period.reason, legal, placements)
        period.reviews = self._reviews(child, start, end)
        period.missing = self._missing(child, start, end, placements)
        return period

    def _route(self, age: int) -> str:
        for upper, routes in _ROUTES_BY_AGE:
            if age < upper:
                return routes.draw(self._rng)
        raise AssertionError("unreachable")

    def _end_of(self, route: str, child: Child, start: date, earliest: date | None) -> tuple[date, str]:
        rng = self._rng
        base = earliest or start
        if route == SGO:
            return base + days(rng.triangular(150, 800, 360)), "E45"
        if route == CAO:
            return base + days(rng.uniform(150, 650)), "E41"
        if route == HOME:
            low, high = rng.choices(((3, 90), (90, 450), (450, 1600)), weights=(31, 42, 27))[0]
            return base + days(rng.uniform(low, high)), _GOING_HOME.draw(rng)
        if route == INDEPENDENT:
            leave = birthday(child.dob, 16) + days(rng.uniform(180, 720))
            return max(leave, base + days(rng.uniform(60, 200))), ("E5" if rng.random() < 0.6 else "E6")
        if route == CUSTODY:
            return base + days(rng.uniform(30, 500)), "E9"
        if route == TRANSFER:
            return base + days(rng.uniform(30, 500)), "E3"
        if route == REMAND:
            return base + days(rng.uniform(3, 100)), ("E14" if rng.random() < 0.8 else "E9")
        if route == UASC:
            return child.eighteenth, _UASC_ENDS.draw(rng)
        return child.eighteenth, _LEAVING_AT_18.draw(rng)  # AGE18

    def _adoption(self, start: date) -> Adoption:
        rng = self._rng
        decision = start + days(rng.uniform(90, 260))
        placement_order = max(decision + days(rng.uniform(10, 60)), start + days(rng.uniform(170, 340)))
        match = placement_order + days(20 + min(rng.expovariate(1 / 65), 380))
        placed = match + days(rng.uniform(7, 40))
        adoption = Adoption(decision=decision, placement_order=placement_order, match=match, placed=placed,
                            order=placed + days(rng.uniform(150, 380)))
        if rng.random() < 0.07:  # the plan changes before the child is placed
            waited = max(31.0, (placed - placement_order).days - 1)
            adoption.ceased = placement_order + days(rng.uniform(30, waited))
            adoption.ceased_reason = "RD3" if rng.random() < 0.7 else "RD4"
        else:
            adoption.ceased, adoption.ceased_reason = adoption.order, "RD1"
        adoption.adopters = 1 if rng.random() < 0.14 else 2
        if adoption.adopters == 1:
            adoption.adopter_sexes = "F1" if rng.random() < 0.85 else "M1"
            adoption.adopter_status = "L0"
        else:
            adoption.adopter_sexes = Weighted({"MF": 85, "MM": 7, "FF": 8}).draw(rng)
            statuses = {"L11": 70, "L3": 25, "L4": 5} if adoption.adopter_sexes == "MF" else {"L12": 55, "L2": 35,
                                                                                                  "L3": 10}
            adoption.adopter_status = Weighted(statuses).draw(rng)
        return adoption

    # --- legal statuses ------------------------------------------------------------------------------------------
    def _legal_statuses(self, route: str, start: date, end: date, age: int, emergency: bool,
                        adoption: Adoption | None) -> list[tuple[date, str]]:
        rng = self._rng
        if route == REMAND:
            return [(start, Weighted({"J1": 60, "J2": 30, "J3": 10}).draw(rng))]
        statuses: list[tuple[date, str]] = []
        cursor = start
        if emergency:
            statuses.append((start, "L2" if rng.random() < 0.6 else "L1"))
            cursor = start + days(rng.randint(1, 8))
        court = route in (ADOPT, SGO, CAO) or (route == AGE18 and (age < 13 or rng.random() < 0.35)) or (
            route == HOME and (end - start).days > 300 and rng.random() < 0.6)
        if not court:
            statuses.append((cursor, "V2"))
            if rng.random() < 0.08:  # accommodated, then care proceedings
                statuses.append((cursor + days(rng.uniform(30, 200)), "C1"))
        else:
            if not emergency and rng.random() < 0.3:
                statuses.append((cursor, "V2"))
                cursor += days(rng.uniform(14, 120))
            statuses.append((cursor, "C1"))
            if adoption is not None:
                statuses.append((adoption.placement_order, "E1"))
                if adoption.ceased_reason in ("RD3", "RD4"):
                    statuses.append((adoption.ceased, "C2"))
            else:
                statuses.append((cursor + days(rng.uniform(150, 320)), "C2"))
        kept: list[tuple[date, str]] = []
        for day, status in statuses:
            if day >= end or (kept and (day <= kept[-1][0] or status == kept[-1][1])):
                continue
            kept.append((day, status))
        return kept

    # --- placements ----------------------------------------------------------------------------------------------
    def _placements(self, child: Child, route: str, start: date, end: date, age: int,
                    adoption: Adoption | None) -> list[Placement]:
        rng = self._rng
        placements: list[Placement] = []
        first_place = self._first_place(child, route, age, adoption)
        if route not in (UASC, REMAND) and first_place not in ("U5", "R3") and rng.random() < 0.16:
            placements.append(self._placement(child, start, "U6", None))  # an emergency bed for a few days
            second = start + days(rng.randint(1, 12))
            if second < end:
                placements.append(self._placement(child, second, first_place, None, previous=placements[-1]))
        else:
            placements.append(self._placement(child, start, first_place, None))
        forced = self._planned_moves(child, route, start, end, adoption, first_place)
        cursor = placements[-1].start
        while True:
            current = placements[-1]
            if current.place in _ADOPTIVE:
                break  # placed for adoption: stays until the adoption order
            natural = cursor + days(max(1.0, rng.expovariate(1 / _MEAN_STAY.get(current.place, 400))))
            if forced and forced[0][0] <= natural:
                day, place, same_carer = forced.pop(0)
            else:
                day, place = natural, self._next_place(current.place, age_on(child.dob, natural), route)
                # a short-term foster placement that becomes the long-term home, with the same carers
                same_carer = _LONG_TERM.get(current.place) == place and rng.random() < 0.6
            if day >= end:
                break
            if day <= cursor:
                continue
            if place == current.place and same_carer:
                continue
            placements.append(self._placement(child, day, place, current if same_carer else None,
                                              previous=current))
            cursor = day
        return placements

    def _first_place(self, child: Child, route: str, age: int, adoption: Adoption | None) -> str:
        rng = self._rng
        if route == UASC:
            return Weighted({"H5": 55, "U6": 35, "K2": 10}).draw(rng) if age >= 16 else Weighted(
                {"U6": 75, "K2": 20, "U4": 5}).draw(rng)
        if route == REMAND:
            return Weighted({"U6": 50, "K2": 35, "K1": 15}).draw(rng)
        if age < 1:
            if adoption is not None and rng.random() < 0.18:
                return "U5"  # fostering for adoption
            return Weighted({"U6": 70, "U3": 20, "R3": 8, "U4": 2}).draw(rng)
        if age < 10:
            return Weighted({"U6": 70, "U3": 19, "U4": 6, "Z1": 2, "K2": 3 if age >= 8 else 0}).draw(rng)
        if age < 16:
            return Weighted({"U6": 52, "U3": 12, "K2": 25, "K1": 2, "S1": 3, "Z1": 2, "U4": 4}).draw(rng)
        return Weighted({"U6": 28, "K2": 12, "H5": 45, "P2": 5, "U3": 7, "Z1": 3}).draw(rng)

    def _next_place(self, place: str, age: int, route: str) -> str:
        rng = self._rng
        if place in ("U6", "U3", "Z1", "R3"):
            if route in (AGE18, SGO, CAO) or rng.random() < 0.35:
                options = {"U4": 45, "U6": 30, "U3": 10, "U1": 5, "K2": 10 if age >= 10 else 0}
            else:
                options = {"U6": 60, "U4": 15, "U3": 15, "K2": 10 if age >= 10 else 0}
            if age >= 16:
                options["H5"] = 30
            return Weighted(options).draw(rng)
        if place in ("U4", "U1", "U5", "U2"):
            return Weighted({"U4": 50, "U6": 25, "K2": 15 if age >= 10 else 0, "H5": 20 if age >= 16 else 0,
                             "U1": 5}).draw(rng)
        if place in ("K2", "K1", "S1", "R5"):
            return Weighted({"K2": 40, "U6": 25, "U4": 10, "H5": 35 if age >= 16 else 0, "S1": 3}).draw(rng)
        if place in ("H5", "P2"):
            return Weighted({"H5": 60, "P2": 20, "K2": 20}).draw(rng)
        return Weighted({"U6": 60, "U4": 30, "K2": 10}).draw(rng)

    def _planned_moves(self, child: Child, route: str, start: date, end: date, adoption: Adoption | None,
                       first_place: str) -> list[tuple[date, str, bool]]:
        """Placement changes the care plan makes happen: adoption, return to parents, semi-independence, kin."""
        rng = self._rng
        moves: list[tuple[date, str, bool]] = []
        if adoption is not None and adoption.ceased_reason == "RD1":
            with_carer = first_place == "U5" or rng.random() < 0.12
            moves.append((adoption.placed, "A5" if with_carer else "A6", with_carer))
        elif route == HOME and (end - start).days > 240 and rng.random() < 0.75:
            moves.append((end - days(rng.uniform(90, min(420, (end - start).days - 60))), "P1", False))
        elif route == AGE18 and age_on(child.dob, start) < 12 and rng.random() < 0.2:
            moves.append((start + days(rng.uniform(300, 1500)), "P1", False))  # home under a care order
        elif route in (SGO, CAO) and first_place not in ("U1", "U3") and rng.random() < 0.6:
            moves.append((start + days(rng.uniform(20, 200)), "U3", False))
        elif route in (AGE18, INDEPENDENT) and rng.random() < 0.55:
            move = birthday(child.dob, 16) + days(rng.uniform(0, 330))
            if start + timedelta(days=30) < move < end - timedelta(days=30):
                moves.append((move, "H5", False))
        return sorted(moves)

    def _placement(self, child: Child, start: date, place: str, same_carer_as: Placement | None,
                   previous: Placement | None = None) -> Placement:
        if same_carer_as is not None:
            return Placement(start=start, place=place, provider=same_carer_as.provider, carer=same_carer_as.carer,
                             postcode=same_carer_as.postcode, urn=same_carer_as.urn,
                             distance_miles=same_carer_as.distance_miles)
        self._carers += 1
        provider = self._provider(place)
        if place == "P1":
            return Placement(start, place, provider, self._carers, child.home_postcode, "XXXXXXX", 0.0)
        distance = self._distance(place, provider)
        postcode = self._postcode(child, distance)
        urn = self._urn(place, provider)
        while previous is not None and (postcode, place, provider, urn) == (
                previous.postcode, previous.place, previous.provider, previous.urn):
            postcode = self._postcode(child, distance)  # a new carer lives somewhere else
        return Placement(start, place, provider, self._carers, postcode, urn, distance)

    def _provider(self, place: str) -> str:
        if place in _KIN_FOSTER:
            return "PR1"  # relatives and friends are approved as the council's own foster carers
        return (_FOSTER_PROVIDERS if place in _FOSTER else _PROVIDERS[place]).draw(self._rng)

    def _distance(self, place: str, provider: str) -> float:
        """Straight-line miles from the home address to the placement."""
        rng = self._rng
        if place in _KIN_FOSTER:
            far = 0.12
        elif place in _FOSTER:
            far = 0.10 if provider == "PR1" else 0.40
        else:
            far = _SHARE_OVER_20_MILES.get(place, 0.55)
        if rng.random() < far:
            return round(20.5 + min(rng.expovariate(1 / 25), 180.0), 1)
        return round(rng.uniform(0.4, 19.9), 1)

    def _postcode(self, child: Child, distance: float) -> str:
        rng = self._rng
        if distance >= 20:
            return codes.pick(rng, codes.FAR_SECTORS)
        if distance >= 12 and rng.random() < 0.5:
            return codes.pick(rng, codes.NEAR_SECTORS)
        return codes.pick(rng, codes.HOME_SECTORS_NORTH if child.north else codes.HOME_SECTORS_SOUTH)

    def _urn(self, place: str, provider: str) -> str:
        rng = self._rng
        if place in _FOSTER:
            return self._in_house_fostering_urn if provider == "PR1" else codes.pick(rng, self._agency_urns)
        if place in ("K1", "K2"):
            return codes.pick(rng, self._home_urns)
        if place == "S1":
            return codes.pick(rng, self._school_urns)
        return "XXXXXXX"

    def _permanence_reason(self, route: str, last: Placement) -> str:
        with_foster_carers = last.place in _FOSTER
        if route == SGO:
            return "E45" if with_foster_carers else "E46"
        if self._rng.random() < 0.15:  # still recorded with the older residence-order code
            return "E41"
        return "E47" if with_foster_carers else "E48"

    # --- episodes ------------------------------------------------------------------------------------------------
    def _episodes(self, start: date, end: date, reason: str, legal: list[tuple[date, str]],
                  placements: list[Placement]) -> list[CareEpisode]:
        changes: dict[date, list[object]] = {}
        for day, status in legal[1:]:
            changes.setdefault(day, [None, None])[0] = status
        for placement in placements[1:]:
            changes.setdefault(placement.start, [None, None])[1] = placement
        current = CareEpisode(start=start, rne="S", legal_status=legal[0][1], placement=placements[0])
        episodes = [current]
        for day in sorted(changes):
            status, placement = changes[day]
            new_status = status if isinstance(status, str) and status != current.legal_status else None
            new_place = placement if isinstance(placement, Placement) else None
            if new_status is None and new_place is None:
                continue
            same_carer = new_place is not None and new_place.carer == current.placement.carer
            if new_status and new_place:
                rne = "U" if same_carer else "B"
            elif new_status:
                rne = "L"
            else:
                rne = "T" if same_carer else "P"
            current.end, current.rec = day, "X1"
            if new_place is not None:
                current.reason_place_change = self._reason_for_move(current.placement.place, new_place.place,
                                                                    same_carer)
            current = CareEpisode(start=day, rne=rne, legal_status=new_status or current.legal_status,
                                  placement=new_place or current.placement)
            episodes.append(current)
        current.end, current.rec = end, reason
        return episodes

    def _reason_for_move(self, old: str, new: str, same_carer: bool) -> str:
        if same_carer:
            return "PLACE"
        if new in ("A5", "A6", "P1", "U3", "H5") or (old == "U6" and new == "U4"):
            return "CARPL"
        return codes.REASON_PLACE_CHANGE.draw(self._rng)

    # --- reviews and missing episodes ----------------------------------------------------------------------------
    def _reviews(self, child: Child, start: date, end: date) -> list[tuple[date, str]]:
        """Statutory reviews: within 20 working days, then within 3 months, then every 6 months."""
        rng = self._rng
        reviews: list[tuple[date, str]] = []
        on_time = 0.94 + rng.uniform(-0.03, 0.03)
        review = add_working_days(start, rng.randint(8, 20) if rng.random() < on_time else rng.randint(21, 35))
        gaps = ((60, 91, 92, 125), (140, 182, 183, 235))
        step = 0
        while review < end:
            code = "PN0" if age_on(child.dob, review) < 4 else codes.REVIEW_PARTICIPATION.draw(rng)
            if child.disabilities and code != "PN0" and rng.random() < 0.3:
                code = "PN7"
            reviews.append((review, code))
            low, high, late_low, late_high = gaps[min(step, 1)]
            if rng.random() < on_time:  # held on a working day no later than due
                review = previous_working_day(review + timedelta(days=rng.randint(low, high)))
            else:
                review = next_working_day(review + timedelta(days=rng.randint(late_low, late_high)))
            step += 1
        return reviews

    def _missing(self, child: Child, start: date, end: date, placements: list[Placement]) -> list[MissingEpisode]:
        rng = self._rng
        from_age = max(start, birthday(child.dob, 11))
        if from_age >= end:
            return []
        draw = rng.random()
        if draw < 0.075:
            rate = rng.uniform(6, 22)  # goes missing again and again
        elif draw < 0.25:
            rate = rng.uniform(0.4, 3.0)
        else:
            return []
        unsettled = any(p.place in ("K2", "H5", "K1") for p in placements)
        rate *= 1.6 if unsettled else 0.8
        episodes: list[MissingEpisode] = []
        cursor = from_age + days(rng.expovariate(rate / 365))
        while cursor < end:
            length = rng.choices((0, 1, 2, 3, 5, 9), weights=(38, 34, 12, 8, 5, 3))[0]
            finish = min(cursor + days(length), end)
            episodes.append(MissingEpisode("M" if rng.random() < 0.78 else "A", cursor, finish))
            cursor = finish + days(1 + rng.expovariate(rate / 365))
        return episodes

"""Episodes of need: what happens to a child after a referral is accepted.

referral -> (no further action) | assessment -> [section 47 enquiry -> initial child protection conference]
-> child protection plan | child in need plan | care | closure (no further action, or early help)

and from a plan: step down from protection to a child in need plan, escalate from a child in need plan to a new
section 47 enquiry, enter care, or close. A period of care is handed to the care simulator; when it ends the case
closes (adoption, special guardianship, leaving care) or steps down to a child in need plan (going home).
Services stop at the child's 18th birthday.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import _social_care_codes as codes
from ._social_care_care import CareSimulator
from ._social_care_codes import Weighted
from ._social_care_model import (
    Assessment,
    Child,
    CinEpisode,
    CinPlan,
    ProtectionPlan,
    Section47,
    age_on,
    days,
)
from .calendar_uk import add_working_days, next_working_day, previous_working_day

# Chance that a referral goes to a section 47 enquiry, and that an enquiry goes to conference, by risk level.
_P_SECTION47 = (0.12, 0.42, 0.80)
_P_CONFERENCE = (0.22, 0.48, 0.70)
_P_PLAN_AT_CONFERENCE = 0.88
_P_NFA_REFERRAL = 0.085
# What the assessment leads to when no conference has decided it, by risk level.
_AFTER_ASSESSMENT = (
    Weighted({"close:RC8": 52, "close:RC9": 22, "cin": 26}),
    Weighted({"close:RC8": 30, "close:RC9": 15, "cin": 53, "care": 2}),
    Weighted({"close:RC8": 15, "close:RC9": 5, "cin": 70, "care": 10}),
)
_AFTER_PROTECTION = Weighted({"cin": 70, "care": 14, "close:RC7": 12, "close:RC5": 4})
_AFTER_CIN_PLAN = Weighted({"close:RC7": 86, "s47": 5.5, "care": 4.5, "close:RC5": 4})
# Babies and toddlers whose plans do not keep them safe come into care far more often.
_AFTER_PROTECTION_UNDER_2 = Weighted({"cin": 50, "care": 34, "close:RC7": 12, "close:RC5": 4})
_AFTER_CIN_PLAN_UNDER_2 = Weighted({"close:RC7": 76, "s47": 8, "care": 12, "close:RC5": 4})
_UASC_SOURCES = Weighted({"5C": 55, "7": 30, "6": 15})
# How each way of leaving care closes the case (None: the family is supported under a child in need plan first).
_CLOSURE_AFTER_CARE = {
    "E11": "RC1", "E12": "RC1", "E45": "RC4", "E46": "RC4", "E41": "RC3", "E47": "RC3", "E48": "RC3",
    "E3": "RC5", "E2": "RC2", "E7": "RC6", "E4A": None, "E4B": None, "E13": None,
}


class QuarterEffect:
    """A performance level that drifts from one financial quarter to the next (teams have good and bad quarters)."""

    def __init__(self, rng: random.Random, mean: float, spread: float) -> None:
        self._rng = rng
        self._mean = mean
        self._spread = spread
        self._levels: dict[tuple[int, int], float] = {}

    def at(self, day: date) -> float:
        key = (day.year - (day.month < 4), (day.month - 4) % 12 // 3)
        if key not in self._levels:
            self._levels[key] = min(0.99, max(0.5, self._rng.gauss(self._mean, self._spread)))
        return self._levels[key]


class JourneySimulator:
    def __init__(self, rng: random.Random, quarter_rng: random.Random, care: CareSimulator) -> None:
        self._rng = rng
        self._care = care
        self._assessment_on_time = QuarterEffect(quarter_rng, 0.845, 0.03)
        self._conference_on_time = QuarterEffect(quarter_rng, 0.83, 0.05)
        self._plan_review_on_time = QuarterEffect(quarter_rng, 0.975, 0.012)

    def run(self, child: Child, referral: date) -> CinEpisode:
        rng = self._rng
        if child.uasc:
            source, need = _UASC_SOURCES.draw(rng), "N8"
        else:
            source = codes.REFERRAL_SOURCE.draw(rng)
            need = "N2" if child.disabilities and rng.random() < 0.55 else codes.PRIMARY_NEED.draw(rng)
        episode = CinEpisode(seq=len(child.episodes) + 1, referral_date=referral, source=source, need=need,
                             nfa=False)
        if not child.uasc and rng.random() < _P_NFA_REFERRAL:
            episode.nfa = True
            episode.closure_date, episode.closure_reason = referral, "RC8"
            return episode
        state, cursor = self._assess(child, episode, referral)
        while not state.startswith("close:"):
            if cursor >= child.eighteenth - timedelta(days=14):
                state = "close:RC6" if need == "N2" else "close:RC7"
                break
            if state == "cp":
                cursor, state = self._protection_plan(child, episode, cursor)
            elif state == "cin":
                cursor, state = self._cin_plan(child, episode, cursor)
            elif state == "s47":
                cursor, state = self._section47(child, episode, cursor, after_plan=True)
            else:  # care, care:emergency, care:remand
                cursor, state = self._enter_care(child, episode, cursor, state)
        self._close(child, episode, cursor, state.removeprefix("close:"))
        return episode

    # --- steps ---------------------------------------------------------------------------------------------------
    def _assess(self, child: Child, episode: CinEpisode, referral: date) -> tuple[str, date]:
        rng = self._rng
        start = add_working_days(referral, rng.choices((0, 1, 2, 3, 5), weights=(40, 30, 15, 10, 5))[0])
        if rng.random() < self._assessment_on_time.at(referral):
            working_days = int(rng.triangular(5, 45, 32))
        else:
            working_days = rng.randint(46, 100)
        authorised = max(start, min(add_working_days(referral, working_days), child.eighteenth - timedelta(days=1)))
        review = None
        if rng.random() < 0.3 and (authorised - start).days > 10:
            review = next_working_day(start + days(rng.uniform(5, (authorised - start).days - 3)))
            review = min(review, authorised)
        episode.assessments.append(Assessment(start, authorised, review, self._factors(episode.need)))
        if child.uasc:
            return "care", referral + days(rng.randint(0, 1))
        risk = child.risk
        if rng.random() < _P_SECTION47[risk]:
            s47_start = add_working_days(referral, rng.choices((0, 1, 2, 3, 5, 8, 12),
                                                               weights=(35, 20, 15, 10, 10, 5, 5))[0])
            decided, state = self._section47(child, episode, s47_start, after_plan=False)
            if state != "none":
                return state, decided
            risk = min(risk + 1, 2)  # an enquiry that found no need for a conference still shows need
        state = _AFTER_ASSESSMENT[risk].draw(rng)
        if state == "care" and child.risk == 2 and age_on(child.dob, authorised) >= 14 and rng.random() < 0.25:
            state = "care:remand"
        return state, authorised

    def _factors(self, need: str) -> tuple[str, ...]:
        rng = self._rng
        if need in ("N9", "N0") and rng.random() < 0.5:
            return ("21",)
        pool = codes.FACTORS_BY_NEED.get(need, codes.FACTORS_BY_NEED["N9"])
        count = min(len(pool), rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0])
        weights = [len(pool) - index for index in range(len(pool))]
        chosen: list[str] = []
        while len(chosen) < count:
            factor = rng.choices(pool, weights=weights)[0]
            if factor not in chosen:
                chosen.append(factor)
        return tuple(chosen)

    def _section47(self, child: Child, episode: CinEpisode, start: date, *, after_plan: bool) -> tuple[date, str]:
        rng = self._rng
        target = add_working_days(start, 15)
        if child.risk == 2 and not after_plan and rng.random() < 0.05:
            care_day = start + days(rng.randint(0, 2))
            episode.section47s.append(Section47(start, target, None, max(care_day, start)))
            return care_day, "care:emergency"
        conference_chance = _P_CONFERENCE[child.risk] + (0.2 if after_plan else 0.0)
        if rng.random() < conference_chance:
            on_time = rng.random() < self._conference_on_time.at(start)
            conference = add_working_days(start, rng.randint(4, 15) if on_time else rng.randint(16, 32))
            episode.section47s.append(Section47(start, target, conference, conference))
            return conference, ("cp" if rng.random() < _P_PLAN_AT_CONFERENCE else "cin")
        concluded = add_working_days(start, rng.randint(3, 20))
        episode.section47s.append(Section47(start, target, None, concluded))
        return concluded, ("cin" if after_plan and rng.random() < 0.5 else "close:RC7" if after_plan else "none")

    def _protection_plan(self, child: Child, episode: CinEpisode, start: date) -> tuple[date, str]:
        rng = self._rng
        band = rng.choices(((45, 95), (95, 330), (330, 700), (730, 860)), weights=(20, 62, 16, 2))[0]
        end = min(start + days(rng.uniform(*band)), child.eighteenth)
        category = codes.ABUSE_CATEGORY.draw(rng)
        latest = codes.ABUSE_CATEGORY.draw(rng) if rng.random() < 0.1 else category
        plan = ProtectionPlan(cpp_id=len(episode.cp_plans) + 1, start=start, end=end, initial_category=category,
                              latest_category=latest, previous_plans=child.previous_plans)
        child.previous_plans += 1
        on_time = self._plan_review_on_time.at(start)
        review, limit = start, 91  # first review conference within 3 months, then every 6 months
        while True:
            if rng.random() < on_time:
                review = previous_working_day(review + days(rng.randint(limit - 25, limit)))
            else:
                review = next_working_day(review + days(rng.randint(limit + 1, limit + 40)))
            if review >= end:
                break
            plan.reviews.append(review)
            limit = 182
        episode.cp_plans.append(plan)
        if end >= child.eighteenth:
            return end, "close:RC7"
        return end, (_AFTER_PROTECTION_UNDER_2 if age_on(child.dob, end) < 2 else _AFTER_PROTECTION).draw(rng)

    def _cin_plan(self, child: Child, episode: CinEpisode, start: date) -> tuple[date, str]:
        rng = self._rng
        step_down = bool(episode.cp_plans) and episode.cp_plans[-1].end == start
        median = 130 if step_down else 185
        length = min(900.0, max(20.0, rng.lognormvariate(0, 0.6) * median))
        end = min(start + days(length), child.eighteenth)
        episode.cin_plans.append(CinPlan(start, end))
        if end >= child.eighteenth:
            return end, "close:RC7"
        return end, (_AFTER_CIN_PLAN_UNDER_2 if age_on(child.dob, end) < 2 else _AFTER_CIN_PLAN).draw(rng)

    def _enter_care(self, child: Child, episode: CinEpisode, day: date, state: str) -> tuple[date, str]:
        rng = self._rng
        start = max(day, child.dob)
        if start >= child.eighteenth - timedelta(days=14):
            return start, "close:RC7"
        for plan in episode.cp_plans:  # a protection plan ends when the child comes into care
            if plan.end > start:
                plan.end = max(start, plan.start)
                plan.reviews = [review for review in plan.reviews if review < plan.end]
        need = episode.need if episode.need in codes.CIN_903_CODES else codes.CATEGORY_OF_NEED_AT_ENTRY.draw(rng)
        period = self._care.run(child, start, need, emergency=state == "care:emergency",
                                remand=state == "care:remand")
        child.care_periods.append(period)
        closure = _CLOSURE_AFTER_CARE.get(period.reason, "")
        if closure is None:
            if period.end < child.eighteenth - timedelta(days=60):
                return period.end, "cin"
            closure = "RC7"
        if not closure:  # left care as a young adult: to adult services or to the care leavers' service
            closure = "RC6" if period.reason == "E7" or (episode.need == "N2" and rng.random() < 0.5) else "RC7"
        return period.end, "close:" + closure

    def _close(self, child: Child, episode: CinEpisode, day: date, reason: str) -> None:
        rng = self._rng
        lag = 0 if reason in ("RC1", "RC3", "RC4", "RC5") else rng.choice((0, 0, 1, 2, 3, 5, 7, 10, 14))
        closure = min(day + days(lag), max(child.eighteenth, episode.referral_date))
        latest = [a.authorised for a in episode.assessments] + [s.concluded for s in episode.section47s]
        if child.care_periods and child.care_periods[-1].start >= episode.referral_date:
            latest.append(child.care_periods[-1].end)
        closure = max([closure, *latest])  # a case closes only when everything in it is finished
        if reason in ("RC6", "RC7") and episode.need == "N2" and rng.random() < 0.004:
            reason = "RC2"
            child.death_date = closure
        episode.closure_date, episode.closure_reason = closure, reason

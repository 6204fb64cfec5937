"""Local extracts no public return carries: contacts to the front door, social workers' caseloads, and the council's
child population (for rates per 10,000 children)."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from . import _social_care_codes as codes
from ._social_care_extract import ExtractWindow, iso
from ._social_care_ids import IdFactory
from ._social_care_model import Child, CinEpisode, age_on
from ._social_care_sim import daily_rate, poisson
from .common import GenerationSpec, write_csv

LOCAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts.csv": ("ContactID", "LAchildID", "ContactDate", "ContactSource", "Outcome"),
    "social_worker_caseloads.csv": ("SnapshotDate", "WorkerID", "Team", "FTE", "CaseCount"),
    "child_population.csv": ("Year", "Age", "Population"),
}
CONTACTS_NOT_REFERRED_PER_YEAR = 6700.0
TEAMS = ("Children's Assessment North", "Children's Assessment South", "Child in Need and Child Protection North",
         "Child in Need and Child Protection South", "Children with Disabilities", "Cared for Children North",
         "Cared for Children South")
CASELOAD_THE_SERVICE_STAFFS_FOR = 22.0
# Mid-2016 population by single year of age 0-17 (about 75,500 children, as in Cheshire East).
_POPULATION_2016 = (4020, 4080, 4100, 4060, 4050, 4260, 4300, 4380, 4360, 4380, 4290, 4240, 4260, 4240, 4210,
                    4090, 4100, 4080)


def write_local(children: list[Child], window: ExtractWindow, spec: GenerationSpec, ids: IdFactory,
                year_factor: Callable[[date], float], out_dir: Path) -> list[Path]:
    contacts = _contacts(children, window, spec, ids, year_factor)
    caseloads = _caseloads(children, window, spec.rng("social_care.workforce"), ids)
    population = _population(window, spec)
    return [
        write_csv(out_dir / "contacts.csv", LOCAL_COLUMNS["contacts.csv"], contacts),
        write_csv(out_dir / "social_worker_caseloads.csv", LOCAL_COLUMNS["social_worker_caseloads.csv"], caseloads),
        write_csv(out_dir / "child_population.csv", LOCAL_COLUMNS["child_population.csv"], population),
    ]


# --- contacts -------------------------------------------------------------------------------------------------------
def _contacts(children: list[Child], window: ExtractWindow, spec: GenerationSpec, ids: IdFactory,
              year_factor: Callable[[date], float]) -> Iterator[tuple[object, ...]]:
    """Every referral starts as a contact; most contacts end in advice, signposting, early help or no action."""
    rng = spec.rng("social_care.contacts")
    contacts: list[tuple[date, str, str, str]] = []
    for child in children:
        for episode in child.episodes:
            if window.start <= episode.referral_date <= window.end:
                contacts.append((episode.referral_date, child.child_id, episode.source, "REFERRAL"))
    day = window.start
    rate = CONTACTS_NOT_REFERRED_PER_YEAR * spec.scale
    while day <= window.end:
        for _ in range(poisson(rng, daily_rate(rate, day, year_factor(day)))):
            known = _known_child(children, day, rng) if rng.random() < 0.35 else None
            child_id = known.child_id if known else ids.person_id()
            contacts.append((day, child_id, codes.REFERRAL_SOURCE.draw(rng),
                             codes.NON_REFERRAL_CONTACT_OUTCOME.draw(rng)))
        day += timedelta(days=1)
    contacts.sort(key=lambda contact: contact[0])
    for day, child_id, source, outcome in contacts:
        yield ids.number(8), child_id, iso(day), source, outcome


def _known_child(children: list[Child], day: date, rng: random.Random) -> Child | None:
    """A child the council already knows, who is not open to it on the day."""
    for _ in range(20):
        child = children[rng.randrange(len(children))]
        alive = child.death_date is None or child.death_date > day
        if (child.dob <= day and age_on(child.dob, day) < 18 and alive
                and not any(e.referral_date <= day <= e.closure_date for e in child.episodes)):
            return child
    return None


# --- caseloads ------------------------------------------------------------------------------------------------------
def month_ends(window: ExtractWindow) -> list[date]:
    ends: list[date] = []
    year, month = window.start.year, window.start.month
    while True:
        following = date(year + month // 12, month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end > window.end:
            return ends
        ends.append(end)
        year, month = following.year, following.month


def _team(child: Child, episode: CinEpisode, day: date) -> str:
    area = "North" if child.north else "South"
    if any(period.start <= day < period.end for period in child.care_periods):
        return f"Cared for Children {area}"
    disabled = episode.need == "N2"
    on_plan = any(plan.start <= day < plan.end for plan in episode.cp_plans) or any(
        plan.start <= day < plan.end for plan in episode.cin_plans)
    assessing = bool(episode.assessments) and episode.assessments[0].authorised > day
    if assessing and not on_plan:
        return f"Children's Assessment {area}"
    return "Children with Disabilities" if disabled else f"Child in Need and Child Protection {area}"


def case_counts(children: list[Child], snapshots: list[date]) -> Counter[tuple[date, str]]:
    """Open cases (episodes of need not closed) per team at each snapshot date."""
    counts: Counter[tuple[date, str]] = Counter()
    for child in children:
        for episode in child.episodes:
            if episode.nfa:
                continue
            first = bisect_left(snapshots, episode.referral_date)
            last = bisect_left(snapshots, episode.closure_date)
            for day in snapshots[first:last]:
                counts[(day, _team(child, episode, day))] += 1
    return counts


@dataclass
class _Worker:
    worker_id: str
    fte: float


def _caseloads(children: list[Child], window: ExtractWindow, rng: random.Random,
               ids: IdFactory) -> Iterator[tuple[object, ...]]:
    """Each caseholding social worker's open cases at each month end; teams lose and recruit staff with a lag,
    so caseloads rise and fall around the level the service staffs for."""
    snapshots = month_ends(window)
    counts = case_counts(children, snapshots)
    staff: dict[str, list[_Worker]] = {team: [] for team in TEAMS}

    def recruit() -> _Worker:
        fte = rng.choices((1.0, 0.8, 0.6, 0.5), weights=(78, 10, 7, 5))[0]
        return _Worker("SW" + ids.number(5), fte)

    for day in snapshots:
        for team in TEAMS:
            cases = counts[(day, team)]
            team_staff = [worker for worker in staff[team] if rng.random() >= 0.018]
            wanted = max(1, round(cases / CASELOAD_THE_SERVICE_STAFFS_FOR))
            if not team_staff:
                team_staff = [recruit() for _ in range(wanted)]
            elif len(team_staff) < wanted and rng.random() < 0.55:
                team_staff.append(recruit())
            elif len(team_staff) > wanted + 1 and rng.random() < 0.5:
                team_staff.pop()  # moved to another team or left
            staff[team] = team_staff
            allocation = Counter(rng.choices(range(len(team_staff)), weights=[w.fte for w in team_staff], k=cases))
            for index, worker in enumerate(team_staff):
                yield iso(day), worker.worker_id, team, f"{worker.fte:.1f}", allocation[index]


# --- population -----------------------------------------------------------------------------------------------------
def _population(window: ExtractWindow, spec: GenerationSpec) -> Iterator[tuple[object, ...]]:
    """ONS-style mid-year estimates of the 0-17 population, for the year before the window and each year in it."""
    rng = spec.rng("social_care.population")
    years = range(window.start.year - 1, window.end.year)
    for year in years:
        growth = 1.0 + 0.005 * (year - 2016)
        for age, base in enumerate(_POPULATION_2016):
            yield year, age, round(base * growth * spec.scale * rng.uniform(0.985, 1.015))

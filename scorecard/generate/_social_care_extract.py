"""What an extract taken on the extract date can show, and how its values are written.

The unit of inclusion is the case record: an episode of need (CIN) or a period of care (SSDA903) that is open at
any time in the extract window comes with all of its parts (assessments, enquiries, plans, reviews, episodes,
missing episodes), including those before the window, but nothing that happens after the extract date: later dates
are blank (an open plan has no end date yet) and later events are left out.

Episodes of need are included from 12 months before the window (a look-back) so that a referral early in the first
year can be recognised as a repeat referral.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from ._social_care_model import CarePeriod, Child, CinEpisode

CIN_DATE = "%Y-%m-%d"
SSDA903_DATE = "%d/%m/%Y"
LOOK_BACK = timedelta(days=365)


@dataclass(frozen=True)
class ExtractWindow:
    start: date  # the first day of the first financial year
    end: date  # the extract date

    @property
    def cin_start(self) -> date:
        return self.start - LOOK_BACK

    def happened(self, day: date | None) -> date | None:
        """The date if it is on or before the extract date, otherwise None (not happened yet)."""
        return day if day is not None and day <= self.end else None

    def includes_episode(self, episode: CinEpisode) -> bool:
        return episode.referral_date <= self.end and episode.closure_date >= self.cin_start

    def includes_period(self, period: CarePeriod) -> bool:
        return period.start <= self.end and period.end >= self.start

    def financial_years(self) -> Iterator[int]:
        yield from range(self.start.year, self.end.year)


def iso(day: date | None) -> str:
    return "" if day is None else day.strftime(CIN_DATE)


def dmy(day: date | None) -> str:
    return "" if day is None else day.strftime(SSDA903_DATE)


def flag(value: bool) -> str:
    return "1" if value else "0"


def collection_label(year: int) -> str:
    """The collection-year suffix of per-year files: financial year 2016 (ending 31 March 2017) is ``2016-17``."""
    return f"{year}-{(year + 1) % 100:02d}"


def by_child(children: Iterable[Child]) -> list[Child]:
    """Children in the order an extract lists them: by their case-system number."""
    return sorted(children, key=lambda child: int(child.child_id))

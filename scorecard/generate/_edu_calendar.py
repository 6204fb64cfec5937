"""School calendar shared by the education generators: academic years, terms, half terms, census days.

Term dates follow the usual pattern of an English shire county (autumn term from early September to just
before Christmas, spring term from the first week of January to the start of the Easter holiday, summer
term to the third week of July, a one-week half term in each). Bank holidays that fall in term time are
not school days. The exact dates are synthetic but realistic; ``school_term_dates.csv`` publishes them
so that measures by term and half term use the same calendar the attendance figures were counted on.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta

MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TERM_CODES = ("AUT", "SPR", "SUM")


def fmt_collect(value: date | None) -> str:
    """A date the way COLLECT exports of the school census print it: ``2019-Feb-14 00:00:00``.

    Written without strftime so that the output does not depend on the machine's locale.
    """
    if value is None:
        return ""
    return f"{value.year:04d}-{MONTH_ABBREVIATIONS[value.month - 1]}-{value.day:02d} 00:00:00"


def academic_year_label(start_year: int) -> str:
    """``2018`` -> ``2018/19``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def academic_year_of(day: date) -> int:
    """The academic year (by its starting calendar year) that a date falls in; years run 1 September - 31 August."""
    return day.year if day.month >= 9 else day.year - 1


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) given weekday (Monday = 0) of a month; n = -1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def england_bank_holidays(year: int) -> set[date]:
    """England and Wales bank holidays of a calendar year (substitute days included; special one-offs not)."""
    easter = easter_sunday(year)
    days = {
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _nth_weekday(year, 5, 0, 1),
        _nth_weekday(year, 5, 0, -1),
        _nth_weekday(year, 8, 0, -1),
    }
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Monday and Tuesday
        days.update({date(year, 12, 27), date(year, 12, 28)})
    elif christmas.weekday() == 6:  # Sunday: Boxing Day and Tuesday
        days.update({boxing, date(year, 12, 27)})
    elif christmas.weekday() == 4:  # Friday: Boxing Day on the Monday
        days.update({christmas, date(year, 12, 28)})
    else:
        days.update({christmas, boxing})
    return days


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class HalfTerm:
    number: int  # 1 or 2
    start: date
    end: date


@dataclass(frozen=True)
class Term:
    academic_year: int
    code: str  # AUT, SPR, SUM
    start: date
    end: date
    census_date: date
    half_terms: tuple[HalfTerm, HalfTerm]

    @property
    def label(self) -> str:
        return academic_year_label(self.academic_year)


def _term(academic_year: int, code: str, start: date, end: date, break_monday: date, census: date) -> Term:
    break_end = break_monday + timedelta(days=6)
    halves = (
        HalfTerm(1, start, break_monday - timedelta(days=3)),
        HalfTerm(2, break_end + timedelta(days=1), end),
    )
    return Term(academic_year, code, start, end, census, halves)


def terms_of_year(academic_year: int) -> tuple[Term, Term, Term]:
    """The three terms of an academic year (``2018`` = 2018/19)."""
    y1, y2 = academic_year, academic_year + 1
    # Autumn: first Wednesday on or after 2 September to the last Friday on or before 21 December;
    # half term in the week of the last Monday of October; census on the first Thursday of October.
    aut_start = date(y1, 9, 2) + timedelta(days=(2 - date(y1, 9, 2).weekday()) % 7)
    aut_end = date(y1, 12, 21) - timedelta(days=(date(y1, 12, 21).weekday() - 4) % 7)
    autumn = _term(y1, "AUT", aut_start, aut_end, _nth_weekday(y1, 10, 0, -1), _nth_weekday(y1, 10, 3, 1))
    # Spring: first working day on or after 4 January to the start of Easter; half term in the week of the
    # third Monday of February; census on the third Thursday of January.
    spr_start = date(y2, 1, 4)
    while spr_start.weekday() >= 5 or spr_start in england_bank_holidays(y2):
        spr_start += timedelta(days=1)
    good_friday = easter_sunday(y2) - timedelta(days=2)
    spr_end = date(y2, 4, 5) - timedelta(days=(date(y2, 4, 5).weekday() - 4) % 7)
    if good_friday <= spr_end:
        spr_end = good_friday - timedelta(days=1)
    spring = _term(y1, "SPR", spr_start, spr_end, _nth_weekday(y2, 2, 0, 3), _nth_weekday(y2, 1, 3, 3))
    # Summer: the Monday two weeks after spring ends (after Easter Monday) to the Friday on or before 23 July;
    # half term in the week of the late-May bank holiday; census on the third Thursday of May.
    sum_start = _monday_of(spr_end) + timedelta(days=14)
    easter_monday = easter_sunday(y2) + timedelta(days=1)
    if sum_start <= easter_monday:
        sum_start = easter_monday + timedelta(days=1)
    sum_end = date(y2, 7, 23) - timedelta(days=(date(y2, 7, 23).weekday() - 4) % 7)
    summer = _term(y1, "SUM", sum_start, sum_end, _nth_weekday(y2, 5, 0, -1), _nth_weekday(y2, 5, 3, 3))
    return autumn, spring, summer


class SchoolCalendar:
    """School days of a run of academic years, with fast counting of school days between two dates."""

    def __init__(self, first_academic_year: int, last_academic_year: int) -> None:
        self.terms: list[Term] = []
        for year in range(first_academic_year, last_academic_year + 1):
            self.terms.extend(terms_of_year(year))
        holidays: set[date] = set()
        for year in range(first_academic_year, last_academic_year + 2):
            holidays |= england_bank_holidays(year)
        days: list[int] = []
        for term in self.terms:
            for half in term.half_terms:
                day = half.start
                while day <= half.end:
                    if day.weekday() < 5 and day not in holidays:
                        days.append(day.toordinal())
                    day += timedelta(days=1)
        self._days = days

    def school_days_between(self, first: date, last: date) -> int:
        """Number of school days in [first, last] (0 when last < first)."""
        if last < first:
            return 0
        return bisect.bisect_right(self._days, last.toordinal()) - bisect.bisect_left(self._days, first.toordinal())

    def school_days_in(self, first: date, last: date) -> list[date]:
        lo = bisect.bisect_left(self._days, first.toordinal())
        hi = bisect.bisect_right(self._days, last.toordinal())
        return [date.fromordinal(value) for value in self._days[lo:hi]]

    def term_at(self, day: date) -> Term | None:
        for term in self.terms:
            if term.start <= day <= term.end:
                return term
        return None

"""England (and Wales) bank holidays and working-day arithmetic.

Statutory timescales in children's social care are counted in working days: Monday to Friday, excluding the bank
holidays of England. A span of working days is counted the way the DfE counts assessment and conference timeliness:
the start day itself is day 0 and every working day after it, up to and including the end day, adds one. So an
assessment authorised on the 45th working day after the referral date is in timescale.

Bank holidays follow the statutory rules (with substitute days when a fixed-date holiday falls at a weekend) plus
the one-off changes proclaimed since 1995 (VE-day anniversaries, jubilees, royal weddings, the 2022 state funeral and
the 2023 coronation). Years from 1995 are exact as published by GOV.UK; later years follow the standing rules.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta
from functools import lru_cache

# One-off bank holidays (added days) and moved ones (the rule date replaced by another).
_EXTRA_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(1999, 12, 31),  # Millennium celebrations
        date(2002, 6, 3),  # Golden Jubilee
        date(2011, 4, 29),  # Royal wedding
        date(2012, 6, 5),  # Diamond Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
    }
)
_EARLY_MAY_MOVED: dict[int, date] = {1995: date(1995, 5, 8), 2020: date(2020, 5, 8)}
_SPRING_MOVED: dict[int, date] = {2002: date(2002, 6, 4), 2012: date(2012, 6, 4), 2022: date(2022, 6, 2)}

_SATURDAY = 5
_SUNDAY = 6
_MONDAY = 0


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(_MONDAY - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - _MONDAY) % 7)


def _new_year(year: int) -> date:
    day = date(year, 1, 1)
    if day.weekday() == _SATURDAY:
        return day + timedelta(days=2)
    if day.weekday() == _SUNDAY:
        return day + timedelta(days=1)
    return day


def _christmas(year: int) -> tuple[date, date]:
    """Christmas Day and Boxing Day, or their substitute days when they fall at a weekend."""
    christmas = date(year, 12, 25)
    weekday = christmas.weekday()
    if weekday == _SATURDAY:  # Sat 25, Sun 26 -> Mon 27 and Tue 28
        return date(year, 12, 27), date(year, 12, 28)
    if weekday == _SUNDAY:  # Sun 25, Mon 26 -> Boxing Day Mon 26, Christmas substitute Tue 27
        return date(year, 12, 27), date(year, 12, 26)
    if weekday == 4:  # Fri 25, Sat 26 -> Boxing Day substitute Mon 28
        return christmas, date(year, 12, 28)
    return christmas, date(year, 12, 26)


@lru_cache(maxsize=256)
def england_bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in a calendar year."""
    easter = easter_sunday(year)
    days = {
        _new_year(year),
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        _EARLY_MAY_MOVED.get(year, _first_monday(year, 5)),
        _SPRING_MOVED.get(year, _last_monday(year, 5)),
        _last_monday(year, 8),
        *_christmas(year),
    }
    days.update(day for day in _EXTRA_HOLIDAYS if day.year == year)
    return frozenset(days)


def is_bank_holiday(day: date) -> bool:
    return day in england_bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < _SATURDAY and not is_bank_holiday(day)


class WorkingDayCalendar:
    """Constant-time working-day arithmetic over a growing range of dates.

    Holds, for every day from ``start``, how many working days there are from ``start`` up to and including it,
    extending itself when asked about a later or earlier day.
    """

    def __init__(self, start: date = date(1990, 1, 1), end: date = date(2040, 12, 31)) -> None:
        self._start = start
        self._cumulative: list[int] = []
        self._build(start, end)

    def _build(self, start: date, end: date) -> None:
        self._start = start
        total = 0
        cumulative: list[int] = []
        day = start
        one_day = timedelta(days=1)
        while day <= end:
            total += is_working_day(day)
            cumulative.append(total)
            day += one_day
        self._cumulative = cumulative

    def _end(self) -> date:
        return self._start + timedelta(days=len(self._cumulative) - 1)

    def _ensure(self, day: date) -> None:
        if day < self._start or day > self._end():
            self._build(min(day, self._start) - timedelta(days=366), max(day, self._end()) + timedelta(days=366))

    def _count(self, day: date) -> int:
        """Working days from the range start up to and including ``day``."""
        self._ensure(day)
        return self._cumulative[(day - self._start).days]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before ``start``)."""
        return self._count(end) - self._count(start)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``n`` >= 0; ``n`` = 0 gives ``day`` itself)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return day
        self._ensure(day + timedelta(days=2 * n + 30))
        target = self._count(day) + n
        index = bisect_left(self._cumulative, target)
        return self._start + timedelta(days=index)

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, otherwise the first working day after it."""
        while not is_working_day(day):
            day += timedelta(days=1)
        return day


_DEFAULT = WorkingDayCalendar()


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``: the count used for statutory timescales."""
    return _DEFAULT.working_days_between(start, end)


def add_working_days(day: date, n: int) -> date:
    """The date ``n`` working days after ``day``."""
    return _DEFAULT.add_working_days(day, n)


def next_working_day(day: date) -> date:
    """``day`` when it is a working day, otherwise the next working day."""
    return _DEFAULT.next_working_day(day)


def previous_working_day(day: date) -> date:
    """``day`` when it is a working day, otherwise the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day

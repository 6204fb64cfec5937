"""Parse a target as a scorecard prints it ('85%', '<20%', '260-300', '100 per qtr', ...) into a typed Target.

The parser knows the text, not the measure: a bare '85%' is a floor for a high-is-good measure and a ceiling for a
low-is-good one, so it is recorded as a POINT and the RAG logic applies the measure's polarity. A range ('260-300')
is an expected band, not a floor or a ceiling. Anything outside the accepted forms raises TargetParseError; an
unknown form is never read as a number.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from scorecard.parsing._text import MONTHS, NUMBER, normalise, to_decimal

ACCEPTED_FORMS = (
    "'85%', '<20%', '>50%', '<=20', '>=50%', '<20', '215', '1,900', '260-300', '53.1 - 59.7', '97%-99%', "
    "'N/A' or blank (no target), '100 per qtr' (also per quarter/month/year/term), "
    "'1900 (accumulative target)' (or '(cumulative target)'), '0 by end of March 2018' (or 'by March 2018')"
)

NO_TARGET = frozenset({"", "n/a", "na", "n.a."})


class TargetParseError(ValueError):
    """A printed target that is none of the accepted forms."""


class Comparator(StrEnum):
    """How the value must relate to the target."""

    POINT = "point"  # a bare number: at least it (high is good) or at most it (low is good), by polarity
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    RANGE = "range"  # an expected band, lower <= value <= upper


class TargetUnit(StrEnum):
    PERCENT = "percent"  # printed with a % sign; stored 0-100
    NUMBER = "number"  # no % sign: a count, rate, average or duration, in the measure's own unit


class Basis(StrEnum):
    PERIOD = "period"  # compare with the value for the reporting period
    PER_PERIOD = "per_period"  # a rate per period ('100 per qtr'): compare with the change or flow in each period
    CUMULATIVE = "cumulative"  # compare with the running total over the year ('1900 (accumulative target)')


@dataclass(frozen=True)
class Target:
    """A target in typed form. lower/upper are the bounds the comparator refers to.

    POINT: lower == upper == the number. LT/LE: upper only. GT/GE: lower only. RANGE: both, lower <= upper.
    """

    comparator: Comparator
    lower: Decimal | None
    upper: Decimal | None
    unit: TargetUnit
    original: str
    basis: Basis = Basis.PERIOD
    per: str | None = None  # the period of a PER_PERIOD target: quarter, month, year or term
    due_date: date | None = None  # the date a dated target ('0 by end of March 2018') must be met by

    @property
    def value(self) -> Decimal:
        """The single number of a non-range target."""
        if self.comparator is Comparator.RANGE:
            raise ValueError(f"target {self.original!r} is a range; use lower and upper")
        number = self.lower if self.lower is not None else self.upper
        assert number is not None  # every non-range target has one bound
        return number


_COMPARATORS = {
    "<": Comparator.LT,
    "<=": Comparator.LE,
    "\u2264": Comparator.LE,
    ">": Comparator.GT,
    ">=": Comparator.GE,
    "\u2265": Comparator.GE,
}
_PERIODS = {
    "qtr": "quarter",
    "quarter": "quarter",
    "month": "month",
    "mth": "month",
    "year": "year",
    "yr": "year",
    "term": "term",
}

_SINGLE = rf"(?P<cmp><=|>=|\u2264|\u2265|<|>)?\s?(?P<num>{NUMBER})(?P<pct>%)?"
_RANGE = rf"(?P<lo>{NUMBER})(?P<lo_pct>%)?\s?-\s?(?P<hi>{NUMBER})(?P<hi_pct>%)?"
_SUFFIX = (
    r"(?:"
    rf" per (?P<per>{'|'.join(_PERIODS)})"
    r"|\s?\((?:ac)?cumulative(?: target)?\)(?P<cumulative>)"
    r"| by (?:the )?(?:end of )?(?P<month>[a-z]+) (?P<year>\d{4})"
    r")?"
)
_SINGLE_RE = re.compile(rf"{_SINGLE}{_SUFFIX}", re.IGNORECASE)
_RANGE_RE = re.compile(rf"{_RANGE}{_SUFFIX}", re.IGNORECASE)


def parse_target(text: str | None) -> Target | None:
    """The typed form of a printed target, or None where the scorecard prints no target (blank or N/A)."""
    if text is None:
        return None
    clean = normalise(text)
    if clean.casefold() in NO_TARGET:
        return None
    if match := _SINGLE_RE.fullmatch(clean):
        number = to_decimal(match["num"])
        comparator = _COMPARATORS.get(match["cmp"] or "", Comparator.POINT)
        lower = number if comparator in (Comparator.POINT, Comparator.GT, Comparator.GE) else None
        upper = number if comparator in (Comparator.POINT, Comparator.LT, Comparator.LE) else None
        unit = TargetUnit.PERCENT if match["pct"] else TargetUnit.NUMBER
        return _with_suffix(text, match, comparator, lower, upper, unit)
    if match := _RANGE_RE.fullmatch(clean):
        lower, upper = to_decimal(match["lo"]), to_decimal(match["hi"])
        if match["lo_pct"] and not match["hi_pct"]:
            raise _error(text, "a % sign on the lower bound only is ambiguous")
        if lower > upper:
            raise _error(text, "the lower bound is above the upper bound")
        unit = TargetUnit.PERCENT if match["hi_pct"] else TargetUnit.NUMBER
        return _with_suffix(text, match, Comparator.RANGE, lower, upper, unit)
    raise _error(text, "not a target form")


def _with_suffix(
    text: str,
    match: re.Match[str],
    comparator: Comparator,
    lower: Decimal | None,
    upper: Decimal | None,
    unit: TargetUnit,
) -> Target:
    basis, per, due = Basis.PERIOD, None, None
    if match["per"]:
        basis, per = Basis.PER_PERIOD, _PERIODS[match["per"].casefold()]
    elif match["cumulative"] is not None:
        basis = Basis.CUMULATIVE
    elif match["month"]:
        due = _month_end(text, match["month"], int(match["year"]))
    return Target(comparator, lower, upper, unit, original=text, basis=basis, per=per, due_date=due)


def _month_end(text: str, month_name: str, year: int) -> date:
    month = MONTHS.get(month_name.casefold())
    if month is None:
        raise _error(text, f"{month_name!r} is not a month")
    return date(year, month, calendar.monthrange(year, month)[1])


def _error(text: str, reason: str) -> TargetParseError:
    return TargetParseError(f"cannot read target {text!r} ({reason}); accepted forms are {ACCEPTED_FORMS}")

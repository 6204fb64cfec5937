"""Parse a value or benchmark as a scorecard prints it ('10,681', '83% (indicative)', 'supressed', ...).

The text decides the number and whether a % sign was printed; the measure decides the unit (benchmark percentages
are often printed without the sign), see ParsedValue.number_for. Every form that carries no number gets a status
saying why, so a blank, a suppressed count and a figure not yet released are never confused. Anything outside the
accepted forms raises ValueParseError naming the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from scorecard.parsing._text import MONTHS, NUMBER, normalise, to_decimal
from scorecard.parsing.targets import TargetParseError, parse_target

ACCEPTED_FORMS = (
    "'10,681', '116.7', '1.65%', '-3', '83% (indicative)', '83% (provisional)', '57% (63%)' (alternative figure), "
    "'41% (Jan 17 SEN return)' / '93% (July fig)' (source note), '345 (1200 cumulative)', '97%-99%' (band), "
    "'supressed'/'suppressed'/'c'/'x' (suppressed), 'data not yet released'/'..' (not released), "
    "'This data will be presented annually. See comments for quarterly updates', '-'/'z'/'n/a' (not applicable), "
    "a dated or explicit target such as '0 by end of March 2018' (target text, no figure), blank"
)


class ValueParseError(ValueError):
    """A printed value or benchmark that is none of the accepted forms."""


class ValueStatus(StrEnum):
    """What a printed cell says about its figure."""

    REPORTED = "reported"  # a number, possibly with a source note or an alternative figure
    INDICATIVE = "indicative"  # a number marked '(indicative)'
    PROVISIONAL = "provisional"  # a number marked '(provisional)'
    BAND = "band"  # a band reported as the value ('97%-99%'): lower and upper, no single value
    SUPPRESSED = "suppressed"  # withheld for disclosure control (small counts)
    NOT_RELEASED = "not_released"  # the publisher has not released the figure yet
    PRESENTED_ANNUALLY = "presented_annually"  # merged-cell note: only a year-end figure is published
    NOT_APPLICABLE = "not_applicable"  # '-': no figure applies to this period
    TARGET_TEXT = "target_text"  # the cell holds a target, not a figure ('0 by end of March 2018' in a value column)
    MISSING = "missing"  # blank cell

    @property
    def has_number(self) -> bool:
        return self in (ValueStatus.REPORTED, ValueStatus.INDICATIVE, ValueStatus.PROVISIONAL)


class ValueUnit(StrEnum):
    PERCENT = "percent"  # printed with a % sign
    NUMBER = "number"  # printed without one: the measure's own unit decides what it is


@dataclass(frozen=True)
class ParsedValue:
    """A printed cell in typed form.

    value: the figure (None unless status.has_number). qualifier: the printed parenthetical text, if any
    ('indicative', 'Jan 17 SEN return', '63%'). alternative: a second figure printed beside the first
    ('57% (63%)': the same measure over a different denominator). cumulative: a running total printed beside a
    period figure ('345 (1200 cumulative)'). lower/upper: the bounds of a BAND.
    """

    original: str
    status: ValueStatus
    value: Decimal | None = None
    unit: ValueUnit | None = None
    qualifier: str | None = None
    alternative: Decimal | None = None
    cumulative: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None

    @property
    def has_number(self) -> bool:
        return self.status.has_number

    def number_for(self, measure_unit: str) -> Decimal | None:
        """The figure in the measure's unit (count, percent, rate_per_10000, days, weeks, average).

        A percent measure takes the number with or without a printed % sign (benchmarks often omit it). A printed
        % sign on any other measure is a unit drift the loader must not hide, so it raises.
        """
        if self.unit is ValueUnit.PERCENT and measure_unit != "percent":
            raise ValueParseError(
                f"value {self.original!r} is printed as a percentage but the measure's unit is {measure_unit}"
            )
        return self.value


_SUPPRESSED = frozenset({"supressed", "suppressed", "c", "x"})
_NOT_RELEASED = frozenset({"data not yet released", "not yet released", ".."})
_NOT_APPLICABLE = frozenset({"-", "z", "n/a"})
_PRESENTED_ANNUALLY = re.compile(
    r"this data will be presented annually\.?(?: see comments? for (?:the )?quarterly updates?\.?)?", re.IGNORECASE
)
_STATUS_QUALIFIERS = {"indicative": ValueStatus.INDICATIVE, "provisional": ValueStatus.PROVISIONAL}

_NUMBER_CELL = re.compile(rf"(?P<neg>-)?(?P<num>{NUMBER})(?P<pct>%)?(?: ?\((?P<paren>[^()]*)\))?")
_BAND_CELL = re.compile(rf"(?P<lo>{NUMBER})(?P<lo_pct>%)? ?- ?(?P<hi>{NUMBER})(?P<hi_pct>%)?")
_ALTERNATIVE = re.compile(rf"(?P<num>{NUMBER})(?P<pct>%)?")
_CUMULATIVE = re.compile(rf"(?P<num>{NUMBER}) (?:ac)?cumulative|(?:ac)?cumulative:? (?P<num2>{NUMBER})", re.IGNORECASE)
# A source note names when or where the figure comes from: a month, a year, or a word such as fig/return/census.
# "may" only counts as a month when a year follows it, so "(may be revised)" is not a source note.
_NOTE_WORDS = "|".join(
    [*(month for month in MONTHS if month != "may"), r"may(?= \d)", "fig", "figure", "return", "census"]
    + [r"(?:19|20)\d\d", r"\d\d/\d\d"]
)
_SOURCE_NOTE = re.compile(rf"(?=.*\b(?:{_NOTE_WORDS})\b)[a-z0-9][a-z0-9 /.'&-]{{0,39}}", re.IGNORECASE)


def parse_value(text: str | None) -> ParsedValue:
    """The typed form of a printed value or benchmark cell."""
    original = "" if text is None else text
    clean = normalise(original)
    folded = clean.casefold()
    if not clean:
        return ParsedValue(original, ValueStatus.MISSING)
    if folded in _SUPPRESSED:
        return ParsedValue(original, ValueStatus.SUPPRESSED)
    if folded in _NOT_RELEASED:
        return ParsedValue(original, ValueStatus.NOT_RELEASED)
    if folded in _NOT_APPLICABLE:
        return ParsedValue(original, ValueStatus.NOT_APPLICABLE)
    if _PRESENTED_ANNUALLY.fullmatch(clean):
        return ParsedValue(original, ValueStatus.PRESENTED_ANNUALLY)
    if _is_target_text(clean):
        return ParsedValue(original, ValueStatus.TARGET_TEXT)
    if match := _NUMBER_CELL.fullmatch(clean):
        return _number(original, match)
    if match := _BAND_CELL.fullmatch(clean):
        return _band(original, match)
    raise ValueParseError(f"cannot read value {original!r}: accepted forms are {ACCEPTED_FORMS}")


def _number(original: str, match: re.Match[str]) -> ParsedValue:
    value = to_decimal(match["num"])
    if match["neg"]:
        value = -value
    unit = ValueUnit.PERCENT if match["pct"] else ValueUnit.NUMBER
    paren = match["paren"]
    if paren is None:
        return ParsedValue(original, ValueStatus.REPORTED, value, unit)
    qualifier = paren.strip()
    if not qualifier:
        raise ValueParseError(f"cannot read value {original!r}: empty brackets")
    if status := _STATUS_QUALIFIERS.get(qualifier.casefold()):
        return ParsedValue(original, status, value, unit, qualifier=qualifier)
    if alt := _ALTERNATIVE.fullmatch(qualifier):
        if bool(alt["pct"]) != bool(match["pct"]):
            raise ValueParseError(
                f"cannot read value {original!r}: the bracketed figure must have the same unit as the main figure"
            )
        return ParsedValue(original, ValueStatus.REPORTED, value, unit, qualifier, alternative=to_decimal(alt["num"]))
    if cum := _CUMULATIVE.fullmatch(qualifier):
        if unit is ValueUnit.PERCENT:
            raise ValueParseError(f"cannot read value {original!r}: a cumulative total of a percentage is not a form")
        total = to_decimal(cum["num"] or cum["num2"])
        return ParsedValue(original, ValueStatus.REPORTED, value, unit, qualifier, cumulative=total)
    if _SOURCE_NOTE.fullmatch(qualifier):
        return ParsedValue(original, ValueStatus.REPORTED, value, unit, qualifier)
    raise ValueParseError(
        f"cannot read value {original!r}: the note {qualifier!r} is not indicative/provisional, an alternative "
        "figure, a cumulative total or a source note (a month, year, 'fig' or 'return')"
    )


def _is_target_text(clean: str) -> bool:
    """A target printed where a figure belongs: a dated target, or one that says 'target'. Never read as a figure."""
    try:
        target = parse_target(clean)
    except TargetParseError:
        return False
    return target is not None and (target.due_date is not None or "target" in clean.casefold())


def _band(original: str, match: re.Match[str]) -> ParsedValue:
    lower, upper = to_decimal(match["lo"]), to_decimal(match["hi"])
    if match["lo_pct"] and not match["hi_pct"]:
        raise ValueParseError(f"cannot read value {original!r}: a % sign on the lower bound only is ambiguous")
    if lower > upper:
        raise ValueParseError(f"cannot read value {original!r}: the lower bound of the band is above the upper")
    unit = ValueUnit.PERCENT if match["hi_pct"] else ValueUnit.NUMBER
    return ParsedValue(original, ValueStatus.BAND, unit=unit, lower=lower, upper=upper)

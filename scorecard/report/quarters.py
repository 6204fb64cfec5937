"""Financial quarters as the scorecard names them: "2019-20 Q1" is April to June 2019."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_LABEL = re.compile(r"^\s*(?P<fy>\d{4})\s*[-/]\s*(?P<next>\d{2})\s*[ _-]?\s*q(?P<q>[1-4])\s*$", re.IGNORECASE)


class QuarterError(ValueError):
    """A quarter label that is not of the form 2019-20Q1 / 2019-20 Q1."""


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter ``number`` (1-4) of the financial year starting in April of ``year``."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _LABEL.match(text or "")
        if not match:
            raise QuarterError(f"{text!r} is not a quarter: write it as 2019-20Q1 or '2019-20 Q1' (financial year, "
                               "Q1 = April to June)")
        year, following = int(match["fy"]), int(match["next"])
        if following != (year + 1) % 100:
            raise QuarterError(f"{text!r}: {year}-{following:02d} is not a financial year (expected "
                               f"{year}-{(year + 1) % 100:02d})")
        return cls(year, int(match["q"]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        return (self.next().start) - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def label(self) -> str:
        """As printed: "2019-20 Q1"."""
        return f"{self.year_label} Q{self.number}"

    @property
    def slug(self) -> str:
        """For file and folder names: "2019-20Q1"."""
        return f"{self.year_label}Q{self.number}"

    def in_year(self) -> list[Quarter]:
        """Q1..Q4 of this quarter's financial year."""
        return [Quarter(self.year, n) for n in range(1, 5)]

    def columns(self) -> list[Quarter]:
        """The quarter columns of this quarter's scorecard: Q1..Q4 of its year, and at Q1 the previous year's Q4
        first (as the 2019-20 Q1 paper printed it), so the quarter the direction of travel compares with shows."""
        return ([Quarter(self.year - 1, 4)] if self.number == 1 else []) + self.in_year()


def financial_year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def financial_year_end(year: int) -> date:
    return date(year + 1, 3, 31)


def is_quarter_end(day: date) -> bool:
    return Quarter.containing(day).end == day

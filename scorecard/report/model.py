"""The scorecard as the report templates see it: measures in sections, each with its cells already chosen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from scorecard.report.quarters import Quarter, financial_year_label

SOURCES = ("auto", "record_level", "return")
RAGS = ("red", "amber", "green")
DIRECTIONS = ("improving", "static", "worsening")


@dataclass(frozen=True)
class MartRow:
    """One row of ``marts.fct_scorecard`` (the columns the report uses, named as in docs/CONVENTIONS.md)."""

    measure_ref: str
    measure_name: str | None
    period_type: str
    period_start: date
    period_end: date
    period_label: str | None
    value: Decimal | None
    target_text: str | None
    rag: str | None
    rag_reason: str | None
    direction_movement: str | None
    direction_of_travel: str | None
    section: str | None
    unit: str | None
    polarity: str | None
    decimals: int | None
    source: str
    value_status: str | None
    value_text: str | None
    neighbour_average: Decimal | None
    england_value: Decimal | None
    rag_override: str | None
    rag_override_reason: str | None
    rag_override_by: str | None
    definition_changed: bool | None


@dataclass(frozen=True)
class MeasureInfo:
    """One row of ``marts.dim_measure``."""

    measure_ref: str
    measure_name: str
    section: str
    unit: str
    polarity: str | None
    period_type: str
    decimals: int
    plan_priorities: str | None


@dataclass(frozen=True)
class Cell:
    """A value as shown: ``text`` for people, ``number`` (in the measure's unit) for a spreadsheet."""

    text: str = ""
    number: Decimal | None = None
    unit: str = "count"
    decimals: int = 0
    period_label: str | None = None
    source: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class TrendPoint:
    label: str
    period_end: date
    value: float | None
    text: str
    new_definition: bool  # figures from here on were produced under a different definition than the point before
    current: bool


@dataclass(frozen=True)
class Comment:
    text: str
    author: str | None = None


@dataclass
class Line:
    """One measure's row on the scorecard for the chosen quarter."""

    measure: MeasureInfo
    neighbour_average: Cell
    england: Cell
    target_text: str
    previous_year_end: Cell
    quarters: list[Cell]  # one per Scorecard.quarter_columns
    year_end: Cell
    current: Cell  # the chosen quarter's value (also one of ``quarters``)
    rag: str | None  # what the scorecard shows: the override if there is one, else the computed rating
    rag_computed: str | None
    rag_reason: str
    overridden: bool
    movement: str | None  # up, down, level
    direction: str | None  # improving, static, worsening
    comment: Comment | None
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.measure.measure_ref

    @property
    def polarity_text(self) -> str:
        return {"high": "High is good", "low": "Low is good"}.get(self.measure.polarity or "", "")


@dataclass
class Section:
    name: str
    lines: list[Line]


@dataclass(frozen=True)
class SectionCounts:
    section: str
    red: int = 0
    amber: int = 0
    green: int = 0
    no_rag: int = 0
    improving: int = 0
    static: int = 0
    worsening: int = 0
    no_direction: int = 0

    @property
    def measures(self) -> int:
        return self.red + self.amber + self.green + self.no_rag


@dataclass
class Summary:
    sections: list[SectionCounts]
    total: SectionCounts
    red_lines: list[Line]
    overridden: list[Line]


@dataclass
class Scorecard:
    la_code: str
    quarter: Quarter
    source: str
    sections: list[Section]
    generated_at: datetime
    publication: str | None = None
    without_data: list[MeasureInfo] = field(default_factory=list)
    missing_comments: list[str] = field(default_factory=list)
    unknown_comments: list[str] = field(default_factory=list)
    commentary_file: str | None = None

    @property
    def lines(self) -> list[Line]:
        return [line for section in self.sections for line in section.lines]

    @property
    def mixed_sources(self) -> bool:
        """Whether the figures shown come from both record-level extracts and returns."""
        shown = {cell.source for line in self.lines
                 for cell in (line.previous_year_end, *line.quarters, line.year_end) if cell.text and cell.source}
        return len(shown) > 1

    @property
    def previous_year_label(self) -> str:
        return financial_year_label(self.quarter.year - 1)

    @property
    def quarter_columns(self) -> list[Quarter]:
        return self.quarter.columns()

    @property
    def chosen_column(self) -> int:
        """The chosen quarter's index in ``quarter_columns``."""
        return self.quarter_columns.index(self.quarter)

"""From published rows to the scorecard for one quarter: which row fills which cell. Pure logic, no database.

Columns follow the 2017-18 committee scorecard: previous year end, Q1..Q4 of the chosen quarter's financial year
(quarters after the chosen one stay empty, as on the paper; at Q1 the previous Q4 comes first, as on the 2019-20
paper), year end (only once Q4 is chosen), and the chosen quarter's target, benchmarks, rating and direction.

Which row fills a quarter's cell: a row of the chosen source(s) whose period ends inside the quarter (a snapshot at
quarter end, a year-to-date figure to quarter end, a rolling year to quarter end, the latest month or term ending
in it), preferring the measure's own period type, then a plain quarter, then the latest period end. With source
``auto`` a record-level figure is preferred to a hand-typed return for the same cell. The year end is the
``financial_year`` row; for a snapshot, year-to-date or rolling measure without one, it is the figure at 31 March.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from scorecard.report.commentary import Commentary
from scorecard.report.formatting import QUALIFIED, benchmark_decimals, cell_text, format_number
from scorecard.report.model import (
    SOURCES,
    Cell,
    Comment,
    Line,
    MartRow,
    MeasureInfo,
    Scorecard,
    Section,
    TrendPoint,
)
from scorecard.report.quarters import Quarter, financial_year_end

# The 2017-18 scorecard's order (the catalogue's sections); a section not listed here follows, by name.
SECTION_ORDER = ("Safeguarding", "Cared for Children", "Care Leavers", "Adoption", "Virtual School", "Schools",
                 "Prevention and Early Intervention", "Youth Support", "Special Educational Need (SEN)", "Health")
# 2019-20 refs first (the current scorecard), then 2017-18 refs, then the health waiting-list indicators.
REF_FAMILIES = ("CSC", "Ed&S", "P&EH", "PI", "WL")
POINT_IN_TIME = frozenset({"snapshot", "year_to_date", "rolling_12_months"})
YEAR = "financial_year"


def source_rank(source: str) -> dict[str, int]:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    return {"record_level": 0, "return": 1} if source == "auto" else {source: 0}


def ref_key(ref: str) -> tuple:
    family = next((i for i, prefix in enumerate(REF_FAMILIES) if ref.startswith(prefix)), len(REF_FAMILIES))
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|\D+", ref))
    return (family, parts)


def section_key(name: str) -> tuple[int, str]:
    return (SECTION_ORDER.index(name), "") if name in SECTION_ORDER else (len(SECTION_ORDER), name)


def pick_quarter(rows: Iterable[MartRow], quarter: Quarter, own_type: str, ranks: dict[str, int]) -> MartRow | None:
    candidates = [r for r in rows if r.source in ranks and r.period_type != YEAR
                  and quarter.start <= r.period_end <= quarter.end]
    return min(candidates, default=None, key=lambda r: (
        ranks[r.source], 0 if r.period_type == own_type else 1 if r.period_type == "quarter" else 2,
        -r.period_end.toordinal()))


def pick_year_end(rows: list[MartRow], year: int, own_type: str, ranks: dict[str, int]) -> MartRow | None:
    end = financial_year_end(year)
    annual = [r for r in rows if r.source in ranks and r.period_type == YEAR and r.period_end == end]
    if annual:
        return min(annual, key=lambda r: ranks[r.source])
    if own_type in POINT_IN_TIME:
        last = pick_quarter(rows, Quarter(year, 4), own_type, ranks)
        if last is not None and last.period_end == end and last.period_type == own_type:
            return last
    return None


def _unit(measure: MeasureInfo, row: MartRow | None) -> tuple[str, int]:
    unit = (row.unit if row and row.unit else None) or measure.unit
    decimals = row.decimals if row and row.decimals is not None else measure.decimals
    return unit, int(decimals)


def value_cell(row: MartRow | None, measure: MeasureInfo) -> Cell:
    if row is None:
        return Cell(unit=measure.unit, decimals=measure.decimals)
    unit, decimals = _unit(measure, row)
    text = cell_text(row.value, unit, decimals, row.value_status, row.value_text)
    plain = row.value is not None and row.value_status not in QUALIFIED \
        and text == format_number(row.value, unit, decimals)
    return Cell(text, row.value if plain else None, unit, decimals, row.period_label, row.source)


def benchmark_cell(value: Decimal | None, measure: MeasureInfo, row: MartRow | None) -> Cell:
    unit, decimals = _unit(measure, row)
    if value is None:
        return Cell(unit=unit, decimals=decimals)
    places = benchmark_decimals(value, decimals)
    return Cell(format_number(value, unit, places), value, unit, places, row.period_label if row else None)


def _rating(row: MartRow | None, quarter: Quarter) -> tuple[str | None, str | None, str, bool]:
    """(shown rating, computed rating, reason, overridden)."""
    if row is None:
        return None, None, f"No value published for {quarter.label}.", False
    computed, reason = row.rag, (row.rag_reason or "").strip()
    if row.rag_override:
        who = row.rag_override_by or "an officer"
        why = (row.rag_override_reason or "no reason recorded").strip().rstrip(".")
        was = f"The computed rating was {computed}" if computed else "There was no computed rating"
        return row.rag_override, computed, f"Rated {row.rag_override} by {who}: {why}. {was}" + (
            f" ({reason.rstrip('.')})." if reason else "."), True
    return computed, computed, reason or ("Not rated." if computed is None else ""), False


def trend(rows: list[MartRow], measure: MeasureInfo, current: MartRow | None,
          ranks: dict[str, int]) -> list[TrendPoint]:
    """Every period of the measure's own type in the warehouse, one point per period (source by ``ranks``)."""
    usable = [r for r in rows if r.source in ranks]
    types = Counter(r.period_type for r in usable)
    if not types:
        return []
    kind = measure.period_type if types[measure.period_type] else \
        current.period_type if current is not None else types.most_common(1)[0][0]
    chosen: dict[tuple[date, date], MartRow] = {}
    for row in usable:
        if row.period_type != kind:
            continue
        key = (row.period_start, row.period_end)
        if key not in chosen or ranks[row.source] < ranks[chosen[key].source]:
            chosen[key] = row
    points = []
    previous_definition: bool | None = None
    for key in sorted(chosen, key=lambda k: (k[1], k[0])):
        row = chosen[key]
        unit, decimals = _unit(measure, row)
        # definition_changed marks figures produced under an earlier definition: the line breaks where it flips.
        definition = bool(row.definition_changed)
        points.append(TrendPoint(
            label=row.period_label or f"{row.period_start:%d %b %Y} to {row.period_end:%d %b %Y}",
            period_end=row.period_end, value=float(row.value) if row.value is not None else None,
            text=cell_text(row.value, unit, decimals, row.value_status, row.value_text) or "no value",
            new_definition=previous_definition is not None and definition != previous_definition,
            current=current is not None and row.period_type == current.period_type
            and row.period_end == current.period_end))
        previous_definition = definition
    return points


def _line(measure: MeasureInfo, rows: list[MartRow], quarter: Quarter, ranks: dict[str, int],
          comment: Comment | None) -> Line:
    own = measure.period_type
    columns = quarter.columns()
    slots = [pick_quarter(rows, q, own, ranks) if q <= quarter else None for q in columns]
    current = slots[columns.index(quarter)]
    year_end = pick_year_end(rows, quarter.year, own, ranks) if quarter.number == 4 else None
    if current is None and quarter.number == 4:
        current = year_end  # an annual measure is rated on its year-end figure
    shown, computed, reason, overridden = _rating(current, quarter)
    return Line(
        measure=measure,
        neighbour_average=benchmark_cell(current.neighbour_average if current else None, measure, current),
        england=benchmark_cell(current.england_value if current else None, measure, current),
        target_text=(current.target_text or "") if current else "",
        previous_year_end=value_cell(pick_year_end(rows, quarter.year - 1, own, ranks), measure),
        quarters=[value_cell(slot, measure) for slot in slots],
        year_end=value_cell(year_end, measure),
        current=value_cell(current, measure),
        rag=shown, rag_computed=computed, rag_reason=reason, overridden=overridden,
        movement=current.direction_movement if current else None,
        direction=current.direction_of_travel if current else None,
        comment=comment,
        trend=trend(rows, measure, current, ranks),
    )


def _measure_from_row(row: MartRow) -> MeasureInfo:
    """A measure published in fct_scorecard but missing from dim_measure still shows, described by its rows."""
    return MeasureInfo(row.measure_ref, row.measure_name or row.measure_ref, row.section or "Other measures",
                       row.unit or "count", row.polarity, row.period_type, row.decimals or 0, None)


def assemble(measures: list[MeasureInfo], rows: list[MartRow], quarter: Quarter, source: str,
             commentary: Commentary, la_code: str, generated_at: datetime,
             publication: str | None = None) -> Scorecard:
    ranks = source_rank(source)
    by_ref: dict[str, list[MartRow]] = {}
    for row in rows:
        by_ref.setdefault(row.measure_ref, []).append(row)
    catalogue = {m.measure_ref: m for m in measures}
    for ref, measure_rows in by_ref.items():
        if ref not in catalogue:
            catalogue[ref] = _measure_from_row(measure_rows[-1])
    window_start = date(quarter.year - 1, 4, 1)
    sections: dict[str, list[Line]] = {}
    without_data: list[MeasureInfo] = []
    for ref in sorted(catalogue, key=ref_key):
        measure = catalogue[ref]
        measure_rows = by_ref.get(ref, [])
        if not any(r.source in ranks and window_start <= r.period_end <= quarter.end for r in measure_rows):
            without_data.append(measure)
            continue
        line = _line(measure, measure_rows, quarter, ranks, commentary.comments.get(ref))
        sections.setdefault(measure.section, []).append(line)
    ordered = [Section(name, sections[name]) for name in sorted(sections, key=section_key)]
    shown = {line.ref for section in ordered for line in section.lines}
    return Scorecard(
        la_code=la_code, quarter=quarter, source=source, sections=ordered, generated_at=generated_at,
        publication=publication, without_data=without_data,
        missing_comments=[line.ref for section in ordered for line in section.lines if line.comment is None],
        unknown_comments=sorted((ref for ref in commentary.comments if ref not in shown), key=ref_key),
        commentary_file=commentary.path.name,
    )

"""The scorecard as a workbook: the "Scorecard" sheet as the committee paper lays it out (section rows, RAG fills,
coloured arrows with words, the RAG reason in each rating's note, frozen header) and a "Summary" sheet."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment as Note
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scorecard.report.formatting import excel_format
from scorecard.report.html import ARROWS, quarter_months
from scorecard.report.model import Cell, Line, Scorecard, SectionCounts, Summary

RAG_FILL = {"red": "C00000", "amber": "FFC000", "green": "00B050"}
RAG_FONT = {"red": "FFFFFF", "amber": "000000", "green": "000000"}
DIRECTION_FONT = {"improving": "00703C", "static": "A35A00", "worsening": "C00000"}
HEAD_FILL, SECTION_FILL, CHOSEN_FILL = "1F3864", "D9E1F2", "F2F2F2"
HEADER_ROW = 4
THIN = Side(style="thin", color="8C8C8C")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def fill(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=argb(rgb), end_color=argb(rgb))


def argb(rgb: str) -> str:
    """Opaque: openpyxl would otherwise write a six-digit colour with a zero alpha."""
    return f"FF{rgb}"


def font(color: str = "000000", **options: object) -> Font:
    return Font(color=argb(color), **options)


def headers(scorecard: Scorecard) -> list[str]:
    quarters = [f"Q{q.number} {q.year_label}" for q in scorecard.quarter_columns]
    return ["Ref", "Measure", "Polarity", "Statistical neighbour average", "England", "Target",
            f"Year end {scorecard.previous_year_label}", *quarters, f"Year end {scorecard.quarter.year_label}",
            "RAG", "Direction of travel", "Comments", "Priorities"]




@dataclass(frozen=True)
class Layout:
    """Column numbers of the Scorecard sheet: the quarter columns are Q1..Q4, and at Q1 the previous Q4 too."""

    quarters: int

    @property
    def first_quarter(self) -> int:
        return 8

    @property
    def year_end(self) -> int:
        return self.first_quarter + self.quarters

    @property
    def rag(self) -> int:
        return self.year_end + 1

    @property
    def direction(self) -> int:
        return self.year_end + 2

    @property
    def comments(self) -> int:
        return self.year_end + 3

    @property
    def last(self) -> int:
        return self.year_end + 4

    @property
    def widths(self) -> list[int]:
        return [9, 46, 12, 13, 10, 12, 11, *([11] * self.quarters), 11, 9, 14, 60, 24]

    @property
    def wrapped(self) -> tuple[int, ...]:
        return (1, 2, 3, self.comments, self.last)


def _put_value(ws: Worksheet, row: int, column: int, cell: Cell, bold: bool = False) -> None:
    target = ws.cell(row=row, column=column)
    if cell.number is not None:
        number = cell.number / Decimal(100) if cell.unit == "percent" else cell.number
        target.value = float(number)
        target.number_format = excel_format(cell.unit, cell.decimals)
    else:
        target.value = cell.text or None
    target.alignment = Alignment(horizontal="right", vertical="top", wrap_text=True)
    if bold:
        target.font = Font(bold=True)
        target.fill = fill(CHOSEN_FILL)


def _measure_row(ws: Worksheet, row: int, line: Line, scorecard: Scorecard, layout: Layout) -> None:
    ws.cell(row=row, column=1, value=line.ref).font = Font(bold=True)
    ws.cell(row=row, column=2, value=line.measure.measure_name)
    ws.cell(row=row, column=3, value=line.polarity_text or None)
    _put_value(ws, row, 4, line.neighbour_average)
    _put_value(ws, row, 5, line.england)
    ws.cell(row=row, column=6, value=line.target_text or None).alignment = Alignment(horizontal="right",
                                                                                   vertical="top", wrap_text=True)
    _put_value(ws, row, 7, line.previous_year_end)
    for index, cell in enumerate(line.quarters):
        _put_value(ws, row, layout.first_quarter + index, cell, bold=index == scorecard.chosen_column)
    _put_value(ws, row, layout.year_end, line.year_end)
    rag = ws.cell(row=row, column=layout.rag, value=line.rag.capitalize() if line.rag else "n/a")
    rag.alignment = Alignment(horizontal="center", vertical="top")
    if line.rag in RAG_FILL:
        rag.fill = fill(RAG_FILL[line.rag])
        rag.font = font(RAG_FONT[line.rag], bold=True)
    else:
        rag.font = font("595959")
    note = Note(f"{line.ref}: {line.rag_reason}", "Scorecard")
    note.width, note.height = 320, 110
    rag.comment = note
    arrow = ARROWS.get(line.movement or "", "")
    direction = ws.cell(row=row, column=layout.direction,
                        value=f"{arrow} {line.direction or ''}".strip() if arrow else None)
    direction.alignment = Alignment(horizontal="center", vertical="top")
    direction.font = font(DIRECTION_FONT.get(line.direction or "", "595959"), bold=True)
    comment = None
    if line.comment:
        comment = line.comment.text + (f" ({line.comment.author})" if line.comment.author else "")
    ws.cell(row=row, column=layout.comments, value=comment)
    ws.cell(row=row, column=layout.last, value=line.measure.plan_priorities or None)
    for column in range(1, layout.last + 1):
        target = ws.cell(row=row, column=column)
        target.border = BORDER
        if column in layout.wrapped:
            target.alignment = WRAP_TOP


def scorecard_sheet(ws: Worksheet, scorecard: Scorecard) -> None:
    names = headers(scorecard)
    layout = Layout(len(scorecard.quarter_columns))
    last = get_column_letter(layout.last)
    ws.title = "Scorecard"
    ws["A1"] = f"Children's services scorecard {scorecard.quarter.year_label}: quarter {scorecard.quarter.number}"
    ws["A1"].font = font(HEAD_FILL, bold=True, size=14)
    source = {"return": "figures as the council's returns printed them",
              "record_level": "figures computed from record-level extracts",
              "auto": "figures computed from record-level extracts, else as the council's returns printed them"}
    ws["A2"] = (f"Council {scorecard.la_code}, {quarter_months(scorecard)}; {source[scorecard.source]}"
                + (f"; data: {scorecard.publication}" if scorecard.publication else "")
                + f"; produced {scorecard.generated_at:%d %B %Y %H:%M}.")
    ws["A3"] = ("RAG: red, amber or green against the target; each rating's note says why. Direction of travel: the "
                "arrow is the movement since the previous period, the word and colour what it means for the measure.")
    for row in (1, 2, 3):
        ws.merge_cells(f"A{row}:{last}{row}")
    for column, name in enumerate(names, start=1):
        head = ws.cell(row=HEADER_ROW, column=column, value=name)
        head.font = font("FFFFFF", bold=True)
        head.fill = fill(HEAD_FILL)
        head.alignment = Alignment(horizontal="center", vertical="bottom", wrap_text=True)
        head.border = BORDER
        ws.column_dimensions[get_column_letter(column)].width = layout.widths[column - 1]
    ws.row_dimensions[HEADER_ROW].height = 45
    row = HEADER_ROW + 1
    for section in scorecard.sections:
        ws.merge_cells(f"A{row}:{last}{row}")
        head = ws.cell(row=row, column=1, value=section.name)
        head.font = font(HEAD_FILL, bold=True, size=12)
        head.fill = fill(SECTION_FILL)
        row += 1
        for line in section.lines:
            _measure_row(ws, row, line, scorecard, layout)
            row += 1
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _count_row(ws: Worksheet, row: int, counts: SectionCounts, bold: bool = False) -> None:
    values = [counts.section, counts.measures, counts.red, counts.amber, counts.green, counts.no_rag,
              counts.improving, counts.static, counts.worsening, counts.no_direction]
    for column, value in enumerate(values, start=1):
        target = ws.cell(row=row, column=column, value=value)
        target.border = BORDER
        if bold:
            target.font = Font(bold=True)


def summary_sheet(ws: Worksheet, scorecard: Scorecard, summary: Summary) -> None:
    ws["A1"] = f"Summary: {scorecard.quarter.label}, council {scorecard.la_code}"
    ws["A1"].font = font(HEAD_FILL, bold=True, size=14)
    names = ["Section", "Measures", "Red", "Amber", "Green", "n/a", "Improving", "Static", "Worsening", "n/a"]
    for column, name in enumerate(names, start=1):
        head = ws.cell(row=3, column=column, value=name)
        colour = {"Red": "red", "Amber": "amber", "Green": "green"}.get(name)
        head.fill = fill(RAG_FILL[colour] if colour else HEAD_FILL)
        head.font = font(RAG_FONT[colour] if colour else "FFFFFF", bold=True)
        head.border = BORDER
    ws.cell(row=2, column=3, value="Rating (RAG)").font = Font(bold=True)
    ws.cell(row=2, column=7, value="Direction of travel").font = Font(bold=True)
    row = 4
    for counts in summary.sections:
        _count_row(ws, row, counts)
        row += 1
    _count_row(ws, row, summary.total, bold=True)
    row += 2
    ws.cell(row=row, column=1, value=f"Red-rated measures ({len(summary.red_lines)})").font = Font(bold=True, size=12)
    row += 1
    for column, name in enumerate(["Ref", "Measure", scorecard.quarter.label, "Target", "Why it is red"], start=1):
        head = ws.cell(row=row, column=column, value=name)
        head.font, head.fill = font("FFFFFF", bold=True), fill(HEAD_FILL)
    for line in summary.red_lines:
        row += 1
        for column, value in enumerate([line.ref, line.measure.measure_name, line.current.text, line.target_text,
                                        line.rag_reason], start=1):
            ws.cell(row=row, column=column, value=value or None).alignment = WRAP_TOP
    if summary.overridden:
        row += 2
        ws.cell(row=row, column=1, value="Ratings set by an officer").font = Font(bold=True, size=12)
        for line in summary.overridden:
            row += 1
            ws.cell(row=row, column=1, value=line.ref)
            ws.cell(row=row, column=2, value=line.rag_reason).alignment = WRAP_TOP
    if scorecard.without_data:
        row += 2
        ws.cell(row=row, column=1, value="Not shown (no figures this year or last): "
                + ", ".join(m.measure_ref for m in scorecard.without_data))
    for column, width in enumerate([34, 46, 12, 12, 60, 8, 11, 9, 11, 8], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def write_xlsx(scorecard: Scorecard, summary: Summary, path: Path) -> Path:
    book = Workbook()
    scorecard_sheet(book.active, scorecard)
    summary_sheet(book.create_sheet("Summary"), scorecard, summary)
    book.properties.title = f"Children's services scorecard {scorecard.quarter.label}"
    book.properties.creator = "scorecard report"
    book.save(path)
    return path

"""The committee scorecard: which figure goes in which cell, how it is printed, and the HTML and XLSX made from
published marts (tests/test_report_fixture.py: the 2019-20 Q1 committee paper as a council's return)."""

from __future__ import annotations

import csv
import dataclasses
import re
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from scorecard import cli
from scorecard.report import Quarter, QuarterError, ReportError, render, write_commentary_template
from scorecard.report.assemble import assemble, pick_quarter, pick_year_end, ref_key, source_rank
from scorecard.report.commentary import Commentary, CommentaryError, read_commentary
from scorecard.report.formatting import cell_text, format_number
from scorecard.report.model import MartRow, MeasureInfo, TrendPoint
from scorecard.report.sparkline import describe, segments, svg
from scorecard.settings import PROJECT_ROOT
from tests.test_report_fixture import LA, OVERRIDES, build_fixture

Q1 = Quarter(2019, 1)


# -- pure logic -------------------------------------------------------------------------------------------------------
def test_quarter_labels_are_read_in_both_printed_forms():
    assert Quarter.parse("2019-20Q1") == Quarter.parse("2019-20 Q1") == Quarter.parse(" 2019/20 q1 ") == Q1
    assert (Q1.start, Q1.end, Q1.label, Q1.slug) == (date(2019, 4, 1), date(2019, 6, 30), "2019-20 Q1", "2019-20Q1")
    assert (Quarter(2019, 4).start, Quarter(2019, 4).end) == (date(2020, 1, 1), date(2020, 3, 31))
    assert Quarter.containing(date(2020, 2, 29)) == Quarter(2019, 4)
    assert [q.label for q in Q1.columns()] == ["2018-19 Q4", "2019-20 Q1", "2019-20 Q2", "2019-20 Q3", "2019-20 Q4"]
    assert len(Quarter(2019, 2).columns()) == 4
    for bad in ("2019-21 Q1", "2019 Q1", "2019-20 Q5", "Q1 2019-20", ""):
        with pytest.raises(QuarterError):
            Quarter.parse(bad)


def test_numbers_print_as_the_paper_prints_them():
    assert format_number(Decimal(10681), "count", 0) == "10,681"
    assert format_number(Decimal("82.5"), "percent", 0) == "83%"  # half up, not to even
    assert format_number(Decimal("2.15"), "percent", 1) == "2.2%"
    assert format_number(Decimal("116.66"), "rate_per_10000", 1) == "116.7"
    assert format_number(Decimal("-0.2"), "percent", 0) == "0%"
    assert cell_text(Decimal(83), "percent", 0, "indicative") == "83% (indicative)"
    assert cell_text(Decimal(83), "percent", 0, "indicative", "83%  (indicative) ") == "83% (indicative)"
    assert cell_text(None, "count", 0, "suppressed") == "suppressed"
    assert cell_text(None, "count", 0, "missing") == ""


def _row(ref: str = "CSC002", end: date = date(2019, 6, 30), source: str = "return", value: int | None = 17,
         period_type: str = "quarter", **extra: object) -> MartRow:
    fields = {f.name: None for f in dataclasses.fields(MartRow)}
    fields.update(measure_ref=ref, period_type=period_type, period_start=Quarter.containing(end).start,
                  period_end=end, source=source, value=None if value is None else Decimal(value),
                  period_label=Quarter.containing(end).label, unit="percent", decimals=0)
    fields.update(extra)
    return MartRow(**fields)


def _measure(ref: str = "CSC002", period_type: str = "quarter", unit: str = "percent") -> MeasureInfo:
    return MeasureInfo(ref, "Percentage of repeat referrals", "Safeguarding", unit, "low", period_type, 0, None)


def test_auto_prefers_a_computed_figure_and_return_mode_shows_the_printed_one():
    rows = [_row(source="return", value=17), _row(source="record_level", value=18),
            _row(end=date(2019, 5, 31), source="record_level", value=99, period_type="month")]
    assert pick_quarter(rows, Q1, "quarter", source_rank("auto")).value == 18
    assert pick_quarter(rows, Q1, "quarter", source_rank("return")).value == 17
    assert pick_quarter(rows, Q1, "month", source_rank("record_level")).value == 99  # the measure's own type first
    assert pick_quarter(rows, Quarter(2019, 2), "quarter", source_rank("auto")) is None
    with pytest.raises(ValueError, match="source must be one of"):
        source_rank("paper")


def test_year_end_is_the_annual_row_else_the_31_march_figure_of_a_snapshot():
    end = date(2019, 3, 31)
    snapshot_q4 = _row(end=end, value=481, period_type="snapshot")
    assert pick_year_end([snapshot_q4], 2018, "snapshot", source_rank("auto")).value == 481
    assert pick_year_end([_row(end=end, value=614)], 2018, "quarter", source_rank("auto")) is None  # not a sum
    annual = _row(end=end, value=2558, period_type="financial_year")
    assert pick_year_end([snapshot_q4, annual], 2018, "snapshot", source_rank("auto")).value == 2558


def test_sparkline_breaks_where_the_definition_changed_and_where_a_value_is_missing():
    def point(value: float | None, changed: bool = False, current: bool = False) -> TrendPoint:  # changed: new def.
        return TrendPoint("p", date(2019, 1, 1), value, str(value), changed, current)

    points = [point(1), point(2), point(None), point(3), point(4), point(9, changed=True), point(8, current=True)]
    assert segments(points) == [[0, 1], [3, 4], [5, 6]]
    drawing = svg(points)
    assert drawing.count("<polyline") == 3 and drawing.count('class="change"') == 1
    assert 'class="now"' in drawing and "definition changed" in describe(points)
    assert svg([point(None)]) == ""


def test_measures_sort_by_the_current_scorecard_refs_then_the_older_ones():
    refs = ["PI1.10", "CSC010", "PI1.9", "Ed&S001", "CSC002", "WL1", "P&EH001"]
    assert sorted(refs, key=ref_key) == ["CSC002", "CSC010", "Ed&S001", "P&EH001", "PI1.9", "PI1.10", "WL1"]


def test_commentary_saved_by_excel_is_read_and_its_problems_reported(tmp_path: Path):
    (tmp_path / "2019-20Q1.csv").write_bytes("measure_ref,comment,author\r\nCSC001,Referrals rose – again,Jo\r\n"
                                             "CSC001,second,\r\nCSC002,,\r\n".encode("cp1252"))
    commentary = read_commentary(tmp_path, Q1)
    assert commentary.comments["CSC001"].text == "Referrals rose – again"
    assert commentary.comments["CSC001"].author == "Jo"
    assert "CSC002" not in commentary.comments
    assert len(commentary.problems) == 1 and "second comment for CSC001" in commentary.problems[0]
    (tmp_path / "2019-20Q2.csv").write_text("ref,text\nCSC001,x\n", encoding="utf-8-sig")
    with pytest.raises(CommentaryError, match="no measure_ref or comment column"):
        read_commentary(tmp_path, Quarter(2019, 2))
    assert not read_commentary(tmp_path, Quarter(2019, 3)).exists


def test_an_override_shows_with_the_computed_rating_in_its_reason():
    row = _row(rag="amber", rag_reason="83 against 85: amber.", rag_override="green", rag_override_by="HoS",
               rag_override_reason="Agreed at the board")
    card = assemble([_measure()], [row], Q1, "auto", Commentary(Path("x.csv"), {}, []), LA, datetime.now())
    line = card.lines[0]
    assert (line.rag, line.rag_computed, line.overridden) == ("green", "amber", True)
    assert line.rag_reason == ("Rated green by HoS: Agreed at the board. The computed rating was amber "
                               "(83 against 85: amber).")


# -- rendered from published marts -----------------------------------------------------------------------------------
@pytest.fixture()
def published(warehouse, settings):
    """The fixture marts, and settings reading the repository's example commentary for 2019-20 Q1."""
    fixture = build_fixture(warehouse)
    return fixture, dataclasses.replace(settings, la_code=LA, commentary_dir=PROJECT_ROOT / "commentary")


def shown(cell: Cell) -> str:
    """A cell's text as Excel displays it, for the number formats the report writes."""
    value, fmt = cell.value, cell.number_format
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    places = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
    if fmt.endswith("%"):
        return f"{Decimal(str(value)) * 100:.{places}f}%"
    return f"{Decimal(str(value)):,.{places}f}"


def test_xlsx_reads_as_the_paper_printed_it_with_fills_notes_and_a_frozen_header(published, warehouse):
    fixture, settings = published
    messages: list[str] = []
    [path] = render(warehouse, settings, "2019-20 Q1", ["xlsx"], source="return", warn=messages.append)
    assert path == settings.reports_dir / "scorecard" / "2019-20Q1" / "scorecard.xlsx"
    sheet = load_workbook(path)["Scorecard"]
    header = [c.value for c in sheet[4]]
    assert header[:9] == ["Ref", "Measure", "Polarity", "Statistical neighbour average", "England", "Target",
                          "Year end 2018-19", "Q4 2018-19", "Q1 2019-20"]
    column = {name: index for index, name in enumerate(header)}
    assert sheet.freeze_panes == "C5"
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5) if r[0].value in fixture.paper}
    assert len(rows) == len(fixture.paper) == 42
    for ref, printed in fixture.paper.items():
        cells = rows[ref]
        assert shown(cells[column["Year end 2018-19"]]) == printed["year_end_2018_19"], ref
        assert shown(cells[column["Q4 2018-19"]]) == printed["q4_2018_19"], ref
        assert shown(cells[column["Q1 2019-20"]]) == printed["q1_2019_20"], ref
        assert (cells[column["Target"]].value or "") == printed["target"], ref
        current = fixture.row(ref, date(2019, 6, 30))
        rag = cells[column["RAG"]]
        shown_rag = current["rag_override"] or current["rag"]
        expected_fill = {"red": "FFC00000", "amber": "FFFFC000", "green": "FF00B050"}.get(shown_rag)
        assert (rag.fill.fgColor.rgb if rag.fill.fill_type == "solid" else None) == expected_fill, ref
        assert rag.value == (shown_rag.capitalize() if shown_rag else "n/a")
        assert current["rag_reason"].rstrip(".") in rag.comment.text
    assert rows["CSC002"][column["Statistical neighbour average"]].value == pytest.approx(0.221)
    assert "Three quarters of improvement" in rows["CSC003"][column["RAG"]].comment.text
    direction = rows["CSC007"][column["Direction of travel"]]
    assert direction.value == "↓ worsening" and direction.font.color.rgb == "FFC00000"
    sections = [r[0].value for r in sheet.iter_rows(min_row=5) if r[0].value and r[1].value is None]
    assert sections[:4] == ["Safeguarding", "Cared for Children", "Care Leavers", "Adoption"]
    summary = load_workbook(path)["Summary"]
    total = next(r for r in summary.iter_rows(values_only=True) if r[0] == "All sections")
    reds = sum(1 for ref in fixture.paper if (fixture.row(ref, date(2019, 6, 30))["rag_override"]
                                             or fixture.row(ref, date(2019, 6, 30))["rag"]) == "red")
    assert total[1:3] == (42, reds)
    assert any("CSC016" in m and "Ed&S015" in m for m in messages)


class _Rows(HTMLParser):
    """The scorecard page's measure rows, their ratings, and the summary's totals."""

    def __init__(self) -> None:
        super().__init__()
        self.measures: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self.sections = 0
        self._ref: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("class") == "measure":
            self._ref = a["data-ref"]
            self.measures[self._ref] = a["data-rag"] or ""
        if tag == "tr" and a.get("class") == "section":
            self.sections += 1
        if tag == "td" and "rag" in (a.get("class") or "").split() and self._ref:
            self.titles[self._ref] = a.get("title") or ""


def test_html_page_has_every_measure_its_summary_commentary_and_links(published, warehouse):
    fixture, settings = published
    (settings.reports_dir / "quality").mkdir(parents=True)
    (settings.reports_dir / "quality" / "latest.html").write_text("<html></html>")
    [page] = render(warehouse, settings, None, ["html"])  # default: the latest quarter published
    assert page == settings.reports_dir / "scorecard" / "2019-20Q1" / "scorecard.html"
    text = page.read_text(encoding="utf-8")
    parsed = _Rows()
    parsed.feed(text)
    assert set(parsed.measures) == set(fixture.paper)
    assert parsed.sections == 8
    for ref, rag in parsed.measures.items():
        row = fixture.row(ref, date(2019, 6, 30))
        assert rag == (row["rag_override"] or row["rag"] or "na")
        assert parsed.titles[ref]
    counts = re.search(r'<tr class="total"><th scope="row">All sections</th><td class="num">(\d+)</td>\s*'
                       r'<td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>', text)
    assert counts and [int(g) for g in counts.groups()] == [
        42, *(list(parsed.measures.values()).count(r) for r in ("red", "amber", "green"))]
    assert 'href="../../quality/latest.html"' in text
    assert "The percentage of repeat referrals continues to decrease" in text  # commentary/2019-20Q1.csv
    assert OVERRIDES["CSC003"][3] in parsed.titles["CSC003"]
    assert "<script" not in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    charted = {r["measure_ref"] for r in fixture.rows
               if r["value"] is not None and r["period_type"] != "financial_year"}
    assert text.count("<svg") == len(charted & set(fixture.paper)) == 41  # P&EH005 is a band, nothing to chart
    # CSC005: the local definition (record-level history) until the Annex A count the return gives from 2018-19 Q4
    assert "definition changed from 01 Jan 2019 to 31 Mar 2019 (the line is broken there)" in text


def test_record_level_history_fills_earlier_quarters_and_the_trend(published, warehouse):
    _, settings = published
    messages: list[str] = []
    [page] = render(warehouse, settings, "2017-18Q4", ["html"], source="record_level", warn=messages.append)
    text = page.read_text(encoding="utf-8")
    parsed = _Rows()
    parsed.feed(text)
    assert set(parsed.measures) == {"CSC002", "CSC005", "PI1.1"}  # the measures with record-level figures then
    assert messages == [f"No commentary file {settings.commentary_dir / '2017-18Q4.csv'}: the Comments column is "
                        "empty. Make one for the service leads with `scorecard report --quarter 2017-18Q4 "
                        "--commentary-template`."]
    csc005 = text.split('id="m-CSC005"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)</td>', csc005)
    # neighbour, England, target, year end 2016-17, Q1..Q4 2017-18, year end 2017-18 (the 31 March snapshot)
    assert cells == ["", "", "", "810", "914", "930", "902", "915", "915"]
    with pytest.raises(ReportError, match="No published figures"):
        render(warehouse, settings, "2021-22Q1", ["html"])


def test_report_command_explains_itself(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["report", "--help"])
    assert exit_.value.code == 0
    assert "--commentary-template" in capsys.readouterr().out


def test_report_names_a_missing_published_column(warehouse, settings):
    build_fixture(warehouse)
    with warehouse.connect() as conn:
        conn.execute("alter table marts.fct_scorecard drop column value_text")
    with pytest.raises(ReportError, match="has no column value_text"):
        render(warehouse, settings, None, ["html"])


def test_cli_report_writes_the_files_and_warns_about_missing_comments(published, warehouse, monkeypatch, capsys):
    _, settings = published
    monkeypatch.setenv("WAREHOUSE_URL", warehouse.url)
    monkeypatch.setenv("SCORECARD_REPORTS_DIR", str(settings.reports_dir))
    monkeypatch.setenv("SCORECARD_COMMENTARY_DIR", str(settings.commentary_dir))
    monkeypatch.setenv("SCORECARD_LA_CODE", LA)
    assert cli.main(["report", "--quarter", "2019-20Q1", "--format", "html,xlsx"]) == 0
    out, err = capsys.readouterr()
    folder = settings.reports_dir / "scorecard" / "2019-20Q1"
    assert f"Wrote {folder / 'scorecard.html'}" in out and f"Wrote {folder / 'scorecard.xlsx'}" in out
    assert "warning: 2 of 42 measures have no comment" in err and "CSC016, Ed&S015" in err
    assert cli.main(["report", "--quarter", "2019-20Q1", "--format", "docx"]) == 1
    assert "unknown report format docx" in capsys.readouterr().err


def test_commentary_template_lists_the_scorecards_measures_and_keeps_comments(published, warehouse, tmp_path):
    _, settings = published
    settings = dataclasses.replace(settings, commentary_dir=tmp_path / "commentary")
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "2019-20Q1.csv").write_text("measure_ref,comment\nCSC002,Down again\nXX9,Old\n")
    path = write_commentary_template(warehouse, settings, "2019-20 Q1")
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["measure_ref"] for r in rows[:3]] == ["CSC001", "CSC002", "CSC003"]
    assert len(rows) == 43 and rows[-1]["measure_ref"] == "XX9"
    assert {r["measure_ref"]: r["comment"] for r in rows}["CSC002"] == "Down again"
    assert rows[0]["measure"] == "Number of referrals"


def test_small_numbers_suppressed_for_publication_stay_suppressed_on_the_paper(published, warehouse):
    fixture, settings = published
    with warehouse.connect() as conn:
        conn.execute("update marts.fct_scorecard_public set value = null, value_status = 'suppressed' "
                     "where measure_ref = 'CSC006' and period_end = '2019-06-30'")
    [path] = render(warehouse, settings, "2019-20 Q1", ["xlsx"], source="return")
    sheet = load_workbook(path)["Scorecard"]
    header = [c.value for c in sheet[4]]
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "CSC006")
    assert row[header.index("Q1 2019-20")].value == "suppressed"
    assert row[header.index("RAG")].value == "n/a"
    assert fixture.row("CSC006", date(2019, 6, 30))["value"] is not None  # the internal mart keeps the figure

"""The scorecard page in a real browser: headless Chromium (Debian's chromium package) loads it from disk and must
show every measure with no console message and no network request; a screenshot is kept for a person to look at
(reports/test-screenshots/). The PDF is printed by the same browser."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from scorecard.report import render
from scorecard.report.chromium import Browser, find_chromium
from scorecard.settings import PROJECT_ROOT
from tests.test_report_fixture import LA, build_fixture

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="headless Chromium is not installed: apt-get install chromium (Debian), or set SCORECARD_CHROMIUM")

SCREENSHOTS = PROJECT_ROOT / "reports" / "test-screenshots"
COUNT_ROWS = """({measures: document.querySelectorAll('table.scorecard tr.measure').length,
  sections: document.querySelectorAll('table.scorecard tr.section').length,
  sparklines: document.querySelectorAll('table.scorecard svg.spark').length,
  reds: document.querySelectorAll('table.scorecard td.rag-red').length,
  redList: document.querySelectorAll('table.reds tbody tr').length,
  width: document.documentElement.scrollWidth})"""


@pytest.fixture()
def scorecard_page(warehouse, settings):
    fixture = build_fixture(warehouse)
    settings = dataclasses.replace(settings, la_code=LA, commentary_dir=PROJECT_ROOT / "commentary")
    return fixture, settings, render(warehouse, settings, "2019-20Q1", ["html", "pdf"], source="return")


def test_scorecard_renders_every_row_with_no_console_error_and_no_request_off_the_page(scorecard_page, tmp_path):
    fixture, _, (page, _) = scorecard_page
    shot = tmp_path / "scorecard-2019-20Q1.png"
    with Browser(window=(1600, 1000)) as browser:
        check = browser.check(page, COUNT_ROWS, screenshot=shot)
    assert check.errors == [] and check.console == []
    assert check.external_requests == [] and check.requests == [page.resolve().as_uri()]
    assert check.value["measures"] == len(fixture.paper) == 42
    assert check.value["sections"] == 8
    assert check.value["sparklines"] == 41  # every measure with a figure; P&EH005 prints a band
    assert check.value["reds"] == check.value["redList"] > 0
    assert check.value["width"] <= 1600  # the table fits the window: no sideways scrolling
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOTS / shot.name)


def test_the_check_catches_console_errors_and_external_requests(tmp_path: Path):
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html><body><table><tr class='measure'><td>1</td></tr></table>"
                    "<img src='http://127.0.0.1:9/x.png'><script>console.error('boom'); missing();</script>"
                    "</body></html>")
    with Browser() as browser:
        check = browser.check(page, "document.querySelectorAll('tr.measure').length")
    assert check.value == 1
    assert any("boom" in e for e in check.errors)
    assert any("missing is not defined" in e for e in check.errors)
    assert check.external_requests == ["http://127.0.0.1:9/x.png"]


def test_pdf_is_printed_on_landscape_pages(scorecard_page):
    _, settings, (_, pdf) = scorecard_page
    assert pdf == settings.reports_dir / "scorecard" / "2019-20Q1" / "scorecard.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page(?!s)", data)
    assert 2 <= len(pages) <= 8
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert sizes and all(float(w) > float(h) for w, h in sizes)  # landscape (A3, from the page's @page rule)

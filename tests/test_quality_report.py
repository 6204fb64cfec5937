"""The readable quality report: for a run with a failure it names the file, the check, the count of failing rows and
the data owner, by source and by owner, with what to do next; a run's calls add up to one page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from scorecard import pipeline
from scorecard.quality.gate import CheckResult
from scorecard.quality.report import next_step, write_report
from tests.referrals_fixture import write_referrals


def result(code: str, *, severity: str = "error", success: bool = False, count: int | None = 3,
           file_name: str | None = "cin_details.csv", owner: str = "Head of Service, CIN", stage: str = "staging",
           kwargs: dict | None = None, sample: list | None = None,
           expectation: str = "unexpected_rows_expectation") -> CheckResult:
    return CheckResult(stage=stage, suite=f"{stage}/cin_details", table="cin_details", expectation=expectation,
                       kwargs=kwargs or {}, code=code, description=f"what {code} means", severity=severity,
                       success=success, observed_value=count, unexpected_count=count, sample=sample, owner=owner,
                       batch_id=7, file_name=file_name)


def rows_of(page: str) -> list[list[str]]:
    """Every table row of the page as its cells' text."""
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr class='(?:error|warning)'>(.*?)</tr>", page, re.S)]


def test_a_failure_is_listed_with_its_file_check_count_owner_and_next_step(tmp_path):
    failing = result("CIN_8630", count=4, sample=[{"_row_number": 12, "cindetailsid": "3"}])
    page = write_report([failing, result("CIN_8500", success=True, count=0)], "r1", tmp_path).read_text()
    rows = rows_of(page)
    assert len(rows) == 2  # once by source, once by owner
    for cells in rows:
        assert cells[:5] == ["error", "cin_details.csv", "cin_details", "Head of Service, CIN", "CIN_8630"]
        assert cells[6] == "4" and '"_row_number": 12' in cells[8] and cells[9] == next_step(failing)
    assert "Blocked" in page and "By source" in page and "By data owner" in page
    assert "CIN_8500" not in page  # passing checks are counted, not listed
    assert (tmp_path / "latest.html").read_text() == page


def test_a_run_adds_up_to_one_page_and_links_the_data_docs(tmp_path):
    write_report([result("CIN_8630")], "r2", tmp_path / "quality", tmp_path / "data_docs" / "index.html")
    write_report([result("ROW_COUNT_VS_PREVIOUS", severity="warning", owner="Head of Service, Cared for",
                         file_name="903_episodes.csv", kwargs={"min_value": 160, "max_value": 300}, count=None,
                         expectation="expect_table_row_count_to_be_between")],
                 "r2", tmp_path / "quality", tmp_path / "data_docs" / "index.html")
    page = (tmp_path / "quality" / "quality_r2.html").read_text()
    assert "CIN_8630" in page and "903_episodes.csv" in page
    assert "1 error(s), 1 warning(s)" in page
    assert "href='../data_docs/index.html'" in page
    assert "(expected between 160 and 300)" in page
    assert "Ask the data owner whether the change in size is real" in page
    # the same check reported again (a retried call) replaces itself rather than doubling
    write_report([result("CIN_8630")], "r2", tmp_path / "quality")
    assert "1 error(s), 1 warning(s)" in (tmp_path / "quality" / "quality_r2.html").read_text()


def test_a_clean_run_says_so(tmp_path):
    page = write_report([result("CIN_8630", success=True, count=0)], "r3", tmp_path).read_text()
    assert "Passed: every check passed." in page and rows_of(page) == []


@pytest.mark.slow
def test_the_report_of_a_failed_load_names_file_check_count_and_owner(warehouse, settings):
    path = settings.landing_dir / "895" / "cin_details.csv"
    write_referrals(path, n=120)
    with path.open("a") as handle:
        handle.write("555001,CINX,1900-01-01,1A,N1,,,,false\n555002,CINY,1901-06-30,1A,N1,,,,false\n")
    with pytest.raises(pipeline.LoadRejected) as rejected:
        pipeline.load(warehouse, settings, "report")
    page = (settings.reports_dir / "quality" / "quality_report.html").read_text()
    assert str(Path(settings.reports_dir / "quality" / "quality_report.html")) in str(rejected.value)
    failing = [cells for cells in rows_of(page) if cells[4].startswith("REFERRAL_DATE_PLAUSIBLE")]
    assert len(failing) == 2
    for cells in failing:
        assert cells[0] == "error" and cells[1] == "cin_details.csv" and cells[6] == "2"
        assert cells[3] == "Head of Service, Child in Need and Child Protection"
        assert "corrected extract" in cells[9]

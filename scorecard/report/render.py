"""Render the committee scorecard for a quarter from the published marts: HTML, XLSX and (with Chromium) PDF, into
``<reports>/scorecard/<quarter>/`` (``scorecard.html``, ``scorecard.xlsx``, ``scorecard.pdf``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from scorecard.report import marts
from scorecard.report.assemble import assemble, source_rank
from scorecard.report.chromium import Browser, find_chromium
from scorecard.report.commentary import Commentary, read_commentary, write_template
from scorecard.report.dbt_docs import docs_dir
from scorecard.report.html import write_html
from scorecard.report.model import MartRow, Scorecard
from scorecard.report.quarters import Quarter, financial_year_label, is_quarter_end
from scorecard.report.summary import summarise
from scorecard.report.xlsx import write_xlsx
from scorecard.settings import Settings
from scorecard.warehouse import Warehouse

log = logging.getLogger(__name__)

FORMATS = ("html", "xlsx", "pdf")
Warn = Callable[[str], None]


def parse_formats(text: str | list[str]) -> list[str]:
    """"html,xlsx" -> ["html", "xlsx"]; an unknown format is an error naming the known ones."""
    items = text.split(",") if isinstance(text, str) else text
    formats = [f.strip().lower() for f in items if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise marts.ReportError(f"unknown report format {', '.join(unknown) or '(none)'}: choose from "
                                f"{', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def pdf_available() -> bool:
    return find_chromium() is not None


def output_dir(settings: Settings, quarter: Quarter) -> Path:
    return settings.reports_dir / "scorecard" / quarter.slug


def latest_quarter(rows: list[MartRow], source: str = "auto") -> Quarter | None:
    """The latest quarter with a published figure ending on its last day (a quarter, snapshot or year to date)."""
    ranks = source_rank(source)
    ends = [r.period_end for r in rows if r.source in ranks and is_quarter_end(r.period_end)]
    return Quarter.containing(max(ends)) if ends else None


def load_scorecard(wh: Warehouse, settings: Settings, quarter: str | Quarter | None,
                   source: str = "auto") -> tuple[Scorecard, Commentary]:
    """The scorecard for ``quarter`` (default: the latest published) with its commentary, from the marts."""
    with wh.connect(application_name="scorecard-report") as conn:
        measures = marts.read_measures(conn)
        rows = marts.read_rows(conn, settings.la_code)
        publication = marts.publication_note(conn)
    if quarter is None:
        chosen = latest_quarter(rows, source)
        if chosen is None:
            raise marts.ReportError(f"Nothing is published for council {settings.la_code} (source {source}): run "
                                    "`scorecard run`, or check SCORECARD_LA_CODE.")
    else:
        chosen = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    commentary = read_commentary(settings.commentary_dir, chosen)
    scorecard = assemble(measures, rows, chosen, source, commentary, settings.la_code, datetime.now(), publication)
    if not scorecard.sections:
        raise marts.ReportError(f"No published figures for council {settings.la_code} from "
                                f"{financial_year_label(chosen.year - 1)} to {chosen.label} (source {source}).")
    return scorecard, commentary


def _links(settings: Settings, out: Path, formats: list[str]) -> dict[str, str]:
    links = {}
    if "xlsx" in formats:
        links["Workbook (XLSX)"] = "scorecard.xlsx"
    if "pdf" in formats:
        links["Printable (PDF)"] = "scorecard.pdf"
    for label, page in (("Data quality report", settings.reports_dir / "quality" / "latest.html"),
                        ("Data dictionary (dbt docs)", docs_dir(settings) / "index.html")):
        if page.exists():
            links[label] = Path(os.path.relpath(page, out)).as_posix()
    return links


def commentary_warnings(scorecard: Scorecard, commentary: Commentary, directory: Path) -> list[str]:
    where = directory / commentary.path.name
    template = f"`scorecard report --quarter {scorecard.quarter.slug} --commentary-template`"
    if not commentary.exists:
        return [f"No commentary file {where}: the Comments column is empty. Make one for the service leads with "
                f"{template}."]
    messages = list(commentary.problems)
    if scorecard.missing_comments:
        messages.append(f"{len(scorecard.missing_comments)} of {len(scorecard.lines)} measures have no comment in "
                        f"{where}: {', '.join(scorecard.missing_comments)}")
    if scorecard.unknown_comments:
        messages.append(f"{where} comments on measures that are not on this scorecard (ignored): "
                        f"{', '.join(scorecard.unknown_comments)}")
    return messages


def render(wh: Warehouse, settings: Settings, quarter: str | None, formats: list[str], *, source: str = "auto",
           warn: Warn | None = None) -> list[Path]:
    """Write the scorecard for ``quarter`` (default: the latest published) in ``formats``; returns the files."""
    warn = warn or log.warning
    formats = parse_formats(formats)
    if "pdf" in formats and not pdf_available():
        raise marts.ReportError("PDF needs Chromium: install Debian's chromium package (apt-get install chromium) or "
                                "set SCORECARD_CHROMIUM; html and xlsx need nothing extra.")
    scorecard, commentary = load_scorecard(wh, settings, quarter, source)
    for message in commentary_warnings(scorecard, commentary, settings.commentary_dir):
        warn(message)
    summary = summarise(scorecard)
    out = output_dir(settings, scorecard.quarter)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    html_path = out / "scorecard.html"
    if "html" in formats or "pdf" in formats:
        write_html(scorecard, summary, html_path, _links(settings, out, formats))
        if "html" in formats:
            written.append(html_path)
    if "xlsx" in formats:
        written.append(write_xlsx(scorecard, summary, out / "scorecard.xlsx"))
    if "pdf" in formats:
        with Browser() as browser:
            written.append(browser.pdf(html_path, out / "scorecard.pdf"))
    log.info("Scorecard %s for council %s: %s", scorecard.quarter.label, settings.la_code,
             ", ".join(str(p) for p in written))
    return written


def write_commentary_template(wh: Warehouse, settings: Settings, quarter: str | None,
                              source: str = "auto") -> Path:
    """Write ``<commentary>/<quarter>.csv`` listing the quarter's measures; comments already in it are kept."""
    scorecard, commentary = load_scorecard(wh, settings, quarter, source)
    measures = [line.measure for line in scorecard.lines]
    return write_template(settings.commentary_dir, scorecard.quarter, measures, commentary)

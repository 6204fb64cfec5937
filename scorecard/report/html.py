"""The scorecard as one self-contained HTML page: no script, no external asset, prints on landscape paper."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from scorecard.report import sparkline
from scorecard.report.model import Line, Scorecard, Summary

TEMPLATES = Path(__file__).parent / "templates"
ARROWS = {"up": "↑", "down": "↓", "level": "→"}
MONTHS = ("April to June", "July to September", "October to December", "January to March")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html", "j2")),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["sparkline"] = lambda line: Markup(sparkline.svg(line.trend))  # built from numbers, escaped labels
    env.filters["trend_words"] = lambda line: sparkline.describe(line.trend)
    env.globals.update(arrow=arrow, direction_words=direction_words, quarter_months=quarter_months)
    return env


def arrow(line: Line) -> str:
    return ARROWS.get(line.movement or "", "")


def direction_words(line: Line) -> str:
    """The direction in words: what the arrow shows (the movement) and what it means (by polarity)."""
    moved = {"up": "up", "down": "down", "level": "level"}.get(line.movement or "")
    if not moved:
        return "no previous value to compare"
    return f"{moved}, {line.direction}" if line.direction else f"{moved} (no polarity: not judged)"


def quarter_months(scorecard: Scorecard) -> str:
    q = scorecard.quarter
    return f"{MONTHS[q.number - 1]} {q.start.year}"


def render_html(scorecard: Scorecard, summary: Summary, links: dict[str, str]) -> str:
    return environment().get_template("scorecard.html.j2").render(sc=scorecard, summary=summary, links=links)


def write_html(scorecard: Scorecard, summary: Summary, path: Path, links: dict[str, str]) -> Path:
    path.write_text(render_html(scorecard, summary, links), encoding="utf-8")
    return path

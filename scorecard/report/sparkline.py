"""A measure's trend as a small inline SVG: no script, no external asset, readable by a screen reader.

The line breaks where a value is missing and where the measure's definition changed (the point after a change
starts a new segment, so two definitions are never joined by a line). The chosen quarter's point is ringed.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from scorecard.report.model import TrendPoint

WIDTH, HEIGHT, PAD = 132, 30, 4


@dataclass(frozen=True)
class Geometry:
    segments: list[list[tuple[float, float]]]  # each a run of points joined by a line
    current: tuple[float, float] | None
    changes: list[float]  # x of each definition change


def segments(points: list[TrendPoint]) -> list[list[int]]:
    """Indexes of the points, split into runs to join: a gap or a definition change starts a new run."""
    runs: list[list[int]] = []
    run: list[int] = []
    for index, point in enumerate(points):
        if point.value is None:
            if run:
                runs.append(run)
            run = []
            continue
        if point.new_definition and run:
            runs.append(run)
            run = []
        run.append(index)
    if run:
        runs.append(run)
    return runs


def geometry(points: list[TrendPoint]) -> Geometry:
    values = [p.value for p in points if p.value is not None]
    if not values:
        return Geometry([], None, [])
    low, high = min(values), max(values)
    span = high - low
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return round(PAD + index * step if len(points) > 1 else WIDTH / 2, 1)

    def y(value: float) -> float:
        if span == 0:
            return HEIGHT / 2
        return round(HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD), 1)

    runs = [[(x(i), y(points[i].value)) for i in run] for run in segments(points)]  # type: ignore[arg-type]
    current = next(((x(i), y(p.value)) for i, p in enumerate(points) if p.current and p.value is not None), None)
    changes = [round(x(i) - step / 2, 1) for i, p in enumerate(points) if p.new_definition and i > 0]
    return Geometry(runs, current, changes)


def describe(points: list[TrendPoint]) -> str:
    """The chart in words, for screen readers and the hover title."""
    shown = [p for p in points if p.value is not None]
    if not shown:
        return "No values to chart."
    first, last = shown[0], shown[-1]
    words = f"Trend over {len(points)} periods: {first.label} {first.text} to {last.label} {last.text}"
    changes = [p.label for p in points if p.new_definition]
    if changes:
        words += "; definition changed from " + ", ".join(changes) + " (the line is broken there)"
    gaps = len(points) - len(shown)
    if gaps:
        words += f"; {gaps} period{'s' if gaps > 1 else ''} without a value"
    return words + "."


def svg(points: list[TrendPoint]) -> str:
    """The sparkline as an inline <svg> element (empty string when there is nothing to draw)."""
    shape = geometry(points)
    if not shape.segments:
        return ""
    label = escape(describe(points), quote=True)
    parts = [f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}"><title>{label}</title>']
    for x in shape.changes:
        parts.append(f'<line class="change" x1="{x}" y1="1" x2="{x}" y2="{HEIGHT - 1}"/>')
    for run in shape.segments:
        if len(run) == 1:
            (cx, cy), = run
            parts.append(f'<circle class="dot" cx="{cx}" cy="{cy}" r="1.6"/>')
        else:
            coords = " ".join(f"{px},{py}" for px, py in run)
            parts.append(f'<polyline class="line" points="{coords}"/>')
    if shape.current:
        cx, cy = shape.current
        parts.append(f'<circle class="now" cx="{cx}" cy="{cy}" r="2.6"/>')
    parts.append("</svg>")
    return "".join(parts)

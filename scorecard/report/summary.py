"""The covering summary: ratings and directions of travel counted per section, and the red-rated measures."""

from __future__ import annotations

from collections import Counter

from scorecard.report.model import DIRECTIONS, RAGS, Scorecard, SectionCounts, Summary


def _counts(name: str, ratings: list[str | None], directions: list[str | None]) -> SectionCounts:
    rag, way = Counter(ratings), Counter(directions)
    return SectionCounts(
        section=name, red=rag["red"], amber=rag["amber"], green=rag["green"],
        no_rag=sum(n for key, n in rag.items() if key not in RAGS),
        improving=way["improving"], static=way["static"], worsening=way["worsening"],
        no_direction=sum(n for key, n in way.items() if key not in DIRECTIONS))


def summarise(scorecard: Scorecard) -> Summary:
    """Counts of the ratings as shown (an override counts as the rating it gives), per section and in total."""
    sections = [_counts(s.name, [line.rag for line in s.lines], [line.direction for line in s.lines])
                for s in scorecard.sections]
    lines = scorecard.lines
    total = _counts("All sections", [line.rag for line in lines], [line.direction for line in lines])
    return Summary(sections=sections, total=total, red_lines=[line for line in lines if line.rag == "red"],
                   overridden=[line for line in lines if line.overridden])

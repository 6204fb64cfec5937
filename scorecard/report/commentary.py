"""Service leads' commentary: one CSV per quarter, ``<commentary dir>/<quarter>.csv`` (e.g. ``2019-20Q1.csv``).

Columns: ``measure_ref`` and ``comment`` (required), ``author`` (optional); any other column (the template adds
``measure`` so a lead can see what each row is) is ignored. Files saved by Excel (UTF-8 with a BOM, or Windows-1252)
are read as they are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from scorecard.report.model import Comment, MeasureInfo
from scorecard.report.quarters import Quarter

REQUIRED = ("measure_ref", "comment")
TEMPLATE_COLUMNS = ("measure_ref", "measure", "comment", "author")


class CommentaryError(ValueError):
    """A commentary file that cannot be read as one."""


@dataclass
class Commentary:
    path: Path
    comments: dict[str, Comment]
    problems: list[str]  # duplicate rows and the like: worth a warning, not worth stopping the report

    @property
    def exists(self) -> bool:
        return self.path.exists()


def commentary_path(directory: Path, quarter: Quarter) -> Path:
    return directory / f"{quarter.slug}.csv"


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommentaryError(f"{path} is neither UTF-8 nor Windows-1252 text: save it again as CSV UTF-8")


def read_commentary(directory: Path, quarter: Quarter) -> Commentary:
    """The quarter's comments by measure_ref; an absent file is an empty commentary (the caller warns)."""
    path = commentary_path(directory, quarter)
    if not path.exists():
        return Commentary(path, {}, [])
    reader = csv.DictReader(io.StringIO(_decode(path.read_bytes(), path), newline=""))
    columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise CommentaryError(f"{path} has no {' or '.join(missing)} column (its header is {', '.join(columns)!r}); "
                              f"the columns are {', '.join(TEMPLATE_COLUMNS)}: make one with "
                              "`scorecard report --commentary-template`")
    comments: dict[str, Comment] = {}
    problems: list[str] = []
    for line_number, raw_row in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw_row.items() if key}
        ref, text = row.get("measure_ref", ""), " ".join(row.get("comment", "").split())
        if not ref or not text:
            continue
        if ref in comments:
            problems.append(f"{path.name} line {line_number}: a second comment for {ref}; the first one is used")
            continue
        comments[ref] = Comment(text, row.get("author") or None)
    return Commentary(path, comments, problems)


def write_template(directory: Path, quarter: Quarter, measures: list[MeasureInfo],
                   existing: Commentary | None = None) -> Path:
    """Write the quarter's commentary file with one row per measure, keeping any comments already in it."""
    path = commentary_path(directory, quarter)
    directory.mkdir(parents=True, exist_ok=True)
    kept = existing.comments if existing else {}
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEMPLATE_COLUMNS)
        for measure in measures:
            comment = kept.get(measure.measure_ref)
            writer.writerow([measure.measure_ref, measure.measure_name, comment.text if comment else "",
                             (comment.author or "") if comment else ""])
        listed = {measure.measure_ref for measure in measures}
        for ref, comment in kept.items():  # a comment on a measure not on this scorecard is kept, not lost
            if ref not in listed:
                writer.writerow([ref, "", comment.text, comment.author or ""])
    return path

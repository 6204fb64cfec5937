"""Named damage to a council's generated extracts: the ways real extracts arrive broken.

Each injection rewrites (or renames) one written file the way a case-management export, a spreadsheet or a person
breaks it: a renamed column, a file saved from Excel in cp1252 or UTF-16, a truncated export, an impossible date.
``scorecard generate --inject NAME`` applies them after generating; the reliability tests run every one of them
through the loader (``tests/test_bad_inputs.py``) and say what must happen.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Injection:
    name: str
    target: str  # the file it damages
    description: str
    apply: Callable[[Path, random.Random], Path]  # returns the damaged file's path (it may rename it)


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",",
           encoding: str = "utf-8", line_end: str = "\n") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


Edit = Callable[[Path, random.Random], Path]


def _edit_cell(column: str, value: Callable[[str, random.Random], str], row: int = -1) -> Edit:
    """Set one cell (by default in a row picked at random) to ``value(old, rng)``."""

    def apply(path: Path, rng: random.Random) -> Path:
        header, rows = _read(path)
        index = header.index(column)
        target = rows[rng.randrange(len(rows))] if row < 0 else rows[row]
        target[index] = value(target[index], rng)
        return _write(path, header, rows)

    return apply


def _header(change: Callable[[list[str]], list[str]]) -> Callable[[Path, random.Random], Path]:
    def apply(path: Path, rng: random.Random) -> Path:
        header, rows = _read(path)
        new_header = change(list(header))
        if len(new_header) != len(header):  # a column added or removed: rows follow
            if len(new_header) > len(header):
                rows = [r + ["x"] * (len(new_header) - len(header)) for r in rows]
            else:
                missing = [i for i, h in enumerate(header) if h not in new_header][0]
                rows = [r[:missing] + r[missing + 1:] for r in rows]
        return _write(path, new_header, rows)

    return apply


def _reorder(path: Path, rng: random.Random) -> Path:
    header, rows = _read(path)
    order = list(range(len(header)))
    rng.shuffle(order)
    return _write(path, [header[i] for i in order], [[r[i] for i in order] for r in rows])


def _bytes(change: Callable[[bytes], bytes]) -> Callable[[Path, random.Random], Path]:
    def apply(path: Path, rng: random.Random) -> Path:
        path.write_bytes(change(path.read_bytes()))
        return path

    return apply


def _reencode(encoding: str, accent_column: str) -> Callable[[Path, random.Random], Path]:
    def apply(path: Path, rng: random.Random) -> Path:
        header, rows = _read(path)
        rows[len(rows) // 2][header.index(accent_column)] += "-Zoë"
        return _write(path, header, rows, encoding=encoding)

    return apply


def _truncate(path: Path, rng: random.Random) -> Path:
    data = path.read_bytes().rstrip(b"\n")
    last = data.rfind(b"\n")
    cut = last + 1 + max(1, (len(data) - last) // 3)  # keep a third of the last line, as a cut-off export does
    path.write_bytes(data[:cut])
    return path


def _duplicate_row(path: Path, rng: random.Random) -> Path:
    header, rows = _read(path)
    rows.append(list(rows[rng.randrange(len(rows))]))
    return _write(path, header, rows)


def _rename(new_name: str) -> Callable[[Path, random.Random], Path]:
    """Deliver the file under another name (and one row shorter, so that it is a new extract, not a repeat)."""

    def apply(path: Path, rng: random.Random) -> Path:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[:-1]), encoding="utf-8")
        return path.rename(path.with_name(new_name))

    return apply


def _overlap_episodes(path: Path, rng: random.Random) -> Path:
    """Move an episode's start back before its predecessor's end (same child), as a bad data migration does."""
    header, rows = _read(path)
    child, decom, dec = header.index("CHILD"), header.index("DECOM"), header.index("DEC")
    for previous, row in zip(rows, rows[1:], strict=False):
        if previous[child] == row[child] and previous[dec] and previous[decom] != previous[dec]:
            day, month, year = previous[decom].split("/")
            # The day after the previous episode started: inside it, and still a unique (CHILD, DECOM).
            from datetime import date, timedelta

            start = date(int(year), int(month), int(day)) + timedelta(days=1)
            end = date(*map(int, reversed(previous[dec].split("/"))))
            if start < end:
                row[decom] = start.strftime("%d/%m/%Y")
                return _write(path, header, rows)
    raise ValueError(f"{path.name}: no consecutive episodes to overlap")


def _lines(change: Callable[[list[str]], list[str]]) -> Callable[[Path, random.Random], Path]:
    def apply(path: Path, rng: random.Random) -> Path:
        text = path.read_text(encoding="utf-8")
        path.write_text("".join(change(text.splitlines(keepends=True))), encoding="utf-8")
        return path

    return apply


CIN = "cin_details.csv"
EPISODES = "903_episodes.csv"
CASELOADS = "social_worker_caseloads.csv"

_ALL = [
    Injection("missing_column", CIN, "the ReferralSource column is missing",
              _header(lambda h: [c for c in h if c != "ReferralSource"])),
    Injection("extra_column", CIN, "an extra column the contract does not know", _header(lambda h: [*h, "Notes"])),
    Injection("renamed_column", CIN, "CINreferralDate renamed to ReferralDate",
              _header(lambda h: ["ReferralDate" if c == "CINreferralDate" else c for c in h])),
    Injection("header_case_and_spaces", CIN, "header cells in other letter case with spaces around them",
              _header(lambda h: [f"  {c.upper()} " for c in h])),
    Injection("columns_reordered", CIN, "the columns in another order", _reorder),
    Injection("duplicate_header", CIN, "one column named twice",
              _header(lambda h: [*h[:-1], h[0]])),
    Injection("semicolon_delimiter", CIN, "saved with ; as the delimiter (European Excel)",
              lambda p, r: _write(p, *_read(p), delimiter=";")),
    Injection("tab_delimiter", CIN, "saved as tab-separated text", lambda p, r: _write(p, *_read(p), delimiter="\t")),
    Injection("trailing_delimiter", CIN, "every line ends with a stray comma",
              _lines(lambda ls: [ln.rstrip("\n") + ",\n" for ln in ls])),
    Injection("cp1252_encoding", CIN, "saved from Excel in Windows-1252 with an accented letter",
              _reencode("cp1252", "CINdetailsID")),
    Injection("utf16_encoding", CIN, "saved as UTF-16 (Excel's 'Unicode text')", _reencode("utf-16", "CINdetailsID")),
    Injection("utf8_bom", CIN, "UTF-8 with a byte-order mark", _bytes(lambda b: b"\xef\xbb\xbf" + b)),
    Injection("crlf_line_endings", CIN, "Windows line endings", _bytes(lambda b: b.replace(b"\n", b"\r\n"))),
    Injection("blank_lines", CIN, "blank lines between rows and at the end",
              _lines(lambda ls: [ls[0], "\n", *ls[1:], "\n", "\n"])),
    Injection("empty_file", CIN, "an empty file (zero bytes)", _bytes(lambda b: b"")),
    Injection("header_only", CIN, "the header and no rows", _lines(lambda ls: ls[:1])),
    Injection("truncated_last_line", CIN, "the export stopped part way through its last line", _truncate),
    Injection("unterminated_quote", CIN, "a quote opened and never closed",
              _lines(lambda ls: [*ls[:-2], ls[-2].replace(",", ',"', 1), ls[-1]])),
    Injection("nul_bytes", CIN, "binary NUL bytes inside the file", _bytes(lambda b: b[:-20] + b"\x00\x00" + b[-20:])),
    Injection("wrong_date_format", CIN, "a CIN census date written dd/mm/YYYY",
              _edit_cell("CINreferralDate", lambda v, r: "/".join(reversed(v.split("-"))))),
    Injection("impossible_date", CIN, "30 February", _edit_cell("CINreferralDate", lambda v, r: v[:4] + "-02-30")),
    Injection("implausible_date", CIN, "a referral dated 1899",
              _edit_cell("CINreferralDate", lambda v, r: "1899" + v[4:])),
    Injection("code_outside_list", CIN, "a referral source code that does not exist",
              _edit_cell("ReferralSource", lambda v, r: "Z9")),
    Injection("lower_case_code", CIN, "a code in lower case", _edit_cell("PrimaryNeedCode", lambda v, r: "n1")),
    Injection("missing_required_value", CIN, "a referral with no referral date",
              _edit_cell("CINreferralDate", lambda v, r: "")),
    Injection("whitespace_around_values", CIN, "spaces around typed values",
              _edit_cell("CINreferralDate", lambda v, r: f"  {v} ")),
    Injection("duplicate_key", CIN, "the same referral twice", _duplicate_row),
    Injection("overlapping_episodes", EPISODES, "a care episode starting inside the previous one", _overlap_episodes),
    Injection("negative_count", CASELOADS, "a negative caseload", _edit_cell("CaseCount", lambda v, r: "-3")),
    Injection("ten_mb_field", CIN, "a 10 MB field", _edit_cell("CINdetailsID", lambda v, r: "x" * 10_000_000)),
    Injection("spreadsheet_formula", CIN, "a cell holding a spreadsheet formula",
              _edit_cell("CINdetailsID", lambda v, r: '=HYPERLINK("http://example.invalid","click")')),
    Injection("sql_in_values", CIN, "quotes, semicolons and SQL in a text value",
              _edit_cell("CINdetailsID", lambda v, r: v + "'; drop table staging.cin_details; --")),
    Injection("sql_in_file_name", CIN, "quotes, semicolons and SQL in the file name",
              _rename("cin_details'; drop table audit.load_batches;--.csv")),
    Injection("non_latin_text", CIN, "non-Latin letters in a text value",
              _edit_cell("CINdetailsID", lambda v, r: v + "-Ωμέγα-東京-أحمد")),
]

INJECTIONS: dict[str, Injection] = {i.name: i for i in _ALL}


def apply_injections(la_dir: Path, names: tuple[str, ...], rng: random.Random) -> list[Path]:
    """Apply the named injections to the files in ``la_dir``; returns the damaged files' paths."""
    unknown = sorted(set(names) - set(INJECTIONS))
    if unknown:
        raise ValueError(f"unknown injection(s) {', '.join(unknown)}; known: {', '.join(sorted(INJECTIONS))}")
    damaged = []
    for name in names:
        injection = INJECTIONS[name]
        damaged.append(injection.apply(la_dir / injection.target, rng))
    return damaged

"""What every generator module shares: the specification of a synthetic council and its helpers."""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

DEFAULT_LA_CODE = "895"
DEFAULT_LA_NAME = "Cheshire East"


@dataclass(frozen=True)
class GenerationSpec:
    """One council's synthetic extracts.

    ``first_year`` is the first financial year simulated (2016 means 2016-17, 1 April 2016 to 31 March 2017);
    ``years`` how many; ``scale`` multiplies every volume (1.0 is the size of the reference scorecards).
    """

    out_dir: Path
    seed: int = 42
    first_year: int = 2016
    years: int = 4
    scale: float = 1.0
    la_code: str = DEFAULT_LA_CODE
    la_name: str = DEFAULT_LA_NAME
    inject: tuple[str, ...] = field(default_factory=tuple)
    # whole months after the last financial year that the extracts also cover (a later extract of the same
    # council: 1 takes the extract date from 31 March to 30 April)
    extra_months: int = 0

    @property
    def la_dir(self) -> Path:
        path = Path(self.out_dir) / self.la_code
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def start_date(self) -> date:
        return date(self.first_year, 4, 1)

    @property
    def extract_date(self) -> date:
        """The last day covered by the extracts: 31 March of the last simulated financial year, or the end of the
        month ``extra_months`` later."""
        year, month = divmod(3 + self.extra_months, 12)
        first_of_next = date(self.first_year + self.years + year, month + 1, 1)
        return first_of_next - timedelta(days=1)

    def rng(self, name: str) -> random.Random:
        """An independent random stream per name, so that adding a table does not change the others."""
        digest = hashlib.sha256(f"{self.seed}:{self.la_code}:{name}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def scaled(self, n: float) -> int:
        return max(1, round(n * self.scale))


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random day in [start, end]."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, max(span, 0)))


def fmt_date(value: date | None, pattern: str) -> str:
    return "" if value is None else value.strftime(pattern)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write a CSV the way case-management exports do: UTF-8, comma, minimal quoting, CRLF-free."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    return path

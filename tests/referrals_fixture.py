"""A small CIN-census-shaped referrals extract whose answers can be worked out by hand in the test."""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

HEADER = ["LAchildID", "CINdetailsID", "CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
          "ReasonForClosure", "DateOfInitialCPC", "ReferralNFA"]


def write_manifest(la_dir: Path, window_start: date, window_end: date, domain: str = "social_care") -> Path:
    path = la_dir / f"extract_manifest_{domain}.csv"
    path.write_text(f"ExtractDate,PeriodStart,PeriodEnd,System\n{window_end},{window_start},{window_end},tests\n")
    return path


def write_referrals(path: Path, n: int = 400, seed: int = 7, start: date = date(2017, 4, 1),
                    days: int = 729, manifest: bool = True) -> list[list[str]]:
    """Write ``n`` referrals between ``start`` and ``start + days`` and a manifest whose window runs from ``start``
    to the end of the financial year of the last day; returns the rows written."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        child = str(700000 + rng.randint(0, n // 2))
        referred = start + timedelta(days=rng.randint(0, days))
        closed = referred + timedelta(days=rng.randint(10, 200)) if rng.random() < 0.7 else None
        rows.append([child, f"CIN{i:05d}", referred.isoformat(), rng.choice(["1A", "2B", "5A"]), "N1",
                     closed.isoformat() if closed else "", "RC8" if closed else "", "", "false"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    last = start + timedelta(days=days)
    if manifest:
        write_manifest(path.parent, start, date(last.year + (1 if last.month >= 4 else 0), 3, 31))
    return rows


def financial_quarter(d: date) -> tuple[int, int]:
    year = d.year if d.month >= 4 else d.year - 1
    return year, ((d.month + 8) // 3) % 4 + 1


def expected_referrals(rows: list[list[str]]) -> dict[str, int]:
    """Referrals per quarter label, counted in Python from the file."""
    counts: Counter[str] = Counter()
    for row in rows:
        year, quarter = financial_quarter(date.fromisoformat(row[2]))
        counts[f"{year}-{(year + 1) % 100:02d} Q{quarter}"] += 1
    return dict(counts)


def expected_repeat_percent(rows: list[list[str]]) -> dict[str, float]:
    """% repeat referrals per quarter: a previous referral of the same child on or after the date 12 months
    earlier (and strictly before this one)."""
    by_child: dict[str, list[date]] = {}
    for row in rows:
        by_child.setdefault(row[0], []).append(date.fromisoformat(row[2]))
    totals: Counter[str] = Counter()
    repeats: Counter[str] = Counter()
    for dates in by_child.values():
        for d in dates:
            year, quarter = financial_quarter(d)
            label = f"{year}-{(year + 1) % 100:02d} Q{quarter}"
            totals[label] += 1
            try:
                year_before = d.replace(year=d.year - 1)
            except ValueError:  # 29 February: Postgres takes 28 February as 12 months earlier
                year_before = d.replace(year=d.year - 1, day=28)
            if any(year_before <= other < d for other in dates):
                repeats[label] += 1
    return {label: 100.0 * repeats[label] / totals[label] for label in totals}

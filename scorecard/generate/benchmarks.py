"""Synthetic national benchmark files: a LAIT-style long file and the statistical-neighbour groups.

Both are national, not one council's, so they go to ``<landing>/national/`` (docs/CONVENTIONS.md) and load with
``la_code = 'national'``:

- ``lait_bds_long.csv``: the long layout of LAIT's benchmarking data set (``bds_long``): ``Short Desc, Years,
  LA Number, LA and Regions, Values``, one row per measure, year and area, for England, the nine regions and every
  English council with children's services (this one included). ``Values`` carries the publishers' markers where
  there is no figure: ``c`` (suppressed), ``x`` (not available), ``..`` (not yet released) and ``-`` (not
  applicable). Financial-year measures print ``Years`` as ``2017-18``, academic-year ones as ``2017/18``.
- ``lait_sn_groups.csv``: the LAIT "LA SN Groups" sheet (``LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP1,
  ... SN10, SNP10``) with the closeness columns numbered as LAIT's own loader renames them, plus ``Effective From``:
  the date the set took effect. The file holds two sets, the second revising some councils' neighbours, so a
  benchmark year uses the set in force at its end.

Every figure is drawn from a per-council quality and need score, so neighbours resemble each other and the
statistical-neighbour average, England value, rank and quartile are real calculations over real spreads.
Deterministic for a given seed; the size does not depend on ``spec.scale`` (152 councils is the whole country).
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ._benchmark_areas import (
    ENGLAND_CODE,
    ENGLAND_NAME,
    LOCAL_AUTHORITIES,
    PUBLISHED_NEIGHBOURS,
    REGIONS,
    TINY,
    LocalAuthority,
)
from .common import GenerationSpec, write_csv

NATIONAL_DIR = "national"
LAIT_FILE = "lait_bds_long.csv"
SN_FILE = "lait_sn_groups.csv"
LAIT_HEADER = ("Short Desc", "Years", "LA Number", "LA and Regions", "Values")
NEIGHBOURS = 10
SN_HEADER = ("LA num", "LA Name", "LA number", "GOInd", "GOReg",
             *(f"{kind}{n}" for n in range(1, NEIGHBOURS + 1) for kind in ("SN", "SNP")), "Effective From")

SUPPRESSED, NOT_AVAILABLE, NOT_RELEASED, NOT_APPLICABLE = "c", "x", "..", "-"
CLOSENESS = ("Extremely close", "Very close", "Close", "Somewhat close", "Not close")


@dataclass(frozen=True)
class BenchmarkMeasure:
    """One LAIT measure: how its figures are spread across councils and over the years."""

    short_desc: str
    year_type: str  # financial ("2017-18") or academic ("2017/18")
    polarity: int  # +1 high is good, -1 low is good, 0 neither
    mean: float  # England level in the first year
    spread: float  # standard deviation between councils
    trend: float  # change of the England level per year
    decimals: int
    low: float = 0.0
    high: float = 100.0


# The LAIT measures the scorecard compares itself with (dbt_project/seeds/benchmark_measures.csv maps each to a
# catalogue measure_ref). Levels are of the order the published figures have.
MEASURES: tuple[BenchmarkMeasure, ...] = (
    BenchmarkMeasure("Re-referrals to children's social care within 12 months (%)", "financial", -1, 22.0, 5.0,
                     -0.3, 1),
    BenchmarkMeasure("Assessments completed within 45 working days (%)", "financial", 1, 83.0, 8.0, 0.5, 1),
    BenchmarkMeasure("Initial child protection conferences within 15 working days (%)", "financial", 1, 77.0, 11.0,
                     0.5, 1),
    BenchmarkMeasure("Child protection plans starting for a second or subsequent time (%)", "financial", -1, 19.0,
                     4.5, 0.4, 1),
    BenchmarkMeasure("Child protection plans ending that lasted two years or more (%)", "financial", -1, 3.4, 1.6,
                     -0.1, 1),
    BenchmarkMeasure("Child protection plan reviews held within timescale (%)", "financial", 1, 92.0, 4.5, 0.2, 1),
    BenchmarkMeasure("Children subject to a child protection plan, rate per 10,000 aged under 18", "financial", 0,
                     43.0, 12.0, 0.5, 1, 5.0, 200.0),
    BenchmarkMeasure("Children looked after, rate per 10,000 aged under 18", "financial", 0, 62.0, 20.0, 1.0, 0,
                     15.0, 250.0),
    BenchmarkMeasure("Children looked after with three or more placements in the year (%)", "financial", -1, 10.0,
                     2.2, 0.0, 0),
    BenchmarkMeasure("Children looked after in the same placement for two years or more (%)", "financial", 1, 68.0,
                     6.0, 0.0, 0),
    BenchmarkMeasure("Children looked after placed outside the LA and more than 20 miles from home (%)", "financial",
                     -1, 14.0, 6.0, 0.3, 0),
    BenchmarkMeasure("Children looked after with health assessments up to date (%)", "financial", 1, 89.0, 6.0, 0.2,
                     0),
    BenchmarkMeasure("Care leavers aged 19-21 not in education, employment or training (%)", "financial", -1, 39.0,
                     6.0, 0.0, 0),
    BenchmarkMeasure("Care leavers aged 19-21 in suitable accommodation (%)", "financial", 1, 84.0, 6.0, 0.3, 0),
    BenchmarkMeasure("Average days between entering care and moving in with adoptive family (A1)", "financial", -1,
                     520.0, 70.0, -10.0, 0, 200.0, 1200.0),
    BenchmarkMeasure("Average days between placement order and match with adoptive family (A2)", "financial", -1,
                     220.0, 50.0, -5.0, 0, 40.0, 800.0),
    BenchmarkMeasure("Children adopted who moved in with their adoptive family within 14 months (%)", "financial", 1,
                     55.0, 10.0, 1.0, 0),
    BenchmarkMeasure("EHC plans issued within 20 weeks, excluding exceptions (%)", "financial", 1, 60.0, 20.0, -2.0,
                     1),
    BenchmarkMeasure("Persistent absentees, primary schools (%)", "academic", -1, 8.7, 1.3, 0.1, 1),
    BenchmarkMeasure("Persistent absentees, secondary schools (%)", "academic", -1, 13.7, 2.0, 0.1, 1),
    BenchmarkMeasure("Primary schools judged good or outstanding (%)", "academic", 1, 88.0, 6.0, 0.5, 0),
    BenchmarkMeasure("Secondary schools judged good or outstanding (%)", "academic", 1, 76.0, 11.0, 0.5, 0),
    BenchmarkMeasure("Eligible 2-year-olds taking up funded early education (%)", "academic", 1, 71.0, 9.0, 1.0, 0),
    BenchmarkMeasure("16-17 year olds not in education, employment or training (%)", "financial", -1, 2.8, 1.2,
                     -0.1, 1),
)


@dataclass(frozen=True)
class _Council:
    la: LocalAuthority
    quality: float  # higher is better performance on every polarised measure
    need: float  # drives rates and, a little, most percentages
    rurality: float  # with need, what makes councils statistical neighbours


def _rng(spec: GenerationSpec, name: str) -> random.Random:
    """A named stream that depends on the seed only: the national files are the same whichever council's
    extracts are generated beside them."""
    digest = hashlib.sha256(f"{spec.seed}:national:{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def years_label(year: int, year_type: str) -> str:
    """LAIT's ``Years`` text for the year starting in ``year``."""
    separator = "/" if year_type == "academic" else "-"
    return f"{year}{separator}{(year + 1) % 100:02d}"


def _councils(spec: GenerationSpec) -> list[_Council]:
    rng = _rng(spec, "councils")
    region_effect = {region.code: rng.gauss(0.0, 0.35) for region in REGIONS}
    councils = []
    for la in LOCAL_AUTHORITIES:
        councils.append(_Council(la, quality=rng.gauss(region_effect[la.region.code], 1.0), need=rng.gauss(0.0, 1.0),
                                 rurality=rng.gauss(0.0, 1.0)))
    return councils


def _figure(measure: BenchmarkMeasure, council: _Council, year_index: int, loading: float,
            rng: random.Random) -> float:
    z = 0.55 * measure.polarity * council.quality + loading * council.need + 0.65 * rng.gauss(0.0, 1.0)
    value = measure.mean + measure.trend * year_index + measure.spread * z
    return min(measure.high, max(measure.low, value))


def _printed(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _marker(council: _Council, last_year: bool, rng: random.Random) -> str | None:
    """The publisher's marker in place of a council's figure, or None when the figure is printed."""
    draw = rng.random()
    if council.la.code in TINY:
        return SUPPRESSED if draw < 0.7 else NOT_APPLICABLE if draw < 0.9 else None
    if draw < 0.025:
        return SUPPRESSED
    if draw < 0.035:
        return NOT_AVAILABLE
    if last_year and draw < 0.085:
        return NOT_RELEASED
    return None


def lait_rows(spec: GenerationSpec, councils: list[_Council]) -> list[tuple[str, str, str, str, str]]:
    rng = _rng(spec, "lait")
    rows: list[tuple[str, str, str, str, str]] = []
    for measure in MEASURES:
        # How much need moves this measure, and in which direction: a fixed property of the measure.
        loading = 0.9 if measure.polarity == 0 else rng.uniform(-0.35, 0.35)
        for index in range(spec.years):
            year = spec.first_year + index
            label = years_label(year, measure.year_type)
            figures = {c.la.code: _figure(measure, c, index, loading, rng) for c in councils}
            counted = [figures[c.la.code] for c in councils if c.la.code not in TINY]
            rows.append((measure.short_desc, label, ENGLAND_CODE, ENGLAND_NAME,
                         _printed(sum(counted) / len(counted), measure.decimals)))
            for region in REGIONS:
                members = [figures[c.la.code] for c in councils if c.la.region == region and c.la.code not in TINY]
                rows.append((measure.short_desc, label, region.code, region.name,
                             _printed(sum(members) / len(members), measure.decimals)))
            for council in councils:
                marker = _marker(council, index == spec.years - 1, rng)
                value = marker if marker is not None else _printed(figures[council.la.code], measure.decimals)
                rows.append((measure.short_desc, label, council.la.code, council.la.name, value))
    return rows


def _distance(a: _Council, b: _Council) -> float:
    return math.hypot(a.need - b.need, a.rurality - b.rurality)


def _closeness(distance: float, rng: random.Random) -> str:
    label = CLOSENESS[min(len(CLOSENESS) - 1, int(distance / 0.18))]
    return label.title() if rng.random() < 0.3 else label  # the source sheet mixes "Very close" and "Very Close"


def _neighbour_set(council: _Council, councils: list[_Council], revised: bool,
                   rng: random.Random) -> list[tuple[str, str]]:
    published = PUBLISHED_NEIGHBOURS.get(council.la.code)
    if published:
        labels = ("Very close",) * 3 + ("Close",) * 5 + ("Somewhat close",) * 2
        return list(zip(published, labels, strict=True))
    others = sorted((c for c in councils if c.la.code != council.la.code and c.la.code not in TINY),
                    key=lambda other: (_distance(council, other), other.la.code))
    chosen = others[:NEIGHBOURS]
    if revised:  # the re-estimated set swaps the tenth neighbour for the eleventh
        chosen = others[:NEIGHBOURS - 1] + [others[NEIGHBOURS]]
    return [(other.la.code, _closeness(_distance(council, other), rng)) for other in chosen]


def sn_rows(spec: GenerationSpec, councils: list[_Council]) -> list[list[str]]:
    """Two sets: one in force from the first simulated year, a revision from the middle year."""
    rng = _rng(spec, "sn")
    first = date(spec.first_year, 4, 1)
    revision = date(spec.first_year + max(1, spec.years // 2), 4, 1)
    revised_councils = {c.la.code for c in councils if rng.random() < 0.2}
    rows: list[list[str]] = []
    for effective, is_revision in ((first, False), (revision, True)):
        for number, council in enumerate(councils, start=1):
            revised = is_revision and council.la.code in revised_councils
            pairs = _neighbour_set(council, councils, revised, rng)
            cells = [cell for pair in pairs for cell in pair]
            rows.append([council.la.code, council.la.name, str(number), str(council.la.region.index),
                         council.la.region.name, *cells, effective.isoformat()])
    return rows


def generate(spec: GenerationSpec) -> list[Path]:
    """Write the LAIT-style long file and the SN groups into ``<out_dir>/national/``."""
    folder = Path(spec.out_dir) / NATIONAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    councils = _councils(spec)
    return [
        write_csv(folder / LAIT_FILE, LAIT_HEADER, lait_rows(spec, councils)),
        write_csv(folder / SN_FILE, SN_HEADER, sn_rows(spec, councils)),
    ]

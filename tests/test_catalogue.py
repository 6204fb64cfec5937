"""The measure catalogue seeds: well formed, complete against both reference scorecards, and every target parses."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from scorecard.parsing import TargetUnit, ValueStatus, ValueUnit, parse_target, parse_value

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "dbt_project" / "seeds"
REFERENCE = ROOT.parent / "shared" / "reference"

SECTIONS = {
    "Safeguarding",
    "Cared for Children",
    "Care Leavers",
    "Adoption",
    "Virtual School",
    "Schools",
    "Prevention and Early Intervention",
    "Youth Support",
    "Special Educational Need (SEN)",
    "Health",
}
DOMAINS = {"social_care", "education", "early_help", "health"}
UNITS = {"count", "percent", "rate_per_10000", "days", "weeks", "average"}
POLARITIES = {"high", "low", "none"}
PERIOD_TYPES = {
    "quarter",
    "year_to_date",
    "rolling_12_months",
    "snapshot",
    "financial_year",
    "academic_year_to_date",
    "term",
    "half_term",
    "month",
}
BOOLEANS = {"true", "false"}
MEASURE_COLUMNS = [
    "measure_ref",
    "measure_name",
    "section",
    "domain",
    "unit",
    "polarity",
    "period_type",
    "decimals",
    "rated",
    "amber_tolerance",
    "tolerance_type",
    "stable_threshold",
    "responsible_officer",
    "lead",
    "plan_priorities",
    "definition",
    "source",
]
REF_PATTERN = re.compile(r"CSC\d{3}|Ed&S\d{3}|P&EH\d{3}|PI\d+\.\d+|WL[1-9]")
DOMAIN_OF_PREFIX = {"CSC": "social_care", "Ed&S": "education", "P&EH": "early_help", "WL": "health"}
YEARS = {"2017-18": 2017, "2019-20": 2019}
# Printed value and benchmark columns of the two reference scorecards (targets are parsed separately).
VALUE_COLUMNS = {
    "2017-18": [
        "stat_neighbour_avg",
        "national_avg",
        "year_end_2016_17",
        "q1_2017_18",
        "q2_2017_18",
        "q3_2017_18",
        "q4_2017_18",
        "year_end_2017_18",
    ],
    "2019-20": ["year_end_2018_19", "q4_2018_19", "q1_2019_20", "q2_2019_20", "q3_2019_20", "q4_2019_20"],
}
BENCHMARK_COLUMNS = {"stat_neighbour_avg", "national_avg"}


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def measures() -> dict[str, dict[str, str]]:
    rows = read_seed("measures.csv")
    return {row["measure_ref"]: row for row in rows}


@pytest.fixture(scope="module")
def measure_refs() -> list[dict[str, str]]:
    return read_seed("measure_refs.csv")


@pytest.fixture(scope="module")
def measure_targets() -> list[dict[str, str]]:
    return read_seed("measure_targets.csv")


@pytest.fixture(scope="module")
def reference() -> dict[str, list[dict[str, str]]]:
    """The two reference scorecards as printed, keyed by scorecard year, rows carrying 'printed_ref'."""
    if not REFERENCE.is_dir():
        pytest.skip(
            f"reference scorecards not found at {REFERENCE} (expected beside the repository in shared/reference)"
        )
    out: dict[str, list[dict[str, str]]] = {}
    for year, (file, ref_column, target_column) in {
        "2017-18": ("scorecard_2017_18_q4.csv", "pi_ref", "target"),
        "2019-20": ("scorecard_2019_20.csv", "ref", "target_2019_20"),
    }.items():
        with (REFERENCE / file).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            row["printed_ref"], row["printed_target"] = row[ref_column], row[target_column]
        out[year] = rows
    return out


def is_decimal(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


# ---- measures.csv


def test_measures_header_and_unique_refs():
    with (SEEDS / "measures.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        refs = [row[0] for row in reader]
    assert header == MEASURE_COLUMNS
    duplicates = [ref for ref, n in Counter(refs).items() if n > 1]
    assert not duplicates


def test_measure_refs_follow_the_convention(measures: dict[str, dict[str, str]]):
    bad = [ref for ref in measures if not REF_PATTERN.fullmatch(ref)]
    assert not bad
    assert {f"WL{n}" for n in range(1, 10)} <= set(measures)


def test_enums(measures: dict[str, dict[str, str]]):
    for ref, row in measures.items():
        assert row["section"] in SECTIONS, ref
        assert row["domain"] in DOMAINS, ref
        assert row["unit"] in UNITS, ref
        assert row["polarity"] in POLARITIES, ref
        assert row["period_type"] in PERIOD_TYPES, ref
        assert row["rated"] in BOOLEANS, ref
        assert row["tolerance_type"] in {"absolute", "relative", ""}, ref
        assert row["decimals"].isdigit() and int(row["decimals"]) <= 2, ref


def test_domain_follows_the_ref_prefix(measures: dict[str, dict[str, str]]):
    for ref, row in measures.items():
        prefix = re.match(r"[A-Za-z&]+", ref).group()
        if prefix in DOMAIN_OF_PREFIX:
            assert row["domain"] == DOMAIN_OF_PREFIX[prefix], ref


def test_rated_measures_have_polarity_and_tolerance(measures: dict[str, dict[str, str]]):
    for ref, row in measures.items():
        if row["rated"] == "true":
            assert row["polarity"] in {"high", "low"}, ref
            assert is_decimal(row["amber_tolerance"]) and Decimal(row["amber_tolerance"]) > 0, ref
            assert row["tolerance_type"] in {"absolute", "relative"}, ref
        else:
            assert row["amber_tolerance"] == "" and row["tolerance_type"] == "", ref


def test_tolerance_rule(measures: dict[str, dict[str, str]]):
    """Percentages: absolute points (2.5, or 0.5 for small targets); everything else: 5% relative."""
    for ref, row in measures.items():
        if row["rated"] != "true":
            continue
        if row["unit"] == "percent":
            assert row["tolerance_type"] == "absolute" and row["amber_tolerance"] in {"2.5", "0.5"}, ref
        else:
            assert (row["tolerance_type"], row["amber_tolerance"]) == ("relative", "5"), ref


def test_stable_threshold_is_positive(measures: dict[str, dict[str, str]]):
    for ref, row in measures.items():
        assert is_decimal(row["stable_threshold"]) and Decimal(row["stable_threshold"]) > 0, ref
        if row["unit"] == "count":
            assert Decimal(row["stable_threshold"]) == Decimal(row["stable_threshold"]).to_integral_value(), ref


def test_text_columns_filled(measures: dict[str, dict[str, str]]):
    for ref, row in measures.items():
        for column in ("measure_name", "definition", "source"):
            assert row[column].strip() == row[column] and row[column], (ref, column)
        for source in row["source"].split("; "):
            assert re.fullmatch(r"[a-z][a-z0-9_]*", source), (ref, source)


# ---- measure_refs.csv


def test_measure_refs_point_at_the_catalogue(measures: dict[str, dict[str, str]], measure_refs: list[dict[str, str]]):
    missing = {row["measure_ref"] for row in measure_refs} - set(measures)
    assert not missing
    for row in measure_refs:
        assert row["scorecard_year"] in YEARS
        assert row["definition_changed"] in BOOLEANS
        assert row["combine"] in {"", "sum", "primary", "superseded"}


def test_every_catalogue_measure_is_printed_somewhere(
    measures: dict[str, dict[str, str]], measure_refs: list[dict[str, str]]
):
    printed = {row["measure_ref"] for row in measure_refs}
    assert set(measures) - printed == {f"WL{n}" for n in range(1, 10)}


def test_printed_refs_unique(measure_refs: list[dict[str, str]]):
    keys = Counter((row["scorecard_year"], row["printed_ref"]) for row in measure_refs)
    assert [key for key, n in keys.items() if n > 1] == []


def test_ref_naming(measure_refs: list[dict[str, str]]):
    for row in measure_refs:
        if row["scorecard_year"] == "2019-20":
            assert row["measure_ref"] == row["printed_ref"]
        elif row["measure_ref"].startswith("PI"):
            assert row["measure_ref"] == "PI" + row["printed_ref"]


def test_combined_rows_come_in_groups(measure_refs: list[dict[str, str]]):
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in measure_refs:
        groups[(row["scorecard_year"], row["measure_ref"])].append(row["combine"])
    for key, combines in groups.items():
        if len(combines) == 1:
            assert combines == [""], key
        else:
            assert set(combines) in ({"sum"}, {"primary", "superseded"}), key
            assert combines.count("primary") <= 1, key


def test_every_printed_ref_is_mapped(measure_refs: list[dict[str, str]], reference: dict[str, list[dict[str, str]]]):
    mapped = {(row["scorecard_year"], row["printed_ref"]): row for row in measure_refs}
    for year, rows in reference.items():
        for printed in rows:
            row = mapped.get((year, printed["printed_ref"]))
            assert row is not None, (year, printed["printed_ref"])
            assert row["printed_name"] == printed["measure"], (year, printed["printed_ref"])
    assert len(mapped) == sum(len(rows) for rows in reference.values())
    assert len(reference["2017-18"]) == 73 and len(reference["2019-20"]) == 42


def test_continuing_measures_follow_the_readme(measure_refs: list[dict[str, str]]):
    """The README's '1.2->CSC001, ..., 6.7+6.8->Ed&S007' list, read from the README itself."""
    readme = REFERENCE / "README.md"
    if not readme.is_file():
        pytest.skip(f"reference README not found at {readme}")
    text = readme.read_text(encoding="utf-8")
    section = text.split("## Measures that continue between the two years", 1)[1].split("\n## ", 1)[0]
    pairs = re.findall(r"([\d.+]+)->([A-Za-z&]+\d{3})(\s*\([^)]*\))?", section)
    assert len(pairs) == 32
    mapped = {row["printed_ref"]: row for row in measure_refs if row["scorecard_year"] == "2017-18"}
    for old_refs, new_ref, remark in pairs:
        olds = old_refs.split("+")
        for old in olds:
            assert mapped[old]["measure_ref"] == new_ref, old
            if remark:  # '(definition changed)', '(count->%)'
                assert mapped[old]["definition_changed"] == "true", old
        if len(olds) > 1:
            assert {mapped[old]["combine"] for old in olds} <= {"sum", "primary", "superseded"}


def test_named_definition_changes_are_flagged(measure_refs: list[dict[str, str]]):
    """Changes the README's caveats name: CIN local -> Annex A, counts -> %, 16 -> 14 months, merged SEN."""
    changed = {row["printed_ref"] for row in measure_refs if row["definition_changed"] == "true"}
    assert {"1.8", "2.6", "2.7", "2.8", "4.4", "10.5", "10.6"} <= changed


def test_printed_polarity_is_kept(measures: dict[str, dict[str, str]], measure_refs: list[dict[str, str]]):
    """A measure printed 'High is good' / 'Low is good' in 2017-18 keeps that polarity in the catalogue."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference scorecards not found at {REFERENCE}")
    mapped = {row["printed_ref"]: row["measure_ref"] for row in measure_refs if row["scorecard_year"] == "2017-18"}
    with (REFERENCE / "scorecard_2017_18_q4.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            expected = {"High is good": "high", "Low is good": "low"}.get(row["polarity"])
            if expected:
                assert measures[mapped[row["pi_ref"]]]["polarity"] == expected, row["pi_ref"]


# ---- measure_targets.csv


def test_targets_parse_and_point_at_the_catalogue(
    measures: dict[str, dict[str, str]], measure_targets: list[dict[str, str]]
):
    keys = Counter((row["measure_ref"], row["financial_year"]) for row in measure_targets)
    assert [key for key, n in keys.items() if n > 1] == []
    for row in measure_targets:
        assert row["measure_ref"] in measures
        assert row["financial_year"] in {"2017", "2019"}
        assert row["source"] == {"2017": "scorecard 2017-18 Q4", "2019": "scorecard 2019-20"}[row["financial_year"]]
        parse_target(row["target_text"])  # raises on any unreadable form


def test_targets_are_exactly_as_printed(
    measure_refs: list[dict[str, str]],
    measure_targets: list[dict[str, str]],
    reference: dict[str, list[dict[str, str]]],
):
    mapped = {(row["scorecard_year"], row["printed_ref"]): row["measure_ref"] for row in measure_refs}
    printed = set()
    for year, rows in reference.items():
        for row in rows:
            if row["printed_target"].strip():
                printed.add((mapped[(year, row["printed_ref"])], str(YEARS[year]), row["printed_target"]))
    seeded = {(row["measure_ref"], row["financial_year"], row["target_text"]) for row in measure_targets}
    assert seeded == printed


def test_target_units_agree_with_the_measure(
    measures: dict[str, dict[str, str]], measure_refs: list[dict[str, str]], measure_targets: list[dict[str, str]]
):
    """A % target belongs to a percent measure and vice versa, except where the printed definition changed."""
    changed = {
        (YEARS[row["scorecard_year"]], row["measure_ref"])
        for row in measure_refs
        if row["definition_changed"] == "true"
    }
    for row in measure_targets:
        target = parse_target(row["target_text"])
        if target is None or (int(row["financial_year"]), row["measure_ref"]) in changed:
            continue
        is_percent = measures[row["measure_ref"]]["unit"] == "percent"
        assert (target.unit is TargetUnit.PERCENT) == is_percent, row


# ---- the printed values and benchmarks of the reference scorecards


def test_every_printed_value_parses(reference: dict[str, list[dict[str, str]]]):
    for year, rows in reference.items():
        for row in rows:
            for column in VALUE_COLUMNS[year]:
                parsed = parse_value(row[column])
                assert (parsed.status is ValueStatus.MISSING) == (not row[column].strip()), (year, column, row[column])


def test_printed_values_agree_with_the_measure_unit(
    measures: dict[str, dict[str, str]],
    measure_refs: list[dict[str, str]],
    reference: dict[str, list[dict[str, str]]],
):
    """Values printed with a % sign belong to percent measures and vice versa (benchmarks may omit the sign)."""
    mapped = {(row["scorecard_year"], row["printed_ref"]): row for row in measure_refs}
    for year, rows in reference.items():
        for row in rows:
            ref_row = mapped[(year, row["printed_ref"])]
            if ref_row["definition_changed"] == "true":
                continue
            is_percent = measures[ref_row["measure_ref"]]["unit"] == "percent"
            for column in VALUE_COLUMNS[year]:
                parsed = parse_value(row[column])
                if parsed.unit is ValueUnit.PERCENT:
                    assert is_percent, (year, row["printed_ref"], column, row[column])
                elif parsed.unit is ValueUnit.NUMBER and column not in BENCHMARK_COLUMNS:
                    assert not is_percent, (year, row["printed_ref"], column, row[column])

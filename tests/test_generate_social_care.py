"""The synthetic social-care extracts: deterministic, true to their load contracts, coherent, and at the scale of the
reference scorecards.

Failure messages name files, line numbers and counts, never a raw child identifier.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders.contract import contract_for, parse_contract
from loaders.load import parsed_rows
from scorecard.generate._social_care_ids import upn_check_letter
from scorecard.generate.calendar_uk import (
    add_working_days,
    england_bank_holidays,
    is_working_day,
    working_days_between,
)
from scorecard.generate.common import GenerationSpec
from scorecard.generate.social_care import generate

CONTRACT_DIR = Path(__file__).resolve().parents[1] / "loaders" / "contracts" / "social_care"
SMALL_SCALE = 0.2
YEARS = range(2016, 2020)


# --- fixtures and helpers -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerationSpec, list[Path]]:
    spec = GenerationSpec(out_dir=tmp_path_factory.mktemp("social_care_small"), seed=11, scale=SMALL_SCALE)
    return spec, generate(spec)


def load_contracts() -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(CONTRACT_DIR.glob("*.yml"))]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def iso(value: str) -> date | None:
    return datetime.strptime(value, "%Y-%m-%d").date() if value else None


def dmy(value: str) -> date | None:
    return datetime.strptime(value, "%d/%m/%Y").date() if value else None


def digest(paths: list[Path]) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def financial_year(day: date) -> int:
    return day.year - (day.month < 4)


def quarter_ends(year: int) -> list[date]:
    return [date(year, 6, 30), date(year, 9, 30), date(year, 12, 31), date(year + 1, 3, 31)]


# --- the contract checker ---------------------------------------------------------------------------------------------
def value_problem(column: dict[str, Any], value: str) -> str | None:
    """Why ``value`` breaks the contract's column, or None."""
    if value == "":
        return "required value missing" if column.get("required") else None
    kind = column["type"]
    if "max_length" in column and len(value) > column["max_length"]:
        return "longer than max_length"
    number: Decimal | None = None
    if kind == "date":
        try:
            datetime.strptime(value, column["format"])
        except ValueError:
            return f"not a date in {column['format']}"
    elif kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return "not an integer"
        number = Decimal(value)
    elif kind == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return "not a decimal"
    elif kind == "code":
        if value not in column["codes"]:
            return "not in the code list"
    elif kind == "boolean":
        if value not in column["true_values"] + column["false_values"]:
            return "not a boolean value"
    elif kind not in ("text", "identifier"):
        return f"unknown type {kind}"
    if number is not None:
        if "min" in column and number < Decimal(str(column["min"])):
            return "below min"
        if "max" in column and number > Decimal(str(column["max"])):
            return "above max"
    return None


def file_fields(contract: dict[str, Any], path: Path) -> dict[str, str] | None:
    """Values a per-year table reads from the file name (``file_fields``), or None if the name does not fit."""
    if "file_fields" not in contract:
        return {}
    match = re.fullmatch(contract["file_fields"], path.name, flags=re.IGNORECASE)
    return match.groupdict() if match else None


def contract_problems(contract: dict[str, Any], path: Path) -> list[str]:
    columns = contract["columns"]
    names = [column["name"] for column in columns]
    from_name = file_fields(contract, path)
    if from_name is None:
        return [f"{path.name}: the name does not fit file_fields {contract['file_fields']}"]
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=contract.get("delimiter", ","))
        header = next(reader)
        if header != names:
            return [f"{path.name}: header {header} is not the contract's {names}"]
        key_parts = contract["primary_key"]
        keys: set[tuple[str, ...]] = set()
        for line, row in enumerate(reader, start=2):
            if len(row) != len(names):
                problems.append(f"{path.name}:{line}: {len(row)} fields")
                continue
            for column, value in zip(columns, row, strict=True):
                problem = value_problem(column, value)
                if problem:
                    problems.append(f"{path.name}:{line}: {column['name']} {problem}")
            key = tuple(from_name[part] if part in from_name else row[names.index(part)] for part in key_parts)
            if "" in key:
                problems.append(f"{path.name}:{line}: empty primary key column")
            elif key in keys:
                problems.append(f"{path.name}:{line}: duplicate primary key")
            keys.add(key)
    return problems


# --- calendar -------------------------------------------------------------------------------------------------------
def test_bank_holidays_match_the_published_lists() -> None:
    assert england_bank_holidays(2020) == {
        date(2020, 1, 1), date(2020, 4, 10), date(2020, 4, 13), date(2020, 5, 8), date(2020, 5, 25),
        date(2020, 8, 31), date(2020, 12, 25), date(2020, 12, 28)}
    assert england_bank_holidays(2022) >= {date(2022, 1, 3), date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19),
                                           date(2022, 12, 26), date(2022, 12, 27)}
    assert date(2022, 5, 30) not in england_bank_holidays(2022)  # the spring holiday moved to 2 June
    assert date(2016, 12, 27) in england_bank_holidays(2016)  # Christmas Day on a Sunday


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    assert working_days_between(date(2019, 12, 20), date(2019, 12, 30)) == 4  # 23, 24, 27, 30 December
    assert add_working_days(date(2019, 12, 20), 3) == date(2019, 12, 27)
    assert not is_working_day(date(2019, 12, 26))
    for start in (date(2016, 3, 24), date(2018, 12, 21), date(2019, 4, 18)):
        for n in (1, 15, 45):
            assert working_days_between(start, add_working_days(start, n)) == n


# --- determinism ----------------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_files(small: tuple[GenerationSpec, list[Path]], tmp_path: Path) -> None:
    spec, paths = small
    again = generate(GenerationSpec(out_dir=tmp_path / "again", seed=spec.seed, scale=SMALL_SCALE))
    assert digest(again) == digest(paths)


def test_another_seed_gives_other_files(small: tuple[GenerationSpec, list[Path]], tmp_path: Path) -> None:
    spec, paths = small
    other = digest(generate(GenerationSpec(out_dir=tmp_path / "other", seed=spec.seed + 1, scale=SMALL_SCALE)))
    first = digest(paths)
    assert set(other) == set(first)
    changed = [name for name in first if other[name] != first[name]]
    assert len(changed) >= len(first) - 1, "only the population table may coincide"


def test_unknown_injection_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown injection"):
        generate(GenerationSpec(out_dir=tmp_path, scale=0.05, inject=("no_such_error",)))
    assert not list(tmp_path.rglob("*.csv")), "refused before writing anything"


def test_named_injections_damage_the_files(tmp_path: Path) -> None:
    contract = next(c for c in load_contracts() if c["table"] == "cin_details")
    damaged = GenerationSpec(out_dir=tmp_path / "duplicate", scale=0.05, inject=("duplicate_key",))
    generate(damaged)
    assert any("duplicate primary key" in p for p in contract_problems(contract, damaged.la_dir / "cin_details.csv"))
    renamed = GenerationSpec(out_dir=tmp_path / "renamed", scale=0.05, inject=("sql_in_file_name",))
    paths = generate(renamed)
    assert all(path.exists() for path in paths), "the list names the renamed file, not the original"
    assert sum(1 for p in paths if p.name.startswith("cin_details")) == 1


# --- files against their contracts ----------------------------------------------------------------------------------
def test_every_file_has_exactly_one_contract(small: tuple[GenerationSpec, list[Path]]) -> None:
    _, paths = small
    contracts = load_contracts()
    assert len(contracts) == 23
    for path in paths:
        owners = [c["table"] for c in contracts if fnmatch(path.name.lower(), c["file_pattern"].lower())]
        assert len(owners) == 1, f"{path.name} matches {owners}"
    for contract in contracts:
        assert any(fnmatch(p.name.lower(), contract["file_pattern"].lower()) for p in paths), contract["table"]


def test_contracts_follow_the_conventions() -> None:
    for contract in load_contracts():
        assert contract["domain"] == "social_care"
        assert {"table", "description", "source_return", "owner", "file_pattern", "primary_key", "columns"} <= set(
            contract)
        names = [column["name"] for column in contract["columns"]]
        from_name = set(re.compile(contract.get("file_fields", "")).groupindex)
        assert set(contract["primary_key"]) <= set(names) | from_name, contract["table"]
        for column in contract["columns"]:
            assert column["type"] in ("text", "identifier", "date", "integer", "decimal", "code", "boolean")
            if column["type"] == "date":
                assert column["format"] == ("%d/%m/%Y" if contract["file_pattern"].startswith(("903", "placement"))
                                            else "%Y-%m-%d"), (contract["table"], column["name"])
            if column["name"] in ("LAchildID", "CHILD", "UPN", "FormerUPN"):
                assert column["type"] == "identifier", (contract["table"], column["name"])


@pytest.mark.parametrize("table", [c["table"] for c in load_contracts()])
def test_files_hold_to_their_contract(small: tuple[GenerationSpec, list[Path]], table: str) -> None:
    _, paths = small
    contract = next(c for c in load_contracts() if c["table"] == table)
    files = [p for p in paths if fnmatch(p.name.lower(), contract["file_pattern"].lower())]
    problems = [problem for path in files for problem in contract_problems(contract, path)]
    assert not problems, problems[:10]
    assert sum(len(rows(path)) for path in files) > 0


def pseudonymise(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_files_pass_the_loaders_row_checks(small: tuple[GenerationSpec, list[Path]]) -> None:
    """The real loader (without a database): each file finds one contract and every row passes its checks."""
    _, paths = small
    contracts = tuple(parse_contract(path) for path in sorted(CONTRACT_DIR.glob("*.yml")))
    for path in paths:
        contract = contract_for(path.name, contracts)
        assert contract is not None, path.name
        assert contract.file_values(path.name) is not None, path.name
        loaded = sum(1 for _ in parsed_rows(path, contract, pseudonymise))
        assert loaded == len(rows(path)), path.name


def test_the_checker_catches_broken_files(small: tuple[GenerationSpec, list[Path]], tmp_path: Path) -> None:
    _, paths = small
    contract = next(c for c in load_contracts() if c["table"] == "cin_details")
    source = next(p for p in paths if p.name == "cin_details.csv").read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "cin_details.csv"
    second = source[1].split(",")
    second[3] = "ZZ"  # ReferralSource
    broken.write_text("\n".join([source[0], ",".join(second), source[1], *source[2:5]]) + "\n", encoding="utf-8")
    problems = contract_problems(contract, broken)
    assert any("ReferralSource not in the code list" in p for p in problems)
    assert any("duplicate primary key" in p for p in problems)


# --- identifiers ----------------------------------------------------------------------------------------------------
def test_identifiers_look_like_a_case_system(small: tuple[GenerationSpec, list[Path]]) -> None:
    spec = small[0]
    identifiers = rows(spec.la_dir / "cin_child_identifiers.csv")
    assert all(re.fullmatch(r"\d{6,7}", row["LAchildID"]) for row in identifiers)
    upns = [row["UPN"] for row in identifiers if row["UPN"]]
    assert len(upns) > len(identifiers) / 2
    assert all(re.fullmatch(r"[A-Z]\d{12}", upn) and upn[0] == upn_check_letter(upn[1:]) for upn in upns)
    assert len(set(upns)) == len(upns)
    header = rows(spec.la_dir / "903_header.csv")
    known = {row["LAchildID"] for row in identifiers}
    assert all(row["CHILD"] in known for row in header), "every looked-after child is in the CIN tables"
    upn_of = {row["LAchildID"]: row["UPN"] for row in identifiers}
    assert all(row["UPN"] in (upn_of[row["CHILD"]], "UN1", "UN2") for row in header)
    workers = {row["WorkerID"] for row in rows(spec.la_dir / "social_worker_caseloads.csv")}
    assert not workers & known


# --- coherent journeys ----------------------------------------------------------------------------------------------
def episodes_by_key(spec: GenerationSpec) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["LAchildID"], row["CINdetailsID"]): row for row in rows(spec.la_dir / "cin_details.csv")}


def test_cin_records_follow_the_referral(small: tuple[GenerationSpec, list[Path]]) -> None:
    spec = small[0]
    episodes = episodes_by_key(spec)
    bad: list[str] = []
    for line, row in enumerate(rows(spec.la_dir / "cin_assessments.csv"), start=2):
        episode = episodes[(row["LAchildID"], row["CINdetailsID"])]
        start, done = iso(row["AssessmentActualStartDate"]), iso(row["AssessmentAuthorisationDate"])
        if start < iso(episode["CINreferralDate"]) or (done and done < start):
            bad.append(f"cin_assessments.csv:{line}")
        if episode["CINclosureDate"] and (done is None or done > iso(episode["CINclosureDate"])):
            bad.append(f"cin_assessments.csv:{line} after closure")
    conferences: dict[tuple[str, str], set[date]] = defaultdict(set)
    for line, row in enumerate(rows(spec.la_dir / "cin_section47.csv"), start=2):
        episode = episodes[(row["LAchildID"], row["CINdetailsID"])]
        start, icpc = iso(row["S47ActualStartDate"]), iso(row["DateOfInitialCPC"])
        if start < iso(episode["CINreferralDate"]) or (icpc and icpc < start):
            bad.append(f"cin_section47.csv:{line}")
        if icpc and row["ICPCnotRequired"] != "false":
            bad.append(f"cin_section47.csv:{line} conference not required yet held")
        if icpc:
            conferences[(row["LAchildID"], row["CINdetailsID"])].add(icpc)
    plans = rows(spec.la_dir / "cin_child_protection_plans.csv")
    for line, row in enumerate(plans, start=2):
        key = (row["LAchildID"], row["CINdetailsID"])
        episode = episodes[key]
        start, end = iso(row["CPPstartDate"]), iso(row["CPPendDate"])
        if start not in conferences[key]:
            bad.append(f"cin_child_protection_plans.csv:{line} does not start at a conference")
        closed = iso(episode["CINclosureDate"])
        if (end and end < start) or (closed and (end is None or end > closed)):
            bad.append(f"cin_child_protection_plans.csv:{line} outside its episode")
    plan_dates = {(r["LAchildID"], r["CINdetailsID"], r["CPPID"]): (iso(r["CPPstartDate"]), iso(r["CPPendDate"]))
                  for r in plans}
    for line, row in enumerate(rows(spec.la_dir / "cin_cpp_reviews.csv"), start=2):
        start, end = plan_dates[(row["LAchildID"], row["CINdetailsID"], row["CPPID"])]
        review = iso(row["CPPreviewDate"])
        if review <= start or (end and review >= end):
            bad.append(f"cin_cpp_reviews.csv:{line} outside its plan")
    assert not bad, bad[:10]
    assert sum(1 for row in plans if int(row["NumberOfPreviousCPP"]) > 0) > 0


def test_a_child_has_one_open_episode_at_a_time(small: tuple[GenerationSpec, list[Path]]) -> None:
    spec = small[0]
    by_child: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for row in rows(spec.la_dir / "cin_details.csv"):
        if row["ReferralNFA"] == "false":
            by_child[row["LAchildID"]].append((iso(row["CINreferralDate"]), iso(row["CINclosureDate"]) or date.max))
    overlaps = 0
    for spans in by_child.values():
        spans.sort()
        overlaps += sum(1 for (_, end), (start, _) in itertools.pairwise(spans) if start <= end)
    assert overlaps == 0


def episodes_903(spec: GenerationSpec) -> dict[str, list[dict[str, str]]]:
    by_child: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows(spec.la_dir / "903_episodes.csv"):
        by_child[row["CHILD"]].append(row)
    for episodes in by_child.values():
        episodes.sort(key=lambda row: dmy(row["DECOM"]))
    return by_child


def test_903_episodes_are_well_formed(small: tuple[GenerationSpec, list[Path]]) -> None:
    spec = small[0]
    problems: list[str] = []
    place_fields = ("PLACE", "PLACE_PROVIDER", "PL_POST", "URN")
    for episodes in episodes_903(spec).values():
        if episodes[0]["RNE"] != "S":
            problems.append("a child's first episode does not start a period")
        for current, following in itertools.pairwise(episodes):
            ended, started = dmy(current["DEC"]), dmy(following["DECOM"])
            if ended is None or ended > started or ended <= dmy(current["DECOM"]):
                problems.append("overlapping or empty episodes")
                continue
            placement_changed = any(current[f] != following[f] for f in place_fields)
            legal_changed = current["LS"] != following["LS"]
            if current["REC"] == "X1":
                expected = {(True, False): "L", (True, True): "BU", (False, True): "PT"}.get(
                    (legal_changed, placement_changed), "?")
                if ended != started or following["RNE"] not in expected:
                    problems.append(f"{following['RNE']} does not describe the change")
                if following["RNE"] in "PBTU" and not current["REASON_PLACE_CHANGE"]:
                    problems.append("placement change without a reason")
                if following["RNE"] in "TU" and current["PL_POST"] != following["PL_POST"]:
                    problems.append("same carer at another address")
            elif following["RNE"] != "S" or started <= ended - timedelta(days=0):
                problems.append("a new period does not start with RNE S after the last one ended")
        last = episodes[-1]
        if last["DEC"] and last["REC"] in ("", "X1"):
            problems.append("a closed period without a reason ceased")
    assert not problems, sorted(set(problems))


def test_care_sits_inside_an_episode_of_need(small: tuple[GenerationSpec, list[Path]]) -> None:
    spec = small[0]
    need: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for row in rows(spec.la_dir / "cin_details.csv"):
        need[row["LAchildID"]].append((iso(row["CINreferralDate"]), iso(row["CINclosureDate"]) or date.max))
    outside = 0
    for child, episodes in episodes_903(spec).items():
        for episode in episodes:
            if episode["RNE"] == "S":
                started = dmy(episode["DECOM"])
                outside += not any(start <= started <= end for start, end in need[child])
    assert outside == 0


def test_local_extracts_line_up_with_the_returns(small: tuple[GenerationSpec, list[Path]]) -> None:
    spec = small[0]
    episode_keys = {(row["CHILD"], row["DECOM"]) for row in rows(spec.la_dir / "903_episodes.csv")}
    distance_keys = {(row["CHILD"], row["DECOM"]) for row in rows(spec.la_dir / "placement_distances.csv")}
    assert distance_keys == episode_keys
    referrals = [r for r in rows(spec.la_dir / "cin_details.csv") if iso(r["CINreferralDate"]) >= spec.start_date]
    referral_contacts = [r for r in rows(spec.la_dir / "contacts.csv") if r["Outcome"] == "REFERRAL"]
    assert len(referral_contacts) == len(referrals)
    contact_days = [iso(r["ContactDate"]) for r in rows(spec.la_dir / "contacts.csv")]
    assert all(spec.start_date <= day <= spec.extract_date for day in contact_days)
    population = rows(spec.la_dir / "child_population.csv")
    assert {int(r["Year"]) for r in population} == {2015, 2016, 2017, 2018, 2019}


def test_nothing_happens_after_the_extract_date(small: tuple[GenerationSpec, list[Path]]) -> None:
    spec = small[0]
    later = 0
    for path in spec.la_dir.glob("*.csv"):
        for row in rows(path):
            for name, value in row.items():
                if name in ("InitialCPCtarget", "ExpectedPersonBirthDate") or not value:
                    continue
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    later += iso(value) > spec.extract_date
                elif re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
                    later += dmy(value) > spec.extract_date
    assert later == 0


# --- the scale of the reference scorecards --------------------------------------------------------------------------
def headline_figures(la_dir: Path) -> dict[str, list[float]]:
    """The scorecard's headline social-care figures, computed from the files alone, per financial year."""
    details = rows(la_dir / "cin_details.csv")
    referrals_of: dict[str, list[date]] = defaultdict(list)
    for row in details:
        referrals_of[row["LAchildID"]].append(iso(row["CINreferralDate"]))
    figures: dict[str, list[float]] = defaultdict(list)
    contacts = [iso(r["ContactDate"]) for r in rows(la_dir / "contacts.csv")]
    assessments = {(r["LAchildID"], r["CINdetailsID"], r["AssessmentID"]): r
                   for r in rows(la_dir / "cin_assessments.csv") if r["AssessmentAuthorisationDate"]}
    referral_day = {(r["LAchildID"], r["CINdetailsID"]): iso(r["CINreferralDate"]) for r in details}
    plans = rows(la_dir / "cin_child_protection_plans.csv")
    episodes = [row for child in episodes_903_from(la_dir).values() for row in child]
    for year in YEARS:
        first, last = date(year, 4, 1), date(year + 1, 3, 31)
        in_year = [r for r in details if first <= iso(r["CINreferralDate"]) <= last]
        repeats = sum(1 for r in in_year if any(
            timedelta(0) < iso(r["CINreferralDate"]) - other <= timedelta(days=365)
            for other in referrals_of[r["LAchildID"]]))
        done = [a for key, a in assessments.items() if first <= iso(a["AssessmentAuthorisationDate"]) <= last]
        on_time = sum(1 for a in done if working_days_between(
            referral_day[(a["LAchildID"], a["CINdetailsID"])], iso(a["AssessmentAuthorisationDate"])) <= 45)
        new_plans = [p for p in plans if first <= iso(p["CPPstartDate"]) <= last]
        adopted = sum(1 for e in episodes if e["REC"] in ("E11", "E12") and first <= dmy(e["DEC"]) <= last)
        sgo = sum(1 for e in episodes if e["REC"] in ("E45", "E46") and first <= dmy(e["DEC"]) <= last)
        figures["contacts"].append(sum(1 for d in contacts if first <= d <= last))
        figures["referrals"].append(len(in_year))
        figures["repeat_referral_pct"].append(100 * repeats / len(in_year))
        figures["assessments_45wd_pct"].append(100 * on_time / len(done))
        figures["second_plan_pct"].append(100 * sum(int(p["NumberOfPreviousCPP"]) > 0 for p in new_plans)
                                          / len(new_plans))
        figures["adoptions"].append(adopted)
        figures["special_guardianship_orders"].append(sgo)
        label = f"{year}-{(year + 1) % 100:02d}"
        figures["care_leavers_oc3"].append(len(rows(la_dir / f"903_oc3_{label}.csv")))
        for day in quarter_ends(year):
            figures["cp_plans_at_quarter_end"].append(sum(
                1 for p in plans
                if iso(p["CPPstartDate"]) <= day and (not p["CPPendDate"] or iso(p["CPPendDate"]) > day)))
            figures["looked_after_at_quarter_end"].append(len({
                e["CHILD"] for e in episodes if dmy(e["DECOM"]) <= day and (not e["DEC"] or dmy(e["DEC"]) > day)}))
            figures["children_in_need_at_quarter_end"].append(sum(
                1 for r in details if r["ReferralNFA"] == "false" and iso(r["CINreferralDate"]) <= day
                and (not r["CINclosureDate"] or iso(r["CINclosureDate"]) > day)))
    return dict(figures)


def episodes_903_from(la_dir: Path) -> dict[str, list[dict[str, str]]]:
    by_child: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows(la_dir / "903_episodes.csv"):
        by_child[row["CHILD"]].append(row)
    return by_child


def in_range(values: list[float], low: float, high: float) -> Iterator[float]:
    return (value for value in values if not low <= value <= high)


def test_default_scale_matches_the_reference_scorecards(tmp_path: Path) -> None:
    """Four years at full scale (about 10 s here): the brief's headline volumes, computed from the files."""
    began = time.perf_counter()
    spec = GenerationSpec(out_dir=tmp_path)
    generate(spec)
    seconds = time.perf_counter() - began
    assert seconds < 60
    figures = headline_figures(spec.la_dir)
    print(f"\ngeneration {seconds:.1f} s")
    for name, values in figures.items():
        print(f"{name}: {[round(v, 1) for v in values]}")

    def mean(name: str) -> float:
        return sum(figures[name]) / len(figures[name])

    assert 8500 <= mean("contacts") <= 10500
    assert 2600 <= mean("referrals") <= 3400
    assert 17 <= mean("repeat_referral_pct") <= 24
    assert 80 <= mean("assessments_45wd_pct") <= 90
    assert 17 <= mean("second_plan_pct") <= 25
    assert 240 <= mean("cp_plans_at_quarter_end") <= 320
    assert 430 <= mean("looked_after_at_quarter_end") <= 530
    assert 1700 <= mean("children_in_need_at_quarter_end") <= 2000
    assert 170 <= mean("care_leavers_oc3") <= 260
    assert 15 <= mean("adoptions") <= 35
    assert 15 <= mean("special_guardianship_orders") <= 50
    assert not list(in_range(figures["cp_plans_at_quarter_end"], 180, 380))
    assert not list(in_range(figures["looked_after_at_quarter_end"], 380, 580))
    caseloads = rows(spec.la_dir / "social_worker_caseloads.csv")
    per_snapshot: dict[str, list[int]] = defaultdict(list)
    for row in caseloads:
        per_snapshot[row["SnapshotDate"]].append(int(row["CaseCount"]))
    averages = [sum(counts) / len(counts) for counts in per_snapshot.values()]
    print(f"average caseload: {min(averages):.1f}-{max(averages):.1f}")
    assert all(15 <= average <= 30 for average in averages)
    population = [r for r in rows(spec.la_dir / "child_population.csv") if r["Year"] == "2017"]
    assert 75000 <= sum(int(r["Population"]) for r in population) <= 77500

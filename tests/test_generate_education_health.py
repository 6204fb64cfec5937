"""The education, early help and health extract generators: determinism, contracts, internal consistency and,
at the default scale, the headline volumes of a shire county like Cheshire East.

Pure-logic tests: no database. The contract check here reads the YAML and the CSV directly, so it checks the files
against the contracts independently of the loader.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from scorecard.generate import early_help, education, health
from scorecard.generate._edu_calendar import SchoolCalendar, academic_year_of, fmt_collect, terms_of_year
from scorecard.generate._edu_ids import is_valid_nhs_number, is_valid_upn, upn_check_letter
from scorecard.generate.common import GenerationSpec

REPO = Path(__file__).resolve().parents[1]
CONTRACTS = REPO / "loaders" / "contracts"
DOMAINS = ("education", "early_help", "health")
SMALL = 0.05
MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}


def _generate(out: Path, seed: int = 7, scale: float = SMALL) -> Path:
    spec = GenerationSpec(out_dir=out, seed=seed, scale=scale)
    for module in (education, early_help, health):
        module.generate(spec)
    return spec.la_dir


@pytest.fixture(scope="module")
def la_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("edu_small"))


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _iso(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _dmy(value: str) -> date | None:
    return datetime.strptime(value, "%d/%m/%Y").date() if value else None


def _collect(value: str) -> date:
    year, month, day = value.split(" ")[0].split("-")
    return date(int(year), MONTHS[month], int(day))


def _contracts() -> list[dict]:
    found = []
    for domain in DOMAINS:
        for path in sorted((CONTRACTS / domain).glob("*.yml")):
            found.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def _digest(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*.csv"))}


# --- determinism -----------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(la_dir: Path, tmp_path: Path) -> None:
    again = _generate(tmp_path / "again")
    assert _digest(again) == _digest(la_dir)
    other = _generate(tmp_path / "other", seed=8)
    changed = [name for name, digest in _digest(other).items() if digest != _digest(la_dir)[name]]
    assert len(changed) >= len(_digest(la_dir)) - 2, f"a different seed changed only {changed}"


def test_every_module_returns_the_paths_it_wrote(tmp_path: Path) -> None:
    spec = GenerationSpec(out_dir=tmp_path, seed=3, scale=0.02)
    for module in (education, early_help, health):
        paths = module.generate(spec)
        assert paths and all(path.parent == spec.la_dir and path.exists() for path in paths)
        assert len(set(paths)) == len(paths)


# --- contracts -------------------------------------------------------------------------------------------------


def test_each_file_has_exactly_one_contract_and_each_contract_a_file(la_dir: Path) -> None:
    contracts = _contracts()
    files = sorted(path.name for path in la_dir.glob("*.csv"))
    for name in files:
        matching = [c["table"] for c in contracts if fnmatch.fnmatch(name.lower(), c["file_pattern"].lower())]
        assert len(matching) == 1, f"{name} matches {matching}"
    for contract in contracts:
        assert contract["domain"] in DOMAINS
        assert any(fnmatch.fnmatch(name, contract["file_pattern"]) for name in files), contract["table"]


def _check_value(column: dict, value: str) -> str | None:
    """Why a value breaks its column's contract, or None."""
    if value == "":
        return "required but blank" if column.get("required") else None
    kind = column["type"]
    if kind == "code" and value not in [str(code) for code in column["codes"]]:
        return f"{value!r} not in codes"
    if kind == "date":
        try:
            datetime.strptime(value, column.get("format", "%Y-%m-%d"))
        except ValueError:
            return f"{value!r} is not a date like {column.get('format', '%Y-%m-%d')}"
    if kind in ("integer", "decimal"):
        try:
            number = int(value) if kind == "integer" else float(value)
        except ValueError:
            return f"{value!r} is not a number"
        if "min" in column and number < column["min"] or "max" in column and number > column["max"]:
            return f"{value} is out of range"
    if kind == "boolean":
        allowed = [str(v) for v in column.get("true_values", ["1", "true", "y", "yes"])]
        allowed += [str(v) for v in column.get("false_values", ["0", "false", "n", "no"])]
        if value.lower() not in [v.lower() for v in allowed]:
            return f"{value!r} is not one of {allowed}"
    if "max_length" in column and len(value) > column["max_length"]:
        return f"{value!r} is longer than {column['max_length']}"
    return None


@pytest.mark.parametrize("contract", _contracts(), ids=lambda contract: contract["table"])
def test_file_conforms_to_its_contract(la_dir: Path, contract: dict) -> None:
    [path] = [p for p in la_dir.glob("*.csv") if fnmatch.fnmatch(p.name.lower(), contract["file_pattern"].lower())]
    columns = contract["columns"]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert header == [column["name"] for column in columns], f"{path.name}: header differs from the contract"
        keys: set[tuple[str, ...]] = set()
        key_positions = [header.index(name) for name in contract["primary_key"]]
        problems: list[str] = []
        rows = 0
        for line, row in enumerate(reader, start=2):
            rows += 1
            assert len(row) == len(header), f"{path.name} line {line}: {len(row)} fields"
            for column, value in zip(columns, row, strict=True):
                problem = _check_value(column, value)
                if problem:
                    problems.append(f"line {line} {column['name']}: {problem}")
            key = tuple(row[i] for i in key_positions)
            if any(part == "" for part in key) or key in keys:
                problems.append(f"line {line}: primary key {key} blank or repeated")
            keys.add(key)
        assert rows > 0, f"{path.name} is empty"
        assert not problems, f"{path.name}: {problems[:5]}"


def test_contract_owners_and_identifier_columns(la_dir: Path) -> None:
    identifiers = {"upn", "formerupn", "child", "child_id", "person_id", "nhs_number", "family_id",
                   "uniquelearnernumber"}
    for contract in _contracts():
        assert contract["owner"] and contract["owner"] != "unassigned"
        for column in contract["columns"]:
            if column["name"].lower() in identifiers:
                assert column["type"] == "identifier", f"{contract['table']}.{column['name']}"


def test_census_headers_are_the_collect_names() -> None:
    from scorecard.generate._edu_census import EXCLUSION_HEADER, PUPIL_HEADER

    assert PUPIL_HEADER[:3] == ("term", "year", "referencedate")
    for name in ("upn", "formerupn", "dob", "gender", "entrydate", "enrolstatus", "ncyearactual", "senprovision",
                 "termlysessionspossible", "termlysessionsauthorised", "termlysessionsunauthorised"):
        assert name in PUPIL_HEADER
    for name in ("startdate", "sessions", "incare", "category", "reason", "senprovision"):
        assert name in EXCLUSION_HEADER


# --- identifiers and calendar ----------------------------------------------------------------------------------


def test_upn_check_letter_matches_the_dfe_rule() -> None:
    # weights 2..13 over the twelve characters after the letter, remainder mod 23 into A..Z without I, O and S
    body = "895123412001"
    total = sum(int(char) * weight for weight, char in enumerate(body, start=2))
    assert upn_check_letter(body) == "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]
    assert is_valid_upn(upn_check_letter(body) + body)
    assert not is_valid_upn("A" + body) or upn_check_letter(body) == "A"


def test_identifiers_in_files_are_valid(la_dir: Path) -> None:
    upns = [row["upn"] for row in _rows(la_dir / "school_census_pupils.csv")]
    upns += [row["UPN"] for row in _rows(la_dir / "sen2_persons.csv")]
    assert upns and all(is_valid_upn(upn) for upn in upns)
    numbers = [row["nhs_number"] for row in _rows(la_dir / "diagnostic_pathway_events.csv")]
    assert numbers and all(is_valid_nhs_number(n) and n.startswith("999") for n in numbers)


def test_school_calendar() -> None:
    autumn, spring, summer = terms_of_year(2018)
    assert autumn.start < autumn.census_date < autumn.end < spring.start < spring.end < summer.start < summer.end
    assert spring.census_date.month == 1 and summer.census_date.month == 5 and autumn.census_date.month == 10
    calendar = SchoolCalendar(2018, 2018)
    days = calendar.school_days_between(autumn.start, summer.end)
    assert 185 <= days <= 195  # an English school year is 190 days
    assert calendar.school_days_between(date(2018, 12, 24), date(2019, 1, 1)) == 0
    assert fmt_collect(date(2019, 2, 4)) == "2019-Feb-04 00:00:00"
    assert academic_year_of(date(2019, 8, 31)) == 2018 and academic_year_of(date(2019, 9, 1)) == 2019


# --- internal consistency --------------------------------------------------------------------------------------


def test_sen_requests_assessments_and_plans_agree(la_dir: Path) -> None:
    persons = {row["UPN"] for row in _rows(la_dir / "sen2_persons.csv")}
    requests = {(row["UPN"], row["ReceivedDate"]): row for row in _rows(la_dir / "sen2_requests.csv")}
    assert requests
    for (upn, received), row in requests.items():
        assert upn in persons
        if row["RequestOutcomeDate"]:
            assert _iso(row["RequestOutcomeDate"]) >= _iso(received) and row["RequestOutcome"]
    for row in _rows(la_dir / "sen2_assessments.csv"):
        request = requests[(row["UPN"], row["ReceivedDate"])]
        assert request["RequestOutcome"] == "A"
        if row["AssessmentOutcomeDate"]:
            assert _iso(row["AssessmentOutcomeDate"]) > _iso(request["RequestOutcomeDate"])
    plans = list(_rows(la_dir / "ehcp_plans.csv"))
    assert {row["upn"] for row in plans} <= persons
    for row in plans:
        issued = _iso(row["plan_issued_date"])
        if row["transfer_from_statement"] == "N":
            received = _iso(row["request_received_date"])
            assert (row["upn"], row["request_received_date"]) in requests
            assert _iso(row["twenty_week_due_date"]) == received + timedelta(weeks=20)
            if issued:
                assert issued > received
            if row["ep_advice_received_date"]:
                assert _iso(row["ep_advice_received_date"]) > _iso(row["ep_advice_requested_date"]) > received
        else:
            assert row["statement_date"] and not row["twenty_week_due_date"]
            if issued:
                assert issued > _iso(row["statement_date"])
        if row["ceased_date"]:
            assert _iso(row["ceased_date"]) > (issued or _iso(row["statement_date"]))
    timely = [row for row in plans if row["transfer_from_statement"] == "N" and row["plan_issued_date"]]
    in_time = [row for row in timely if _iso(row["plan_issued_date"]) <= _iso(row["twenty_week_due_date"])]
    assert 0 < len(in_time) < len(timely), "some plans issued within 20 weeks, some not"
    with_exception = [row for row in timely if row["exception_applies"] == "Y"]
    assert with_exception, "some plans with an exception to the 20-week limit"


def test_annual_reviews_follow_their_plans(la_dir: Path) -> None:
    plans = {row["plan_id"]: row for row in _rows(la_dir / "ehcp_plans.csv")}
    reviews = list(_rows(la_dir / "ehcp_annual_reviews.csv"))
    assert reviews
    for row in reviews:
        plan = plans[row["plan_id"]]
        assert row["upn"] == plan["upn"]
        assert _iso(row["review_due_date"]) >= _iso(plan["plan_issued_date"]) + timedelta(days=365)
        if row["review_decision_date"]:
            assert _iso(row["review_decision_date"]) >= _iso(row["review_meeting_date"])
    outcomes = Counter(
        "open" if not row["review_decision_date"] else
        "in time" if _iso(row["review_meeting_date"]) <= _iso(row["review_due_date"]) else "late"
        for row in reviews
    )
    assert outcomes["in time"] and outcomes["late"] and outcomes["open"]


def _active_provision(plans: list[dict[str, str]]) -> dict[str, list[tuple[date, date | None, str]]]:
    active: dict[str, list[tuple[date, date | None, str]]] = defaultdict(list)
    for row in plans:
        issued, ceased = _iso(row["plan_issued_date"]), _iso(row["ceased_date"])
        if row["statement_date"]:
            active[row["upn"]].append((_iso(row["statement_date"]), issued or ceased, "S"))
        if issued:
            active[row["upn"]].append((issued, ceased, "E"))
    return active


def test_census_rows_agree_with_schools_plans_and_registers(la_dir: Path) -> None:
    schools = {row["URN"]: row for row in _rows(la_dir / "schools.csv")}
    provision = _active_provision(list(_rows(la_dir / "ehcp_plans.csv")))
    off_roll: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for name in ("ehe_register.csv", "cme_register.csv"):
        for row in _rows(la_dir / name):
            if row["upn"]:
                off_roll[row["upn"]].append((_iso(row["start_date"]), _iso(row["end_date"])))
    pupils: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in _rows(la_dir / "school_census_pupils.csv"):
        census = _collect(row["referencedate"])
        school = schools[row["urn"]]
        opened = datetime.strptime(school["OpenDate"], "%d-%m-%Y").date()
        closed = datetime.strptime(school["CloseDate"], "%d-%m-%Y").date() if school["CloseDate"] else None
        assert opened <= census and (closed is None or census <= closed), f"{row['urn']} closed on {census}"
        assert _collect(row["entrydate"]) <= census and _collect(row["dob"]) < census
        codes = {code for start, end, code in provision.get(row["upn"], []) if start <= census and (end is None or
                                                                                                     census < end)}
        if codes:
            assert row["senprovision"] in codes
        else:
            assert row["senprovision"] in ("N", "K")
        for start, end in off_roll.get(row["upn"], []):
            assert not (start <= census and (end is None or census < end)), "on roll while home educated or missing"
        collected = row["ncyearactual"] not in ("N1", "N2", "12", "13", "14")
        assert bool(row["termlysessionspossible"]) == collected
        if collected:
            possible = int(row["termlysessionspossible"])
            absent = int(row["termlysessionsauthorised"]) + int(row["termlysessionsunauthorised"])
            assert 0 < possible <= 2 * 80 and 0 <= absent <= possible
        pupils[(row["year"], row["term"], row["upn"])] = row
    exclusions = list(_rows(la_dir / "school_census_exclusions.csv"))
    assert {row["category"] for row in exclusions} >= {"FIXD", "PERM"}
    for row in exclusions:
        pupil = pupils[(row["year"], row["term"], row["upn"])]
        assert row["urn"] == pupil["urn"] and row["senprovision"] == pupil["senprovision"]
        assert (row["sessions"] == "") == (row["category"] == "PERM")


def test_registers_and_neet_are_consistent(la_dir: Path) -> None:
    for name in ("ehe_register.csv", "cme_register.csv"):
        rows = list(_rows(la_dir / name))
        assert rows
        for row in rows:
            assert row["end_date"] == "" or _iso(row["end_date"]) > _iso(row["start_date"])
            assert (row["end_date"] == "") == (row.get("end_reason", row.get("outcome")) == "")
    for row in _rows(la_dir / "neet_activity.csv"):
        snapshot, dob = _iso(row["snapshot_date"]), _iso(row["dob"])
        academic_year = academic_year_of(snapshot)
        age = academic_year - academic_year_of(dob) - 1
        assert int(row["academic_age"]) == age
        group = {"1": "EET", "2": "EET", "3": "EET", "4": "EET", "6": "NEET", "8": "UNKNOWN"}[row["activity_code"][0]]
        assert row["activity_group"] == group


def test_early_help_records_are_consistent(la_dir: Path) -> None:
    for row in _rows(la_dir / "early_help_assessments.csv"):
        start = _iso(row["start_date"])
        assert _iso(row["dob"]) <= start
        assert row["end_date"] == "" or _iso(row["end_date"]) > start
        assert row["completion_date"] == "" or _iso(row["completion_date"]) >= start
        assert (row["end_date"] == "") == (row["closure_reason"] == "")
    registered = {row["child_id"]: row for row in _rows(la_dir / "children_centre_registrations.csv")}
    for row in _rows(la_dir / "children_centre_engagement.csv"):
        child = registered[row["child_id"]]
        assert _iso(row["attendance_date"]) >= _iso(child["registration_date"])
    for row in registered.values():
        assert bool(row["vulnerability"]) == bool(row["vulnerability_start_date"])


def test_children_in_care_health_events_follow_entry_to_care(la_dir: Path) -> None:
    rows = list(_rows(la_dir / "initial_health_assessments.csv"))
    assert rows
    for row in rows:
        decom = _dmy(row["DECOM"])
        if row["IHA_REQUESTED"]:
            requested = datetime.strptime(row["IHA_REQUESTED"], "%d/%m/%Y %H:%M")
            assert requested.date() >= decom
            if row["IHA_COMPLETED"]:
                assert _dmy(row["IHA_COMPLETED"]) > requested.date()
        else:
            assert not row["IHA_COMPLETED"]
        assert bool(row["IHA_COMPLETED"]) == bool(row["IHA_COMPLETED_BY"])
    periods = {(row["CHILD"], row["DECOM"]) for row in rows}
    for name in ("review_health_assessments.csv", "dental_checks.csv"):
        for row in _rows(la_dir / name):
            assert (row["CHILD"], row["DECOM"]) in periods
    for row in _rows(la_dir / "review_health_assessments.csv"):
        assert _dmy(row["RHA_DUE"]) > _dmy(row["DECOM"])


def _upn(body: str) -> str:
    return upn_check_letter(body) + body


EPISODES_903 = [
    ("1001", "03/05/2017", "S", "", ""),  # still in care
    ("1002", "10/06/2016", "S", "01/09/2016", "X1"),
    ("1002", "01/09/2016", "P", "20/12/2016", "E13"),  # period ended
    ("1002", "15/01/2019", "S", "", ""),  # a second period
    ("1003", "28/02/2018", "S", "02/03/2018", "E11"),  # a very short period ending in adoption
]
HEADER_903 = [("1001", "01/01/2016", "UN1"), ("1002", "05/05/2008", _upn("201700108001")),
              ("1003", "09/09/2010", _upn("201700110002"))]


def _write_903(la_dir: Path) -> None:
    """The two SSDA903 files the social care generator writes, with three children."""
    header = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
              "HOME_POST", "PL_POST", "URN")
    with (la_dir / "903_episodes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for child, decom, rne, dec, rec in EPISODES_903:
            writer.writerow((child, decom, rne, "C2", "N1", "U1", "PR1", dec, rec, "", "", "", ""))
    with (la_dir / "903_header.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"))
        for child, dob, upn in HEADER_903:
            writer.writerow((child, "1", dob, "WBRI", upn, "", ""))


def test_census_in_care_flag_follows_the_903_periods(tmp_path: Path) -> None:
    spec = GenerationSpec(out_dir=tmp_path, seed=11, scale=0.02)
    _write_903(spec.la_dir)
    education.generate(spec)
    in_care = {
        HEADER_903[1][2]: [(date(2016, 6, 10), date(2016, 12, 20)), (date(2019, 1, 15), None)],
        HEADER_903[2][2]: [(date(2018, 2, 28), date(2018, 3, 2))],
    }
    seen: Counter[tuple[str, str]] = Counter()
    for row in _rows(spec.la_dir / "school_census_pupils.csv"):
        census = _collect(row["referencedate"])
        if row["upn"] in in_care:
            expected = any(start <= census and (end is None or census < end) for start, end in in_care[row["upn"]])
            assert row["incare"] == ("1" if expected else "0"), (row["upn"], census)
            seen[(row["upn"], row["incare"])] += 1
            if row["upn"] == HEADER_903[2][2]:
                assert row["adoptedfromcare"] == ("A" if census >= date(2018, 3, 2) else "")
        else:
            assert row["incare"] == "0", "only the 903 children are in care"
    assert seen[(HEADER_903[1][2], "1")] >= 3 and seen[(HEADER_903[2][2], "0")] >= 3
    dobs = {row["upn"]: row["dob"] for row in _rows(spec.la_dir / "school_census_pupils.csv")}
    assert dobs[HEADER_903[1][2]] == "2008-May-05 00:00:00"


def test_health_reads_the_903_episodes_when_social_care_wrote_them(tmp_path: Path) -> None:
    spec = GenerationSpec(out_dir=tmp_path, seed=11, scale=0.02)
    _write_903(spec.la_dir)
    health.generate(spec)
    iha = {(row["CHILD"], row["DECOM"]) for row in _rows(spec.la_dir / "initial_health_assessments.csv")}
    assert iha == {("1001", "03/05/2017"), ("1002", "10/06/2016"), ("1002", "15/01/2019"), ("1003", "28/02/2018")}
    reviews = [row for row in _rows(spec.la_dir / "review_health_assessments.csv")]
    ended = date(2016, 12, 20)
    for row in reviews:
        if row["CHILD"] == "1002" and row["DECOM"] == "10/06/2016":
            assert _dmy(row["RHA_DUE"]) <= ended
    # the child under five is reviewed every six months
    young = sorted(_dmy(row["RHA_DUE"]) for row in reviews if row["CHILD"] == "1001")
    assert len(young) >= 4 and (young[1] - young[0]).days < 250


def _month_ends(first: date, last: date) -> list[date]:
    ends = []
    day = first
    while day <= last:
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        ends.append(following - timedelta(days=1))
        day = following
    return ends


def waiting_list_by_month(path: Path, first: date, last: date) -> dict[tuple[str, str], list[dict[str, float]]]:
    """The nine monthly indicators per CCG and pathway, computed from the records."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in _rows(path):
        groups[(row["ccg_code"], row["pathway"])].append(row)
    result: dict[tuple[str, str], list[dict[str, float]]] = {}
    for key, rows in groups.items():
        months = []
        for month_end in _month_ends(first, last):
            month_start = month_end.replace(day=1)

            def waiting_on(day: date, rows: list[dict[str, str]] = rows) -> list[dict[str, str]]:
                return [r for r in rows if r["appropriate"] == "Y" and _iso(r["referral_date"]) <= day
                        and (not r["assessment_start_date"] or _iso(r["assessment_start_date"]) > day)
                        and (not r["removed_date"] or _iso(r["removed_date"]) > day)]

            waiting = waiting_on(month_end)
            referred = [r for r in rows if month_start <= _iso(r["referral_date"]) <= month_end]
            assessed = [r for r in rows if r["assessment_start_date"]
                        and month_start <= _iso(r["assessment_start_date"]) <= month_end]
            waits = [(month_end - _iso(r["referral_date"])).days / 7 for r in waiting]
            to_intervention = [(_iso(r["intervention_date"]) - _iso(r["assessment_start_date"])).days / 7
                               for r in rows if r["intervention_date"]
                               and month_start <= _iso(r["intervention_date"]) <= month_end]
            months.append({
                "awaiting_start": len(waiting_on(month_start - timedelta(days=1))),
                "awaiting": len(waiting),
                "average_wait": statistics.mean(waits) if waits else 0.0,
                "longest_wait": max(waits, default=0.0),
                "average_to_intervention": statistics.mean(to_intervention) if to_intervention else 0.0,
                "longest_to_intervention": max(to_intervention, default=0.0),
                "referrals": len(referred),
                "inappropriate": sum(r["appropriate"] == "N" for r in referred),
                "assessed": len(assessed),
                "removed": sum(1 for r in rows if r["removed_date"]
                               and month_start <= _iso(r["removed_date"]) <= month_end),
                "within_13_weeks": 100.0 * sum((_iso(r["assessment_start_date"]) - _iso(r["referral_date"])).days
                                               <= 91 for r in assessed) / len(assessed) if assessed else 0.0,
            })
        result[key] = months
    return result


def test_diagnostic_waiting_lists_reconcile_every_month(la_dir: Path) -> None:
    path = la_dir / "diagnostic_pathway_events.csv"
    for row in _rows(path):
        referred = _iso(row["referral_date"])
        assessed, removed = _iso(row["assessment_start_date"]), _iso(row["removed_date"])
        assert not (assessed and removed)
        if row["appropriate"] == "N":
            assert not assessed and not removed and not row["intervention_date"]
        assert (assessed is None or assessed >= referred) and (removed is None or removed > referred)
        assert bool(removed) == bool(row["removal_reason"])
        if row["intervention_date"]:
            assert assessed and _iso(row["intervention_date"]) > assessed
    by_month = waiting_list_by_month(path, date(2016, 4, 1), date(2020, 3, 31))
    assert {ccg for ccg, _ in by_month} == {"01C", "01R"}
    assert {pathway for _, pathway in by_month} == {"ASD", "ADHD", "OTHER"}
    for key, months in by_month.items():
        for month in months:
            appropriate = month["referrals"] - month["inappropriate"]
            expected = month["awaiting_start"] + appropriate - month["assessed"] - month["removed"]
            assert month["awaiting"] == expected, key


# --- headline volumes at the default scale ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_scale(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    started = time.perf_counter()
    folder = _generate(tmp_path_factory.mktemp("edu_default"), seed=42, scale=1.0)
    return folder, time.perf_counter() - started


def _quarter_ends(spec: GenerationSpec) -> list[date]:
    return [date(y + (m < 4), m, d) for y in range(spec.first_year, spec.first_year + spec.years)
            for m, d in ((6, 30), (9, 30), (12, 31), (3, 31))]


@pytest.mark.slow
def test_default_scale_headline_volumes(default_scale: tuple[Path, float]) -> None:
    la_dir, seconds = default_scale
    spec = GenerationSpec(out_dir=la_dir.parent)
    print(f"\ngenerated education, early help and health at scale 1 in {seconds:.1f}s")
    assert seconds < 180
    schools = list(_rows(la_dir / "schools.csv"))
    open_at_end = [s for s in schools if not s["CloseDate"]]
    print("schools open at the extract date", Counter(s["Phase"] for s in open_at_end))
    assert 145 <= len(open_at_end) <= 165
    pupils_per_census = Counter((row["year"], row["term"]) for row in _rows(la_dir / "school_census_pupils.csv"))
    print("pupils per census", min(pupils_per_census.values()), "-", max(pupils_per_census.values()))
    assert all(48_000 <= count <= 58_000 for count in pupils_per_census.values())
    plans = list(_rows(la_dir / "ehcp_plans.csv"))
    stock = {}
    for year in range(spec.first_year, spec.first_year + spec.years):
        day = date(year + 1, 3, 31)
        stock[year] = sum(1 for row in plans if row["plan_issued_date"] and _iso(row["plan_issued_date"]) <= day
                          and (not row["ceased_date"] or _iso(row["ceased_date"]) > day))
    print("EHC plans at 31 March", stock)
    assert 2000 <= stock[spec.first_year + spec.years - 1] <= 2700
    assert stock[spec.first_year + 3] > stock[spec.first_year + 2] > stock[spec.first_year + 1]
    sessions: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    per_pupil: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    phases = {s["URN"]: s["Phase"] for s in schools}
    for row in _rows(la_dir / "school_census_pupils.csv"):
        if row["termlysessionspossible"]:
            year = int(row["year"]) - (row["term"] != "AUT")
            possible = int(row["termlysessionspossible"])
            absent = int(row["termlysessionsauthorised"]) + int(row["termlysessionsunauthorised"])
            for target in (sessions[(year, phases[row["urn"]])], per_pupil[(year, phases[row["urn"]], row["upn"])]):
                target[0] += possible
                target[1] += absent
    for (year, phase), (possible, absent) in sorted(sessions.items()):
        pupils = [(p, a) for (y, ph, _), (p, a) in per_pupil.items() if y == year and ph == phase and p]
        persistent = 100 * sum(10 * a >= p for p, a in pupils) / len(pupils)
        print(f"attendance {year} {phase}: {100 * (1 - absent / possible):.1f}%, persistent absence {persistent:.1f}%")
        if phase == "Primary":
            assert 95.0 <= 100 * (1 - absent / possible) <= 97.0 and 5.0 <= persistent <= 11.0
        if phase == "Secondary":
            assert 93.5 <= 100 * (1 - absent / possible) <= 95.5 and 10.0 <= persistent <= 16.0
    halves = [(row["start_date"], row["end_date"]) for row in _rows(la_dir / "school_term_dates.csv")]
    per_half: Counter[tuple[str, str]] = Counter()
    for row in _rows(la_dir / "school_census_exclusions.csv"):
        day = _collect(row["startdate"]).isoformat()
        half = next((h for h in halves if h[0] <= day <= h[1]), None)
        per_half[(half[0] if half else "none", row["category"])] += 1
    fixed = [count for (_, category), count in per_half.items() if category == "FIXD"]
    permanent = [count for (_, category), count in per_half.items() if category == "PERM"]
    print(f"per half term: suspensions {min(fixed)}-{max(fixed)}, permanent {min(permanent)}-{max(permanent)}")
    assert 200 <= statistics.mean(fixed) <= 800 and 2 <= statistics.mean(permanent) <= 15
    ehe, cme = list(_rows(la_dir / "ehe_register.csv")), list(_rows(la_dir / "cme_register.csv"))
    for quarter_end in _quarter_ends(spec)[3::4]:
        on_ehe = sum(1 for r in ehe if _iso(r["start_date"]) <= quarter_end
                     and (not r["end_date"] or _iso(r["end_date"]) > quarter_end))
        active = [(quarter_end - _iso(r["start_date"])).days for r in cme if _iso(r["start_date"]) <= quarter_end
                  and (not r["end_date"] or _iso(r["end_date"]) > quarter_end)]
        short = sum(days <= 84 for days in active)
        print(f"{quarter_end}: EHE {on_ehe}, CME 12 weeks or less {short}, more {len(active) - short}")
        assert 200 <= on_ehe <= 600 and 5 <= short <= 80 and 10 <= len(active) - short <= 120
    iha = [row for row in _rows(la_dir / "initial_health_assessments.csv") if _dmy(row["DECOM"]) >= spec.start_date]
    requested = [row for row in iha if row["IHA_REQUESTED"]]
    in_48h = sum(datetime.strptime(r["IHA_REQUESTED"], "%d/%m/%Y %H:%M") - datetime.combine(_dmy(r["DECOM"]),
                 datetime.min.time()) <= timedelta(hours=48) for r in requested)
    print(f"IHA: {len(iha)} periods of care, {100 * in_48h / len(requested):.0f}% requested within 48 hours")
    assert 0.5 <= in_48h / len(requested) <= 0.95
    by_month = waiting_list_by_month(la_dir / "diagnostic_pathway_events.csv", spec.start_date, spec.extract_date)
    for key, months in sorted(by_month.items()):
        print(f"waiting list {key}: {months[0]['awaiting']} -> {months[-1]['awaiting']}, "
              f"within 13 weeks in the last month {months[-1]['within_13_weeks']:.0f}%")
    asd = [months[-1]["awaiting"] for (_, pathway), months in by_month.items() if pathway == "ASD"]
    assert all(50 <= count <= 1000 for count in asd)

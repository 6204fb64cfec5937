"""The quality gate on a real Postgres with real GX: severities and their overrides, checks against the previous
batch and across tables, samples without identifiers, and the gate working in SQL only."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from psycopg import sql

from scorecard import pipeline, publish
from scorecard.quality.gate import TableToCheck, run_gate
from scorecard.quality.relations import StagingScope
from scorecard.quality.suites import SuiteError, load_overrides, with_overrides
from scorecard.quality.trace import capture_sql
from scorecard.settings import PROJECT_ROOT
from tests.conftest import query
from tests.referrals_fixture import HEADER, write_referrals

pytestmark = pytest.mark.slow

EXPECTATIONS = PROJECT_ROOT / "expectations"
LA = "895"


def failures(wh, run_id: str, code: str | None = None) -> list[tuple]:
    rows = query(wh, "select check_code, severity, unexpected_count, failing_sample, expectation_kwargs, file_name, "
                     "data_owner from audit.dq_results where run_id = %s and not success order by result_id",
                 (run_id,))
    return [r for r in rows if code is None or r[0] == code]


def append_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def expectations_with(tmp_path: Path, overrides: str | None = None, suites: dict[str, dict] | None = None) -> Path:
    """A copy of expectations/ with a severity_overrides.yml and extra or replaced suites."""
    target = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS, target)
    if overrides is not None:
        (target / "severity_overrides.yml").write_text(overrides)
    for name, suite in (suites or {}).items():
        (target / f"{name}.json").write_text(json.dumps(suite))
    return target


def referrals(settings, **kwargs) -> Path:
    path = settings.landing_dir / LA / "cin_details.csv"
    write_referrals(path, **kwargs)
    return path


# -- severity ---------------------------------------------------------------------------------------------------------
def test_a_warning_loads_and_is_reported(warehouse, settings):
    path = referrals(settings, n=150)
    append_rows(path, [["555002", "CINW", "2018-05-01", "1A", "N1", "", "", "2018-04-01", "false"]])
    summary = pipeline.load(warehouse, settings, "warn")
    assert query(warehouse, "select count(*) from staging.cin_details") == [(151,)]
    [warning] = failures(warehouse, "warn", "ICPC_AFTER_REFERRAL")
    assert warning[1:3] == ("warning", 1)
    assert "ICPC_AFTER_REFERRAL" in {w.code for w in summary.warnings}
    page = (settings.reports_dir / "quality" / "quality_warn.html").read_text()
    assert "Passed with warnings" in page and "ICPC_AFTER_REFERRAL" in page


def test_an_override_makes_a_warning_block_the_load(warehouse, settings, tmp_path):
    strict = dataclasses.replace(settings, expectations_dir=expectations_with(
        tmp_path, "staging/cin_details:\n  ICPC_AFTER_REFERRAL: error\n"))
    path = referrals(strict, n=150)
    append_rows(path, [["555002", "CINW", "2018-05-01", "1A", "N1", "", "", "2018-04-01", "false"]])
    with pytest.raises(pipeline.LoadRejected, match="ICPC_AFTER_REFERRAL"):
        pipeline.load(warehouse, strict, "strict")
    assert failures(warehouse, "strict", "ICPC_AFTER_REFERRAL")[0][1:3] == ("error", 1)
    assert query(warehouse, "select to_regclass('staging.cin_details')") == [(None,)]


def test_an_override_lets_an_error_through_as_a_warning(warehouse, settings, tmp_path):
    lenient = dataclasses.replace(settings, expectations_dir=expectations_with(
        tmp_path, "staging/cin_details:\n  REFERRAL_DATE_PLAUSIBLE: warning\n"))
    path = referrals(lenient, n=150)
    append_rows(path, [["555001", "CINX", "1900-01-01", "1A", "N1", "", "", "", "false"]])
    pipeline.load(warehouse, lenient, "lenient")
    assert failures(warehouse, "lenient", "REFERRAL_DATE_PLAUSIBLE")[0][1:3] == ("warning", 1)
    assert query(warehouse, "select count(*) from staging.cin_details") == [(151,)]


def test_overrides_must_name_real_checks_and_severities(tmp_path):
    expectations = [{"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1},
                     "severity": "warning", "meta": {"code": "ROWS"}}]
    (tmp_path / "severity_overrides.yml").write_text("staging/t:\n  ROWS: error\n")
    [checked] = with_overrides("staging/t", expectations, load_overrides(tmp_path))
    assert checked["severity"] == "critical" and checked["meta"]["severity_in_suite"] == "warning"
    assert expectations[0]["severity"] == "warning"  # the suite itself is untouched
    for text, message in (("staging/t:\n  NOPE: error\n", "no such check"),
                          ("staging/t:\n  ROWS: fatal\n", "expected error or warning"),
                          ("staging/t:\n  903_517: error\n", "in quotes")):
        (tmp_path / "severity_overrides.yml").write_text(text)
        with pytest.raises(SuiteError, match=message):
            with_overrides("staging/t", expectations, load_overrides(tmp_path))


# -- against the previous batch ---------------------------------------------------------------------------------------
def test_row_count_is_checked_against_the_previous_batch_of_the_same_council(warehouse, settings):
    referrals(settings, n=200, seed=1)
    pipeline.load(warehouse, settings, "first")
    referrals(settings, n=90, seed=2)  # under half: an error, the delivery is not used
    with pytest.raises(pipeline.LoadRejected, match="ROW_COUNT_DROP"):
        pipeline.load(warehouse, settings, "cut_short")
    [drop] = failures(warehouse, "cut_short", "ROW_COUNT_DROP")
    assert drop[1] == "error" and drop[4]["min_value"] == 100
    assert query(warehouse, "select count(*) from staging.cin_details") == [(200,)]
    referrals(settings, n=150, seed=3)  # 75%: loaded, with a warning
    pipeline.load(warehouse, settings, "smaller")
    [smaller] = failures(warehouse, "smaller", "ROW_COUNT_VS_PREVIOUS")
    assert smaller[1] == "warning" and (smaller[4]["min_value"], smaller[4]["max_value"]) == (160, 300)
    assert query(warehouse, "select count(*) from staging.cin_details") == [(150,)]


def test_a_newer_file_with_older_data_is_reported(warehouse, settings):
    referrals(settings, n=200, start=date(2017, 4, 1), days=729)
    pipeline.load(warehouse, settings, "current")
    referrals(settings, n=200, seed=8, start=date(2016, 4, 1), days=365)
    pipeline.load(warehouse, settings, "stale")
    [stale] = [f for f in failures(warehouse, "stale", "FRESHNESS_NOT_OLDER") if f[5] == "cin_details.csv"]
    assert stale[1] == "warning"
    [sample] = stale[3]
    assert sample["latest_in_this_file"] < sample["latest_before"]


# -- across tables ----------------------------------------------------------------------------------------------------
ASSESSMENTS = ["LAchildID", "CINdetailsID", "AssessmentID", "AssessmentActualStartDate",
               "AssessmentInternalReviewDate", "AssessmentAuthorisationDate", "AssessmentFactors"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_cross_table_checks_compare_with_the_delivery_or_the_last_good_load(warehouse, settings):
    la_dir = settings.landing_dir / LA
    details = [["700001", "1", "2018-04-03", "1A", "N1", "", "", "", "false"],
               ["700002", "1", "2018-05-10", "2B", "N2", "2018-09-01", "RC7", "", "false"]]
    write_csv(la_dir / "cin_details.csv", HEADER, details)
    # One assessment refers to an episode the delivery does not have: rejected, with the failing row named.
    write_csv(la_dir / "cin_assessments.csv", ASSESSMENTS, [
        ["700001", "1", "A1", "2018-04-05", "", "2018-05-01", "1A"],
        ["700003", "1", "A2", "2018-04-05", "", "", "2B"]])
    with pytest.raises(pipeline.LoadRejected, match="REF_EPISODE"):
        pipeline.load(warehouse, settings, "orphan")
    [orphan] = failures(warehouse, "orphan", "REF_EPISODE")
    assert orphan[2] == 1 and orphan[3] == [{"_row_number": 3, "cindetailsid": "1", "assessmentid": "A2"}]
    # Both files good: loaded together.
    write_csv(la_dir / "cin_assessments.csv", ASSESSMENTS, [["700001", "1", "A1", "2018-04-05", "", "2018-05-01",
                                                             "1A"]])
    pipeline.load(warehouse, settings, "pair")
    assert failures(warehouse, "pair", "REF_EPISODE") == []
    # Only assessments change: compared with the episodes already in staging. One starts after its episode closed
    # (CIN census rule 8565), one before its referral (rule 1103).
    write_csv(la_dir / "cin_assessments.csv", ASSESSMENTS, [
        ["700002", "1", "A3", "2018-10-01", "", "2018-10-20", "1A"],
        ["700002", "1", "A4", "2018-05-01", "", "2018-05-20", "1A"]])
    with pytest.raises(pipeline.LoadRejected) as rejected:
        pipeline.load(warehouse, settings, "late")
    assert "CIN_8565" in str(rejected.value) and "CIN_1103" in str(rejected.value)
    assert {f[0]: f[2] for f in failures(warehouse, "late") if f[1] == "error"} == {"CIN_8565": 1, "CIN_1103": 1}


# -- identifiers ------------------------------------------------------------------------------------------------------
def test_samples_and_data_docs_never_hold_identifiers(warehouse, settings, tmp_path):
    def check(code: str, expectation: dict) -> dict:
        return {**expectation, "severity": "warning", "meta": {"code": code, "description": code}}

    suite = {"name": "staging/cin_details", "expectations": [
        check("ROWS_WITH_IDS", {"type": "unexpected_rows_expectation", "kwargs": {
            "unexpected_rows_query": "select lachildid, cindetailsid, _row_number from {batch}"}}),
        check("HASHED_UNDER_ANOTHER_NAME", {"type": "unexpected_rows_expectation", "kwargs": {
            "unexpected_rows_query": "select lachildid as reference, cindetailsid from {batch} b join {batch} c "
                                     "using (lachildid, cindetailsid)"}}),
        check("ID_VALUES", {"type": "expect_column_values_to_be_in_set",
                            "kwargs": {"column": "lachildid", "value_set": ["nobody"]}}),
        check("IDS_NOT_UNIQUE", {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "lachildid"}}),
    ]}
    custom = dataclasses.replace(settings, expectations_dir=expectations_with(
        tmp_path, suites={"staging/cin_details": suite}))
    referrals(custom, n=300)
    pipeline.load(warehouse, custom, "ids")
    hashes = {r[0] for r in query(warehouse, "select distinct lachildid from staging.cin_details")}
    assert hashes and all(re.fullmatch(r"[0-9a-f]{32}", h) for h in hashes)
    found = {f[0]: f for f in failures(warehouse, "ids")}
    assert found["ROWS_WITH_IDS"][2] == 300 and found["ID_VALUES"][2] == 300 and found["IDS_NOT_UNIQUE"][2] > 0
    assert [sorted(row) for row in found["ROWS_WITH_IDS"][3]] == [["_row_number", "cindetailsid"]] * 5
    assert {row["reference"] for row in found["HASHED_UNDER_ANOTHER_NAME"][3]} == {"<identifier withheld>"}
    assert found["ID_VALUES"][3] is None and found["IDS_NOT_UNIQUE"][3] is None
    stored = " ".join(str(v) for r in query(warehouse, "select observed_value, failing_sample, expectation_kwargs "
                                                       "from audit.dq_results") for v in r)
    pages = list((settings.reports_dir / "data_docs").rglob("*.html"))
    docs = " ".join(p.read_text(errors="ignore") for p in pages)
    reports = " ".join(p.read_text() for p in (settings.reports_dir / "quality").iterdir())
    for text in (stored, docs, reports):
        assert not any(h in text for h in hashes)
    assert any("cin_details" in p.name for p in pages)  # the Data Docs were built, and are scrubbed


# -- SQL only ---------------------------------------------------------------------------------------------------------
def test_the_gate_works_in_sql_and_reads_back_only_bounded_results(warehouse, settings):
    referrals(settings, n=3000)
    with warehouse.connect() as conn:  # a staged batch, as the loader leaves it, where every row fails a check
        pipeline.load(warehouse, settings, "base")
        conn.execute("create table load.cin_details__b999 as select * from staging.cin_details")
        conn.execute("update load.cin_details__b999 set primaryneedcode = null")  # CIN_8610 fails on every row
        conn.commit()
    check = TableToCheck(schema="load", table="cin_details__b999", suite="staging/cin_details",
                         identifier_columns=frozenset({"lachildid"}),
                         scope=StagingScope(LA, "cin_details", "cin_details__b999"))
    with capture_sql() as statements:
        results = run_gate(warehouse, "staging", [check], run_id="sql", expectations_dir=EXPECTATIONS)
    assert {r.code: r.unexpected_count for r in results}["CIN_8610"] == 3000
    kinds = {s.kind for s in statements}
    assert kinds <= {"catalogue", "aggregate", "limited", "failing_rows"}, kinds
    for statement in statements:
        text = " ".join(statement.sql.split()).lower()
        assert statement.kind != "failing_rows" or re.search(r"limit 200 /\* .* \*/$", text), text
        assert "cin_details__b999" in text or statement.kind == "catalogue"
    assert len(statements) < 5 * len(results)


# -- the mart gate and publishing -------------------------------------------------------------------------------------
def _build(wh, name: str) -> str:
    schema = publish.build_schema_name(name)
    with wh.connect() as conn:
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("create table {}.fct_scorecard (la_code text, measure_ref text, value numeric)").format(
            sql.Identifier(schema)))
        conn.execute(sql.SQL("insert into {}.fct_scorecard values ('895', 'CSC001', 10), ('895', 'CSC002', 140)")
                     .format(sql.Identifier(schema)))
    return schema


def _marts_suite(severity: str) -> dict:
    return {"name": "marts/fct_scorecard", "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "min_value": 0, "max_value": 100},
         "severity": severity, "meta": {"code": "UNDER_100", "description": "Values are at most 100."}}]}


def test_a_mart_warning_publishes_and_is_reported(warehouse, settings, tmp_path):
    lenient = dataclasses.replace(settings, expectations_dir=expectations_with(
        tmp_path, suites={"marts/fct_scorecard": _marts_suite("warning")}))
    schema = _build(warehouse, "warned")
    results = pipeline.gate_marts(warehouse, lenient, "warned", schema)
    pipeline.publish_build(warehouse, lenient, "warned", schema)
    assert [(r.code, r.severity, r.unexpected_count) for r in results if not r.success] == [("UNDER_100", "warning", 1)]
    assert query(warehouse, "select run_id, status, dq_run_id from audit.publications") == [
        ("warned", "current", "warned")]
    assert query(warehouse, "select count(*) from marts.fct_scorecard") == [(2,)]
    page = (settings.reports_dir / "quality" / "quality_warned.html").read_text()
    assert "Passed with warnings" in page and "UNDER_100" in page


def test_a_mart_error_blocks_publishing_and_marts_is_unchanged(warehouse, settings, tmp_path):
    first = _build(warehouse, "first")
    pipeline.publish_build(warehouse, settings, "first", first)
    before = query(warehouse, "select * from marts.fct_scorecard order by measure_ref")
    strict = dataclasses.replace(settings, expectations_dir=expectations_with(
        tmp_path, suites={"marts/fct_scorecard": _marts_suite("critical")}))
    schema = _build(warehouse, "blocked")
    with warehouse.connect() as conn:
        conn.execute(sql.SQL("update {}.fct_scorecard set value = 0").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("insert into {}.fct_scorecard values ('895', 'CSC003', 250)").format(
            sql.Identifier(schema)))
    with pytest.raises(pipeline.GateFailed, match="UNDER_100"):
        pipeline.gate_marts(warehouse, strict, "blocked", schema)
    assert query(warehouse, "select * from marts.fct_scorecard order by measure_ref") == before
    assert query(warehouse, "select run_id from audit.publications") == [("first",)]
    assert not query(warehouse, "select 1 from pg_namespace where nspname = %s", (schema,))


# -- tables delivered one file per year -------------------------------------------------------------------------------
HEADER_903 = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
OC2 = ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
       "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]


def oc2_rows(children: range) -> list[list[str]]:
    """Children aged 10-11 at 31 March 2019, looked after 12 months: conviction and SDQ score completed."""
    return [[str(c), "01/06/2008", "12", "", "0", "", "1", "1", "1", "0", "", ""] for c in children]


def test_a_file_per_year_is_compared_with_the_same_years_previous_file(warehouse, settings):
    la_dir = settings.landing_dir / LA
    write_csv(la_dir / "903_header.csv", HEADER_903,
              [[str(c), "1", "01/06/2008", "WBRI", f"UPN{c}", "", ""] for c in range(9000, 9012)])
    write_csv(la_dir / "903_oc2_2018-19.csv", OC2, oc2_rows(range(9000, 9010)))
    pipeline.load(warehouse, settings, "year1")
    assert failures(warehouse, "year1", "REF_CHILD_IN_HEADER") == []
    # 2019-20 arrives with four children and 2018-19 is delivered again cut to four: only 2018-19 has a previous
    # file to fall short of. The header is unchanged, so the references are checked against staging.
    write_csv(la_dir / "903_oc2_2019-20.csv", OC2, oc2_rows(range(9000, 9004)))
    write_csv(la_dir / "903_oc2_2018-19.csv", OC2, oc2_rows(range(9000, 9004)))
    with pytest.raises(pipeline.LoadRejected, match="ROW_COUNT_DROP"):
        pipeline.load(warehouse, settings, "year2")
    assert [(f[5], f[4]["min_value"]) for f in failures(warehouse, "year2", "ROW_COUNT_DROP")] == [
        ("903_oc2_2018-19.csv", 5)]
    assert failures(warehouse, "year2", "REF_CHILD_IN_HEADER") == []
    # Without the cut-short file, 2019-20 loads beside 2018-19; a child missing from the header is an error.
    (la_dir / "903_oc2_2018-19.csv").unlink()
    write_csv(la_dir / "903_oc2_2019-20.csv", OC2, oc2_rows(range(9000, 9004)) + oc2_rows(range(9100, 9101)))
    with pytest.raises(pipeline.LoadRejected, match="REF_CHILD_IN_HEADER"):
        pipeline.load(warehouse, settings, "year3")
    assert failures(warehouse, "year3", "REF_CHILD_IN_HEADER")[0][2] == 1
    write_csv(la_dir / "903_oc2_2019-20.csv", OC2, oc2_rows(range(9000, 9004)))
    pipeline.load(warehouse, settings, "year4")
    assert query(warehouse, "select collection_year, count(*) from staging.ssda903_oc2 group by 1 order by 1") == [
        ("2018", 10), ("2019", 4)]


# -- many councils in one load ----------------------------------------------------------------------------------------
def test_councils_share_row_level_checks_and_a_bad_file_rejects_only_its_own_council(warehouse, settings):
    for la, seed in (("895", 1), ("896", 2), ("897", 3)):
        write_referrals(settings.landing_dir / la / "cin_details.csv", n=150, seed=seed)
    bad = settings.landing_dir / "896" / "cin_details.csv"
    append_rows(bad, [["555001", "CINX", "1900-01-01", "1A", "N1", "", "", "", "false"]])  # REFERRAL_DATE_PLAUSIBLE
    with capture_sql() as statements, pytest.raises(pipeline.LoadRejected) as rejected:
        pipeline.load(warehouse, settings, "three")
    assert "council 896" in str(rejected.value) and "REFERRAL_DATE_PLAUSIBLE" in str(rejected.value)
    assert "council 895" not in str(rejected.value) and "council 897" not in str(rejected.value)
    assert query(warehouse, "select la_code, count(*) from staging.cin_details group by 1 order by 1") == [
        ("895", 150), ("897", 150)]
    # a check that passes everywhere ran once, over the three batches; one that failed ran again on each batch
    texts = [" ".join(s.sql.split()).lower() for s in statements]
    needs = [re.findall(r"cin_details__\w+", t) for t in texts if "primaryneedcode not in" in t]  # CIN_8650
    assert needs and all(set(tables) == {"cin_details__gate"} for tables in needs), needs
    plausible = {table for t in texts if "cinreferraldate >=" in t  # REFERRAL_DATE_PLAUSIBLE
                 for table in re.findall(r"cin_details__\w+", t)}
    assert len(plausible) == 4 and "cin_details__gate" in plausible, plausible
    [failure] = [f for f in failures(warehouse, "three") if f[1] == "error"]
    assert failure[0] == "REFERRAL_DATE_PLAUSIBLE" and failure[2] == 1 and failure[5] == "cin_details.csv"
    # every batch has one result for every check of its suite, shared or not
    suite = json.loads((EXPECTATIONS / "staging" / "cin_details.json").read_text())["expectations"]
    per_batch = query(warehouse, "select b.la_code, count(*) from audit.dq_results r "
                                 "join audit.load_batches b using (batch_id) "
                                 "where r.run_id = 'three' and r.table_name = 'cin_details' group by 1 order by 1")
    assert per_batch == [(la, len(suite)) for la in ("895", "896", "897")]
    [(batch_896,)] = query(warehouse, "select batch_id from audit.load_batches where la_code = '896' "
                                      "and table_name = 'cin_details'")
    assert query(warehouse, "select batch_id from audit.dq_results where run_id = 'three' and not success "
                            "and severity = 'error'") == [(batch_896,)]
    assert query(warehouse, "select count(*) from pg_views where viewname like '%%gate'") == [(0,)]


# -- the SQL screen ---------------------------------------------------------------------------------------------------
def _verdicts(results) -> dict[tuple, tuple]:
    return {(r.batch_id, r.suite, r.code, r.check_name, r.expectation): (r.success, r.unexpected_count,
                                                                        r.observed_value if r.success else None)
            for r in results}


def test_the_sql_screen_agrees_with_gx_on_every_check_of_two_councils(warehouse, settings, monkeypatch):
    """Two generated councils' deliveries, staged with faults that fail a key, a row count and an SQL check: the
    gate that screens row counts, keys and SQL checks in SQL first reaches GX's verdict on every check of every
    batch, records what GX records for the checks it settles, and leaves GX far fewer validations."""
    from loaders.contract import load_contracts
    from loaders.load import stage_delivery
    from scorecard.generate import generate_councils
    from scorecard.generate.common import GenerationSpec
    from scorecard.pseudonymise import Pseudonymiser, load_key
    from scorecard.quality import gate, screen

    generate_councils(GenerationSpec(out_dir=settings.landing_dir, scale=0.05, first_year=2019, years=1), 2)
    contracts = load_contracts(settings.contracts_dir)
    pseudonymise = Pseudonymiser(load_key(settings.embedded_dir))
    with warehouse.connect() as conn:
        deliveries = [stage_delivery(conn, la_dir, contracts, "screen", pseudonymise)
                      for la_dir in sorted(settings.landing_dir.iterdir())]
        conn.commit()
        first = {b.contract.table: b.candidate for b in deliveries[0].staged}
        # a duplicated referral (its key repeats), one council with no episodes, an episode ended with no reason
        conn.execute(sql.SQL("insert into load.{0} select * from load.{0} limit 1").format(
            sql.Identifier(first["cin_details"])))
        conn.execute(sql.SQL("delete from load.{}").format(sql.Identifier(first["ssda903_episodes"])))
        second = {b.contract.table: b.candidate for b in deliveries[1].staged}
        episodes = sql.Identifier(second["ssda903_episodes"])
        conn.execute(sql.SQL("update load.{0} set dec = null where ctid = (select min(ctid) from load.{0} "
                             "where dec is not null)").format(episodes))
        conn.commit()
    checks = [c for d in deliveries for c in pipeline._staging_checks(settings, d.staged)]
    validations = []
    real_validate = gate._validate_raw

    def counted(*args, **kwargs):  # a spy: GX still validates
        validations.append(args[3].table)
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(gate, "_validate_raw", counted)
    screened = run_gate(warehouse, "staging", checks, run_id="screened", expectations_dir=EXPECTATIONS, store=False)
    with_screen = len(validations)
    validations.clear()
    monkeypatch.setattr(screen, "screen", lambda conn, schema, table, expectations, parameters:
                        ([], list(expectations)))
    by_gx = run_gate(warehouse, "staging", checks, run_id="gx", expectations_dir=EXPECTATIONS, store=False)

    assert _verdicts(screened) == _verdicts(by_gx)
    failed = {(r.file_name, r.code) for r in screened if not r.success}
    assert {("cin_details.csv", "KEY_UNIQUE"), ("903_episodes.csv", "ROWS_PRESENT"),
            ("903_episodes.csv", "903_148")} <= failed, failed
    assert with_screen < len(validations) / 2, (with_screen, len(validations))

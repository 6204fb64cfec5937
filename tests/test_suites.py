"""The quality suites against the load contracts: no source arrives unchecked, every suite checks the columns its
contract delivers, and every check (including each SQL check) runs in Postgres against the contract's tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from psycopg import sql

from loaders.contract import Contract, load_contracts
from loaders.load import ensure_staging_table
from scorecard.quality.gate import TableToCheck, run_gate
from scorecard.quality.relations import DeliveredBatch, StagingScope
from scorecard.quality.suites import (
    PLACEHOLDER,
    QUERY_EXPECTATION,
    check_code,
    columns_named,
    load_overrides,
    load_suite,
    with_overrides,
)
from scorecard.settings import PROJECT_ROOT

CONTRACTS = PROJECT_ROOT / "loaders" / "contracts"
EXPECTATIONS = PROJECT_ROOT / "expectations"
CONTRACT_LIST = load_contracts(CONTRACTS)
BY_TABLE = {c.table: c for c in CONTRACT_LIST}
SUITE_FILES = sorted(EXPECTATIONS.rglob("*.json"))


def staging_columns(contract: Contract) -> list[str]:
    return ["la_code", "_batch_id", "_row_number", *contract.file_field_names, *(c.db_name for c in contract.columns)]


def suite_name(path: Path) -> str:
    return path.relative_to(EXPECTATIONS).with_suffix("").as_posix()


def outer_select_list(query: str) -> str:
    """The select list of the query's outermost select (after any ``with`` clause), up to its ``from``."""
    depth, start = 0, None
    lowered = query.lower()
    for i, ch in enumerate(lowered):
        depth += ch == "("
        depth -= ch == ")"
        word_starts = i == 0 or not (lowered[i - 1].isalnum() or lowered[i - 1] == "_")
        if depth == 0 and start is None and word_starts and re.match(r"select\b", lowered[i:]):
            start = i + len("select")
        elif depth == 0 and start is not None and lowered.startswith(" from ", i):
            return query[start:i]
    return query[start:] if start is not None else ""


def test_every_contract_has_a_staging_suite():
    missing = [f"{c.path.relative_to(PROJECT_ROOT)} -> expectations/staging/{c.table}.json" for c in CONTRACT_LIST
               if not (EXPECTATIONS / "staging" / f"{c.table}.json").exists()]
    assert missing == [], "sources without a quality suite:\n" + "\n".join(missing)


def test_every_staging_suite_has_a_contract():
    orphans = [p.name for p in (EXPECTATIONS / "staging").glob("*.json") if p.stem not in BY_TABLE]
    assert orphans == []


@pytest.mark.parametrize("path", SUITE_FILES, ids=suite_name)
def test_every_check_is_named_described_and_has_a_severity(path):
    suite = load_suite(EXPECTATIONS, suite_name(path))
    assert suite["name"] == suite_name(path)
    codes = [check_code(e) for e in suite["expectations"]]
    assert all(codes) and len(codes) == len(set(codes)), "each check needs its own meta.code"
    for expectation in suite["expectations"]:
        assert expectation["severity"] in {"critical", "warning"}, check_code(expectation)
        assert expectation["meta"].get("description"), check_code(expectation)


@pytest.mark.parametrize("path", SUITE_FILES, ids=suite_name)
def test_sql_checks_read_the_checked_table_and_name_real_tables(path):
    for expectation in load_suite(EXPECTATIONS, suite_name(path))["expectations"]:
        if expectation["type"] != QUERY_EXPECTATION:
            continue
        query = expectation["kwargs"]["unexpected_rows_query"]
        assert "{batch}" in query, check_code(expectation)
        for kind, table in PLACEHOLDER.findall(query):
            assert (table in BY_TABLE) if kind != "build" else path.parent.name == "marts", (check_code(expectation),
                                                                                              table)


@pytest.mark.parametrize("contract", CONTRACT_LIST, ids=lambda c: c.table)
def test_staging_suite_checks_what_its_contract_delivers(contract):
    suite = load_suite(EXPECTATIONS, f"staging/{contract.table}")["expectations"]
    columns = staging_columns(contract)
    by_type: dict[str, list[dict]] = {}
    for expectation in suite:
        by_type.setdefault(expectation["type"], []).append(expectation)
        assert columns_named(expectation) <= set(columns), (check_code(expectation), columns_named(expectation))
    [shape] = by_type["expect_table_columns_to_match_set"]
    assert sorted(shape["kwargs"]["column_set"]) == sorted(columns) and shape["kwargs"]["exact_match"]
    assert {e["kwargs"]["column"] for e in by_type["expect_column_values_to_be_of_type"]} == set(columns)
    not_null = {e["kwargs"]["column"] for e in by_type.get("expect_column_values_to_not_be_null", [])}
    assert {c.db_name for c in contract.columns if c.required} <= not_null
    code_lists = {e["kwargs"]["column"]: set(e["kwargs"]["value_set"])
                  for e in by_type.get("expect_column_values_to_be_in_set", [])}
    assert {c.db_name: set(c.codes) for c in contract.columns if c.type == "code"}.items() <= code_lists.items()
    keys = [contract.key_db_name(k) for k in contract.primary_key]
    if keys:
        unique = ([e["kwargs"]["column_list"] for e in by_type.get("expect_compound_columns_to_be_unique", [])]
                  + [[e["kwargs"]["column"]] for e in by_type.get("expect_column_values_to_be_unique", [])])
        assert keys in unique
    row_counts = [e for e in by_type["expect_table_row_count_to_be_between"] if e["meta"].get("previous_rows_ratio")]
    assert row_counts, "a check of the row count against the previous batch"
    identifiers = {c.db_name for c in contract.identifier_columns}
    for expectation in by_type.get(QUERY_EXPECTATION, []):
        listed = set(re.findall(r"\b\w+\b", outer_select_list(expectation["kwargs"]["unexpected_rows_query"])))
        assert not listed & identifiers, f"{check_code(expectation)} returns identifier columns"


def test_suites_are_valid_great_expectations_suites():
    import great_expectations as gx

    for path in SUITE_FILES:
        suite = load_suite(EXPECTATIONS, suite_name(path))
        gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"])


def test_severity_overrides_name_existing_checks():
    overrides = load_overrides(EXPECTATIONS)
    for suite, checks in overrides.items():
        expectations = with_overrides(suite, load_suite(EXPECTATIONS, suite)["expectations"], overrides)
        assert {check_code(e): e["severity"] for e in expectations if check_code(e) in checks} == {
            code: {"error": "critical", "warning": "warning"}[severity] for code, severity in checks.items()}


def test_an_empty_return_a_small_council_can_truly_have_is_reported_not_blocking():
    """A year with no adoption or no unaccompanied child is real for a small council: its header-only SSDA903 file
    must not reject the council's whole delivery. An empty file of a return every council has still blocks."""
    overrides = load_overrides(EXPECTATIONS)

    def rows_present(table: str) -> set[str]:
        suite = f"staging/{table}"
        expectations = with_overrides(suite, load_suite(EXPECTATIONS, suite)["expectations"], overrides)
        return {e["severity"] for e in expectations if check_code(e) == "ROWS_PRESENT"}

    for table in ("ssda903_ad1", "ssda903_placed_for_adoption", "ssda903_uasc"):
        assert rows_present(table) == {"warning"}, table
    for table in ("ssda903_episodes", "ssda903_header", "cin_details", "school_census_pupils"):
        assert rows_present(table) == {"critical"}, table


@pytest.mark.slow
def test_every_staging_check_runs_in_postgres_against_its_contracts_tables(warehouse, tmp_path):
    """Empty tables shaped by the contracts, staged as one delivery: no check may fail to run (a misspelt column,
    an SQL error, a placeholder naming a table that is not there)."""
    with warehouse.connect() as conn:
        for contract in CONTRACT_LIST:
            ensure_staging_table(conn, contract)
            conn.execute(sql.SQL("create table load.{} (like staging.{})").format(
                sql.Identifier(f"{contract.table}__b1"), sql.Identifier(contract.table)))
        conn.commit()
    delivery = tuple(DeliveredBatch(c.table, f"{c.table}__b1") for c in CONTRACT_LIST)
    checks = [TableToCheck(schema="load", table=f"{c.table}__b1", suite=f"staging/{c.table}", owner=c.owner,
                           identifier_columns=frozenset(col.db_name for col in c.identifier_columns),
                           scope=StagingScope("895", c.table, f"{c.table}__b1", delivery=delivery))
              for c in CONTRACT_LIST]
    results = run_gate(warehouse, "staging", checks, run_id="suites", expectations_dir=EXPECTATIONS,
                       docs_dir=tmp_path / "docs")
    assert len(results) == sum(len(load_suite(EXPECTATIONS, c.suite)["expectations"]) for c in checks)
    broken = [(r.table, r.check_name, r.error or r.observed_value) for r in results
              if r.error or str(r.observed_value).startswith("could not run")]
    assert broken == []
    assert {r.code for r in results if not r.success} == {"ROWS_PRESENT"}

"""The bad-input corpus: every injection of ``scorecard/generate/inject.py`` through the real load, with what must
happen. A rejected batch changes nothing (staging, raw and the published marts are compared before and after);
an accepted one is loaded with the repair the table documents."""

from __future__ import annotations

import dataclasses
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from scorecard import pipeline
from scorecard.generate import generate_all
from scorecard.generate.common import GenerationSpec
from scorecard.generate.inject import INJECTIONS
from scorecard.warehouse import Warehouse, bootstrap
from tests.conftest import _with_db

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Expect:
    outcome: str  # "rejected" or "accepted"
    says: tuple[str, ...] = ()  # what the error message must name (file, row, column, what was expected)
    repair: str = ""  # for an accepted case: what the loader did about it


CIN = ("cin_details.csv",)
CORPUS: dict[str, Expect] = {
    "missing_column": Expect("rejected", (*CIN, "row 1", "column ReferralSource", "this column in the header")),
    "extra_column": Expect("rejected", (*CIN, "column Notes", "an extra column")),
    "renamed_column": Expect("rejected", (*CIN, "column CINreferralDate", "column ReferralDate")),
    "header_case_and_spaces": Expect("accepted", repair="header cells matched ignoring case, spaces and punctuation"),
    "columns_reordered": Expect("accepted", repair="columns matched by name, not position"),
    "duplicate_header": Expect("rejected", (*CIN, "each column once")),
    "semicolon_delimiter": Expect("rejected", (*CIN, "row 1", "columns separated by ','", "separated by ';'")),
    "tab_delimiter": Expect("rejected", (*CIN, "row 1", "separated by tab")),
    "trailing_delimiter": Expect("rejected", (*CIN, "row 1", "an extra column")),
    "cp1252_encoding": Expect("rejected", (*CIN, "row ", "text encoded as utf-8", "byte 0xeb")),
    "utf16_encoding": Expect("rejected", (*CIN, "row 1", "text encoded as utf-8")),
    "utf8_bom": Expect("accepted", repair="the byte-order mark is dropped"),
    "crlf_line_endings": Expect("accepted", repair="Windows line endings read as line endings"),
    "blank_lines": Expect("accepted", repair="blank lines skipped"),
    "empty_file": Expect("rejected", (*CIN, "a header row and data", "an empty file")),
    "header_only": Expect("rejected", (*CIN, "staging quality gate failed", "cin_details")),
    "truncated_last_line": Expect("rejected", (*CIN, "row ", "expected")),
    "unterminated_quote": Expect("rejected", (*CIN, "row ", "well-formed CSV")),
    "nul_bytes": Expect("rejected", (*CIN, "row ", "text without NUL bytes")),
    "wrong_date_format": Expect("rejected", (*CIN, "row ", "column CINreferralDate", "a date like 2019-03-31")),
    "impossible_date": Expect("rejected", (*CIN, "row ", "column CINreferralDate", "a date like 2019-03-31")),
    "implausible_date": Expect("rejected", (*CIN, "staging quality gate failed")),
    "code_outside_list": Expect("rejected", (*CIN, "row ", "column ReferralSource", "one of the codes", "Z9")),
    "lower_case_code": Expect("rejected", (*CIN, "row ", "column PrimaryNeedCode", "one of the codes", "n1")),
    "missing_required_value": Expect("rejected", (*CIN, "row ", "column CINreferralDate", "a value (required)")),
    "whitespace_around_values": Expect("accepted", repair="spaces around typed values trimmed before the cast"),
    "duplicate_key": Expect("rejected", (*CIN, "row ", "LAchildID, CINdetailsID", "a unique")),
    "overlapping_episodes": Expect("rejected", ("903_episodes.csv", "staging quality gate failed")),
    "negative_count": Expect("rejected", ("social_worker_caseloads.csv", "row ", "column CaseCount", "at least 0")),
    "ten_mb_field": Expect("rejected", (*CIN, "row ", "well-formed CSV", "field larger than field limit")),
    "spreadsheet_formula": Expect("rejected", (*CIN, "row ", "column CINdetailsID", "spreadsheet formula")),
    "sql_in_values": Expect("accepted", repair="stored as data (COPY and bound parameters): never run"),
    "sql_in_file_name": Expect("accepted", repair="the file name is stored as data in audit.load_batches"),
    "non_latin_text": Expect("accepted", repair="UTF-8 text stored as it is"),
}


def test_corpus_covers_every_injection():
    assert set(CORPUS) == set(INJECTIONS)
    assert len(CORPUS) >= 30


@pytest.fixture(scope="module")
def baseline(server_url: str, tmp_path_factory: pytest.TempPathFactory):
    """One warehouse with a small council's social care loaded and published, shared by the corpus."""
    name = f"scorecard_test_corpus_{secrets.token_hex(4)}"  # unique: test sessions may run side by side
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    wh = Warehouse(_with_db(server_url, name))
    bootstrap(wh)
    root = tmp_path_factory.mktemp("corpus")
    generate_all(GenerationSpec(out_dir=root / "landing", scale=0.05), domains=("social_care",))
    from scorecard.settings import get_settings

    settings = dataclasses.replace(get_settings(), warehouse_url=wh.url, landing_dir=root / "landing",
                                   reports_dir=root / "reports", embedded_dir=root / "embedded")
    pipeline.run_all(wh, settings, "baseline")
    try:
        yield wh, settings, root
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _fingerprint(wh: Warehouse, table: str) -> tuple:
    with wh.connect() as conn:
        def digest(qualified: sql.Composable) -> str:
            return conn.execute(sql.SQL("select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) "
                                        "from {} t").format(qualified)).fetchone()[0]

        return (digest(sql.SQL("staging.{}").format(sql.Identifier(table))),
                digest(sql.SQL("raw.{}").format(sql.Identifier(table))),
                digest(sql.SQL("marts.fct_scorecard")),
                conn.execute("select oid from pg_namespace where nspname = 'marts'").fetchone()[0])


RESULTS: list[tuple[str, str, str]] = []


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_input(baseline, name: str, tmp_path: Path):
    wh, settings, root = baseline
    injection, expect = INJECTIONS[name], CORPUS[name]
    table = injection.target.removeprefix("903_").removesuffix(".csv")
    table = {"episodes": "ssda903_episodes"}.get(table, table)
    case = tmp_path / "landing" / "895"
    case.mkdir(parents=True)
    target = shutil.copy(root / "landing" / "895" / injection.target, case / injection.target)
    damaged = injection.apply(Path(target), __import__("random").Random(1))
    before = _fingerprint(wh, table)
    case_settings = dataclasses.replace(settings, landing_dir=tmp_path / "landing")
    try:
        pipeline.load(wh, case_settings, f"corpus_{name}")
        outcome, message = "accepted", expect.repair
    except pipeline.LoadRejected as exc:
        outcome, message = "rejected", str(exc)
    first_line = next((ln.strip() for ln in message.splitlines() if ": expected" in ln or "failing rows" in ln),
                      message)
    RESULTS.append((name, outcome, first_line[:160]))
    assert outcome == expect.outcome, message
    if outcome == "rejected":
        for fragment in expect.says:
            assert fragment in message, f"{fragment!r} not in:\n{message}"
        assert "Next:" in message
        assert _fingerprint(wh, table) == before, "a rejected batch changed the warehouse"
    else:
        after = _fingerprint(wh, table)
        assert after[2:] == before[2:], "a load changed the published marts"
        with wh.connect() as conn:
            assert conn.execute("select count(*) from audit.load_batches where file_name = %s and status = 'loaded'",
                                (damaged.name,)).fetchone()[0] == 1
        # Put the good file back so the next case starts from the baseline.
        pipeline.load(wh, settings, f"restore_{name}")


def test_print_corpus_table():
    """Prints the corpus as a table (case, outcome, message) for the closing note; run with -s to see it."""
    if not RESULTS:
        pytest.skip("run with the corpus cases to print the table")
    print("\n| case | outcome | message or repair |\n|---|---|---|")
    for name, outcome, message in sorted(RESULTS):
        print(f"| {name} | {outcome} | {message.replace('|', '/')} |")
    assert len(RESULTS) == len(CORPUS)

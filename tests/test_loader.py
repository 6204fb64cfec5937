"""The contract-driven loader against a real Postgres: COPY, pseudonymisation, idempotence, typed errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.contract import load_contracts
from loaders.errors import (
    AmbiguousDeliveryError,
    ContractViolation,
    DuplicateKeyError,
    EncodingError,
    HeaderError,
    UnknownFileError,
)
from loaders.load import promote, stage_delivery
from scorecard.pseudonymise import Pseudonymiser
from tests.conftest import FIXTURES, query
from tests.referrals_fixture import HEADER
from tests.referrals_fixture import write_referrals as _write_referrals

CONTRACTS = load_contracts(FIXTURES / "contracts")


def write_referrals(path: Path, **kwargs) -> list[list[str]]:
    """The referral fixture without its manifest: these tests load one table."""
    return _write_referrals(path, manifest=False, **kwargs)
PSEUDO = Pseudonymiser(b"test-key-not-secret-0123456789")


def _load(wh, la_dir: Path, run_id: str = "t1"):
    with wh.connect() as conn:
        delivery = stage_delivery(conn, la_dir, CONTRACTS, run_id, PSEUDO)
        promote(conn, delivery.staged)
    return delivery


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _staging_snapshot(wh) -> list[tuple]:
    return query(wh, "select * from staging.cin_details order by cindetailsid")


def test_load_copies_pseudonymises_and_records_the_batch(warehouse, tmp_path):
    rows = write_referrals(tmp_path / "895" / "cin_details.csv", n=50)
    delivery = _load(warehouse, tmp_path / "895")
    assert [b.rows for b in delivery.staged] == [50]
    staged = query(warehouse, "select lachildid, cinreferraldate::text, la_code from staging.cin_details "
                              "order by cindetailsid")
    assert len(staged) == 50
    assert staged[0][0] == PSEUDO(rows[0][0]) and staged[0][0] != rows[0][0]
    assert staged[0][1] == rows[0][2] and staged[0][2] == "895"
    raw_ids = {r[0] for r in rows}
    assert not raw_ids & {r[0] for r in query(warehouse, "select lachildid from raw.cin_details")}
    batch = query(warehouse, "select file_name, length(sha256), rows, status from audit.load_batches")
    assert batch == [("cin_details.csv", 64, 50, "loaded")]


def test_same_file_twice_is_a_no_op(warehouse, tmp_path):
    write_referrals(tmp_path / "895" / "cin_details.csv", n=30)
    _load(warehouse, tmp_path / "895", "first")
    before = _staging_snapshot(warehouse)
    second = _load(warehouse, tmp_path / "895", "second")
    assert second.staged == [] and second.unchanged == ["cin_details.csv"]
    assert _staging_snapshot(warehouse) == before
    assert query(warehouse, "select count(*) from audit.load_batches")[0][0] == 1
    assert query(warehouse, "select count(*) from raw.cin_details")[0][0] == 30


def test_a_new_snapshot_replaces_the_old_one(warehouse, tmp_path):
    write_referrals(tmp_path / "895" / "cin_details.csv", n=30, seed=1)
    _load(warehouse, tmp_path / "895", "first")
    write_referrals(tmp_path / "895" / "cin_details.csv", n=12, seed=2)
    _load(warehouse, tmp_path / "895", "second")
    assert query(warehouse, "select count(*) from staging.cin_details")[0][0] == 12
    statuses = query(warehouse, "select status from audit.load_batches order by batch_id")
    assert statuses == [("superseded",), ("loaded",)]


def test_header_case_spacing_and_bom_are_accepted(warehouse, tmp_path):
    header = ",".join(f"  {h.upper()} " for h in HEADER)
    _write(tmp_path / "895" / "cin_details.csv", "\ufeff" + header + "\n101,C1,2018-05-01,1A,N1,,,,false\n")
    delivery = _load(warehouse, tmp_path / "895")
    assert delivery.staged[0].rows == 1


@pytest.mark.parametrize(
    ("body", "error", "row", "column", "expected"),
    [
        ("101,C1,01/05/2018,1A,N1,,,,false", ContractViolation, 3, "CINreferralDate", "a date like 2019-03-31"),
        ("101,C1,2018-02-30,1A,N1,,,,false", ContractViolation, 3, "CINreferralDate", "a date like 2019-03-31"),
        ("101,C1,2018-05-01,ZZ,N1,,,,false", ContractViolation, 3, "ReferralSource", "one of the codes"),
        (",C1,2018-05-01,1A,N1,,,,false", ContractViolation, 3, "LAchildID", "a value (required)"),
        ("101,C1,2018-05-01,1A,N1,,,,maybe", ContractViolation, 3, "ReferralNFA", "one of"),
        ("101,C1,2018-05-01,1A,N1,,,", ContractViolation, 3, None, "9 fields"),
        ("101,C1,2018-05-01,1A,N1,,,,false\n101,C1,2018-06-01,1A,N1,,,,false", DuplicateKeyError, 4,
         "LAchildID, CINdetailsID", "a unique"),
    ],
    ids=["wrong-date-format", "impossible-date", "unknown-code", "missing-required", "bad-boolean",
         "truncated-line", "duplicate-key"],
)
def test_bad_rows_are_rejected_whole_with_file_row_column(warehouse, tmp_path, body, error, row, column, expected):
    good = tmp_path / "good" / "895"
    write_referrals(good / "cin_details.csv", n=20)
    _load(warehouse, good)
    before = _staging_snapshot(warehouse)
    raw_before = query(warehouse, "select count(*) from raw.cin_details")
    bad = _write(tmp_path / "bad" / "895" / "cin_details.csv",
                 ",".join(HEADER) + "\n102,C0,2018-04-02,1A,N1,,,,false\n" + body + "\n")
    with pytest.raises(error) as info:
        _load(warehouse, bad.parent, "bad")
    problem = info.value.problems[0]
    assert problem.file == "cin_details.csv" and problem.row == row and problem.column == column
    assert expected in problem.expected
    assert "cin_details.csv" in str(info.value) and "Next:" in str(info.value)
    assert _staging_snapshot(warehouse) == before
    assert query(warehouse, "select count(*) from raw.cin_details") == raw_before
    assert query(warehouse, "select status from audit.load_batches order by batch_id desc limit 1") == [("rejected",)]


@pytest.mark.parametrize("rows", [
    ["9876543,C1,2018-05-01,ZZ,N1,,,,false"],  # a bad code on the child's row
    ["9876543,C1,2018-05-01,1A,N1,,,,false", "9876543,C1,2018-05-02,1A,N1,,,,false"],  # the child's key twice
    [",C1,2018-05-01,1A,N1,,,,false", "9876543,C2,2018-05-01,1A,N1,,,,false"],  # a missing identifier
])
def test_identifier_values_are_never_echoed_in_errors(warehouse, tmp_path, rows):
    _write(tmp_path / "895" / "cin_details.csv", ",".join(HEADER) + "\n" + "\n".join(rows) + "\n")
    with pytest.raises((ContractViolation, DuplicateKeyError)) as info:
        _load(warehouse, tmp_path / "895")
    assert "9876543" not in str(info.value)
    assert PSEUDO("9876543") not in str(info.value)


def test_missing_extra_and_renamed_columns_are_header_errors(warehouse, tmp_path):
    header = [h for h in HEADER if h != "ReferralSource"] + ["ReferralSrc"]
    _write(tmp_path / "895" / "cin_details.csv", ",".join(header) + "\n")
    with pytest.raises(HeaderError) as info:
        _load(warehouse, tmp_path / "895")
    columns = {p.column for p in info.value.problems}
    assert {"ReferralSource", "ReferralSrc"} <= columns


def test_empty_file_and_wrong_encoding(warehouse, tmp_path):
    _write(tmp_path / "a" / "895" / "cin_details.csv", "")
    with pytest.raises(HeaderError, match="empty file"):
        _load(warehouse, tmp_path / "a" / "895")
    _write(tmp_path / "b" / "895" / "cin_details.csv",
           ",".join(HEADER) + "\n101,C1,2018-05-01,1A,N1,,,,false\n102,Zoë,2018-05-01,1A,N1,,,,false\n", "cp1252")
    with pytest.raises(EncodingError) as info:
        _load(warehouse, tmp_path / "b" / "895")
    assert info.value.problems[0].row == 3


def test_unknown_file_rejects_the_delivery(warehouse, tmp_path):
    write_referrals(tmp_path / "895" / "cin_details.csv", n=5)
    _write(tmp_path / "895" / "mystery.csv", "a,b\n1,2\n")
    with pytest.raises(UnknownFileError, match="mystery.csv"):
        _load(warehouse, tmp_path / "895")
    assert query(warehouse, "select count(*) from audit.load_batches")[0][0] == 0


def test_tables_delivered_one_file_per_year_replace_only_their_year(warehouse, tmp_path):
    contracts_dir = tmp_path / "contracts"
    contracts_dir.mkdir()
    (contracts_dir / "yearly.yml").write_text(
        "table: yearly_counts\ndomain: social_care\nfile_pattern: 'yearly_*.csv'\n"
        "file_fields: 'yearly_(?P<collection_year>\\d{4})\\.csv'\nprimary_key: [collection_year, CHILD]\n"
        "columns:\n  - {name: CHILD, type: identifier, required: true}\n  - {name: N, type: integer, min: 0}\n")
    load_contracts.cache_clear()
    contracts = load_contracts(contracts_dir)
    la = tmp_path / "landing" / "895"
    _write(la / "yearly_2018.csv", "CHILD,N\n1,5\n2,6\n")
    _write(la / "yearly_2019.csv", "CHILD,N\n1,7\n")
    with warehouse.connect() as conn:
        promote(conn, stage_delivery(conn, la, contracts, "r1", PSEUDO).staged)
    assert query(warehouse, "select collection_year, count(*) from staging.yearly_counts group by 1 order by 1") == [
        ("2018", 2), ("2019", 1)]
    _write(la / "yearly_2019.csv", "CHILD,N\n1,8\n3,1\n4,0\n")
    with warehouse.connect() as conn:
        delivery = stage_delivery(conn, la, contracts, "r2", PSEUDO)
        promote(conn, delivery.staged)
    assert delivery.unchanged == ["yearly_2018.csv"]
    assert query(warehouse, "select collection_year, count(*) from staging.yearly_counts group by 1 order by 1") == [
        ("2018", 2), ("2019", 3)]
    assert query(warehouse, "select file_key, status from audit.load_batches order by batch_id") == [
        ("2018", "loaded"), ("2019", "superseded"), ("2019", "loaded")]


def test_two_files_for_one_snapshot_table_are_ambiguous(warehouse, tmp_path):
    write_referrals(tmp_path / "895" / "cin_details.csv", n=5)
    write_referrals(tmp_path / "895" / "cin_details_copy.csv", n=5)
    with pytest.raises(AmbiguousDeliveryError, match="cin_details_copy.csv"):
        _load(warehouse, tmp_path / "895")


def _partitions(wh, table: str = "cin_details") -> list[str]:
    return [r[0] for r in query(wh, "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                                    "where i.inhparent = %s::regclass order by 1", (f"staging.{table}",))]


def test_each_batch_is_a_partition_and_a_new_one_leaves_other_councils_untouched(warehouse, tmp_path):
    write_referrals(tmp_path / "895" / "cin_details.csv", n=20, seed=1)
    write_referrals(tmp_path / "896" / "cin_details.csv", n=15, seed=2)
    first = _load(warehouse, tmp_path / "895", "a").staged[0]
    other = _load(warehouse, tmp_path / "896", "b").staged[0]
    assert _partitions(warehouse) == sorted([first.candidate, other.candidate])
    untouched = query(warehouse, "select xmin::text, cindetailsid from staging.cin_details where la_code = '896' "
                                 "order by cindetailsid")
    write_referrals(tmp_path / "895" / "cin_details.csv", n=7, seed=3)
    again = _load(warehouse, tmp_path / "895", "c").staged[0]
    # The replaced batch's partition is gone; the new one holds the council's rows; the other council's rows were
    # not rewritten (same row versions).
    assert _partitions(warehouse) == sorted([again.candidate, other.candidate])
    assert query(warehouse, "select la_code, count(*) from staging.cin_details group by 1 order by 1") == [
        ("895", 7), ("896", 15)]
    assert query(warehouse, "select xmin::text, cindetailsid from staging.cin_details where la_code = '896' "
                            "order by cindetailsid") == untouched
    assert query(warehouse, "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                            "where n.nspname = 'load'") == [(0,)]


def test_a_staging_table_from_before_partitioning_is_migrated_and_then_replaced(warehouse, tmp_path):
    write_referrals(tmp_path / "895" / "cin_details.csv", n=20, seed=1)
    write_referrals(tmp_path / "896" / "cin_details.csv", n=15, seed=2)
    _load(warehouse, tmp_path / "895", "a")
    _load(warehouse, tmp_path / "896", "b")
    before = query(warehouse, "select * from staging.cin_details order by la_code, cindetailsid")
    with warehouse.connect() as conn:  # what an older version left: a plain table holding both councils
        conn.execute("create table staging.plain (like staging.cin_details)")
        conn.execute("insert into staging.plain select * from staging.cin_details")
        conn.execute("drop table staging.cin_details")
        conn.execute("alter table staging.plain rename to cin_details")
        conn.commit()
    write_referrals(tmp_path / "895" / "cin_details.csv", n=9, seed=3)
    _load(warehouse, tmp_path / "895", "c")
    assert query(warehouse, "select relkind::text from pg_class where oid = 'staging.cin_details'::regclass") == [
        ("p",)]
    assert query(warehouse, "select la_code, count(*) from staging.cin_details group by 1 order by 1") == [
        ("895", 9), ("896", 15)]
    assert query(warehouse, "select * from staging.cin_details where la_code = '896' order by cindetailsid") == [
        r for r in before if r[0] == "896"]


def test_a_promotion_waits_for_a_reader_without_blocking_the_readers_behind_it(warehouse, tmp_path):
    import threading
    import time

    import psycopg

    write_referrals(tmp_path / "895" / "cin_details.csv", n=20, seed=1)
    _load(warehouse, tmp_path / "895", "a")
    write_referrals(tmp_path / "895" / "cin_details.csv", n=8, seed=2)
    with warehouse.connect() as conn:
        staged = stage_delivery(conn, tmp_path / "895", CONTRACTS, "b", PSEUDO).staged
    reader = psycopg.connect(warehouse.url)
    reader.execute("select count(*) from staging.cin_details")  # holds its lock until it ends its transaction
    done = threading.Event()

    def promote_in_background() -> None:
        with warehouse.connect() as conn:
            promote(conn, staged)
        done.set()

    worker = threading.Thread(target=promote_in_background)
    worker.start()
    try:
        time.sleep(2.5)
        assert not done.is_set(), "the promotion should wait for the open reader"
        # A later reader is not stuck behind the waiting promotion (it gives way between its attempts).
        with psycopg.connect(warehouse.url) as later:
            later.execute("set statement_timeout = '5s'")
            assert later.execute("select count(*) from staging.cin_details").fetchone() == (20,)
    finally:
        reader.rollback()
        reader.close()
        worker.join(timeout=30)
    assert done.is_set()
    assert query(warehouse, "select count(*) from staging.cin_details") == [(8,)]


def test_pseudonyms_remembered_while_reading_are_bounded_and_change_nothing(tmp_path, monkeypatch):
    import loaders.load as load

    rows = write_referrals(tmp_path / "cin_details.csv", n=60, seed=4)
    contract = next(c for c in CONTRACTS if c.table == "cin_details")
    identifier = next(i for i, c in enumerate(contract.columns) if c.type == "identifier")
    remembered = [values[identifier] for _, values in load.parsed_rows(tmp_path / "cin_details.csv", contract, PSEUDO)]
    monkeypatch.setattr(load, "SEEN_IDENTIFIERS", 2)  # forget almost at once: every id is hashed again
    forgetful = [values[identifier] for _, values in load.parsed_rows(tmp_path / "cin_details.csv", contract, PSEUDO)]
    assert remembered == forgetful == [PSEUDO(r[0]) if r[0].strip() else None for r in rows]


def test_values_the_quick_checks_do_not_settle_are_judged_exactly(warehouse, tmp_path):
    """Padded values, other spellings and dates outside the calendar take ``valid``'s exact path and are cast as
    before; quoted fields (a delimiter, a line break) reach raw as delivered."""
    body = ("101,C1, 2018-05-01 , 1A,N1,1850-01-01,,,TRUE\n"
            '102,"C,2",2018-05-02,1A,N1,,,,tRuE\n'
            '103,"C\n3",2018-05-03,1A,N1,,,,0\n'
            "104, C4,2018-05-04,1A,N1,,,,\n")
    _write(tmp_path / "895" / "cin_details.csv", ",".join(HEADER) + "\n" + body)
    _load(warehouse, tmp_path / "895")
    assert query(warehouse, "select cindetailsid, cinreferraldate::text, referralsource, cinclosuredate::text, "
                            "referralnfa from staging.cin_details order by cinreferraldate") == [
        ("C1", "2018-05-01", "1A", "1850-01-01", True), ("C,2", "2018-05-02", "1A", None, True),
        ("C\n3", "2018-05-03", "1A", None, False), (" C4", "2018-05-04", "1A", None, None)]
    assert query(warehouse, "select _row_number, cinreferraldate from raw.cin_details order by _row_number") == [
        (2, " 2018-05-01 "), (3, "2018-05-02"), (5, "2018-05-03"), (6, "2018-05-04")]


def test_rows_after_a_record_spanning_lines_are_numbered_by_line(warehouse, tmp_path):
    _write(tmp_path / "895" / "cin_details.csv", ",".join(HEADER) + '\n101,"C\n1",2018-05-01,1A,N1,,,,0\n'
           "102,C2,2018-05-02,ZZ,N1,,,,0\n")
    with pytest.raises(ContractViolation) as info:
        _load(warehouse, tmp_path / "895")
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "ReferralSource")]


def test_a_candidate_made_by_its_query_has_the_columns_and_constraints_of_staging(warehouse, tmp_path):
    """The cast creates the candidate from its query (``create table ... as``, for parallel workers): its columns,
    types, NOT NULLs and batch constraint are those ``_create_candidate`` declares, so it attaches to staging."""
    from psycopg import sql

    from loaders.load import _create_candidate

    write_referrals(tmp_path / "895" / "cin_details.csv", n=20)
    with warehouse.connect() as conn:
        delivery = stage_delivery(conn, tmp_path / "895", CONTRACTS, "t1", PSEUDO)
        (batch,) = delivery.staged
        _create_candidate(conn, batch.contract, "895", batch.batch_id, sql.Identifier("declared"))
        shape = ("select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull from pg_attribute a "
                 "where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum")
        made = conn.execute(shape, (f'load."{batch.candidate}"',)).fetchall()
        declared = conn.execute(shape, ("load.declared",)).fetchall()
        checks = ("select pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::regclass and contype = 'c' "
                  "order by 1")
        assert made == declared
        assert conn.execute(checks, (f'load."{batch.candidate}"',)).fetchall() == conn.execute(
            checks, ("load.declared",)).fetchall() == [(f"CHECK ((_batch_id = {batch.batch_id}))",),
                                                       ("CHECK ((la_code = '895'::text))",)]
        conn.rollback()
        promote(conn, delivery.staged)
    assert query(warehouse, "select count(*) from staging.cin_details")[0][0] == 20


def test_a_query_of_one_council_reads_only_that_councils_partitions_of_staging(warehouse, tmp_path):
    """Each batch's partition is checked to its council, so the planner leaves out the other councils' partitions
    of a query filtered by council, as an incremental build filters its inputs (staging is partitioned by batch)."""
    for seed, la in enumerate(("895", "896", "897")):
        write_referrals(tmp_path / la / "cin_details.csv", n=10, seed=seed)
        _load(warehouse, tmp_path / la)
    with warehouse.connect() as conn:
        partitions = dict(conn.execute(
            "select distinct la_code, (select c.relname from pg_class c where c.oid = s.tableoid)::text "
            "from staging.cin_details as s").fetchall())
        assert sorted(partitions) == ["895", "896", "897"]
        plan = "\n".join(r[0] for r in conn.execute(
            "explain select count(*) from staging.cin_details where la_code in ('896', '897')").fetchall())
    assert partitions["896"] in plan and partitions["897"] in plan
    assert partitions["895"] not in plan
    assert query(warehouse, "select la_code, count(*) from staging.cin_details where la_code in ('896') "
                            "group by 1") == [("896", 10)]


def test_a_raw_partition_has_statistics_before_it_is_cast(warehouse, tmp_path):
    """The cast joins the raw batch to the date calendars. With no statistics the planner takes a new partition
    for a few dozen rows and hashes the whole batch in place of the calendar (4.7 s against 2.1 s at 737,670
    rows), so the loader samples it first: a few hundred rows, so the batch's size and values are known."""
    write_referrals(tmp_path / "895" / "cin_details.csv", n=500, seed=3)
    _load(warehouse, tmp_path / "895")
    [(partition,)] = query(warehouse, "select c.relname::text from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                                      "where i.inhparent = 'raw.cin_details'::regclass")
    assert query(warehouse, "select reltuples from pg_class where oid = %s::regclass",
                 (f"raw.{partition}",)) == [(500,)]
    assert query(warehouse, "select count(*) > 0 from pg_stats where schemaname = 'raw' and tablename = %s",
                 (partition,)) == [(True,)]


def test_a_staging_table_is_analysed_again_only_when_enough_of_it_changed(warehouse, tmp_path):
    """Analysing a partitioned staging table samples every council's partitions again, so after a load it is
    analysed only when never analysed, or when the rows promoted since exceed autovacuum's rule (50 + 10%)."""
    from loaders.load import analyze_staging, staging_tables_due_analysis

    def load(la: str, n: int) -> list[str]:
        write_referrals(tmp_path / la / "cin_details.csv", n=n, seed=len(la) + n)
        _load(warehouse, tmp_path / la)
        with warehouse.connect() as conn:
            due = staging_tables_due_analysis(conn, {"cin_details"})
            analyze_staging(conn, due)
        return due

    assert load("895", 400) == ["cin_details"]  # never analysed
    assert load("896", 40) == []  # 40 rows promoted since: not more than 50 + 10% of 400
    assert load("897", 40) == []  # 80
    assert load("898", 40) == ["cin_details"]  # 120
    assert query(warehouse, "select reltuples from pg_class where oid = 'staging.cin_details'::regclass") == [(520,)]
    assert load("899", 40) == []  # 40, against 50 + 10% of 520


def _calendars(wh) -> list[tuple]:
    return query(wh, "select c.oid::bigint, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                     "where n.nspname = 'raw' and c.relname like '\\_calendar\\_%%' order by 2")


def test_a_date_calendar_is_made_once_and_an_emptied_one_still_judges_dates_exactly(warehouse, tmp_path):
    """The loader's date calendars are made the first time a format is needed and kept for every later batch; a
    calendar that has lost its rows only makes the check slower: a good date still loads, a bad one is still named."""
    write_referrals(tmp_path / "a" / "895" / "cin_details.csv", n=20, seed=1)
    _load(warehouse, tmp_path / "a" / "895")
    made = _calendars(warehouse)
    assert len(made) == 1  # the fixture's contract writes its dates in one format
    write_referrals(tmp_path / "b" / "896" / "cin_details.csv", n=15, seed=2)
    _load(warehouse, tmp_path / "b" / "896")
    assert _calendars(warehouse) == made
    with warehouse.connect() as conn:
        conn.execute(f"truncate raw.{made[0][1]}")  # noqa: S608 - a name read from the catalogue
    _write(tmp_path / "c" / "897" / "cin_details.csv",
           ",".join(HEADER) + "\n101,C1,2018-05-01,1A,N1,2018-06-30,RC1,,false\n")
    _load(warehouse, tmp_path / "c" / "897")
    assert query(warehouse, "select cinreferraldate::text, cinclosuredate::text from staging.cin_details "
                            "where la_code = '897'") == [("2018-05-01", "2018-06-30")]
    bad = _write(tmp_path / "d" / "898" / "cin_details.csv",
                 ",".join(HEADER) + "\n101,C1,2018-02-30,1A,N1,,,,false\n")
    with pytest.raises(ContractViolation) as info:
        _load(warehouse, bad.parent)
    assert (info.value.problems[0].row, info.value.problems[0].column) == (2, "CINreferralDate")

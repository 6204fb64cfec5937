"""The per-council incremental models (dbt_project/macros/incremental_councils.sql): after one council's extracts
are replaced (a later extract, one more month), or a council's data is withdrawn, an incremental build gives exactly
the rows a full refresh of the same data gives, and recomputes only the council whose data changed."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql

from scorecard import dbt, pipeline
from scorecard.generate import council_specs, generate_all, generate_councils
from scorecard.generate.common import GenerationSpec
from scorecard.settings import Settings
from scorecard.warehouse import Warehouse
from tests.conftest import query

pytestmark = pytest.mark.slow

SCALE = 0.1
WATERMARK = "_inputs_watermark"


def incremental_models(wh: Warehouse, settings: Settings) -> list[str]:
    """The models dbt materializes incrementally, from the manifest of the last build."""
    manifest = json.loads((dbt.target_dir(settings.dbt_project_dir, wh) / "manifest.json").read_text())
    return sorted(node["name"] for node in manifest["nodes"].values()
                  if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental")


def row_versions(wh: Warehouse, models: list[str]) -> dict[tuple[str, str], set[str]]:
    """The transaction ids that wrote each council's rows of each model (xmin)."""
    versions: dict[tuple[str, str], set[str]] = {}
    for model in models:
        statement = sql.SQL("select la_code, array_agg(distinct xmin::text) from transform.{} group by 1").format(
            sql.Identifier(model))
        for la_code, xmins in query(wh, statement.as_string()):
            versions[(model, la_code)] = set(xmins)
    return versions


def snapshot(wh: Warehouse, models: list[str], schema: str) -> None:
    """A copy of every incremental model's rows, to compare with a later build."""
    with wh.connect() as conn, conn.transaction():
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        for model in models:
            conn.execute(sql.SQL("create table {}.{} as select * from transform.{}").format(
                sql.Identifier(schema), sql.Identifier(model), sql.Identifier(model)))


def differences(wh: Warehouse, model: str, schema: str, other: str = "transform") -> tuple[int, int]:
    """Rows of ``schema.model`` missing from ``other.model``, and rows of ``other.model`` not in ``schema.model``
    (multisets: a duplicated row counts)."""
    both = []
    for left, right in ((schema, other), (other, schema)):
        statement = sql.SQL("select count(*) from (select * from {}.{} except all select * from {}.{}) as missing")
        both.append(query(wh, statement.format(sql.Identifier(left), sql.Identifier(model), sql.Identifier(right),
                                               sql.Identifier(model)).as_string())[0][0])
    return both[0], both[1]


FULL_PARSES: list[str] = []  # the builds of the fixture in which dbt parsed the whole project again


class _FullParses(logging.Handler):
    """Notes a build whose dbt said it could not parse partially (its vars, profile or target changed)."""

    def __init__(self, run_id: str) -> None:
        super().__init__(logging.INFO)
        self.run_id = run_id

    def emit(self, record: logging.LogRecord) -> None:
        if "Unable to do partial parsing" in record.getMessage():
            FULL_PARSES.append(self.run_id)


def build(wh: Warehouse, settings: Settings, run_id: str, full_refresh: bool = False) -> None:
    logger = logging.getLogger("scorecard.dbt")
    handler, level = _FullParses(run_id), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        schema = pipeline.build(wh, settings, run_id, full_refresh=full_refresh)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    pipeline.drop_build(wh, schema)


@dataclass
class Builds:
    wh: Warehouse
    models: list[str]
    changed: str  # the council whose extracts were replaced
    untouched: str
    before: dict[tuple[str, str], set[str]]  # row versions after the first build
    after: dict[tuple[str, str], set[str]]  # ... after the incremental build that followed the new extract
    after_full: dict[tuple[str, str], set[str]]  # ... after a full refresh of the same data
    withdrawn_after: dict[tuple[str, str], set[str]]  # ... after the changed council's data was withdrawn


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, server_url: str) -> Iterator[Builds]:
    """Two councils loaded and built; one council's extracts replaced by a later extract (one more month) and built
    incrementally, then with a full refresh; then that council's data withdrawn and built incrementally, then
    with a full refresh. The rows of the builds after the new extract are kept (schemas inc_new_extract and
    full_new_extract); those after the withdrawal are inc_withdrawn and, for the full refresh, transform."""
    import secrets

    import psycopg

    from scorecard.settings import get_settings
    from scorecard.warehouse import bootstrap
    from tests.conftest import _with_db

    name = f"scorecard_test_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        wh = Warehouse(_with_db(server_url, name))
        bootstrap(wh)
        base_dir = tmp_path_factory.mktemp("incremental")
        settings = dataclasses.replace(get_settings(), warehouse_url=wh.url, landing_dir=base_dir / "landing",
                                       reports_dir=base_dir / "reports", embedded_dir=base_dir / "embedded")
        base = GenerationSpec(out_dir=settings.landing_dir, scale=SCALE, first_year=2019, years=1)
        generate_councils(base, 2)
        untouched_spec, changed_spec = council_specs(base, 2)
        pipeline.load(wh, settings, "first")
        build(wh, settings, "first")
        models = incremental_models(wh, settings)
        before = row_versions(wh, models)

        generate_all(dataclasses.replace(changed_spec, extra_months=1))
        loaded = pipeline.load(wh, settings, "later", la_codes=[changed_spec.la_code])
        assert loaded.loaded, "the later extract loaded no batch"
        build(wh, settings, "later")
        after = row_versions(wh, models)
        snapshot(wh, models, "inc_new_extract")
        build(wh, settings, "later_full", full_refresh=True)
        after_full = row_versions(wh, models)
        snapshot(wh, models, "full_new_extract")

        # the changed council withdrawn: its batches superseded and its staging rows gone
        with wh.connect() as conn, conn.transaction():
            tables = [r[0] for r in conn.execute(
                "select distinct table_name from audit.load_batches where la_code = %s and status = 'loaded'",
                (changed_spec.la_code,)).fetchall()]
            for table in tables:
                conn.execute(sql.SQL("delete from staging.{} where la_code = %s").format(sql.Identifier(table)),
                             (changed_spec.la_code,))
            conn.execute("update audit.load_batches set status = 'superseded' where la_code = %s "
                         "and status = 'loaded'", (changed_spec.la_code,))
        build(wh, settings, "withdrawn")
        withdrawn_after = row_versions(wh, models)
        snapshot(wh, models, "inc_withdrawn")
        build(wh, settings, "withdrawn_full", full_refresh=True)
        yield Builds(wh, models, changed_spec.la_code, untouched_spec.la_code, before, after, after_full,
                     withdrawn_after)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


HEAVY = {"int_social_care__measure_members", "int_measures_social_care", "int_education__pupil_attendance_to_date",
         "int_measures_education", "int_measures_health", "int_measures_early_help"}


def test_the_heavy_per_council_models_are_incremental_and_carry_a_watermark(builds: Builds):
    assert HEAVY <= set(builds.models)
    for model in builds.models:
        columns = [r[0] for r in query(builds.wh, "select column_name from information_schema.columns "
                                       "where table_schema = 'transform' and table_name = %s", (model,))]
        assert WATERMARK in columns, model
        assert not query(builds.wh, f"select 1 from transform.{model} where {WATERMARK} is null limit 1"), model  # noqa: S608


def test_a_build_after_a_build_parses_only_what_changed(builds: Builds):
    """Each build's marts go to a schema of their own, but dbt builds them in the same one (renamed afterwards), so
    its vars stay the same from build to build and it parses the project partially: a change of vars made every
    build parse the whole project again (9 s at 150 councils, a fifth of an incremental build). The first build
    of a warehouse has nothing saved to parse from."""
    assert FULL_PARSES == ["first"]


def test_an_incremental_build_after_a_later_extract_equals_a_full_refresh(builds: Builds):
    for model in builds.models:
        assert differences(builds.wh, model, "inc_new_extract", "full_new_extract") == (0, 0), model
    # the later extract did change what the changed council's rows are: the comparison is not between two no-ops
    changed_models = [m for m in builds.models
                      if builds.before.get((m, builds.changed)) != builds.after.get((m, builds.changed))]
    assert HEAVY <= set(changed_models)


def test_an_incremental_build_recomputes_only_the_council_whose_data_changed(builds: Builds):
    for model in builds.models:
        untouched = builds.before.get((model, builds.untouched))
        assert untouched, f"{model} has no rows for {builds.untouched}"
        assert builds.after.get((model, builds.untouched)) == untouched, f"{model} rewrote {builds.untouched}"
        rewritten = builds.after.get((model, builds.changed))
        assert rewritten and not rewritten & builds.before[(model, builds.changed)], \
            f"{model} kept rows of {builds.changed} from before its new extract"
    # a full refresh rewrites everyone: the check above can tell the two apart
    for model in builds.models:
        assert builds.after_full[(model, builds.untouched)] != builds.after[(model, builds.untouched)], model


def test_a_withdrawn_council_is_deleted_and_the_rest_equals_a_full_refresh(builds: Builds):
    for model in builds.models:
        assert not query(builds.wh, f"select 1 from inc_withdrawn.{model} where la_code = %s limit 1",  # noqa: S608
                         (builds.changed,)), f"{model} kept the withdrawn council's rows"
        assert differences(builds.wh, model, "inc_withdrawn") == (0, 0), model
        assert builds.withdrawn_after[(model, builds.untouched)] == builds.after_full[(model, builds.untouched)], \
            f"{model} rewrote {builds.untouched} although only the other council's data went"


def test_the_build_command_offers_a_full_refresh(capsys):
    from scorecard.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["build", "--help"])
    assert "--full-refresh" in capsys.readouterr().out
    assert build_parser().parse_args(["build", "--full-refresh"]).full_refresh



# -- data tests of the incremental models test only the councils they have not passed on --------------------------
BROKEN_CHILD = "broken-by-test"
EPISODES_FILE = "models/intermediate/social_care/_social_care__models.yml"
EPISODES_UNIQUE = """            column_name: "la_code || '|' || child_key || '|' || episode_start_date"
    columns:
      - name: child_key
        data_tests: [not_null]
      - name: period_number"""
# a data test of an incremental model that the data of one council can break without breaking any staging test
EPISODES_TEST = "episode_child_not_broken"
EPISODES_TEST_YAML = f"""            column_name: "la_code || '|' || child_key || '|' || episode_start_date"
      - not_null:
          name: {EPISODES_TEST}
          arguments:
            column_name: "nullif(child_key, '{BROKEN_CHILD}')"
    columns:
      - name: child_key
        data_tests: [not_null]
      - name: period_number"""


def project_with_breakable_test(tmp_path: Path) -> Path:
    from scorecard.settings import PROJECT_ROOT

    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    path = project / EPISODES_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(EPISODES_UNIQUE) == 1
    path.write_text(text.replace(EPISODES_UNIQUE, EPISODES_TEST_YAML), encoding="utf-8")
    return project


def set_child(wh: Warehouse, la_code: str, old: str, new: str) -> None:
    with wh.connect() as conn, conn.transaction():
        conn.execute("update staging.ssda903_episodes set child = %s where la_code = %s and child = %s",
                     (new, la_code, old))


def touch_batches(wh: Warehouse, la_code: str, mark: str) -> None:
    """A new loaded batch of ssda903_episodes for ``la_code`` (holding no rows): to the incremental models, that
    council's data changed."""
    with wh.connect() as conn, conn.transaction():
        conn.execute("insert into audit.load_batches (run_id, la_code, domain, table_name, file_name, file_key, "
                     "sha256, rows, status) values ('test', %s, 'social_care', 'ssda903_episodes', 'touch.csv', %s, "
                     "%s, 0, 'loaded')", (la_code, mark, mark))


def data_test_results(wh: Warehouse, settings: Settings) -> dict[str, tuple[str, str]]:
    """Each data test of the last build: its status and the SQL it ran."""
    results = json.loads((dbt.target_dir(settings.dbt_project_dir, wh) / "run_results.json").read_text())
    return {r["unique_id"].split(".")[2]: (r["status"], r.get("compiled_code") or "")
            for r in results["results"] if r["unique_id"].startswith("test.")}


def incremental_model_tests(wh: Warehouse, settings: Settings) -> set[str]:
    manifest = json.loads((dbt.target_dir(settings.dbt_project_dir, wh) / "manifest.json").read_text())
    incremental = {uid for uid, node in manifest["nodes"].items()
                   if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"}
    return {uid.split(".")[2] for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "test" and node.get("attached_node") in incremental}


def test_data_tests_of_incremental_models_test_the_rebuilt_councils_and_still_fail_on_bad_data(
        warehouse: Warehouse, settings: Settings, tmp_path):
    settings = dataclasses.replace(settings, dbt_project_dir=project_with_breakable_test(tmp_path))
    base = GenerationSpec(out_dir=settings.landing_dir, scale=SCALE, first_year=2019, years=1)
    generate_councils(base, 2)
    first, second = (spec.la_code for spec in council_specs(base, 2))
    pipeline.load(warehouse, settings, "first")
    build(warehouse, settings, "first")
    results = data_test_results(warehouse, settings)
    assert results[EPISODES_TEST][0] == "pass"
    code = results[EPISODES_TEST][1]
    assert f"'{first}'" in code and f"'{second}'" in code, "the first build tests every council"
    child = query(warehouse, "select min(child) from staging.ssda903_episodes where la_code = %s", (first,))[0][0]

    # the first council's data changes, and breaks the test: the incremental build tests that council, and fails
    set_child(warehouse, first, child, BROKEN_CHILD)
    touch_batches(warehouse, first, "touch-1")
    with pytest.raises(dbt.DbtError):
        build(warehouse, settings, "broken")
    results = data_test_results(warehouse, settings)
    assert results[EPISODES_TEST][0] == "fail"
    assert f"la_code in ('{first}')" in results[EPISODES_TEST][1]
    assert not [name for name, (_, code) in results.items() if f"'{second}'" in code]

    # a re-run rebuilds nothing (the rows are there, with a current watermark) but tests that council again
    with pytest.raises(dbt.DbtError):
        build(warehouse, settings, "broken_again")
    assert data_test_results(warehouse, settings)[EPISODES_TEST][0] == "fail"

    # repaired: the council passes, and the next build has nothing to test on the incremental models
    set_child(warehouse, first, BROKEN_CHILD, child)
    touch_batches(warehouse, first, "touch-2")
    build(warehouse, settings, "repaired")
    results = data_test_results(warehouse, settings)
    assert results[EPISODES_TEST][0] == "pass"
    # every test of an incremental model tested the rebuilt council (the social-care models read the episodes) or,
    # on a model that council's change did not touch, nothing
    scoped = incremental_model_tests(warehouse, settings)
    assert len(scoped) > 60 and EPISODES_TEST in scoped
    kinds = {name: "council" if f"la_code in ('{first}') or la_code is null)) dbt_subquery" in results[name][1] else
             "nothing" if "la_code is null) dbt_subquery" in results[name][1] else "all" for name in scoped}
    assert set(kinds.values()) == {"council", "nothing"}, [name for name, kind in kinds.items() if kind == "all"]
    assert kinds[EPISODES_TEST] == "council"
    assert all(results[name][0] == "pass" for name in scoped)
    build(warehouse, settings, "unchanged")
    results = data_test_results(warehouse, settings)
    assert all("la_code is null) dbt_subquery" in results[name][1] and "la_code in (" not in results[name][1]
               for name in scoped)

    # staging changed under the other council without a new batch: an incremental build neither rebuilds nor
    # retests it (its rows passed and did not change); a full refresh rebuilds and tests every council, and fails
    set_child(warehouse, second, query(warehouse, "select min(child) from staging.ssda903_episodes "
                                                  "where la_code = %s", (second,))[0][0], BROKEN_CHILD)
    build(warehouse, settings, "stale")
    with pytest.raises(dbt.DbtError):
        build(warehouse, settings, "stale_full", full_refresh=True)
    results = data_test_results(warehouse, settings)
    assert results[EPISODES_TEST][0] == "fail" and "la_code in" not in results[EPISODES_TEST][1]


# -- row-level tests of the staging tables test only the batches they have not passed on ---------------------------
DECOM_TEST = "source_not_null_ssda903_ssda903_episodes_decom"


def batches_in(code: str) -> set[int] | None:
    """The batches a scoped staging test ran on (from its SQL), or None when it ran on the whole table."""
    if "scorecard-tested-batches:" not in code:
        return None
    listed = code.split("scorecard-tested-batches:", 1)[1].split("*/", 1)[0].strip()
    return {int(b) for b in listed.split(",")} if listed else set()


def loaded_batches(wh: Warehouse, table: str, la_code: str | None = None) -> set[int]:
    rows = query(wh, "select batch_id from audit.load_batches where table_name = %s and status = 'loaded' "
                     "and (%s::text is null or la_code = %s)", (table, la_code, la_code))
    return {r[0] for r in rows}


def test_row_level_staging_tests_test_only_new_batches_and_still_fail_on_bad_rows(warehouse: Warehouse,
                                                                                    settings: Settings):
    base = GenerationSpec(out_dir=settings.landing_dir, scale=SCALE, first_year=2019, years=1)
    generate_councils(base, 2)
    first, second = (spec.la_code for spec in council_specs(base, 2))
    pipeline.load(warehouse, settings, "first")
    build(warehouse, settings, "first")
    results = data_test_results(warehouse, settings)
    staging_tests = {name for name in results if name.startswith("source_not_null_")
                     and not name.startswith("source_not_null_config_")}
    assert len(staging_tests) > 100
    # the first build tests every loaded batch; the next, with nothing new, tests none
    assert batches_in(results[DECOM_TEST][1]) == loaded_batches(warehouse, "ssda903_episodes")
    assert all(results[name][0] == "pass" for name in staging_tests)
    build(warehouse, settings, "unchanged")
    results = data_test_results(warehouse, settings)
    assert {name: batches_in(results[name][1]) for name in staging_tests} == {name: set() for name in staging_tests}

    # one council's new month: only its new batches are tested, and a bad row in one of them fails the build
    spec = dataclasses.replace(council_specs(base, 2)[0], extra_months=1)
    generate_all(spec)
    before = loaded_batches(warehouse, "ssda903_episodes")
    pipeline.load(warehouse, settings, "month", la_codes=[first])
    new = loaded_batches(warehouse, "ssda903_episodes") - before
    assert new and new == loaded_batches(warehouse, "ssda903_episodes", first)
    with warehouse.connect() as conn, conn.transaction():
        conn.execute("update staging.ssda903_episodes set decom = null where ctid = (select min(ctid) from "
                     "staging.ssda903_episodes where _batch_id = %s)", (min(new),))
    with pytest.raises(dbt.DbtError):
        build(warehouse, settings, "broken")
    results = data_test_results(warehouse, settings)
    assert results[DECOM_TEST][0] == "fail" and batches_in(results[DECOM_TEST][1]) == new
    assert not loaded_batches(warehouse, "ssda903_episodes", second) & batches_in(results[DECOM_TEST][1])
    # a failed test records nothing: the next build tests the same batch again
    with pytest.raises(dbt.DbtError):
        build(warehouse, settings, "broken_again")
    assert data_test_results(warehouse, settings)[DECOM_TEST][0] == "fail"

    # repaired, it passes and is not tested again; a full refresh tests every row
    with warehouse.connect() as conn, conn.transaction():
        conn.execute("update staging.ssda903_episodes set decom = '2019-04-01' where decom is null")
    build(warehouse, settings, "repaired")
    results = data_test_results(warehouse, settings)
    assert results[DECOM_TEST][0] == "pass" and batches_in(results[DECOM_TEST][1]) == new
    build(warehouse, settings, "repaired_again")
    assert batches_in(data_test_results(warehouse, settings)[DECOM_TEST][1]) == set()
    build(warehouse, settings, "full", full_refresh=True)
    assert batches_in(data_test_results(warehouse, settings)[DECOM_TEST][1]) is None

"""Atomic publishing of a validated build, rollback, and clean-up of old publications.

dbt builds the marts into a fresh schema (``marts_build_<run>``); after the mart gate has passed, ``publish`` swaps
it in as ``marts`` in one transaction: grants first, then the current ``marts`` is renamed to an archive schema
(``marts_pub_<id>``) and the build renamed to ``marts``. A reader sees the old tables or the new ones, never a
missing or half-built table. Schema renames lock only the schema's catalogue row, not the tables in it, so a long
BI query on the old tables keeps running. Old archives are dropped with a short lock timeout, so a long query
only postpones their clean-up and never blocks a publish.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from dataclasses import dataclass

import psycopg
from psycopg import sql

from scorecard.warehouse import Warehouse

log = logging.getLogger(__name__)

PUBLISHED = "marts"
BUILD_PREFIX = "marts_build_"
# Where dbt builds the marts: always the same schema, renamed to the run's own (``build_schema_name``) once dbt is
# done. dbt parses the whole project again whenever its vars change, and a schema named per run in its vars cost
# every build a full parse (9 s). Builds take turns (``pipeline.build``'s lock), so one name serves them all.
BUILDING = "marts_building"
ARCHIVE_PREFIX = "marts_pub_"
READER_ROLE = "bi_reader"
# Marts tables that stay inside the service: readable by the transformer and analysts granted them by name,
# never by the BI role.
INTERNAL_TABLES = ("fct_social_care_measure_members",)


class PublishError(RuntimeError):
    """The publication could not be made; ``marts`` is unchanged."""


@dataclass(frozen=True)
class Publication:
    publication_id: int
    run_id: str
    build_schema: str
    row_counts: dict[str, int]


def build_schema_name(run_id: str) -> str:
    safe = "".join(ch if ch.isalnum() else "_" for ch in run_id.lower())[:40]
    return f"{BUILD_PREFIX}{safe}"


def schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone() is not None


def _tables(conn: psycopg.Connection, schema: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select table_name from information_schema.tables where table_schema = %s order by table_name",
        (schema,)).fetchall()]


def _grant_reader(conn: psycopg.Connection, schema: str) -> None:
    """Let bi_reader read the build's tables. Made on the build before the swap, inside the publishing transaction,
    so the grants travel with the schema: they are part of the publication and survive the rename."""
    ident = sql.Identifier(schema)
    conn.execute(sql.SQL("grant usage on schema {} to {}").format(ident, sql.Identifier(READER_ROLE)))
    conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(ident, sql.Identifier(READER_ROLE)))
    for table in INTERNAL_TABLES:  # record-level: pseudonymous keys are still personal data, not for BI readers
        if conn.execute("select to_regclass(%s)", (f'"{schema}"."{table}"',)).fetchone()[0]:
            conn.execute(sql.SQL("revoke select on {}.{} from {}").format(
                ident, sql.Identifier(table), sql.Identifier(READER_ROLE)))


def publish(wh: Warehouse, build_schema: str, run_id: str, *, batch_ids: list[int] | None = None,
            dq_run_id: str | None = None, lock_timeout: str = "10s", note: str | None = None) -> Publication:
    """Swap ``build_schema`` in as ``marts`` in one transaction and record the publication."""
    if not build_schema.startswith(BUILD_PREFIX):
        raise PublishError(f"{build_schema} is not a build schema (expected a name starting {BUILD_PREFIX})")
    by = os.environ.get("SCORECARD_PUBLISHED_BY") or getpass.getuser()
    with wh.connect() as conn:
        if not schema_exists(conn, build_schema):
            raise PublishError(f"The build schema {build_schema} does not exist: run `scorecard build` first.")
        counts = {t: conn.execute(sql.SQL("select count(*) from {}.{}").format(
            sql.Identifier(build_schema), sql.Identifier(t))).fetchone()[0] for t in _tables(conn, build_schema)}
        try:
            with conn.transaction():
                conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(lock_timeout)))
                # One publish at a time; a second waits for the first to commit.
                conn.execute("select pg_advisory_xact_lock(hashtext('scorecard:publish'))")
                _grant_reader(conn, build_schema)
                publication_id = conn.execute(
                    "insert into audit.publications (run_id, published_by, build_schema, status, batch_ids, "
                    "dq_run_id, row_counts, note) values (%s, %s, %s, 'current', %s, %s, %s, %s) "
                    "returning publication_id",
                    (run_id, by, build_schema, batch_ids or [], dq_run_id, json.dumps(counts), note)).fetchone()[0]
                if schema_exists(conn, PUBLISHED):
                    previous = conn.execute(
                        "select publication_id from audit.publications where status = 'current' "
                        "and publication_id <> %s order by publication_id desc limit 1", (publication_id,)).fetchone()
                    archive = f"{ARCHIVE_PREFIX}{previous[0] if previous else 'unrecorded_' + str(publication_id)}"
                    conn.execute(sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(PUBLISHED), sql.Identifier(archive)))
                    if previous:
                        conn.execute("update audit.publications set status = 'superseded', archive_schema = %s "
                                     "where publication_id = %s", (archive, previous[0]))
                conn.execute(sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(build_schema), sql.Identifier(PUBLISHED)))
        except psycopg.errors.LockNotAvailable as exc:
            raise PublishError(f"Could not take the locks to publish within {lock_timeout}: {exc}. "
                               "Nothing changed; run the publish again.") from exc
    log.info("Published %s as %s (publication %s)", build_schema, PUBLISHED, publication_id)
    return Publication(publication_id, run_id, build_schema, counts)


def rollback(wh: Warehouse, lock_timeout: str = "10s") -> int:
    """Restore the previous publication as ``marts``; the current one is kept as an archive. Returns its id."""
    with wh.connect() as conn:
        with conn.transaction():
            conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(lock_timeout)))
            conn.execute("select pg_advisory_xact_lock(hashtext('scorecard:publish'))")
            current = conn.execute("select publication_id from audit.publications where status = 'current' "
                                   "order by publication_id desc limit 1").fetchone()
            previous = conn.execute(
                "select publication_id, archive_schema from audit.publications where status = 'superseded' "
                "and archive_schema is not null order by publication_id desc limit 1").fetchone()
            if not current or not previous or not schema_exists(conn, previous[1]):
                raise PublishError("There is no earlier publication to roll back to (it may have been cleaned up).")
            held = f"{ARCHIVE_PREFIX}{current[0]}"
            conn.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(PUBLISHED),
                                                                       sql.Identifier(held)))
            conn.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(previous[1]),
                                                                       sql.Identifier(PUBLISHED)))
            conn.execute("update audit.publications set status = 'rolled_back', archive_schema = %s "
                         "where publication_id = %s", (held, current[0]))
            conn.execute("update audit.publications set status = 'current', archive_schema = null "
                         "where publication_id = %s", (previous[0],))
    log.info("Rolled back publication %s; publication %s is current again", current[0], previous[0])
    return int(previous[0])


def clean_up(wh: Warehouse, keep: int = 3, lock_timeout: str = "2s") -> list[str]:
    """Drop archived publications beyond the newest ``keep``. A schema that a reader still holds is skipped (lock
    timeout) and tried again next time. Returns the schemas dropped."""
    dropped: list[str] = []
    with wh.connect(autocommit=True) as conn:
        archives = [r[0] for r in conn.execute(
            "select archive_schema from audit.publications where archive_schema is not null "
            "order by publication_id desc").fetchall()]
        stale = [name for name in archives[keep:] if schema_exists(conn, name)]
        for schema in stale:
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(lock_timeout)))
                    conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
                dropped.append(schema)
            except psycopg.errors.LockNotAvailable:
                log.info("%s is in use by a reader; it will be dropped at a later clean-up", schema)
    return dropped

"""The warehouse connection: one code path whether WAREHOUSE_URL names a server or the embedded one serves.

``open_warehouse()`` is the entry point of every command: it resolves the URL (starting the embedded cluster when no
URL is set), makes sure the schemas and audit tables exist, and stops the embedded cluster again on exit if it was
the one that started it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from urllib.parse import quote, unquote, urlparse

import psycopg

from scorecard.embedded import EmbeddedPostgres
from scorecard.settings import Settings, get_settings

log = logging.getLogger(__name__)


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or is not in the state a command needs."""


# Every session of the pipeline (loads, gates, dbt builds) runs without JIT compilation. Its queries read staging
# tables partitioned by batch, thousands of partitions at a national scale, and Postgres compiles code for each
# partition of a plan: one model at 150 councils spent 64.5 s of its 68.5 s compiling (JIT on) and ran in 3.6 s
# with it off. Readers of the published marts (plain tables) keep the server's setting.
SESSION_OPTIONS = "-c jit=off"


@dataclass(frozen=True)
class Warehouse:
    """Where the warehouse is. ``url`` is a postgresql:// URL with a TCP host."""

    url: str
    embedded: bool = False

    @property
    def parts(self) -> dict[str, str | int]:
        parsed = urlparse(self.url)
        if parsed.scheme not in {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}:
            raise WarehouseError(f"WAREHOUSE_URL must be a postgresql:// URL, got scheme {parsed.scheme!r}")
        return {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": unquote(parsed.username or "postgres"),
            "password": unquote(parsed.password or ""),
            "dbname": (parsed.path or "/postgres").lstrip("/") or "postgres",
        }

    @property
    def libpq_url(self) -> str:
        """The URL with a plain postgresql:// scheme, as libpq wants it."""
        p = self.parts
        auth = p["user"] if not p["password"] else f"{p['user']}:{p['password']}"
        return f"postgresql://{auth}@{p['host']}:{p['port']}/{p['dbname']}"

    @property
    def sqlalchemy_url(self) -> str:
        """The URL for SQLAlchemy (psycopg2), with the pipeline's session options (``SESSION_OPTIONS``)."""
        return (self.libpq_url.replace("postgresql://", "postgresql+psycopg2://", 1)
                + "?options=" + quote(SESSION_OPTIONS))

    def connect(self, autocommit: bool = False, application_name: str = "scorecard") -> psycopg.Connection:
        try:
            return psycopg.connect(self.libpq_url, autocommit=autocommit, application_name=application_name,
                                   connect_timeout=10, options=SESSION_OPTIONS)
        except psycopg.OperationalError as exc:
            host = f"{self.parts['host']}:{self.parts['port']}/{self.parts['dbname']}"
            hint = ("the embedded Postgres under .warehouse/ is not running: run `scorecard status`"
                    if self.embedded else "check WAREHOUSE_URL and that the server is up")
            raise WarehouseError(f"Cannot connect to the warehouse at {host}: {exc}. Next: {hint}.") from exc


def bootstrap(wh: Warehouse) -> None:
    """Create the schemas, audit tables and roles if they are missing."""
    with wh.connect() as conn:
        # One bootstrap at a time (cluster-wide role creation is not concurrency-safe).
        conn.execute("select pg_advisory_xact_lock(hashtext('scorecard:bootstrap'))")
        for name in ("bootstrap.sql", "roles.sql"):  # roles.sql grants on what bootstrap.sql creates
            conn.execute(resources.files("scorecard.sql").joinpath(name).read_text())


@contextlib.contextmanager
def open_warehouse(settings: Settings | None = None, stop_embedded: bool = True) -> Iterator[Warehouse]:
    """Yield a ready warehouse; start (and afterwards stop) the embedded cluster when no URL is configured."""
    settings = settings or get_settings()
    if settings.warehouse_url:
        wh = Warehouse(settings.warehouse_url)
        bootstrap(wh)
        yield wh
        return
    server = EmbeddedPostgres(settings.embedded_dir)
    started = server.start()
    try:
        wh = Warehouse(server.url, embedded=True)
        bootstrap(wh)
        yield wh
    finally:
        if started and stop_embedded:
            server.stop()

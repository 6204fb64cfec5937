"""The embedded Postgres cluster that serves when no WAREHOUSE_URL is given.

It runs the Postgres binaries shipped in the ``pgserver`` wheel (falling back to ``initdb``/``pg_ctl`` on the PATH),
keeps its data under ``.warehouse/`` and listens on 127.0.0.1 at a free port chosen once and remembered, plus a unix
socket inside its own folder. Postgres refuses to run as root, so as root it runs as an unprivileged system user.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE_USER = "scorecard-pg"
DATABASE = "scorecard"


class EmbeddedPostgresError(RuntimeError):
    """The embedded cluster could not be initialised, started or stopped."""


def _bin_dir() -> Path:
    # Locate the wheel's binaries without importing pgserver (its import has side effects we do not need).
    spec = importlib.util.find_spec("pgserver")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "pginstall" / "bin"
        if (path / "pg_ctl").exists():
            return path
    found = shutil.which("pg_ctl")
    if not found:
        raise EmbeddedPostgresError(
            "No Postgres binaries: install the project's dependencies (make install) or set WAREHOUSE_URL "
            "to a running Postgres."
        )
    return Path(found).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    """A private Postgres cluster in ``root`` (data in ``root/data``, socket in ``root/run``)."""

    root: Path
    #: after a crash, how long orphaned server processes get to end by themselves before they are stopped
    orphan_grace_seconds: float = 20.0

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def port(self) -> int:
        if not self.port_file.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            self.port_file.write_text(str(_free_port()))
        return int(self.port_file.read_text().strip())

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    # -- running commands as the service user when we are root ---------------------------------------------------
    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(_bin_dir() / args[0]), *args[1:]]
        kwargs: dict = {"capture_output": True, "text": True}
        if os.geteuid() == 0:
            entry = _ensure_service_user()
            kwargs["user"] = entry.pw_uid
            kwargs["group"] = entry.pw_gid
            kwargs["extra_groups"] = []
            kwargs["env"] = {**os.environ, "HOME": str(self.root), "USER": SERVICE_USER}
        result = subprocess.run(cmd, **kwargs)  # noqa: S603 - fixed binary, arguments are ours
        if check and result.returncode != 0:
            raise EmbeddedPostgresError(
                f"{args[0]} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}\n"
                f"See the server log at {self.log_file}."
            )
        return result

    def _prepare_dirs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = _ensure_service_user()
            _make_traversable(self.root)
            for path in (self.root, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            if self.log_file.exists():
                os.chown(self.log_file, entry.pw_uid, entry.pw_gid)
            bins = _bin_dir()
            _make_traversable(bins)

    # -- lifecycle ------------------------------------------------------------------------------------------------
    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        return self._run(["pg_ctl", "status", "-D", str(self.data_dir)], check=False).returncode == 0

    def initialise(self) -> None:
        self._prepare_dirs()
        log.info("Initialising the embedded Postgres cluster in %s", self.data_dir)
        self._run(["initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                   "--locale=C"])

    def start(self) -> bool:
        """Start the cluster if it is not running; True if this call started it."""
        if not self.is_initialised():
            self.initialise()
        self._prepare_dirs()
        if self.is_running():
            return False
        self._clear_orphans()
        # wal_level=minimal: nothing replicates from this server, and a table created and filled in one transaction
        # (a batch's raw partition, its candidate) is then written once, without its copy in the WAL.
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir} -c max_connections=100 "
            "-c shared_buffers=256MB -c fsync=on -c log_min_messages=warning "
            "-c wal_level=minimal -c max_wal_senders=0"
        )
        log.info("Starting the embedded Postgres on 127.0.0.1:%s", self.port)
        self._run(["pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60",
                   "-o", options])
        self._ensure_database()
        return True

    def _orphans(self) -> list[int]:
        """Server processes of this cluster still alive although their postmaster is gone (Linux only).

        After the postmaster dies abruptly its backends live on until they next look up, holding the old shared
        memory; a new postmaster refuses to start beside them. Each runs with the data folder as its working
        directory, which is how they are told apart from other clusters' processes.
        """
        proc = Path("/proc")
        if not proc.is_dir():
            return []
        data_dir = str(self.data_dir.resolve())
        found: list[int] = []
        for entry in proc.iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if os.readlink(entry / "cwd") != data_dir:
                    continue
                if not (entry / "cmdline").read_bytes().startswith(b"postgres"):
                    continue
            except OSError:
                continue
            found.append(int(entry.name))
        return found

    def _clear_orphans(self) -> None:
        """Before a start after a crash: let orphaned backends end, then stop any that will not."""
        if not (self.data_dir / "postmaster.pid").exists():
            return
        grace_seconds = self.orphan_grace_seconds
        deadline = time.monotonic() + grace_seconds
        orphans = self._orphans()
        if orphans:
            log.warning("%d server process(es) outlived a crashed postmaster; waiting up to %.0f s for them to end",
                        len(orphans), grace_seconds)
        while orphans and time.monotonic() < deadline:
            time.sleep(0.2)
            orphans = self._orphans()
        for pid in orphans:
            log.warning("Stopping orphaned server process %d (its postmaster is gone; WAL replay recovers)", pid)
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self._orphans() and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        if self.is_running():
            log.info("Stopping the embedded Postgres")
            self._run(["pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60"])

    def _ensure_database(self) -> None:
        import psycopg
        from psycopg import sql

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True,
                                       connect_timeout=5)
                break
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise EmbeddedPostgresError(f"The embedded Postgres did not accept connections: {exc}") from exc
                time.sleep(0.5)
        with conn:
            if not conn.execute("select 1 from pg_database where datname = %s", (DATABASE,)).fetchone():
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(DATABASE)))


def _ensure_service_user():
    import pwd

    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(SERVICE_USER)


def _make_traversable(path: Path) -> None:
    """Let the service user reach ``path``: add o+x to each parent folder (nothing is made readable)."""
    for parent in [path, *path.parents]:
        try:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)
        except PermissionError:
            break

"""Shared fixtures. Tests talk to a real Postgres: TEST_WAREHOUSE_URL's server, else the machine's server on
127.0.0.1:5432, else an embedded cluster started for the session. Each test that asks for ``warehouse`` gets a
fresh database on it, dropped afterwards."""

from __future__ import annotations

import dataclasses
import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

from scorecard.settings import PROJECT_ROOT, Settings, get_settings
from scorecard.warehouse import Warehouse, bootstrap

os.environ.setdefault("SCORECARD_PSEUDONYMISATION_KEY", "test-key-not-secret-0123456789")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Airflow imported in-process (the DagBag tests) must not touch a real AIRFLOW_HOME.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="scorecard-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

FIXTURES = Path(__file__).parent / "fixtures"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL of a Postgres server database we may create databases from (``.../postgres``)."""
    url = os.environ.get("TEST_WAREHOUSE_URL")
    if url:
        yield url
        return
    if _reachable("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
        return
    from scorecard.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path_factory.mktemp("embedded"))
    server.start()
    try:
        yield server.url.rsplit("/", 1)[0] + "/postgres"
    finally:
        server.stop()


def _with_db(url: str, dbname: str) -> str:
    parsed = urlparse(url)
    return parsed._replace(path=f"/{dbname}").geturl()


@pytest.fixture()
def warehouse(server_url: str) -> Iterator[Warehouse]:
    """A fresh, bootstrapped warehouse database for one test."""
    name = f"scorecard_test_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    wh = Warehouse(_with_db(server_url, name))
    bootstrap(wh)
    try:
        yield wh
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@pytest.fixture()
def settings(tmp_path: Path, warehouse: Warehouse) -> Settings:
    """Settings for one test: its own landing, reports and key folders, pointing at ``warehouse``."""
    base = get_settings()
    landing = tmp_path / "landing"
    landing.mkdir()
    return dataclasses.replace(base, warehouse_url=warehouse.url, landing_dir=landing,
                               reports_dir=tmp_path / "reports", embedded_dir=tmp_path / "embedded")


def query(wh: Warehouse, text: str, params: tuple = ()) -> list[tuple]:
    with wh.connect() as conn:
        return conn.execute(text, params).fetchall()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT

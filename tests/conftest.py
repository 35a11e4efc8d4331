"""Shared fixtures: one embedded PostgreSQL per test run, a fresh database per module."""

from __future__ import annotations

import asyncio
import itertools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from cicero.db.connect import connect
from cicero.db.migrate import migrate

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    data = tmp_path_factory.mktemp("pg")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data / "run"))
    (data / "run").mkdir(exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(Path(data) / "pgdata", cleanup_mode="delete")
    server.psql('CREATE DATABASE "cicero_template";')
    asyncio.run(_migrate(server.get_uri("cicero_template")))
    yield server
    server.cleanup()


async def _migrate(url: str) -> None:
    conn = await connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()


def fresh_database(server: object, template: str = "cicero_template") -> str:
    name = f"t{os.getpid()}_{next(_counter)}"
    server.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}";')  # type: ignore[attr-defined]
    return server.get_uri(name)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def database_url(pg_server: object) -> str:
    """A migrated database of its own for each test module."""
    return fresh_database(pg_server)


@pytest.fixture
def empty_database_url(pg_server: object) -> str:
    """A database with nothing in it, for migration tests."""
    return fresh_database(pg_server, template="template0")


def end_connections(url: str) -> None:
    """End every other connection to the database at `url`. An actor system on
    simpleSystemBase shut down leaves its actors' pools and the sessions' lock connections
    open (a real run's actor processes exit); tests that start many of them on the one
    embedded server call this after shutdown, or the server runs out of connections."""

    async def go() -> None:
        conn = await connect(url)
        try:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await conn.close()

    asyncio.run(go())

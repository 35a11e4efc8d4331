"""Migrations on a real PostgreSQL: applied once each, recorded, and a newer database refused."""

from __future__ import annotations

import asyncio

import pytest

from cicero.db.connect import connect
from cicero.db.migrate import (
    DatabaseTooNew,
    MigrationFailed,
    known_migrations,
    migrate,
    status,
)


def test_known_migrations_are_numbered_in_order_and_unique() -> None:
    # Gaps are allowed: each engineer of the team numbers within a range of their own.
    versions = [m.version for m in known_migrations()]
    assert versions[0] == 1 and versions == sorted(set(versions))


def test_migrate_applies_everything_once_then_nothing(empty_database_url: str) -> None:
    async def go() -> tuple[int, int, tuple]:
        conn = await connect(empty_database_url)
        first = await migrate(conn)
        second = await migrate(conn)
        current = await status(conn)
        await conn.close()
        return len(first), len(second), current.pending

    first, second, pending = asyncio.run(go())
    assert first == len(known_migrations()) and second == 0 and pending == ()


def test_a_database_from_a_newer_cicero_is_refused(empty_database_url: str) -> None:
    async def go() -> None:
        conn = await connect(empty_database_url)
        await migrate(conn)
        await conn.execute(
            "INSERT INTO schema_migration (version, name) VALUES (9999, 'from_the_future')"
        )
        try:
            await migrate(conn)
        finally:
            await conn.close()

    with pytest.raises(DatabaseTooNew, match="9999"):
        asyncio.run(go())


def test_a_failing_migration_leaves_nothing_behind(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cicero.db import migrate as module

    good = known_migrations()
    broken = module.Migration(
        max(m.version for m in good) + 1, "broken", "CREATE TABLE half_done (id int); SELECT 1/0;"
    )
    monkeypatch.setattr(module, "known_migrations", lambda: (*good, broken))

    async def go() -> tuple[bool, tuple[int, ...]]:
        conn = await connect(empty_database_url)
        with pytest.raises(
            MigrationFailed, match=r"_broken failed and was rolled back: .*division by zero"
        ):
            await migrate(conn)
        exists = await conn.fetchval("SELECT to_regclass('half_done') IS NOT NULL")
        applied = (await status(conn)).applied
        await conn.close()
        return exists, applied

    exists, applied = asyncio.run(go())
    assert not exists and len(broken.name) and broken.version not in applied

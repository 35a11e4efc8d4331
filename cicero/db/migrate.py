"""Numbered SQL migrations: each file applied once, in its own transaction, recorded.

Files live in cicero/db/migrations as `NNNN_name.sql`. A database that has
applied a migration this code does not know is from a newer Cicero: refuse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK = 0x43494345  # advisory lock id: one migrator at a time


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


@dataclass(frozen=True)
class MigrationStatus:
    applied: tuple[int, ...]
    pending: tuple[Migration, ...]
    unknown: tuple[int, ...]  # applied in the database, absent from this code


class MigrationError(RuntimeError):
    """The schema cannot be brought to this version; the message says why, in one line."""


class DatabaseTooNew(MigrationError):
    pass


class MigrationFailed(MigrationError):
    """A migration raised; its transaction was rolled back, nothing of it is left."""


def known_migrations() -> tuple[Migration, ...]:
    found = []
    for entry in resources.files("cicero.db.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migration files share a number: {versions}")
    return tuple(found)


async def _ensure_table(conn: asyncpg.Connection) -> None:
    await conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migration (
               version    integer PRIMARY KEY,
               name       text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now())"""
    )


async def status(conn: asyncpg.Connection) -> MigrationStatus:
    await _ensure_table(conn)
    applied = tuple(
        r["version"] for r in await conn.fetch("SELECT version FROM schema_migration ORDER BY 1")
    )
    known = known_migrations()
    known_versions = {m.version for m in known}
    return MigrationStatus(
        applied=applied,
        pending=tuple(m for m in known if m.version not in applied),
        unknown=tuple(v for v in applied if v not in known_versions),
    )


async def migrate(conn: asyncpg.Connection) -> list[Migration]:
    """Apply every pending migration; raise DatabaseTooNew for a database ahead of the code."""
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK)
    try:
        current = await status(conn)
        if current.unknown:
            newest = max((m.version for m in known_migrations()), default=0)
            raise DatabaseTooNew(
                f"the database has migrations {list(current.unknown)} this Cicero does not know "
                f"(it knows up to {newest:04d}): run a newer Cicero, "
                "or restore a backup taken by this one"
            )
        for migration in current.pending:
            try:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
                        migration.version,
                        migration.name,
                    )
            except asyncpg.PostgresError as err:
                raise MigrationFailed(
                    f"migration {migration.version:04d}_{migration.name} failed and was rolled "
                    f"back: {type(err).__name__}: {err}"
                ) from err
        return list(current.pending)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK)

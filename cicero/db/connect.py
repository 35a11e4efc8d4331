"""Where the database is and how to talk to it (asyncpg, always)."""

from __future__ import annotations

from typing import Any

import asyncpg

from cicero.config import Settings
from cicero.db.embedded import DatabaseUnavailable, start_embedded

CONNECT_TIMEOUT_S = 10


def resolve_database(settings: Settings) -> tuple[str, Any]:
    """DATABASE_URL when set, else the embedded server (started or joined). Returns (url, handle)."""
    if settings.env.database_url is not None:
        return settings.env.database_url.reveal(), None
    return start_embedded(settings.env.data_dir)


# Instants are timestamptz; the session zone is UTC so nothing casts in a local zone by accident.
# Given at connect (not with SET), it is the session's default: a RESET ALL keeps it.
SERVER_SETTINGS = {"TimeZone": "UTC"}


async def _nothing_left_to_undo(conn: asyncpg.Connection) -> None:
    """The pool's reset on release. Before calling it, asyncpg rolls back a transaction left
    open and drops listener callbacks; its default reset would also send four statements
    (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL), a round trip per release: 184 of them
    per ingestion fire time. Pooled connections here take only transaction-scoped advisory
    locks, never LISTEN, SET a session setting or hold a cursor past its transaction (the
    session actor's lock has its own connection), so there is nothing more to undo."""


async def connect(url: str) -> asyncpg.Connection:
    try:
        conn = await asyncpg.connect(
            url, timeout=CONNECT_TIMEOUT_S, server_settings=SERVER_SETTINGS
        )
    except (TimeoutError, OSError, asyncpg.PostgresError, ValueError) as err:
        raise DatabaseUnavailable(
            f"cannot reach the database ({type(err).__name__}: {err}); "
            "check DATABASE_URL, or unset it to use the embedded server"
        ) from None
    return conn


async def create_pool(url: str, size: int = 2) -> asyncpg.Pool:
    try:
        return await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=size,
            timeout=CONNECT_TIMEOUT_S,
            server_settings=SERVER_SETTINGS,
            reset=_nothing_left_to_undo,
        )
    except (TimeoutError, OSError, asyncpg.PostgresError, ValueError) as err:
        raise DatabaseUnavailable(
            f"cannot reach the database ({type(err).__name__}: {err})"
        ) from None

"""One database action of a `cicero` subcommand: the configured or embedded server, one
connection for the action, a one-line error when the database cannot be reached."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from cicero.config import load_settings

if TYPE_CHECKING:
    import asyncpg

EXIT_OK, EXIT_USAGE = 0, 2


def with_database(action: Callable[[asyncpg.Connection], Awaitable[object]]) -> int:
    from cicero.db.connect import connect, resolve_database
    from cicero.db.embedded import DatabaseUnavailable
    from cicero.db.migrate import MigrationError

    settings = load_settings()
    try:
        url, _server = resolve_database(settings)  # keep the handle while in use

        async def go() -> object:
            conn = await connect(url)
            try:
                return await action(conn)
            finally:
                await conn.close()

        asyncio.run(go())
    except (DatabaseUnavailable, MigrationError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK

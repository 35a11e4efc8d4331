"""Connections and pooled connections talk UTC, also after the pool's RESET ALL on release."""

from __future__ import annotations

import asyncio

from cicero.db.connect import connect, create_pool
from tests.conftest import fresh_database


def test_a_pooled_connection_stays_utc_after_release(pg_server: object) -> None:
    url = fresh_database(pg_server)

    async def go() -> list[str]:
        zones = []
        conn = await connect(url)
        name = await conn.fetchval("SELECT current_database()")
        await conn.execute(f"ALTER DATABASE \"{name}\" SET TimeZone = 'Asia/Jakarta'")
        zones.append(await conn.fetchval("SHOW TimeZone"))
        await conn.close()
        pool = await create_pool(url, size=1)
        try:
            for _ in range(3):  # the same connection each time: released, reset, acquired
                async with pool.acquire() as pooled:
                    zones.append(await pooled.fetchval("SHOW TimeZone"))
        finally:
            await pool.close()
        return zones

    assert asyncio.run(go()) == ["UTC"] * 4

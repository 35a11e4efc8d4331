"""Connections and pooled connections talk UTC; a released connection comes back clean."""

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


def test_a_connection_released_inside_a_transaction_comes_back_rolled_back(
    pg_server: object,
) -> None:
    url = fresh_database(pg_server)

    async def go() -> tuple[bool, int, str, int]:
        pool = await create_pool(url, size=1)
        try:
            async with pool.acquire() as pooled:
                await pooled.execute("CREATE TABLE t (n int)")
                await pooled.execute("BEGIN")  # not a managed transaction: left open
                await pooled.execute("INSERT INTO t VALUES (1)")
                await pooled.execute("SELECT pg_advisory_xact_lock(42)")
            async with pool.acquire() as again:  # the same connection, released and reset
                in_transaction = again.is_in_transaction()
                rows = await again.fetchval("SELECT count(*) FROM t")
                zone = await again.fetchval("SHOW TimeZone")
                locks = await again.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                )
        finally:
            await pool.close()
        return in_transaction, rows, zone, locks

    assert asyncio.run(go()) == (False, 0, "UTC", 0)

"""The Web actor's connections go in the order they were asked for (cicero.web.fair_pool),
over a real asyncpg pool: a newcomer never takes a connection a waiter was woken for, and a
waiter cancelled before or after its turn came neither loses a connection nor stalls the
others."""

from __future__ import annotations

import asyncio

from cicero.db.connect import create_pool
from cicero.web.fair_pool import FairPool
from tests.conftest import fresh_database


async def _hold(fair: FairPool, name: str, order: list[str], release: asyncio.Event) -> None:
    async with fair.acquire() as conn:
        order.append(name)
        assert await conn.fetchval("SELECT 1") == 1
        await release.wait()


def test_waiters_get_connections_in_arrival_order_and_newcomers_wait_behind(
    pg_server: object,
) -> None:
    url = fresh_database(pg_server)

    async def go() -> None:
        pool = await create_pool(url, 2)
        try:
            fair, order = FairPool(pool), []
            gates = {n: asyncio.Event() for n in "abcdef"}
            tasks = {n: asyncio.create_task(_hold(fair, n, order, gates[n])) for n in "abcd"}
            await asyncio.sleep(0.05)
            assert order == ["a", "b"]  # c and d wait, in that order
            gates["a"].set()
            await asyncio.sleep(0)  # a's release hands its turn to c ...
            # ... so a newcomer arriving at once queues behind d instead of barging.
            tasks["e"] = asyncio.create_task(_hold(fair, "e", order, gates["e"]))
            await asyncio.sleep(0.05)
            assert order == ["a", "b", "c"]
            for n in "bcde":
                gates[n].set()
            await asyncio.gather(*tasks.values())
            assert order == ["a", "b", "c", "d", "e"]
            assert fair._free == 2 and not fair._waiters
        finally:
            pool.terminate()  # (a failed check leaves holders waiting: never wait for them)

    asyncio.run(go())


def test_a_cancelled_waiter_gives_up_its_place_or_its_turn(pg_server: object) -> None:
    url = fresh_database(pg_server)

    async def go() -> None:
        pool = await create_pool(url, 1)
        try:
            fair, order = FairPool(pool), []
            gates = {n: asyncio.Event() for n in "abcd"}
            a = asyncio.create_task(_hold(fair, "a", order, gates["a"]))
            b = asyncio.create_task(_hold(fair, "b", order, gates["b"]))
            c = asyncio.create_task(_hold(fair, "c", order, gates["c"]))
            await asyncio.sleep(0.05)
            b.cancel()  # cancelled while waiting: leaves the line
            await asyncio.sleep(0)
            gates["a"].set()
            await asyncio.sleep(0)  # a's turn is handed to c ...
            d = asyncio.create_task(_hold(fair, "d", order, gates["d"]))
            c.cancel()  # ... and c is cancelled before it ran: the turn goes on to d
            gates["d"].set()
            await asyncio.wait_for(d, 5)
            await a
            assert b.cancelled() and c.cancelled()
            assert order == ["a", "d"]
            assert fair._free == 1 and not fair._waiters
        finally:
            pool.terminate()  # (a failed check leaves holders waiting: never wait for them)

    asyncio.run(go())

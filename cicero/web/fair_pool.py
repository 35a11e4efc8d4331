"""The Web actor's database connections handed out in the order they were asked for.

asyncpg's pool waits on an asyncio.Queue: a request that finds a connection just released
takes it before the waiter woken for that connection runs, and the waiter queues again at the
back. Under a roll-call burst (64 connections of the app over a pool of 8) some requests lost
their turn again and again: bench/api.py's report p99 was ~3x its median. Here a released turn
passes straight to the oldest waiter; the pool underneath then never has to wait.
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType
from typing import Any

import asyncpg


class FairPool:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._free = pool.get_max_size()
        self._waiters: deque[asyncio.Future[None]] = deque()

    def acquire(self) -> _Turn:
        """`async with fair.acquire() as conn:`, as asyncpg's `pool.acquire()`."""
        return _Turn(self)

    async def _take(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._give()  # handed a turn as it was cancelled: the next waiter has it
            else:
                self._waiters.remove(waiter)
            raise

    def _give(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the turn passes on without becoming free
                return
        self._free += 1


class _Turn:
    __slots__ = ("_fair", "_inner")

    def __init__(self, fair: FairPool) -> None:
        self._fair = fair
        self._inner: Any = None

    async def __aenter__(self) -> Any:
        await self._fair._take()
        try:
            self._inner = self._fair.pool.acquire()
            return await self._inner.__aenter__()
        except BaseException:
            self._fair._give()
            raise

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self._inner.__aexit__(kind, exc, tb)
        finally:
            self._fair._give()

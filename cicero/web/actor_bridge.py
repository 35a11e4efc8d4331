"""Messages from the web server's thread to the actors (api.md §4's admin actions: pairing,
"run now"). The server thread never calls Thespian; it queues a request here and awaits a
future, and the Web actor drains the queue on its next wakeup, sends, and resolves the
future when the answer comes back (or at once for a tell)."""

from __future__ import annotations

import asyncio
import itertools
import queue
from dataclasses import dataclass
from typing import Any

TIMEOUT_S = 20.0


class NoAnswer(Exception):
    """The actor did not answer in time (or is not running)."""


@dataclass
class Outgoing:
    target: str  # a sibling's name in the supervisor's directory, or "supervisor"
    message: Any
    ticket: int
    wants_reply: bool
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


class ActorBridge:
    def __init__(self) -> None:
        self.pending: queue.SimpleQueue[Outgoing] = queue.SimpleQueue()
        self._tickets = itertools.count(1)

    async def ask(self, target: str, make: Any, timeout: float = TIMEOUT_S) -> Any:
        """Send `make(ticket)` (a message carrying the ticket to answer with) and await the
        answer the actor side resolves for that ticket."""
        return await self._send(target, make, True, timeout)

    async def tell(self, target: str, message: Any) -> None:
        await self._send(target, lambda _ticket: message, False, TIMEOUT_S)

    async def _send(self, target: str, make: Any, wants_reply: bool, timeout: float) -> Any:
        loop = asyncio.get_running_loop()
        ticket = next(self._tickets)
        future: asyncio.Future[Any] = loop.create_future()
        self.pending.put(Outgoing(target, make(ticket), ticket, wants_reply, future, loop))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise NoAnswer(target) from None

    # ---- the actor's side (its own thread) ----
    def drain(self) -> list[Outgoing]:
        out = []
        while True:
            try:
                out.append(self.pending.get_nowait())
            except queue.Empty:
                return out

    @staticmethod
    def resolve(item: Outgoing, value: Any) -> None:
        def settle() -> None:
            if not item.future.done():
                item.future.set_result(value)

        item.loop.call_soon_threadsafe(settle)

    @staticmethod
    def fail(item: Outgoing, error: Exception) -> None:
        def settle() -> None:
            if not item.future.done():
                item.future.set_exception(error)

        item.loop.call_soon_threadsafe(settle)

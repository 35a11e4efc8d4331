"""The Router: incoming messages from the inbox through the menu machine, one at a time.

Strictly in arrival order (one actor, one message per transaction), so the messages
of a chat are handled one by one, in order; a message recorded while the router was
down is simply the next unhandled row when it is back (invariant 7).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from thespian.actors import WakeupMessage

from cicero.actors.base import CiceroActor
from cicero.actors.messages import Directory, InboxNew, OutboxNew, Pump, Pumped, RunFetch, Start
from cicero.conversations import fetches
from cicero.conversations.step import Handled, expire_flows, handle_next, next_expiry
from cicero.domain.ingestion import manual_fetch
from cicero.domain.timezone import WIB

POLL = timedelta(seconds=2)
FETCH_WAIT = timedelta(seconds=20)  # virtual mode: longest wait for a fetch asked at an instant
PUMP_WAIT = timedelta(milliseconds=200)  # of it, per pump (the driver re-asks after 0.5 s)
BATCH = 50  # messages per turn before the actor looks at its mailbox again


@dataclass(frozen=True)
class RouterOptions:
    virtual: bool = False


class Router(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.virtual = False
        self.virtual_now: datetime | None = None
        self.resend_fetches = False
        # Virtual mode: fetches sent and not yet ended → when to stop waiting (monotonic s).
        self.dispatched: dict[str, float] = {}

    def on_start(self, message: Start) -> None:
        options: RouterOptions = message.extra or RouterOptions()
        self.virtual = options.virtual
        if not self.virtual:
            self._drain()
            self.wakeupAfter(POLL, payload="poll")

    def now(self) -> datetime:
        if self.virtual:
            assert self.virtual_now is not None
            return self.virtual_now
        return datetime.now(WIB)

    def receiveMsg_InboxNew(self, message: InboxNew, sender: Any) -> None:
        if not self.virtual:
            self._drain()

    def receiveMsg_WakeupMessage(self, message: WakeupMessage, sender: Any) -> None:
        self._drain()
        self.wakeupAfter(POLL, payload="poll")

    def receiveMsg_Pump(self, message: Pump, sender: Any) -> None:
        self.virtual_now = message.now
        handled = self._drain()
        if self.dispatched:
            # Virtual time does not pass inside a run: while a fetch asked at this instant is
            # open, say busy, so the driver pumps again instead of moving the clock. Each pump
            # waits a little (under the driver's patience for one answer), never the whole run.
            self.run(self._wait_fetches(PUMP_WAIT))
            handled += 1
        self.send(sender, Pumped(self.name, handled > 0, self.run(self._next_expiry())))

    def receiveMsg_Directory(self, message: Directory, sender: Any) -> None:
        super().receiveMsg_Directory(message, sender)
        # Fetches queued before a restart (or before an ingestor was back) are sent again at
        # the next drain; one already claimed is left to its claimer.
        self.resend_fetches = True

    def _drain(self) -> int:
        assert self.settings is not None
        if self.resend_fetches:
            self.resend_fetches = False
            self._dispatch_fetches(self.run(self._queued_fetches()))
        handled = 0
        sessions: set[str] = set()
        for _ in range(BATCH):
            result = self.run(self._one())
            if result is None:
                break
            handled += 1
            sessions |= result.sessions
            self._dispatch_fetches(result.fetches)
        # Then the idle timeouts; a chat with messages still waiting is left to them.
        expired: Handled = self.run(self._expire())
        handled += expired.replies
        sessions |= expired.sessions
        for session in sessions:  # wake the senders instead of waiting for their poll
            address = self.directory.get(f"session:{session}")
            if address is not None:
                self.send(address, OutboxNew())
        return handled

    def _dispatch_fetches(self, requests: Iterable[tuple[str, datetime]]) -> None:
        """Each queued fetch to the ingestor of its first platform (the generic worker if that
        one is missing); it claims the ledger row, so sending twice runs it once."""
        for key, fire_time in requests:
            req = manual_fetch.from_key(key, fire_time)
            if req is None:
                continue
            address = self.directory.get(f"ingestor:{req.platforms[0].value}") or (
                self.directory.get("worker")
            )
            if address is None:  # not known yet (start-up, restart): retried at the next drain
                self.log.warning("no ingestor for fetch %s yet; it stays queued", key)
                self.resend_fetches = True
                continue
            self.send(address, RunFetch(key, fire_time, self.now()))
            if self.virtual:
                self.dispatched[key] = time.monotonic() + FETCH_WAIT.total_seconds()

    async def _wait_fetches(self, at_most: timedelta) -> None:
        """Forget the dispatched fetches that ended (or waited too long) within `at_most`."""
        until = time.monotonic() + at_most.total_seconds()
        async with (await self.pool()).acquire() as conn:
            while self.dispatched:
                now = time.monotonic()
                open_keys = await fetches.open_keys(conn, list(self.dispatched))
                self.dispatched = {
                    k: t for k, t in self.dispatched.items() if k in open_keys and t > now
                }
                if now >= until:
                    return
                await asyncio.sleep(0.02)

    async def _queued_fetches(self) -> list[tuple[str, datetime]]:
        async with (await self.pool()).acquire() as conn:
            return await fetches.queued(conn)

    async def _expire(self) -> Handled:
        async with (await self.pool()).acquire() as conn:
            return await expire_flows(conn, self.now())

    async def _next_expiry(self) -> datetime | None:
        async with (await self.pool()).acquire() as conn:
            return await next_expiry(conn)

    async def _one(self) -> Any:
        assert self.settings is not None
        async with (await self.pool()).acquire() as conn:
            return await handle_next(conn, self.settings, self.now())

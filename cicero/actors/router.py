"""The Router: incoming messages from the inbox through the menu machine, one at a time.

Strictly in arrival order (one actor, one message per transaction), so the messages
of a chat are handled one by one, in order; a message recorded while the router was
down is simply the next unhandled row when it is back (invariant 7).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cicero.actors.base import CiceroActor
from cicero.actors.messages import Directory, InboxNew, OutboxNew, RunFetch, Start
from cicero.actors.ports import Due
from cicero.actors.worker import claimant_gone
from cicero.conversations import fetches
from cicero.conversations.step import Handled, expire_flows, handle_next, next_expiry
from cicero.domain.ingestion import manual_fetch
from cicero.domain.runtime.names import WORKER, ingestor, session_actor

POLL = timedelta(seconds=2)
FETCH_WAIT = timedelta(seconds=20)  # the longest a fetch asked at an instant counts as running
BATCH = 50  # messages per turn before the actor looks at its mailbox again


class Router(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.resend_fetches = False
        # Fetches sent and not yet ended → when to stop counting them (monotonic s).
        self.dispatched: dict[str, float] = {}

    def on_start(self, message: Start) -> None:
        self.clock.attach(self, POLL)
        self.clock.nudge()

    def receiveMsg_InboxNew(self, message: InboxNew, sender: Any) -> None:
        self.clock.nudge()

    def on_due(self) -> Due:
        handled = self._drain()
        if self.dispatched:
            # A fetch asked here is still running: where time stands still until it ends, say
            # busy (after a short wait), so the clock is not moved under it.
            self.run(self._wait_fetches(self.clock.patience))
            handled += 1
        return Due(handled > 0, self.run(self._next_expiry()))

    def on_timer(self, payload: Any) -> None:
        pass  # sets none

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
            address = self.directory.get(session_actor(session))
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
            address = self.directory.get(ingestor(req.platforms[0].value)) or (
                self.directory.get(WORKER)
            )
            if address is None:  # not known yet (start-up, restart): retried at the next drain
                self.log.warning("no ingestor for fetch %s yet; it stays queued", key)
                self.resend_fetches = True
                continue
            self.send(address, RunFetch(key, fire_time))
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
        host = socket.gethostname()
        async with (await self.pool()).acquire() as conn:
            back = await fetches.requeue_orphans(conn, lambda holder: claimant_gone(holder, host))
            for key in back:
                self.log.warning("fetch %s lost its ingestor; it goes again", key)
            return await fetches.queued(conn)

    async def _expire(self) -> Handled:
        async with (await self.pool()).acquire() as conn:
            return await expire_flows(conn, self.clock.now())

    async def _next_expiry(self) -> datetime | None:
        async with (await self.pool()).acquire() as conn:
            return await next_expiry(conn)

    async def _one(self) -> Any:
        assert self.settings is not None
        async with (await self.pool()).acquire() as conn:
            return await handle_next(conn, self.settings, self.clock.now())

"""The Router: incoming messages from the inbox through the menu machine, one at a time.

Strictly in arrival order (one actor, one message per transaction), so the messages
of a chat are handled one by one, in order; a message recorded while the router was
down is simply the next unhandled row when it is back (invariant 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from thespian.actors import WakeupMessage

from cicero.actors.base import CiceroActor
from cicero.actors.messages import InboxNew, OutboxNew, Pump, Pumped, Start
from cicero.conversations.step import Handled, expire_flows, handle_next, next_expiry
from cicero.domain.timezone import WIB

POLL = timedelta(seconds=2)
BATCH = 50  # messages per turn before the actor looks at its mailbox again


@dataclass(frozen=True)
class RouterOptions:
    virtual: bool = False


class Router(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.virtual = False
        self.virtual_now: datetime | None = None

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
        self.send(sender, Pumped(self.name, handled > 0, self.run(self._next_expiry())))

    def _drain(self) -> int:
        assert self.settings is not None
        handled = 0
        sessions: set[str] = set()
        for _ in range(BATCH):
            result = self.run(self._one())
            if result is None:
                break
            handled += 1
            sessions |= result.sessions
        # Then the idle timeouts; a chat with messages still waiting is left to them.
        expired: Handled = self.run(self._expire())
        handled += expired.replies
        sessions |= expired.sessions
        for session in sessions:  # wake the senders instead of waiting for their poll
            address = self.directory.get(f"session:{session}")
            if address is not None:
                self.send(address, OutboxNew())
        return handled

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

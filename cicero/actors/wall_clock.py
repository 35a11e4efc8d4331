"""The Clock port in production: the system clock, Asia/Jakarta, and Thespian wakeups.

One pending wakeup per actor, recomputed from `now` on each wake (a long Thespian timer can
stall: spec/runtime.md §1.4); timers are wakeups of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cicero.actors.ports import ClockWakeup
from cicero.domain.timezone import WIB

SOONEST = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Wake(ClockWakeup):
    generation: int


@dataclass(frozen=True)
class Timer(ClockWakeup):
    payload: Hashable


class WallClock:
    patience = timedelta(0)

    def __init__(self) -> None:
        self._actor: Any = None
        self._poll: timedelta | None = None
        self._wake_at: datetime | None = None
        self._generation = 0

    def __getstate__(self) -> dict[str, Any]:
        return {}  # what travels is the choice of clock, never an actor bound to it

    def __setstate__(self, state: dict[str, Any]) -> None:
        WallClock.__init__(self)  # unpickled: a fresh, unbound clock

    def __repr__(self) -> str:
        return "WallClock()"

    def now(self) -> datetime:
        return datetime.now(WIB)

    async def pause(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def attach(self, actor: Any, poll: timedelta | None = None) -> None:
        self._actor, self._poll = actor, poll
        if poll is not None:
            self.wake_at(self.now() + poll)

    def wake_at(self, at: datetime) -> None:
        if self._wake_at is not None and self._wake_at <= at:
            return  # the pending wakeup comes first; keep exactly one
        self._generation += 1
        self._wake_at = at
        self._actor.wakeupAfter(max(SOONEST, at - self.now()), payload=Wake(self._generation))

    def woke(self, wake: Any) -> None:
        if isinstance(wake, Timer):
            self._actor.on_timer(wake.payload)
            return
        if wake.generation != self._generation:
            return  # a stale wakeup; the newer one is pending
        self._wake_at = None
        self._actor.on_due()
        if self._poll is not None:
            self.wake_at(self.now() + self._poll)

    def nudge(self) -> None:
        self._actor.on_due()

    def after(self, delay: timedelta, payload: Hashable) -> None:
        self._actor.wakeupAfter(delay, payload=Timer(payload))

    def horizon(self) -> datetime | None:
        return None  # time goes on by itself: nothing is sent ahead of it

    def advance(self, at: datetime) -> None:
        raise RuntimeError("the wall clock cannot be moved")

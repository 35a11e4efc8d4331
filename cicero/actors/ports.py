"""What the bootstrap hands every actor besides its settings: a Clock, and in a simulation a
control port. Both are chosen outside the actor (cicero.bootstrap); the actor only uses them.

The Clock port says what time it is and when an actor's work comes due. An actor that works
with time (`Timed`) lets its clock call `on_due` (do what is due now, say when you are next
due) and `on_timer` (a timer it set came due); it never asks how the clock is driven. The
wall clock (cicero.actors.wall_clock) drives it with Thespian wakeups; the simulator's virtual
clock (cicero.sim.clock) with the scenario driver's messages, through the control port.

A control port (`Control`) takes messages of its own that the actor never reads (the
simulator's: time, crash injection, network faults), and looks at every message first.
Production actors have none.

Ports travel in the Start message (`cicero.actors.messages.Ports`), so they are small
picklable values; each actor binds a copy of its own (`attach`) in its own process.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from thespian.actors import ActorAddress


class ClockWakeup:
    """Base of the payloads of the wakeups a clock asks for: the actor's base class hands
    them back to its clock (`Clock.woke`)."""


@dataclass(frozen=True)
class Due:
    """Where a timed actor stands after doing what was due."""

    moved: bool = False  # something happened (another look at this instant may find more)
    next: datetime | None = None  # when it next has something to do
    ready: frozenset[str] | None = None  # the sessions it counts as ready (sessions, the clock)
    settled: bool = True  # nothing it started is still running (time may move on)


@runtime_checkable
class Timed(Protocol):
    """An actor whose work comes due with time."""

    def on_due(self) -> Due:
        """Do what is due at the clock's now."""
        ...

    def on_timer(self, payload: Hashable) -> None:
        """A timer set with `Clock.after` came due."""
        ...


@runtime_checkable
class Settling(Timed, Protocol):
    """A timed actor whose work may end later than `on_due` returns (the clock's runs)."""

    def standing(self) -> Due:
        """Where it stands now, doing nothing."""
        ...


class ClockHost(Protocol):
    """What a clock needs of the actor it drives."""

    def wakeupAfter(self, timePeriod: timedelta, payload: Any = None) -> None: ...


class Clock(Protocol):
    # How long an actor may wait for work it started (a fetch) before answering that it has not
    # ended: none where time goes on by itself and the next look comes anyway, a little where
    # time stands still until the work ends.
    patience: timedelta

    def now(self) -> datetime:
        """Aware, Asia/Jakarta."""
        ...

    async def pause(self, seconds: float) -> None:
        """A wait inside a job (between upstream calls)."""
        ...

    def attach(self, actor: Any, poll: timedelta | None = None) -> None:
        """Drive `actor` (a `Timed` and a `ClockHost`): its `on_due` at least every `poll`."""
        ...

    def wake_at(self, at: datetime) -> None:
        """Call the actor's `on_due` at `at` (one pending wake: the earliest asked)."""
        ...

    def woke(self, wake: Any) -> None:
        """A wakeup this clock asked for arrived (handed over by the actor's base class)."""
        ...

    def nudge(self) -> None:
        """New work arrived: call `on_due` as soon as time allows."""
        ...

    def after(self, delay: timedelta, payload: Hashable) -> None:
        """Call the actor's `on_timer(payload)` after `delay`."""
        ...

    def horizon(self) -> datetime | None:
        """The instant before which this actor may move its own time ahead alone (`advance`),
        sending what is due at each instant in between; None where time cannot be skipped."""
        ...

    def advance(self, at: datetime) -> None:
        """Move this actor's own time to `at`, before `horizon()`."""
        ...


@runtime_checkable
class Control(Protocol):
    """A port that takes messages of its own: the actor hands them over unread."""

    def attach(self, actor: Any) -> None: ...

    def takes(self, message: object) -> bool: ...

    def receive(self, message: object, sender: ActorAddress) -> None: ...

    def before(self, message: object) -> None:
        """Sees every other message before the actor does (and may raise in its place)."""
        ...

    def after(self) -> None:
        """Called once the actor has handled any message."""
        ...

"""The actor base class every Cicero actor derives from.

- Turns a handler exception into a logged crash and an exit, so Thespian's
  silent retry never repeats a side effect and the supervisor starts a fresh
  replacement (spec/runtime.md §1.3).
- Arms PR_SET_PDEATHSIG in real actor processes so nothing outlives its parent.
- Holds every message that arrives before its start message (a replacement's address
  is handed out before its Start lands, and senders race it), then replays them in
  order once started: no handler ever runs on an actor that has not started.
- Owns one event loop and one small asyncpg pool per process, created after
  the fork on first use and closed on exit (spec/runtime.md §7).
- Hands what it measured (`self.tally`: sends, upstream requests) to its supervisor after
  each message it handled, and before it exits on a crash: /metrics adds them up there.
- Takes its ports from the start message (cicero.actors.ports): the Clock every actor asks
  for the time, and the control port a simulation adds, to which it hands the control's own
  messages unread and shows every other message first.
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import logging
import os
import signal
from collections.abc import Awaitable
from typing import Any, TypeVar

from thespian.actors import ActorExitRequest, ActorTypeDispatcher, WakeupMessage

from cicero.actors.messages import Crashed, Directory, Start, Started, Stopping, Tallied
from cicero.actors.ports import Clock, ClockWakeup, Control
from cicero.actors.wall_clock import WallClock
from cicero.config import Settings
from cicero.domain.runtime.tally import Tally

T = TypeVar("T")

# Set by the launcher before the actor system forks: marks real actor processes
# (the same classes also run in-process on simpleSystemBase in tests).
ACTOR_PROCESS_ENV = "CICERO_ACTOR_PROCESS"
PR_SET_PDEATHSIG = 1
HELD_LIMIT = 1000  # messages held before start; past it, the newest are dropped (and logged)


def arm_parent_death_signal() -> None:
    """Ask the kernel to SIGTERM this process when its parent dies; exit if already orphaned."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:
        os._exit(0)


class CiceroActor(ActorTypeDispatcher):
    # The message that starts this kind of actor; everything else waits for it.
    start_message: type = Start

    def __init__(self) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.settings: Settings | None = None
        self.supervisor: Any = None
        self.log = logging.getLogger(f"cicero.{self.name.lower()}")
        self.clock: Clock = WallClock()  # until the start message brings the one to use
        self.control: Control | None = None
        self._booted = False
        self._crashed = False
        self._started = False
        self._early: list[tuple[Any, Any]] = []  # arrived before the start message
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pool: Any = None
        self.database_url: str | None = None
        self.directory: dict[str, Any] = {}  # sibling name -> address, from the supervisor
        self.tally = Tally()  # measured since it was last handed to the supervisor

    # ---- message entry ---------------------------------------------------
    def receiveMessage(self, message: Any, sender: Any) -> Any:
        if not self._booted:
            self._booted = True
            if os.environ.get(ACTOR_PROCESS_ENV):
                arm_parent_death_signal()
        if isinstance(message, ActorExitRequest):
            self._close()
            return super().receiveMessage(message, sender)
        if self._crashed:
            return None  # a crashed actor only waits for its exit
        if not self._started and not isinstance(message, self.start_message):
            self._keep_until_started(message, sender)
            return None
        try:
            control = self.control
            if control is None:
                result = super().receiveMessage(message, sender)
            else:
                control.before(message)
                if control.takes(message):
                    control.receive(message, sender)
                    result = None
                else:
                    result = super().receiveMessage(message, sender)
                control.after()
        except Exception as err:
            try:
                self.on_crash(message, sender, err)
            except Exception as hook_err:  # the crash goes on; the hook must not hide it
                self.log.warning("%s crash hook failed: %s", self.name, hook_err)
            self._crash(err)
            return None
        self.ship_tally()
        if not self._started and isinstance(message, self.start_message):
            self._started = True
            self._replay()
        return result

    def _keep_until_started(self, message: Any, sender: Any) -> None:
        if len(self._early) >= HELD_LIMIT:
            self.log.warning(
                "%s dropped a %s that arrived before its start (%d already held)",
                self.name, type(message).__name__, HELD_LIMIT,
            )  # fmt: skip
            return
        self._early.append((message, sender))

    def _replay(self) -> None:
        early, self._early = self._early, []
        for message, sender in early:
            if self._crashed:
                return
            self.receiveMessage(message, sender)

    def on_crash(self, message: Any, sender: Any, err: BaseException) -> None:
        """Subclasses answer a request they will now never answer (like a monitor's DOWN)."""

    def ship_tally(self) -> None:
        """Hand what was measured since the last time to the supervisor (none: no message)."""
        if self.tally and self.supervisor is not None:
            self.send(self.supervisor, Tallied(self.tally.take()))

    def _crash(self, err: BaseException) -> None:
        self._crashed = True
        self.log.error("%s crashed: %s", self.name, err, exc_info=err)
        self.ship_tally()  # what the failed run measured still happened
        if self.supervisor is not None:
            self.send(self.supervisor, Crashed(self.name, f"{type(err).__name__}: {err}"))
        self.send(self.myAddress, ActorExitRequest())

    # ---- common handlers -------------------------------------------------
    def receiveMsg_Start(self, message: Start, sender: Any) -> None:
        self.name = message.name
        self.settings = message.settings
        self.supervisor = sender
        self.log = logging.getLogger(f"cicero.{message.name}")
        if message.settings.env.database_url is not None:
            self.database_url = message.settings.env.database_url.reveal()
        # Copies: each incarnation binds its own (in-process systems share message objects).
        self.clock = copy.copy(message.ports.clock)
        if message.ports.control is not None:
            self.control = copy.copy(message.ports.control)
            self.control.attach(self)
        self.on_start(message)
        self.send(self.supervisor, Started(self.name, os.getpid()))

    def receiveMsg_Directory(self, message: Directory, sender: Any) -> None:
        self.directory = message.addresses

    def receiveMsg_WakeupMessage(self, message: WakeupMessage, sender: Any) -> None:
        if isinstance(message.payload, ClockWakeup):
            self.clock.woke(message.payload)
        else:
            self.on_wakeup(message.payload)

    def on_wakeup(self, payload: Any) -> None:
        """A wakeup the actor asked for itself (not its clock's)."""

    def receiveMsg_ActorExitRequest(self, message: ActorExitRequest, sender: Any) -> None:
        pass

    def receiveUnrecognizedMessage(self, message: Any, sender: Any) -> None:
        # Unknown input is logged, not fatal: a stray message must not start a crash loop.
        self.log.warning(
            "%s ignored a message of unknown type %s", self.name, type(message).__name__
        )

    def on_start(self, message: Start) -> None:
        """Subclasses set themselves up here (not in __init__: Thespian forbids sends there)."""

    def on_stop(self) -> None:
        """Subclasses release what they hold (threads, transports) here."""

    def stop_normally(self, info: dict[str, Any] | None = None) -> None:
        if self.supervisor is not None:
            self.send(self.supervisor, Stopping(self.name, info or {}))
        self.send(self.myAddress, ActorExitRequest())

    # ---- async and database ----------------------------------------------
    def run(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        """Run a coroutine on this actor's own event loop (one per process, made after the fork)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        if timeout is not None:
            coro = asyncio.wait_for(coro, timeout)
        return self._loop.run_until_complete(coro)

    async def pool(self) -> Any:
        if self._pool is None:
            from cicero.db.connect import create_pool

            if self.database_url is None:
                raise RuntimeError(f"{self.name} has no database URL")
            self._pool = await create_pool(self.database_url)
        return self._pool

    def _close(self) -> None:
        try:
            self.on_stop()
        except Exception as err:
            self.log.warning("%s cleanup failed: %s", self.name, err)
        if self._loop is not None and not self._loop.is_closed():
            if self._pool is not None:
                try:
                    self._loop.run_until_complete(asyncio.wait_for(self._pool.close(), 5))
                except Exception as err:
                    self.log.warning("%s pool close failed: %s", self.name, err)
                self._pool = None
            self._loop.close()

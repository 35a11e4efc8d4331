"""The simulator's control port: how the scenario driver reaches into one actor's process.

The bootstrap hands it to every actor of a simulation (production actors have none). The
actor's base class gives it the messages below unread and lets it see every other message
first; the actor itself knows none of them.

- `Pump(now, until)`: time. Fire the actor's timers due at `now`, call its `on_due`, answer
  `Pumped` with whether anything moved and when it is next due. A session may run ahead
  alone before `until`. An actor whose work is still running (the clock's dispatched runs)
  is answered once it has settled.
- `CrashNext()`: the actor raises on its next message (`crash_actor`).
- `SimCommand(action, args)`: the simulated network of a session (`session_lost`,
  `session_banned`, `send_failures`, `message`, ...).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cicero.actors.ports import Due, Settling
from cicero.sim.clock import VirtualClock
from cicero.sim.whatsapp.transport import SimulatedTransport

log = logging.getLogger("cicero.simulate")


@dataclass(frozen=True)
class Pump:
    """Do what is due at `now`, then answer Pumped.

    A session may also run ahead alone through its own throttled sends due before `until`
    (the next moment anything else happens), each at its own virtual instant, instead of
    the driver visiting every one of those instants."""

    now: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class Pumped:
    name: str
    now: datetime  # the pump's instant (a late answer to an earlier pump is told apart)
    busy: bool  # something happened: the driver pumps again before moving time
    next_due: datetime | None  # when this actor next has something to do
    ready: frozenset[str] | None = None  # sessions it counts as ready (a session, the clock)


@dataclass(frozen=True)
class CrashNext:
    """Raise on the next message (spec/scenario.md `crash_actor`)."""


@dataclass(frozen=True)
class SimCommand:
    """The scenario driver acting on the simulated network of one session."""

    action: str  # lose | restore | log_out | ban | pair | fail_next_sends | deliver
    args: dict[str, Any] = field(default_factory=dict)


class InjectedCrash(RuntimeError):
    pass


_CONTROLS = (Pump, CrashNext, SimCommand)


class SimControl:
    def __init__(self) -> None:
        self.actor: Any = None
        self.crash_next = False
        self.waiting: tuple[Any, Pump] | None = None  # a pump answered once the actor settles

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        SimControl.__init__(self)

    def __copy__(self) -> SimControl:
        return SimControl()

    def __repr__(self) -> str:
        return "SimControl()"

    def attach(self, actor: Any) -> None:
        self.actor = actor

    def takes(self, message: object) -> bool:
        return isinstance(message, _CONTROLS)

    def before(self, message: object) -> None:
        if self.crash_next and not isinstance(message, CrashNext):
            self.crash_next = False
            raise InjectedCrash("crash injected by CrashNext")

    def receive(self, message: object, sender: Any) -> None:
        if isinstance(message, CrashNext):
            self.crash_next = True
        elif isinstance(message, Pump):
            self._pump(message, sender)
        elif isinstance(message, SimCommand):
            self._command(message)

    def after(self) -> None:
        if self.waiting is None:
            return
        assert isinstance(self.actor, Settling)
        due = self.actor.standing()
        if due.settled:
            sender, pump = self.waiting
            self.waiting = None
            self._answer(sender, pump, due)

    # ---- time ---------------------------------------------------------------------------
    def _clock(self) -> VirtualClock:
        clock = self.actor.clock
        if not isinstance(clock, VirtualClock):
            raise TypeError(f"{self.actor.name} is pumped but runs on {clock!r}")
        return clock

    def _pump(self, pump: Pump, sender: Any) -> None:
        clock = self._clock()
        clock.pumping(pump.until)
        try:
            for payload in clock.due_timers(pump.now):
                self.actor.on_timer(payload)
            due: Due = self.actor.on_due()
        finally:
            clock.pumping(None)
        if due.settled:
            self._answer(sender, pump, due)
        else:
            self.waiting = (sender, pump)

    def _answer(self, sender: Any, pump: Pump, due: Due) -> None:
        upcoming = [t for t in (due.next, self._clock().next_timer()) if t is not None]
        # What the pump measured goes to the supervisor before the driver hears the pump is
        # done, so a scrape the driver makes next finds it there.
        self.actor.ship_tally()
        self.actor.send(
            sender, Pumped(self.actor.name, pump.now, due.moved, min(upcoming, default=None),
                           due.ready)
        )  # fmt: skip

    # ---- the simulated network of a session ------------------------------------------------
    def _command(self, message: SimCommand) -> None:
        transport = getattr(self.actor, "transport", None)
        if not isinstance(transport, SimulatedTransport):
            log.warning("%s has no simulated network for %r", self.actor.name, message.action)
            return
        a = message.args
        if message.action == "deliver":
            sender = a["from"]
            lid = sender if sender.endswith("@lid") else None  # only a LID known, no phone
            transport.deliver_incoming(None if lid else sender, a["text"], chat=a.get("chat"),
                                       message_id=a.get("id"), sender_lid=lid)  # fmt: skip
        elif message.action == "ban":
            transport.ban(a.get("until"))
        elif message.action == "fail_next_sends":
            transport.fail_next_sends(int(a["count"]))
        elif message.action == "pair":
            # Linking a number again starts with ops' request (a new login window); someone
            # then scans its code. The session's machine decides whether a request is due.
            self.actor.request_pairing()
            transport.pair()
        elif message.action in ("lose", "restore", "log_out"):
            getattr(transport, message.action)()
        else:
            log.warning("unknown simulator command %r", message.action)
        self.actor.process_events()

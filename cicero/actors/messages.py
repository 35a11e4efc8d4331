"""Messages between actors: small, frozen, picklable, importable by path.

They carry names, ids and small values; never rows, connections or pools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cicero.actors.ports import Clock, Control
from cicero.actors.wall_clock import WallClock
from cicero.config import Settings
from cicero.domain.runtime.names import RunStatus
from cicero.domain.runtime.supervision import RestartType, SupFlags, spec_problems
from cicero.domain.runtime.tally import Tally


@dataclass(frozen=True)
class Ports:
    """What an actor is handed besides its settings (cicero.actors.ports): its clock (the
    bootstrap's choice; the wall clock when none is given) and, in a simulation, the
    simulator's control port."""

    clock: Clock = field(default_factory=WallClock)
    control: Control | None = None


@dataclass(frozen=True)
class ChildSpec:
    name: str
    actor: str  # dotted path "module:Class", resolved in the supervisor's process
    restart: RestartType = RestartType.PERMANENT
    extra: Any = None  # handed to the child in its Start message
    shutdown_s: float = 5.0  # asked to stop, it is killed past this
    ports: Ports = field(default_factory=Ports)  # its clock (and a simulation's control port)


class ChildSpecError(ValueError):
    """Child specs that cannot start; the message is one line, naming the children."""


def check_children(children: tuple[ChildSpec, ...]) -> None:
    """Refuse, before the first start, specs a supervisor could not keep (OTP's check)."""
    problems = spec_problems([(c.name, c.actor, c.shutdown_s) for c in children])
    if problems:
        raise ChildSpecError("; ".join(problems))


@dataclass(frozen=True)
class SupervisorStart:
    name: str
    flags: SupFlags
    children: tuple[ChildSpec, ...]
    settings: Settings
    launcher_pid: int | None = None  # the root stops the whole system if its launcher dies


@dataclass(frozen=True)
class Start:
    name: str
    settings: Settings
    extra: Any = None
    ports: Ports = field(default_factory=Ports)


@dataclass(frozen=True)
class Started:
    """A child tells its supervisor it has started, and in which process (the supervisor
    kills a child that outlives its shutdown time)."""

    name: str
    pid: int


@dataclass(frozen=True)
class Directory:
    """Where each sibling lives now; resent after every (re)start."""

    addresses: dict[str, Any]


@dataclass(frozen=True)
class WhereIs:
    """Ask a supervisor for its children's current addresses (answered with Directory)."""


@dataclass(frozen=True)
class Crashed:
    name: str
    error: str


@dataclass(frozen=True)
class StatusRequest:
    pass


@dataclass(frozen=True)
class StatusSnapshot:
    data: dict[str, Any]


@dataclass(frozen=True)
class StatusReport:
    """A child's own status, pushed to its supervisor when it changes."""

    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Tallied:
    """What a child measured since its last Tallied (sends, upstream requests): the supervisor
    adds it to the totals its status snapshot carries, so a counter outlives a crashed child."""

    tally: Tally


@dataclass(frozen=True)
class Poke:
    """Any inbound message unsticks a stalled Thespian timer (spec/runtime.md §1.4)."""


@dataclass(frozen=True)
class RunJob:
    job: str
    fire_time: datetime
    part: str = ""  # for a job split into parts (cicero.domain.runtime.job_parts)
    # Who hears the JobDone: the clock. Not the sender, which is the supervisor when the
    # worker it was sent to died and the supervisor hands the run to the replacement.
    reply_to: Any = None


@dataclass(frozen=True)
class RunNow:
    """Web → clock: an admin's "run now" of a job (audited by the web side before sending)."""

    job: str


@dataclass(frozen=True)
class RunFetch:
    """Router → ingestor: run the fetch a menu asked for (its `job_run` key and fire time)."""

    key: str
    fire_time: datetime


@dataclass(frozen=True)
class JobDone:
    job: str
    fire_time: datetime
    status: RunStatus  # done | failed | skipped, or crashed: the worker will never say how it ended
    reason: str = ""
    part: str = ""


@dataclass(frozen=True)
class SessionReady:
    name: str


@dataclass(frozen=True)
class SessionLost:
    name: str
    reason: str = ""


@dataclass(frozen=True)
class Stopping:
    """A child about to exit normally (transient children are then left down)."""

    name: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PairingRequest:
    """Ops ask a WhatsApp session to pair (the status page; send it to the root supervisor,
    which forwards it by name). No `phone`: fresh QR codes, in the terminal and the
    session's status report. With `phone` (any format): a pair code for that number.
    Answered with `PairingReply`, to `reply_to` when set (the supervisor sets it)."""

    session: str
    phone: str | None = None
    reply_to: Any = None


@dataclass(frozen=True)
class PairingReply:
    session: str
    ok: bool
    message: str  # in words, for the page
    code: str = ""  # the pair code, "XXXX-XXXX", when one was asked for and given


@dataclass(frozen=True)
class InboxNew:
    """Something new was recorded in the inbox."""


@dataclass(frozen=True)
class OutboxNew:
    """Rows were queued for a session; drain now rather than at the next poll."""

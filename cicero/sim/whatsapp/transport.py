"""A simulated WhatsApp network and the transport a session actor uses to reach it.

Two parts, so the network outlives the actors (spec/scenario.md, issue 5):

* `SimulatedNetwork` is the world: per session whether it is paired, reachable, banned
  or replaced; which numbers are not on WhatsApp; the sends that failing `send_failures`
  will reject; messages waiting for an offline session; and every message it accepted,
  keyed by (session, message id). It is plain, picklable data with no clock and no I/O.
  Keep one instance outside the session actors (the runtime or the scenario driver owns
  it) and hand it to every `SimulatedTransport` built for a session, including the one a
  restarted actor builds: a repeated message id from the same session then finds the
  original message. A runtime whose actors live in other processes persists it: pickle
  it after each call that changes it, or pass a `DeliveryLog` of its own (e.g. one that
  appends to the transcript in `add` and rebuilds from it on start).
* `SimulatedTransport` implements the seam for one session: it only remembers whether
  it is started and where its events go. Faults are methods (`lose`, `restore`,
  `log_out`, `ban`, `pair`, `replace`, `fail_next_sends`, `deliver_incoming`) that change
  the network and emit what a real client would see.

Determinism: codes and generated message ids come from `random.Random(f"{seed}:{session}")`;
time comes from the `clock` callable (the runtime's virtual or wall clock). Events go to
the sink synchronously, from the thread that made the call.
"""

import contextlib
import hashlib
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from cicero.domain.delivery.session import (
    ConnectFailed,
    Disconnected,
    Incoming,
    LoggedOut,
    PairCode,
    Paired,
    QrCode,
    Ready,
    Replaced,
    TemporarilyBanned,
    TransportEvent,
)
from cicero.domain.people.phones import Jid, JidError, Server, group_jid, normalize_phone, user_jid
from cicero.whatsapp.transport import (
    NotReady,
    RecipientInvalid,
    SendFailed,
    SendReceipt,
    Sink,
)


class InitialState(StrEnum):
    """A session's state when the scenario starts (`[sessions]` in spec/scenario.md)."""

    READY = "ready"
    UNPAIRED = "unpaired"
    DOWN = "down"


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Accepted:
    """A message the network accepted: what the transcript's `wa` line is written from."""

    session: str
    to: Jid
    message_id: str
    at: datetime
    text: str | None  # the text, or a document's caption
    attachment: Attachment | None = None


class DeliveryLog(Protocol):
    """The network's memory of accepted messages, by (session, message id)."""

    def find(self, session: str, message_id: str) -> Accepted | None: ...

    def add(self, accepted: Accepted) -> None: ...

    def deferred(self) -> contextlib.AbstractContextManager[None]:
        """Writes of a window of sends kept until it ends (the store's own batching)."""
        ...


class MemoryDeliveryLog:
    def __init__(self) -> None:
        self.by_id: dict[tuple[str, str], Accepted] = {}
        self.in_order: list[Accepted] = []

    def find(self, session: str, message_id: str) -> Accepted | None:
        return self.by_id.get((session, message_id))

    def add(self, accepted: Accepted) -> None:
        self.by_id[accepted.session, accepted.message_id] = accepted
        self.in_order.append(accepted)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        yield  # in memory: nothing to batch


@dataclass
class Line:
    """The network's view of one session (a phone number and its linked device)."""

    jid: Jid
    paired: bool
    reachable: bool
    banned_until: datetime | None = None
    ban_code: str = ""
    logout_pending: str | None = None  # logged out while offline: told on the next connect
    replaced: bool = False
    failures_left: int = 0
    failures_retryable: bool = True
    offline: list[Incoming] = field(default_factory=list)  # held until the session connects


class SimulatedNetwork:
    """The simulated WhatsApp network shared by every simulated session (see module doc)."""

    def __init__(
        self,
        not_on_whatsapp: Sequence[str] = (),
        known_lids: Mapping[str, str] | None = None,
        log: DeliveryLog | None = None,
    ) -> None:
        self.lines: dict[str, Line] = {}
        self.not_on_whatsapp: set[str] = {normalize_phone(p) for p in not_on_whatsapp}
        self.known_lids: dict[str, str] = dict(known_lids or {})  # lid user → phone
        self.log: DeliveryLog = log if log is not None else MemoryDeliveryLog()

    def add_session(self, session: str, phone: str, initial: InitialState | str) -> Line:
        """Register a session once; a later call (an actor restart) keeps the existing line."""
        if session not in self.lines:
            state = InitialState(initial)
            self.lines[session] = Line(
                jid=user_jid(phone),
                paired=state is not InitialState.UNPAIRED,
                reachable=state is not InitialState.DOWN,
            )
        return self.lines[session]

    def accepted(self) -> list[Accepted]:
        """Everything accepted, in order (memory log only)."""
        if not isinstance(self.log, MemoryDeliveryLog):
            raise TypeError("accepted() needs the in-memory delivery log")
        return list(self.log.in_order)


class SimulatedTransport:
    """`WhatsAppTransport` over a `SimulatedNetwork`; one per session actor incarnation."""

    accepts_caller_id = True
    foreign_threads = False  # events go to the sink from the caller's own thread

    def __init__(
        self,
        session: str,
        network: SimulatedNetwork,
        phone: str,
        clock: Callable[[], datetime],
        seed: int = 0,
        initial: InitialState | str = InitialState.READY,
        on_accept: Callable[[Accepted], None] | None = None,
    ) -> None:
        self.session = session
        self.network = network
        self.line = network.add_session(session, phone, initial)
        self.clock = clock
        self.on_accept = on_accept
        self._rng = random.Random(f"{seed}:{session}")
        self._sink: Sink | None = None

    # --- the seam ------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._sink is not None

    @property
    def alive(self) -> bool:
        line = self.line
        return (
            self.started
            and line.paired
            and line.reachable
            and not line.replaced
            and not self._banned()
        )

    def start(self, sink: Sink) -> None:
        self._sink = sink
        self.line.replaced = False  # connecting takes the session back from any other client
        self._connect()

    def stop(self, timeout: float = 0.0) -> None:
        self._sink = None

    def send_text(self, to: Jid, text: str, message_id: str | None = None) -> SendReceipt:
        return self._send(to, text, None, message_id)

    def send_document(
        self,
        to: Jid,
        data: bytes,
        filename: str,
        mimetype: str,
        caption: str | None = None,
        message_id: str | None = None,
    ) -> SendReceipt:
        digest = hashlib.sha256(data).hexdigest()
        return self._send(
            to, caption, Attachment(filename, mimetype, digest, len(data)), message_id
        )

    def lookup(self, phones: Sequence[str]) -> Mapping[str, Jid | None]:
        self._require_alive()
        found: dict[str, Jid | None] = {}
        for raw in phones:
            try:
                phone = normalize_phone(raw)
            except JidError:
                found[raw] = None
                continue
            found[raw] = None if phone in self.network.not_on_whatsapp else user_jid(phone)
        return found

    def window(self) -> contextlib.AbstractContextManager[None]:
        return self.network.log.deferred()

    def request_pair_code(self, phone: str) -> str:
        if not self.started:
            raise NotReady("transport not started")
        if self.line.paired:
            raise SendFailed("already paired", retryable=False)
        normalize_phone(phone)  # JidError for a bad number, as whatsmeow refuses one
        letters = "ABCDEFGHJKLMNPQRSTVWXYZ0123456789"
        code = "".join(self._rng.choice(letters) for _ in range(8))
        code = f"{code[:4]}-{code[4:]}"
        self._emit(PairCode(code))
        return code

    # --- scripted faults (spec/scenario.md event kinds) ----------------------------------

    def lose(self) -> None:
        """`session_lost`: the network drops; the session reconnects after `restore`."""
        was = self.alive
        self.line.reachable = False
        if was:
            self._emit(Disconnected())

    def restore(self) -> None:
        """`session_ready`: the network is back; a started transport connects again."""
        was = self.alive
        self.line.reachable = True
        if self.started and not was and not self.line.replaced:
            self._connect()

    def log_out(self, reason: str = "LOGGED_OUT") -> None:
        """`session_logged_out`: the device was unlinked; it must be paired again."""
        was = self.alive
        self.line.paired = False
        if was:
            self._emit(LoggedOut(reason))
        else:
            self.line.logout_pending = reason

    def ban(self, until: datetime | None, code: str = "SEND_TO_TOO_MANY_PEOPLE") -> None:
        """`session_banned`: a temporary ban until `until`."""
        was = self.alive
        self.line.banned_until, self.line.ban_code = until, code
        if was:
            self._emit(TemporarilyBanned(code, until))

    def pair(self) -> None:
        """`session_paired`: someone completed pairing (scanned the QR / typed the code)."""
        self.line.paired = True
        self.line.logout_pending = None
        if self.started and self.line.reachable:
            self._emit(Paired(self.line.jid))
            self._connect()

    def replace(self) -> None:
        """Another client connected with the same credentials."""
        was = self.alive
        self.line.replaced = True
        if was:
            self._emit(Replaced())

    def fail_next_sends(self, count: int, retryable: bool = True) -> None:
        """`send_failures`: the network rejects the next `count` sends of this session."""
        self.line.failures_left = count
        self.line.failures_retryable = retryable

    def deliver_incoming(
        self,
        sender_phone: str | None,
        text: str,
        chat: Jid | str | None = None,
        message_id: str | None = None,
        push_name: str | None = None,
        sender_lid: Jid | str | None = None,
    ) -> Incoming:
        """`message`: someone writes to this session. Held while the session is offline and
        delivered when it connects, as WhatsApp does. A repeated id is a redelivery."""
        phone = normalize_phone(sender_phone) if sender_phone is not None else None
        lid = _as_jid(sender_lid, Server.LID)
        if phone is None and lid is None:
            raise JidError("an incoming message needs a sender phone or LID")
        group = _as_jid(chat, Server.GROUP)
        direct = user_jid(phone) if phone is not None else lid
        assert direct is not None
        ev = Incoming(
            message_id=message_id or self._new_id(),
            chat=group or direct,
            sender_phone=phone,
            sender_lid=lid,
            is_group=group is not None,
            text=text,
            at=self.clock(),
            push_name=push_name,
        )
        if self.alive:
            self._emit(ev)
        else:
            self.line.offline.append(ev)
        return ev

    # --- inside --------------------------------------------------------------------------

    def _banned(self) -> bool:
        until = self.line.banned_until
        if until is None:
            return bool(self.line.ban_code)  # a ban without expiry lasts
        return self.clock() < until

    def _connect(self) -> None:
        line = self.line
        if not line.reachable:
            self._emit(ConnectFailed("network unreachable", retryable=True))
        elif line.logout_pending is not None:
            reason, line.logout_pending = line.logout_pending, None
            self._emit(LoggedOut(reason))
        elif not line.paired:
            self._emit(QrCode(f"2@{self._rng.getrandbits(96):024x}"))
        elif self._banned():
            self._emit(TemporarilyBanned(line.ban_code, line.banned_until))
        else:
            line.banned_until, line.ban_code = None, ""
            self._emit(Ready(line.jid))
            held, line.offline = line.offline, []
            for ev in held:
                self._emit(ev)

    def _emit(self, ev: TransportEvent) -> None:
        if self._sink is not None:
            self._sink(ev)

    def _require_alive(self) -> None:
        if not self.alive:
            raise NotReady(f"session {self.session} is not connected")

    def _new_id(self) -> str:
        while True:
            mid = f"3EB0{self._rng.getrandbits(64):016X}"
            if self.network.log.find(self.session, mid) is None:
                return mid

    def _send(
        self, to: Jid, text: str | None, attachment: Attachment | None, message_id: str | None
    ) -> SendReceipt:
        self._require_alive()
        if message_id is not None:
            seen = self.network.log.find(self.session, message_id)
            if seen is not None:  # the same message: not delivered twice
                return SendReceipt(seen.message_id, seen.at)
        line = self.line
        if line.failures_left > 0:
            line.failures_left -= 1
            raise SendFailed("simulated network failure", retryable=line.failures_retryable)
        if not isinstance(to, Jid):
            raise RecipientInvalid(str(to), "not a JID")
        if to.is_lid and to.user not in self.network.known_lids:
            raise RecipientInvalid(str(to), "can't send message to unknown server lid")
        if to.phone is not None and to.phone in self.network.not_on_whatsapp:
            raise RecipientInvalid(str(to), "not on WhatsApp")
        accepted = Accepted(
            session=self.session,
            to=to,
            message_id=message_id or self._new_id(),
            at=self.clock(),
            text=text,
            attachment=attachment,
        )
        self.network.log.add(accepted)
        if self.on_accept is not None:
            self.on_accept(accepted)
        return SendReceipt(accepted.message_id, accepted.at)


def _as_jid(value: Jid | str | None, server: Server) -> Jid | None:
    if value is None or isinstance(value, Jid):
        return value
    if server is Server.GROUP:
        return group_jid(value)
    return Jid(value.partition("@")[0], server)

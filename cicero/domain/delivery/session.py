"""A WhatsApp session's life as a pure state machine (DESIGN §4, runtime.md §2.6 and §2.8).

    starting ──QrCode──▶ pairing ──Paired, Ready──▶ ready ◀──Ready── reconnecting
        │                                              │  ──Disconnected,        ▲
        └────────── Ready ───────────────────────────▶ │    KeepaliveLost,       │
                                                       │    ConnectFailed ───────┘
    any live state ──LoggedOut──▶ logged_out   ──Replaced──▶ replaced
                   ──TemporarilyBanned──▶ banned(until)

The session actor feeds every transport event (and its own timers) to `handle` and
performs the returned effects; it holds no rule of its own. Decisions worth knowing:

* Transport events are the peer's words: an event that makes no sense in a state (a
  stale `Disconnected` after a logout, a second `Ready`) is an ordinary transition that
  changes nothing, never a crash. `SessionMisuse` is raised only for our own bugs: a
  non-event, a naive `now`, a reconnect timer token that was never issued.
* whatsmeow reconnects a paired device by itself after the network drops it (0, 2, 4 …
  s apart) and forces its own reconnect after 3 minutes of failed pings. So a
  `Disconnected` or `KeepaliveLost` in `ready` is left to the library: the session is
  not ready (sends wait) but the transport is not restarted; only if the library has not
  come back after `LIBRARY_GRACE_S` does the machine restart it as a safety net. A
  keepalive loss followed by `KeepaliveRestored` is a blip: back to ready, no restart.
  Before a device is paired (starting, pairing) the library does not reconnect, so a
  loss there is retried by the machine's own backoff.
* A login window (a series of rotating QR codes, about 160 s) that ends unscanned is
  `PairingExpired`: the transport is restarted for a fresh series `LOGIN_WINDOWS` times
  in all, then the session rests in `pairing` with the transport stopped until ops ask
  again (`PairRequested`). neonize 0.5.2 never releases the Go call of a window that
  ended unpaired, so an endless series would pile them up.
* `logged_out` and `replaced` are left only by an explicit re-pair: ops' `PairRequested`
  (→ starting, restart the transport) or a `Paired` event (someone scanned a code).
* `banned` is terminal too, except that a ban with an `until` ends by itself: the first
  `KeepaliveCheck` at or after `until` moves to reconnecting. A ban without `until`
  waits for a re-pair like a logout.
* A non-retryable `ConnectFailed` (e.g. client outdated, a refusal neonize cannot read)
  alerts ops but is not terminal: only the network's logout, replace and ban are. It is
  retried at the backoff cap, never sooner, for as long as it repeats. While reconnecting,
  each failure's reason replaces the last one, and a failure like the last (`same_failure`)
  alerts no one again.
* Only leaving `ready` reports `ReportLost`; a session is not ready from its start until
  its first `ReportReady`, so the clock needs no "lost" for a session never ready.
* Reconnect timers carry a token; a `ReconnectDue` whose token is not the newest one
  issued is stale (the session got ready meanwhile, or a newer timer replaced it).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TypedDict, Unpack

from cicero.domain.people.phones import Jid

KEEPALIVE_S = 210.0  # a connection silent this long is dead (issue: within 3.5 min)
RECONNECT_BASE_S = 2.0
RECONNECT_CAP_S = 300.0
# How long a paired session is left to the library's own reconnect before the machine
# restarts the transport itself (whatsmeow forces a reconnect after 3 min of failed pings).
LIBRARY_GRACE_S = 600.0
LOGIN_WINDOWS = 3  # QR series opened in a row before resting until ops ask again


class SessionMisuse(Exception):
    """Our code drove the machine wrongly (not a network oddity)."""


class SessionState(StrEnum):
    STARTING = "starting"
    PAIRING = "pairing"
    READY = "ready"
    RECONNECTING = "reconnecting"
    LOGGED_OUT = "logged_out"
    REPLACED = "replaced"
    BANNED = "banned"


TERMINAL = frozenset({SessionState.LOGGED_OUT, SessionState.REPLACED, SessionState.BANNED})
LIVE = frozenset(SessionState) - TERMINAL
FAILING = frozenset({SessionState.RECONNECTING})  # a loop whose `reason` is its latest failure


# --- events: the transport's (runtime.md §2.8) ---------------------------------------------


class Event:
    """Base of everything `handle` accepts."""

    __slots__ = ()


class TransportEvent(Event):
    """What a `WhatsAppTransport` passes to its sink."""

    __slots__ = ()


@dataclass(frozen=True)
class QrCode(TransportEvent):
    code: str


@dataclass(frozen=True)
class PairCode(TransportEvent):
    code: str  # "XXXX-XXXX", typed by the user under Linked devices


@dataclass(frozen=True)
class Paired(TransportEvent):
    jid: Jid


@dataclass(frozen=True)
class Ready(TransportEvent):
    jid: Jid


@dataclass(frozen=True)
class Disconnected(TransportEvent):
    pass


@dataclass(frozen=True)
class KeepaliveLost(TransportEvent):
    """The server stopped answering pings; the library retries and forces its own reconnect
    after 3 minutes. Sent once per streak of failed pings."""


@dataclass(frozen=True)
class KeepaliveRestored(TransportEvent):
    """Pings are answered again: the connection never dropped."""


@dataclass(frozen=True)
class PairingExpired(TransportEvent):
    """A login window closed unpaired (its QR codes ran out, or pairing went wrong)."""

    reason: str


@dataclass(frozen=True)
class ConnectFailed(TransportEvent):
    reason: str
    retryable: bool


@dataclass(frozen=True)
class LoggedOut(TransportEvent):
    reason: str


@dataclass(frozen=True)
class TemporarilyBanned(TransportEvent):
    code: str
    until: datetime | None  # None: no expiry given, wait for a re-pair


@dataclass(frozen=True)
class Replaced(TransportEvent):
    pass


@dataclass(frozen=True)
class Incoming(TransportEvent):
    message_id: str
    chat: Jid  # the group, or the sender for a direct message
    sender_phone: str | None  # normalised `62…`; None when only a LID is known
    sender_lid: Jid | None
    is_group: bool
    text: str
    at: datetime
    push_name: str | None = None


@dataclass(frozen=True)
class Heartbeat(TransportEvent):
    """A sign of life: the actor feeds one after a successful send and on each watchdog
    tick where `transport.alive` is true; transports may emit it too."""


# --- events: the actor's own ---------------------------------------------------------------


@dataclass(frozen=True)
class KeepaliveCheck(Event):
    """The watchdog's periodic tick (e.g. every 30 s); also ends an expired ban."""


@dataclass(frozen=True)
class ReconnectDue(Event):
    token: int  # from the ScheduleReconnect that armed this timer


@dataclass(frozen=True)
class PairRequested(Event):
    """Ops asked to pair again (`cicero pair`); the only way out of logged_out/replaced."""


# --- effects -------------------------------------------------------------------------------


class Effect:
    __slots__ = ()


@dataclass(frozen=True)
class ShowQr(Effect):
    code: str


@dataclass(frozen=True)
class ShowPairCode(Effect):
    code: str


@dataclass(frozen=True)
class ReportReady(Effect):
    jid: Jid


@dataclass(frozen=True)
class ReportLost(Effect):
    reason: str


@dataclass(frozen=True)
class ScheduleReconnect(Effect):
    """Send `ReconnectDue(token)` to the machine after `delay_s`."""

    delay_s: float
    token: int


@dataclass(frozen=True)
class RestartTransport(Effect):
    """`transport.stop()` then `transport.start(sink)` again."""


@dataclass(frozen=True)
class StopTransport(Effect):
    pass


@dataclass(frozen=True)
class AlertOps(Effect):
    reason: str


# --- state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    state: SessionState = SessionState.STARTING
    since: datetime | None = None  # when `state` was entered
    reason: str = ""  # why we are in `state` (transcript `session` line, /healthz)
    jid: Jid | None = None
    last_heard: datetime | None = None
    attempt: int = 0  # reconnects tried since the last ready
    timer: int = 0  # token of the newest ScheduleReconnect issued
    until: datetime | None = None  # ban expiry
    keepalive_s: float = KEEPALIVE_S
    stalled: bool = False  # reconnecting after a keepalive loss: the socket may still be up
    expired_windows: int = 0  # login windows ended unpaired since the last request


def initial(now: datetime, keepalive_s: float = KEEPALIVE_S) -> Session:
    """A session whose transport is being started now."""
    return Session(since=now, reason="starting", keepalive_s=keepalive_s)


_NUMBERS = re.compile(r"\d+")


def same_failure(a: str, b: str) -> bool:
    """Two failures that differ only in numbers (an address, a port, a duration) are one:
    a reconnect loop meeting them is said once, not at every retry."""
    return _NUMBERS.sub("#", a) == _NUMBERS.sub("#", b)


def is_ready(session: Session) -> bool:
    return session.state is SessionState.READY


def is_resting(session: Session) -> bool:
    """Pairing with no login window open: its QR series expired, ops must ask again."""
    return session.state is SessionState.PAIRING and session.expired_windows >= LOGIN_WINDOWS


def reconnect_delay(
    attempt: int, rng_value: float, base_s: float = RECONNECT_BASE_S, cap_s: float = RECONNECT_CAP_S
) -> float:
    """Exponential backoff with "equal jitter": half the step fixed, half random.

    `rng_value` in [0, 1) comes from the caller's seeded `random.Random`.
    """
    step = min(cap_s, base_s * 2.0 ** min(max(attempt, 0), 32))
    return step / 2 + step / 2 * min(max(rng_value, 0.0), 1.0)


# --- transitions ---------------------------------------------------------------------------

Result = tuple[Session, tuple[Effect, ...]]
Handler = Callable[[Session, Event, datetime, float], Result]


def _ignore(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    return s, ()


class _Changes(TypedDict, total=False):
    """The fields a transition may set besides `state`, `since` and `reason`."""

    jid: Jid | None
    last_heard: datetime | None
    attempt: int
    timer: int
    until: datetime | None
    keepalive_s: float
    stalled: bool
    expired_windows: int


def _enter(
    s: Session, state: SessionState, now: datetime, reason: str, **kw: Unpack[_Changes]
) -> Session:
    since = s.since if state is s.state else now
    if state is not SessionState.RECONNECTING:
        kw.setdefault("stalled", False)  # a keepalive blip ends with the reconnecting state
    return replace(s, state=state, since=since, reason=reason, **kw)


def _lost(s: Session, reason: str) -> tuple[Effect, ...]:
    return (ReportLost(reason),) if s.state is SessionState.READY else ()


def _to_reconnecting(
    s: Session, now: datetime, rng: float, reason: str, restart: bool, delay_s: float | None = None
) -> Result:
    token = s.timer + 1
    delay = reconnect_delay(0, rng) if delay_s is None else delay_s
    new = _enter(
        s, SessionState.RECONNECTING, now, reason, attempt=0, timer=token, until=None, stalled=False
    )
    effects = (
        *_lost(s, reason),
        *((RestartTransport(),) if restart else ()),
        ScheduleReconnect(delay, token),
    )
    return new, effects


def _qr(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, QrCode)
    if is_resting(s):
        return s, ()  # a late code from the window that just closed
    new = _enter(s, SessionState.PAIRING, now, "pairing required", stalled=False)
    return new, (*_lost(s, "pairing required"), ShowQr(ev.code))


def _pairing_expired(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, PairingExpired)
    if is_resting(s):
        return s, ()
    expired = s.expired_windows + 1
    if expired < LOGIN_WINDOWS:
        why = f"pairing required ({ev.reason}; new QR codes follow)"
        new = _enter(s, SessionState.PAIRING, now, why, expired_windows=expired)
        return new, (RestartTransport(),)
    why = f"pairing required: QR codes expired unscanned ({ev.reason}); ask for new ones"
    new = _enter(s, SessionState.PAIRING, now, why, expired_windows=expired)
    return new, (StopTransport(), AlertOps(f"session {why}"))


def _pair_code(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, PairCode)
    return _enter(s, SessionState.PAIRING, now, "pairing required"), (ShowPairCode(ev.code),)


def _paired(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, Paired)
    # Waits for Ready: whatsmeow reconnects after a successful pairing, then says Connected.
    new = _enter(
        s, SessionState.PAIRING, now, "paired", jid=ev.jid, until=None, attempt=0,
        expired_windows=0,
    )  # fmt: skip
    return new, ()


def _ready(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, Ready)
    new = _enter(
        s, SessionState.READY, now, "", jid=ev.jid, last_heard=now, attempt=0, stalled=False,
        expired_windows=0,
    )  # fmt: skip
    return new, () if s.state is SessionState.READY else (ReportReady(ev.jid),)


def _disconnected(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    if s.state is SessionState.READY:  # paired: the library reconnects by itself
        return _to_reconnecting(s, now, rng, "disconnected", restart=False, delay_s=LIBRARY_GRACE_S)
    return _to_reconnecting(s, now, rng, "disconnected", restart=False)


def _keepalive_lost(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    new, effects = _to_reconnecting(
        s, now, rng, "keepalive timeout", restart=False, delay_s=LIBRARY_GRACE_S
    )
    return replace(new, stalled=True), effects


def _keepalive_restored(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    if s.state is SessionState.RECONNECTING and s.stalled and s.jid is not None:
        # A blip: the connection held. The armed safety timer is stale from here on.
        new = _enter(s, SessionState.READY, now, "", last_heard=now, attempt=0, stalled=False)
        return new, (ReportReady(s.jid),)
    return _heard(s, ev, now, rng)


def _connect_failed(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, ConnectFailed)
    alert = () if ev.retryable else (AlertOps(f"connect failed, not retryable: {ev.reason}"),)
    if s.state is SessionState.RECONNECTING:
        # The reason becomes the latest failure's (what ops read on /healthz); ops are
        # alerted once per failure that changed, not on every retry.
        if same_failure(ev.reason, s.reason):
            alert = ()
        if ev.retryable:
            return replace(s, reason=ev.reason), alert  # the armed timer retries
        # Not retryable: never sooner than the cap, whatever the backoff had reached.
        token = s.timer + 1
        return replace(s, reason=ev.reason, timer=token), (
            ScheduleReconnect(RECONNECT_CAP_S, token),
            *alert,
        )
    delay = None if ev.retryable else RECONNECT_CAP_S
    new, effects = _to_reconnecting(s, now, rng, ev.reason, restart=False, delay_s=delay)
    return new, (*effects, *alert)


def _terminal(
    state: SessionState, s: Session, now: datetime, reason: str, **kw: Unpack[_Changes]
) -> Result:
    new = _enter(s, state, now, reason, **kw)
    return new, (*_lost(s, reason), StopTransport(), AlertOps(f"session {state}: {reason}"))


def _logged_out(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, LoggedOut)
    return _terminal(SessionState.LOGGED_OUT, s, now, ev.reason)


def _banned(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, TemporarilyBanned)
    if s.state is SessionState.BANNED:
        return replace(s, until=ev.until, reason=ev.code), ()  # the network moved the expiry
    return _terminal(SessionState.BANNED, s, now, ev.code, until=ev.until)


def _replaced(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    return _terminal(SessionState.REPLACED, s, now, "another client took over the session")


def _heard(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    return replace(s, last_heard=now), ()


def _keepalive_check(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    if s.state is SessionState.BANNED:
        if s.until is not None and now >= s.until:
            return _to_reconnecting(s, now, rng, "ban expired", restart=True)
        return s, ()
    if s.state in (SessionState.READY, SessionState.STARTING):
        heard = s.last_heard if s.state is SessionState.READY else s.since
        if heard is not None and (now - heard).total_seconds() > s.keepalive_s:
            why = "keepalive timeout" if s.state is SessionState.READY else "start timed out"
            return _to_reconnecting(s, now, rng, why, restart=True)
    return s, ()


def _reconnect_due(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    assert isinstance(ev, ReconnectDue)
    if ev.token > s.timer:
        raise SessionMisuse(f"ReconnectDue token {ev.token} was never issued (newest {s.timer})")
    if s.state is not SessionState.RECONNECTING or ev.token != s.timer:
        return s, ()  # stale timer
    attempt, token = s.attempt + 1, s.timer + 1
    new = replace(s, attempt=attempt, timer=token)
    return new, (RestartTransport(), ScheduleReconnect(reconnect_delay(attempt, rng), token))


def _pair_requested(s: Session, ev: Event, now: datetime, rng: float) -> Result:
    if s.state in LIVE and not is_resting(s):
        return s, ()  # already live (a login window is open, or paired): nothing to reopen
    new = _enter(
        s, SessionState.STARTING, now, "pairing requested", until=None, attempt=0,
        expired_windows=0,
    )  # fmt: skip
    return new, (RestartTransport(),)


def _table() -> dict[tuple[SessionState, type[Event]], Handler]:
    live, terminal = sorted(LIVE), sorted(TERMINAL)
    t: dict[tuple[SessionState, type[Event]], Handler] = {}

    def put(states: Iterable[SessionState], event: type[Event], fn: Handler) -> None:
        for st in states:
            t[st, event] = fn

    put(live, QrCode, _qr)
    put(terminal, QrCode, _ignore)  # a late code from a transport being stopped
    put([SessionState.STARTING, SessionState.PAIRING], PairingExpired, _pairing_expired)
    put(
        [SessionState.READY, SessionState.RECONNECTING, *terminal], PairingExpired, _ignore
    )  # a window that closed after the pairing succeeded, or a stopped transport
    put([SessionState.STARTING, SessionState.PAIRING], PairCode, _pair_code)
    put([SessionState.READY, SessionState.RECONNECTING, *terminal], PairCode, _ignore)
    put(
        [s for s in SessionState if s is not SessionState.READY], Paired, _paired
    )  # in a terminal state this is the explicit re-pair
    put([SessionState.READY], Paired, _ignore)
    put(live, Ready, _ready)
    put(terminal, Ready, _ignore)  # never leave a terminal state on a stray Ready
    put(
        [SessionState.STARTING, SessionState.PAIRING, SessionState.READY],
        Disconnected,
        _disconnected,
    )
    put([SessionState.RECONNECTING, *terminal], Disconnected, _ignore)
    put([SessionState.READY], KeepaliveLost, _keepalive_lost)
    put([s for s in SessionState if s is not SessionState.READY], KeepaliveLost, _ignore)
    put(live, KeepaliveRestored, _keepalive_restored)
    put(terminal, KeepaliveRestored, _ignore)
    put(live, ConnectFailed, _connect_failed)
    put(terminal, ConnectFailed, _ignore)
    put(live, LoggedOut, _logged_out)
    put(terminal, LoggedOut, _ignore)
    put([*live, SessionState.BANNED], TemporarilyBanned, _banned)
    put([SessionState.LOGGED_OUT, SessionState.REPLACED], TemporarilyBanned, _ignore)
    put(live, Replaced, _replaced)
    put(terminal, Replaced, _ignore)
    for event in (Incoming, Heartbeat):
        put(live, event, _heard)
        put(terminal, event, _ignore)
    put(SessionState, KeepaliveCheck, _keepalive_check)
    put(SessionState, ReconnectDue, _reconnect_due)
    put(SessionState, PairRequested, _pair_requested)  # live: only a resting pairing reopens
    return t


TRANSITIONS = _table()


def handle(session: Session, event: Event, now: datetime, rng_value: float = 0.5) -> Result:
    """One step: `(new session, effects to perform in order)`.

    `rng_value` in [0, 1) jitters any reconnect delay this step schedules; the actor passes
    `rng.random()` from its seeded generator.
    """
    if now.tzinfo is None:
        raise SessionMisuse(f"naive now {now.isoformat()}")
    try:
        on = TRANSITIONS[session.state, type(event)]
    except KeyError:
        raise SessionMisuse(f"{type(event).__name__} is not a session event") from None
    return on(session, event, now, rng_value)

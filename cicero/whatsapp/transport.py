"""The seam between Cicero and a WhatsApp network (runtime.md §2.8).

Nothing above this module knows whether neonize or the simulator runs. Only plain,
picklable data crosses it: `Jid`s, strings, bytes, datetimes and the frozen event
dataclasses, which live with the session machine in `cicero.domain.delivery.session` and are
re-exported here.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from cicero.domain.delivery.failures import Failure
from cicero.domain.delivery.session import (
    ConnectFailed,
    Disconnected,
    Heartbeat,
    Incoming,
    KeepaliveLost,
    KeepaliveRestored,
    LoggedOut,
    PairCode,
    Paired,
    PairingExpired,
    QrCode,
    Ready,
    Replaced,
    TemporarilyBanned,
    TransportEvent,
)
from cicero.domain.people.phones import Jid

__all__ = [
    "ConnectFailed",
    "Disconnected",
    "Heartbeat",
    "Incoming",
    "KeepaliveLost",
    "KeepaliveRestored",
    "LoggedOut",
    "NotReady",
    "PairCode",
    "Paired",
    "PairingExpired",
    "QrCode",
    "Ready",
    "RecipientInvalid",
    "Replaced",
    "SendFailed",
    "SendReceipt",
    "Sink",
    "TemporarilyBanned",
    "TransportError",
    "TransportEvent",
    "TransportFactory",
    "TransportHost",
    "WhatsAppTransport",
]

T = TypeVar("T")

Sink = Callable[[TransportEvent], None]


@dataclass(frozen=True)
class SendReceipt:
    message_id: str  # the WhatsApp message id the network stored
    at: datetime  # when the network accepted it


class TransportError(Exception):
    """Base of what a send may raise; each says which kind of failure it is (`failure`), and
    the outbox's one rule (cicero.domain.delivery.failures) decides the row's fate."""

    @property
    def failure(self) -> Failure:  # read-only: a subclass fixes it or derives it
        return Failure.TRANSIENT


class NotReady(TransportError):
    """Not connected and logged in: nothing was sent, try again when ready (not an attempt)."""

    failure = Failure.NOT_READY

    def __init__(self, reason: str = "not ready") -> None:
        super().__init__(reason)
        self.reason = reason


class RecipientInvalid(TransportError):
    """The recipient cannot receive (not on WhatsApp, unknown LID, not a member): never retry."""

    failure = Failure.REFUSED

    def __init__(self, to: str, reason: str) -> None:
        super().__init__(to, reason)
        self.to, self.reason = to, reason

    def __str__(self) -> str:
        return f"{self.to}: {self.reason}"


class SendFailed(TransportError):
    """The network refused or the call failed; `retryable` says whether a resend may work."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason, retryable)
        self.reason, self.retryable = reason, retryable

    def __str__(self) -> str:
        return f"{self.reason} ({'retryable' if self.retryable else 'permanent'})"

    @property
    def failure(self) -> Failure:
        return Failure.TRANSIENT if self.retryable else Failure.REFUSED


class SendOutcomeUnknown(SendFailed):
    """The message left but no answer came: it may have been delivered. Never retried by
    the transport; the outbox records the row `in_doubt` (shown, never resent by itself)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"outcome unknown: {reason}", retryable=False)

    @property
    def failure(self) -> Failure:
        return Failure.UNKNOWN


@runtime_checkable
class WhatsAppTransport(Protocol):
    """One WhatsApp session's connection, owned by its session actor.

    `accepts_caller_id`: True when `send_*(…, message_id=…)` makes the network store the
    message under that id and treat a repeat as the same message. The outbox relies on it
    to resend a row left `sending` by a crash (else the row becomes `in_doubt`).
    """

    accepts_caller_id: bool
    # True when it calls the sink from threads of its own (neonize's): the session actor then
    # wakes itself through a pipe. False: it calls the sink only inside the actor's own calls.
    foreign_threads: bool

    @property
    def alive(self) -> bool:
        """Cheap, never blocks: the transport has current evidence its connection works
        (neonize: connected, logged in and no unrestored keepalive timeout). The watchdog
        feeds `Heartbeat()` to the session machine on each tick where this is true."""
        ...

    def start(self, sink: Sink) -> None:
        """Begin connecting; returns at once. Events go to `sink`, which is thread-safe.
        May be called again after `stop` (a reconnect restarts the transport)."""
        ...

    def stop(self, timeout: float) -> None: ...

    def send_text(self, to: Jid, text: str, message_id: str | None = None) -> SendReceipt:
        """Raises NotReady, RecipientInvalid or SendFailed."""
        ...

    def send_document(
        self,
        to: Jid,
        data: bytes,
        filename: str,
        mimetype: str,
        caption: str | None = None,
        message_id: str | None = None,
    ) -> SendReceipt: ...

    def lookup(self, phones: Sequence[str]) -> Mapping[str, Jid | None]:
        """Which normalised numbers are on WhatsApp (None: not on it). Needs a connection."""
        ...

    def request_pair_code(self, phone: str) -> str:
        """Pair by phone number instead of QR; returns `XXXX-XXXX` (also sent as PairCode).
        Only while a login window is open (after its first QrCode); raises JidError for a
        number that is not one, NotReady without a window, SendFailed when paired."""
        ...

    def window(self) -> AbstractContextManager[None]:
        """A window of sends: the transport may keep its own records of them until it ends
        (the simulated network writes its log once; neonize keeps none)."""
        ...


@dataclass(frozen=True)
class TransportHost:
    """What a session actor lends the transport it builds."""

    session: str
    data_dir: Path
    now: Callable[[], datetime]  # the actor's clock
    run: Callable[[Awaitable[Any]], Any]  # runs a coroutine on the actor's event loop
    db: Callable[..., Awaitable[Any]]  # (statement function, *args) on the actor's connection


class TransportFactory(Protocol):
    """The bootstrap's choice of transport, built in the session actor's own process."""

    @property
    def kind(self) -> str:
        """Shown on the status page: "neonize" | "simulator" (a frozen field is enough)."""
        ...

    def build(self, host: TransportHost) -> WhatsAppTransport: ...

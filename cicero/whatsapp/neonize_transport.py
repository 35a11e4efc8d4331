"""The real WhatsApp transport: neonize 0.5.2's sync client behind the seam (runtime.md §2).

Import rule (runtime.md §1.7): importing this module does not import neonize; `start`
does. neonize starts the Go runtime on import, and a process that forks after that
hangs, so only the session actor's own process may call `start`.

Threads:
* `start` runs `client.connect()` on a daemon thread of ours. connect() itself runs the
  blocking Go call on a *non-daemon* thread it owns and waits for it; all event handlers
  run on that Go-owned thread, one at a time. Handlers translate the protobuf, call the
  sink inside try/except (an exception would be lost in ctypes) and return.
* `stop(timeout)` disconnects, cancels the Go context and joins. If the Go call does not
  return in time (e.g. stopped while a QR code is showing: whatsmeow's QR loop may run on
  until its codes expire, about 160 s) `stuck` stays true and its non-daemon thread keeps
  the process alive after the actor exits: the actor's last resort is `os._exit`.
* Sends, lookups and pair codes are synchronous Go calls made from the actor's thread.

Guarantees: `accepts_caller_id = False`. neonize 0.5.2's `send_message` picks the message
id itself (whatsmeow's `SendRequestExtra.ID` is reachable only from `send_fb_message`), so
a resend after a crash could deliver twice: the outbox marks a row left `sending` as
`in_doubt` instead (at most once). A send whose answer never came is `SendOutcomeUnknown`.

Hazard: some neonize calls dereference the Go client without a nil check and *crash the
process* (a Go panic) when there is none: `get_me` after `stop`, `get_pn_from_lid` before
pairing. This module only makes them while connected and logged in, under `_lock`, which
`stop` takes before it removes the Go client.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cicero.domain.delivery.session import (
    ConnectFailed,
    Disconnected,
    Heartbeat,
    PairCode,
    QrCode,
    Ready,
    Replaced,
    TransportEvent,
)
from cicero.domain.people.phones import Jid, JidError, normalize_phone
from cicero.whatsapp import neonize_events as tr
from cicero.whatsapp.transport import (
    NotReady,
    RecipientInvalid,
    SendFailed,
    SendOutcomeUnknown,
    SendReceipt,
    Sink,
    TransportError,
    TransportHost,
)

log = logging.getLogger(__name__)

_SCHEMA_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# whatsmeow's error texts (errors.go), lower-cased, by what they mean for the outbox.
_NOT_READY = (
    "client is nil",  # no Go client: never connected, or stopped
    "doesn't contain a device jid",  # ErrNotLoggedIn: not paired
    "websocket not connected",  # ErrNotConnected
)
_RECIPIENT_INVALID = (
    "unknown server",  # ErrUnknownServer, e.g. "can't send message to unknown server lid"
    "recipient must be a user jid",  # ErrRecipientADJID
    "broadcast lists is not yet supported",
    "not participating in that group",  # ErrNotInGroup
    "group does not exist",  # ErrGroupNotFound
)
_OUTCOME_UNKNOWN = (
    "timed out waiting for message send response",  # ErrMessageTimedOut: frame was written
    "disconnected before message send",  # DisconnectedError after the frame was written
)


def sqlite_store(data_dir: Path | str, session: str) -> str:
    """`<data_dir>/wa/<session>.sqlite3`, its directory created (one store per session)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", session):
        raise ValueError(f"session name {session!r} cannot name a store file")
    path = Path(data_dir) / "wa" / f"{session}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def postgres_store(url: str, schema: str) -> str:
    """The PostgreSQL URL with `search_path=<schema>`: whatsmeow creates its 17 tables
    there. One schema per session: in a shared store a client resumes the first device."""
    if not _SCHEMA_RE.fullmatch(schema):
        raise ValueError(f"{schema!r} is not a plain lower-case schema name")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


def check_store(store: str) -> str:
    if store.startswith("postgres"):
        if "search_path=" not in store:
            raise ValueError("a PostgreSQL session store needs search_path=<per-session schema>")
        return store
    if "?" in store or not store:
        raise ValueError(f"{store!r} is not a usable SQLite path (neonize appends ?options)")
    Path(store).parent.mkdir(parents=True, exist_ok=True)
    return store


def send_error(to: str, exc: BaseException) -> TransportError:
    """A neonize exception from a send as the seam's error."""
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if any(s in low for s in _NOT_READY):
        return NotReady(text)
    if any(s in low for s in _RECIPIENT_INVALID):
        return RecipientInvalid(to, text)
    if any(s in low for s in _OUTCOME_UNKNOWN):
        return SendOutcomeUnknown(text)
    if type(exc).__module__.startswith("neonize"):
        return SendFailed(text, retryable=True)
    return SendFailed(f"{type(exc).__name__}: {text}", retryable=False)  # our bug, not the net


def _load() -> Any:
    """neonize's client module, imported here and only here."""
    import neonize.client

    return neonize.client


@dataclass(frozen=True)
class NeonizeFactory:
    """The bootstrap's choice of the real network: each session's store is a SQLite file
    under the data directory (`wa/<session>.sqlite3`)."""

    kind: str = "neonize"

    def build(self, host: TransportHost) -> NeonizeTransport:
        store = host.data_dir / "wa" / f"{host.session}.sqlite3"
        store.parent.mkdir(parents=True, exist_ok=True)
        return NeonizeTransport(host.session, str(store), clock=host.now)


class NeonizeTransport:
    """`WhatsAppTransport` over neonize; one per session actor incarnation."""

    accepts_caller_id = False
    foreign_threads = True  # its events arrive on the Go-owned thread

    def __init__(
        self,
        session_name: str,
        store: str,
        on_qr: Callable[[str], None] | None = None,
        proxy: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.session = session_name
        self.store = check_store(str(store))
        self.on_qr = on_qr
        self.proxy = proxy  # e.g. socks5://host:port; tests point it at a closed port
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._client: Any = None
        self._callbacks: list[Callable[..., None]] = []  # strong refs for neonize
        self._sink: Sink | None = None
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._stopping = True
        self._keepalive_lost = False
        self._qr_seen = False
        self._jid: Jid | None = None

    # --- the seam ------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        client = self._client
        if client is None or self._stopping or self._keepalive_lost:
            return False
        return bool(client.is_connected and client.is_logged_in)

    def window(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # nothing of its own to keep per window

    @property
    def stuck(self) -> bool:
        """True after a `stop` whose Go call did not return: exit the process (os._exit)."""
        thread = self._thread
        return self._stopping and thread is not None and thread.is_alive()

    def start(self, sink: Sink) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive() and not self._stopping:
            self._sink = sink  # already connecting or connected: never a second Go call
            return
        if self.stuck:
            # A second Go call under the same id would share its maps with the first.
            try:
                sink(ConnectFailed("previous connection has not stopped yet", retryable=True))
            except Exception:
                log.exception("session %s: sink failed", self.session)
            return
        client = self._client if self._client is not None else self._build(_load())
        with self._lock:
            self._generation += 1
            self._sink, self._stopping = sink, False
            self._keepalive_lost = self._qr_seen = False
            generation = self._generation
        self._thread = threading.Thread(
            target=self._run, args=(client, generation), name=f"wa-{self.session}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float) -> None:
        with self._lock:  # after this no handler makes a Go call (see module doc)
            self._stopping, self._sink = True, None
        client, thread = self._client, self._thread
        if client is not None:
            for call in (client.disconnect, client.stop):
                try:
                    call()
                except Exception:
                    log.exception("session %s: %s failed", self.session, call.__name__)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.error("session %s: neonize did not stop in %.1f s", self.session, timeout)

    def send_text(self, to: Jid, text: str, message_id: str | None = None) -> SendReceipt:
        # message_id is ignored: neonize cannot send under a caller-chosen id.
        client, target = self._ready_client(to)
        try:
            response = client.send_message(target, text)
        except Exception as exc:
            raise send_error(str(to), exc) from exc
        return self._receipt(response)

    def send_document(
        self,
        to: Jid,
        data: bytes,
        filename: str,
        mimetype: str,
        caption: str | None = None,
        message_id: str | None = None,
    ) -> SendReceipt:
        if not data:
            raise SendFailed(f"document {filename!r} is empty", retryable=False)
        if not mimetype:  # else python-magic guesses, and guesses xlsx as zip
            raise SendFailed(f"document {filename!r} has no MIME type", retryable=False)
        client, target = self._ready_client(to)
        try:
            response = client.send_document(
                target,
                bytes(data),
                caption=caption,
                title=filename,
                filename=filename,
                mimetype=mimetype,
            )
        except Exception as exc:
            raise send_error(str(to), exc) from exc
        return self._receipt(response)

    def lookup(self, phones: Sequence[str]) -> Mapping[str, Jid | None]:
        client = self._started_client()
        found: dict[str, Jid | None] = {}
        wanted: dict[str, list[str]] = {}  # normalised → the raw inputs that gave it
        for raw in phones:
            found[raw] = None
            with contextlib.suppress(JidError):  # a bad number is simply not on WhatsApp
                wanted.setdefault(normalize_phone(raw), []).append(raw)
        if not wanted:
            return found
        try:
            answers = client.is_on_whatsapp(*wanted)
        except Exception as exc:
            raise send_error("lookup", exc) from exc
        for answer in answers:
            jid = tr.to_jid(answer.JID) if answer.IsIn else None
            try:
                phone = normalize_phone(answer.Query)
            except JidError:
                phone = jid.phone if jid is not None else None
            for raw in wanted.get(phone or "", []):
                found[raw] = jid if jid is not None and not jid.is_group else None
        return found

    def request_pair_code(self, phone: str) -> str:
        client = self._started_client()
        if not self._qr_seen:  # whatsmeow pairs by code only on the login socket
            raise NotReady("wait for the first QR code before asking for a pair code")
        if client.is_logged_in:
            raise SendFailed("already paired", retryable=False)
        digits = normalize_phone(phone)  # whatsmeow wants digits only, country code first
        try:
            code = str(client.PairPhone(digits, show_push_notification=True))
        except Exception as exc:
            raise send_error(digits, exc) from exc
        self._emit(PairCode(code))
        return code

    # --- inside ----------------------------------------------------------------------------

    def _build(self, nz: Any) -> Any:
        # One client object for every start: its GC finaliser stops the Go client by id,
        # which would stop a newer client built under the same id.
        client = nz.NewClient(self.store, uuid=self.session)
        self._client = client
        self._register(client)
        return client

    def _register(self, client: Any) -> None:
        from neonize import events as ev

        def on(event_type: Any, make: Callable[[Any], TransportEvent | None]) -> None:
            def handler(_client: Any, message: Any) -> None:
                self._translate(make, message, event_type.__name__)

            self._callbacks.append(handler)
            client.event(event_type)(handler)

        on(ev.PairStatusEv, self._paired)
        on(ev.ConnectedEv, self._connected)
        on(ev.DisconnectedEv, lambda m: Disconnected())
        on(ev.KeepAliveTimeoutEv, self._keepalive_timeout)
        on(ev.KeepAliveRestoredEv, self._keepalive_restored)
        on(ev.LoggedOutEv, tr.logged_out)
        on(ev.StreamReplacedEv, lambda m: Replaced())
        on(ev.TemporaryBanEv, lambda m: tr.banned(m, self.clock()))
        on(ev.ConnectFailureEv, tr.connect_failure)
        on(ev.ClientOutdatedEv, lambda m: ConnectFailed("client outdated", retryable=False))
        on(ev.MessageEv, lambda m: tr.incoming(m, self._resolve_lid))

        def on_qr(_client: Any, data: bytes) -> None:
            self._translate(self._qr, data, "QR")

        def on_login_status(_uuid: int, status: int) -> None:
            self._translate(self._login_status, status, "login status")

        self._callbacks += [on_qr, on_login_status]
        client.event.qr(on_qr)
        # neonize 0.5.2 only prints the QR loop's outcome; this private hook is the only
        # way to hear that a QR login timed out (connect() passes it to Go at each call).
        client._NewClient__onLoginStatus = on_login_status

    def _translate(self, make: Callable[[Any], TransportEvent | None], msg: Any, what: str) -> None:
        try:
            event = make(msg)
            if event is not None:
                self._emit(event)
        except Exception:
            log.exception("session %s: could not translate %s", self.session, what)

    def _emit(self, event: TransportEvent) -> None:
        sink = self._sink
        if sink is None:
            return
        try:
            sink(event)
        except Exception:
            log.exception("session %s: sink failed on %s", self.session, type(event).__name__)

    def _run(self, client: Any, generation: int) -> None:
        try:
            if self.proxy:
                from neonize._binder import ProxySettings

                client.connect(ProxySettings(proxy_address=self.proxy))
            else:
                client.connect()
            reason = "connection ended"
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
        if not self._stopping and generation == self._generation:
            self._emit(ConnectFailed(reason, retryable=True))

    # handlers (neonize's thread)

    def _qr(self, data: bytes) -> QrCode:
        code = data.decode() if isinstance(data, bytes) else str(data)
        self._qr_seen = True
        if self.on_qr is not None:
            try:
                self.on_qr(code)
            except Exception:
                log.exception("session %s: on_qr failed", self.session)
        return QrCode(code)

    def _login_status(self, status: int) -> TransportEvent | None:
        text = ctypes.string_at(status).decode() if status else ""
        if text == "timeout" or text.startswith("err"):
            return ConnectFailed(f"QR login ended: {text}", retryable=True)
        return None

    def _paired(self, msg: Any) -> TransportEvent:
        event = tr.paired(msg)
        if not isinstance(event, ConnectFailed):
            self._jid = event.jid
        return event

    def _connected(self, msg: Any) -> TransportEvent | None:
        self._keepalive_lost = False
        jid = self._own_jid()
        if jid is None:
            log.error("session %s: connected but its own JID is unknown", self.session)
            return None
        self._jid = jid
        return Ready(jid)

    def _keepalive_timeout(self, msg: Any) -> TransportEvent | None:
        first, self._keepalive_lost = not self._keepalive_lost, True
        return Disconnected() if first else None

    def _keepalive_restored(self, msg: Any) -> Heartbeat:
        self._keepalive_lost = False
        return Heartbeat()

    def _own_jid(self) -> Jid | None:
        me = getattr(self._client, "me", None)  # neonize stores it just before dispatching
        jid = tr.to_jid(me.JID) if me is not None and me.HasField("JID") else None
        if jid is None:
            jid = self._jid
        if jid is None:
            me = self._guarded(lambda c: c.get_me())
            jid = tr.to_jid(me.JID) if me is not None and me.HasField("JID") else None
        return jid

    def _resolve_lid(self, lid: Any) -> str | None:
        pn = self._guarded(lambda c: c.get_pn_from_lid(lid))
        return tr.jid_text(pn) or None

    def _guarded(self, call: Callable[[Any], Any]) -> Any:
        """A Go call that would crash without a logged-in Go client (see module doc)."""
        with self._lock:
            client = self._client
            if client is None or self._stopping or not client.is_logged_in:
                return None
            try:
                return call(client)
            except Exception as exc:
                log.info("session %s: %s", self.session, exc)
                return None

    # sends (actor's thread)

    def _started_client(self) -> Any:
        if self._client is None:
            raise NotReady("transport not started")
        if self._stopping:
            raise NotReady("transport stopped")
        return self._client

    def _ready_client(self, to: Jid) -> tuple[Any, Any]:
        if not isinstance(to, Jid):
            raise RecipientInvalid(str(to), "not a JID")
        client = self._started_client()
        from neonize.utils.jid import build_jid

        return client, build_jid(to.user, str(to.server))

    def _receipt(self, response: Any) -> SendReceipt:
        stamp = int(getattr(response, "Timestamp", 0) or 0)
        at = datetime.fromtimestamp(stamp, UTC) if stamp > 0 else self.clock()
        return SendReceipt(str(response.ID), at)

"""The real WhatsApp transport: neonize 0.5.2's sync client behind the seam (runtime.md §2).

Import rule (runtime.md §1.7): importing this module does not import neonize; `start`
does. neonize starts the Go runtime on import, and a process that forks after that
hangs, so only the session actor's own process may call `start`.

Threads:
* `start` runs `client.connect()` on a daemon thread of ours. connect() itself runs the
  blocking Go call on a *non-daemon* thread it owns and waits for it; all event handlers
  run on that Go-owned thread, one at a time. Handlers translate the protobuf, call the
  sink inside try/except (an exception would be lost in ctypes) and return. Every event
  passes a guard first: one neonize cannot decode (an unknown type) is skipped with a line.
* `stop(timeout)` asks Go to stop from a helper thread and returns within `timeout` even
  when whatsmeow's disconnect waits on its socket lock.
* Sends, lookups and pair codes are synchronous Go calls made from the actor's thread.

Where neonize's Go call never returns (read in goneonize's main.go and whatsmeow's
qrchan.go): a QR login window stopped from our side (whatsmeow's QR emitter exits on an
expected disconnect without closing its channel, and neonize ranges over that channel
with no other way out), and a window that ended unscanned (neonize then waits for a
device ID that never comes). Its non-daemon thread stays, so:
* each `start` builds a new neonize client under a new id; one whose Go call did not
  return is kept referenced, never reused, and a restart is never refused;
* `stuck` tells the owner that such a call exists; a process that must end then ends
  with `os._exit` (the session actor just after its exit, `cicero pair`).

Guarantees: `accepts_caller_id = False`. neonize 0.5.2's `send_message` picks the message
id itself (whatsmeow's `SendRequestExtra.ID` is reachable only from `send_fb_message`), so
a resend after a crash could deliver twice: the outbox marks a row left `sending` as
`in_doubt` instead (at most once). A send whose answer never came is `SendOutcomeUnknown`.

Text goes out as it was written: neonize's `send_message(to, str)` and `send_document`
turn "@" followed by 5 to 16 digits into a mention (an e-mail address `a@12345.id` would
mention 12345@s.whatsapp.net) and "@<digits>@g.us" into a group lookup, so the messages
are built here as plain protobufs, without mentions.

Hazard: some neonize calls dereference the Go client without a nil check and *crash the
process* (a Go panic) when there is none: `get_me` after `stop`, `get_pn_from_lid` before
pairing. This module only makes them while connected and logged in, under `_lock`, which
`stop` takes before it removes the Go client.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cicero.config import Secret
from cicero.domain.delivery.refusals import NotOnWhatsApp, Refusal, classify, is_not_on_whatsapp
from cicero.domain.delivery.session import (
    ConnectFailed,
    Disconnected,
    KeepaliveLost,
    KeepaliveRestored,
    PairCode,
    QrCode,
    Ready,
    Replaced,
    TransportEvent,
)
from cicero.domain.people.phones import Jid, JidError, mask_phone, normalize_phone
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
DEVICE_EVENT = 0  # neonize's code for the device event that opens its event loop


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
    if not type(exc).__module__.startswith("neonize"):
        return SendFailed(f"{type(exc).__name__}: {text}", retryable=False)  # our bug, not the net
    kind = classify(text)
    if kind is Refusal.NOT_READY:
        return NotReady(text)
    if kind is Refusal.RECIPIENT_INVALID:
        return RecipientInvalid(to, text)
    if kind is Refusal.OUTCOME_UNKNOWN:
        return SendOutcomeUnknown(text)
    return SendFailed(text, retryable=True)


def load_neonize() -> Any:
    """neonize's client module, imported here and only here."""
    import neonize.client

    return neonize.client


@dataclass(frozen=True)
class NeonizeFactory:
    """The bootstrap's choice of the real network: each session's store is a SQLite file
    under the data directory (`sqlite_store`)."""

    # "module:function(session, data_dir)" returning how to import neonize; tests put a
    # stand-in for its Go library there. Empty: the real neonize.
    loader: str = ""
    proxy: Secret | None = None  # CICERO_WHATSAPP_PROXY
    kind: str = "neonize"

    def build(self, host: TransportHost) -> NeonizeTransport:
        load = load_neonize
        if self.loader:
            module, _, name = self.loader.partition(":")
            load = getattr(importlib.import_module(module), name)(host.session, host.data_dir)
        store = sqlite_store(host.data_dir, host.session)
        proxy = self.proxy.reveal() if self.proxy else None
        return NeonizeTransport(host.session, store, proxy=proxy, clock=host.now, load=load)


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
        load: Callable[[], Any] | None = None,
    ) -> None:
        self.session = session_name
        self.store = check_store(str(store))
        self.on_qr = on_qr
        self.proxy = proxy  # e.g. socks5://host:port; tests point it at a closed port
        self.clock = clock or (lambda: datetime.now(UTC))
        self.load = load or load_neonize  # returns neonize.client (tests: over a stand-in)
        self._lock = threading.Lock()
        self._client: Any = None
        self._thread: threading.Thread | None = None
        self._callbacks: list[Callable[..., None]] = []  # strong refs for neonize
        self._abandoned: list[tuple[Any, threading.Thread]] = []  # Go calls that never returned
        self._sink: Sink | None = None
        self._generation = 0
        self._stopping = True
        self._keepalive_lost = False
        self._looping = False  # the current client's event loop runs (its device event came)
        self._online = False  # connected and logged in, as the last connection event said
        self._qr_seen = False  # a login window of the current client is open
        self._window_ended = False  # ... or was, and closed unpaired
        self._jid: Jid | None = None
        self.not_on_whatsapp = NotOnWhatsApp()

    # --- the seam ------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        """Told from the events, never by asking Go: whatsmeow's IsConnected waits on its
        socket lock, which a reconnect in progress holds for as long as its dial takes."""
        thread = self._thread
        if self._stopping or not self._online or self._keepalive_lost or not self._looping:
            return False
        return thread is not None and thread.is_alive()  # else the event loop has ended

    def window(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # nothing of its own to keep per window

    @property
    def stuck(self) -> bool:
        """A Go call of this transport was stopped and has not returned: its non-daemon
        thread would keep the process alive. End the process with `os._exit`."""
        self._abandoned = [(c, t) for c, t in self._abandoned if t.is_alive()]
        current = self._thread
        return bool(self._abandoned) or (
            self._stopping and current is not None and current.is_alive()
        )

    @property
    def pairing_window_open(self) -> bool:
        return self._qr_seen and not self._stopping

    def start(self, sink: Sink) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive() and not self._stopping:
            self._sink = sink  # already connecting or connected: never a second Go call
            return
        if thread is not None and thread.is_alive():
            self._abandoned.append((self._client, thread))  # kept referenced: Go holds it
            log.warning(
                "session %s: the previous WhatsApp connection never returned; "
                "starting a new one beside it (%d left behind)",
                self.session,
                len(self._abandoned),
            )
        neonize = self.load()
        with self._lock:
            self._generation += 1
            generation = self._generation
            client = self._build(neonize, generation)
            self._client = client
            self._sink, self._stopping = sink, False
            self._keepalive_lost = self._qr_seen = self._looping = self._window_ended = False
            self._online = False
        self._thread = threading.Thread(
            target=self._run, args=(client, generation), name=f"wa-{self.session}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float) -> None:
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._lock:  # after this no handler makes a Go call (see module doc)
            # A login window, open or ended unpaired, never lets the Go call return: no
            # point waiting for it (see module doc).
            doomed = self._qr_seen or self._window_ended
            self._stopping, self._sink = True, None
            self._qr_seen = False
        client, thread = self._client, self._thread
        if client is not None:
            # whatsmeow's Disconnect takes its socket lock, which a reconnect in progress
            # may hold for a long time: the call runs aside and we wait only until the
            # deadline (neonize's stop = whatsmeow's Disconnect + cancelling the Go call).
            stopper = threading.Thread(
                target=self._stop_go, args=(client,), name=f"wa-{self.session}-stop", daemon=True
            )
            stopper.start()
            stopper.join(max(deadline - time.monotonic(), 0.0))
            if stopper.is_alive():
                log.error(
                    "session %s: neonize's stop did not return in %.1f s", self.session, timeout
                )
        if thread is not None:
            thread.join(0.0 if doomed else max(deadline - time.monotonic(), 0.0))
            if thread.is_alive() and doomed:
                log.warning(
                    "session %s: a QR login was stopped; neonize 0.5.2 never ends that call, "
                    "so it stays behind until the process ends",
                    self.session,
                )
            elif thread.is_alive():
                log.error(
                    "session %s: neonize's connect() did not return in %.1f s",
                    self.session,
                    timeout,
                )

    def send_text(self, to: Jid, text: str, message_id: str | None = None) -> SendReceipt:
        # message_id is ignored: neonize cannot send under a caller-chosen id.
        client, target = self._ready_client(to)
        from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

        return self._send(client, to, target, Message(conversation=text))

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
        from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import DocumentMessage, Message
        from neonize.utils.enum import MediaType

        try:  # nothing has been sent yet if the upload fails
            upload = client.upload(bytes(data), MediaType.MediaDocument)
        except Exception as exc:
            raise send_error(str(to), exc) from exc
        document = DocumentMessage(
            URL=upload.url,
            directPath=upload.DirectPath,
            fileEncSHA256=upload.FileEncSHA256,
            fileLength=upload.FileLength,
            fileSHA256=upload.FileSHA256,
            mediaKey=upload.MediaKey,
            mimetype=mimetype,
            title=filename,
            fileName=filename,
        )
        if caption:
            document.caption = caption  # plain: no contextInfo, so no mentions
        return self._send(client, to, target, Message(documentMessage=document))

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
            phone: str | None
            try:
                phone = normalize_phone(answer.Query)
            except JidError:
                phone = jid.phone if jid is not None else None
            if phone is not None and not answer.IsIn:
                self.not_on_whatsapp.note(phone, "not on WhatsApp (lookup)", self.clock())
            for raw in wanted.get(phone or "", []):
                found[raw] = jid if jid is not None and not jid.is_group else None
        return found

    def request_pair_code(self, phone: str) -> str:
        """Raises JidError for a number that is not an Indonesian mobile number."""
        digits = normalize_phone(phone)  # whatsmeow wants digits only, country code first
        client = self._started_client()
        if client.is_logged_in:
            raise SendFailed("already paired", retryable=False)
        if not self._qr_seen:  # whatsmeow pairs by code only on the login socket
            raise NotReady("wait for the first QR code before asking for a pair code")
        try:
            code = str(client.PairPhone(digits, show_push_notification=True))
        except Exception as exc:
            raise send_error(mask_phone(digits), exc) from exc
        self._emit(PairCode(code))
        return code

    # --- inside ----------------------------------------------------------------------------

    def _build(self, neonize: Any, generation: int) -> Any:
        # A new Go client id per start: an id whose Go call is still running is never
        # reused (neonize keys its Go maps by it, and a collected client's finaliser
        # stops the Go client of its id).
        uuid = self.session if generation == 1 else f"{self.session}-{generation}"
        client = neonize.NewClient(self.store, uuid=uuid)
        self._register(client, generation)
        return client

    def _register(self, client: Any, generation: int) -> None:
        from neonize import events as ev
        from neonize.exc import UnsupportedEvent

        def on(event_type: Any, make: Callable[[Any], TransportEvent | None]) -> None:
            def handler(_client: Any, message: Any) -> None:
                self._translate(make, message, event_type.__name__, generation)

            self._callbacks.append(handler)
            client.event(event_type)(handler)

        on(ev.PairStatusEv, self._paired)
        on(ev.ConnectedEv, self._connected)
        on(ev.DisconnectedEv, self._offline(lambda m: Disconnected()))
        on(ev.KeepAliveTimeoutEv, self._keepalive_timeout)
        on(ev.KeepAliveRestoredEv, self._keepalive_restored)
        on(ev.LoggedOutEv, self._offline(tr.logged_out))
        on(ev.StreamReplacedEv, self._offline(lambda m: Replaced()))
        on(ev.TemporaryBanEv, self._offline(lambda m: tr.banned(m, self.clock())))
        on(ev.ConnectFailureEv, self._offline(tr.connect_failure))
        on(ev.ClientOutdatedEv, self._offline(lambda m: ConnectFailed("client outdated", False)))
        on(ev.MessageEv, self._message)

        def on_qr(_client: Any, data: bytes) -> None:
            self._translate(self._qr, data, "QR", generation)

        def on_login_status(_uuid: int, status: int) -> None:
            self._translate(self._login_status, status, "login status", generation)

        decode = client.event.execute

        def guarded_execute(uuid: bytes, binary: int, size: int, code: int) -> None:
            # Go calls this for every event; an exception here would only be printed.
            if code == DEVICE_EVENT and generation == self._generation:
                self._looping = True
            try:
                decode(uuid, binary, size, code)
            except UnsupportedEvent:
                log.info(
                    "session %s: skipped a WhatsApp event of unknown type %s", self.session, code
                )
            except Exception as exc:
                log.warning(
                    "session %s: skipped a WhatsApp event (type %s) neonize could not read: %s",
                    self.session,
                    code,
                    exc,
                )

        self._callbacks += [on_qr, on_login_status, guarded_execute]
        client.event.qr(on_qr)
        client.event.execute = guarded_execute  # connect() hands this to Go
        # neonize 0.5.2 only prints the QR loop's outcome; this private hook is the only
        # way to hear that a QR login ended (connect() passes it to Go at each call).
        client._NewClient__onLoginStatus = on_login_status

    def _translate(
        self, make: Callable[[Any], TransportEvent | None], msg: Any, what: str, generation: int
    ) -> None:
        if generation != self._generation:
            return  # a client left behind
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
        reason: str | None = None
        try:
            if self.proxy:
                from neonize._binder import ProxySettings

                client.connect(ProxySettings(proxy_address=self.proxy))
            else:
                client.connect()
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
        if not self._stopping and generation == self._generation:
            event = tr.loop_ended(reason, self._looping)
            # Each retry of a reconnect loop ends here; the session actor says a change of
            # state or of failure once (issue 13: not per retry), so this is for debugging.
            log.debug("session %s: neonize's connection ended: %s", self.session, event)
            self._emit(event)

    @staticmethod
    def _stop_go(client: Any) -> None:
        try:
            client.stop()  # whatsmeow's Disconnect, then the Go call's context is cancelled
        except Exception:
            log.exception("neonize stop failed")

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
        text = ctypes.string_at(status).decode(errors="replace") if status else ""
        ended = tr.login_ended(text)
        self._qr_seen = False  # the login socket is closed (or paired): no pair code now
        if ended is not None:
            self._window_ended = True
        return ended

    def _paired(self, msg: Any) -> TransportEvent:
        event = tr.paired(msg)
        if not isinstance(event, ConnectFailed):
            self._jid = event.jid
        return event

    def _offline(self, make: Callable[[Any], TransportEvent]) -> Callable[[Any], TransportEvent]:
        def translate(msg: Any) -> TransportEvent:
            self._online = False
            return make(msg)

        return translate

    def _connected(self, msg: Any) -> TransportEvent | None:
        self._keepalive_lost = False
        self._qr_seen = False
        self._online = True
        jid = self._own_jid()
        if jid is None:
            log.error("session %s: connected but its own JID is unknown", self.session)
            return None
        self._jid = jid
        return Ready(jid)

    def _keepalive_timeout(self, msg: Any) -> TransportEvent | None:
        first, self._keepalive_lost = not self._keepalive_lost, True
        return KeepaliveLost() if first else None  # one per streak of failed pings

    def _keepalive_restored(self, msg: Any) -> TransportEvent | None:
        was, self._keepalive_lost = self._keepalive_lost, False
        return KeepaliveRestored() if was else None

    def _message(self, msg: Any) -> TransportEvent | None:
        event = tr.incoming(msg, self._resolve_lid)
        if event is not None and event.sender_phone is not None:
            self.not_on_whatsapp.forget(event.sender_phone)  # it wrote to us: it is on it
        return event

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
        phone = to.phone
        known = self.not_on_whatsapp.known(phone, self.clock()) if phone else None
        if known is not None:  # asked already today: not asked again (module doc of refusals)
            since = known.at.isoformat(timespec="minutes")
            raise RecipientInvalid(str(to), f"{known.reason} (known since {since})")
        from neonize.utils.jid import build_jid

        return client, build_jid(to.user, str(to.server))

    def _send(self, client: Any, to: Jid, target: Any, message: Any) -> SendReceipt:
        try:
            response = client.send_message(target, message)
        except Exception as exc:
            error = send_error(str(to), exc)
            if (
                isinstance(error, RecipientInvalid)
                and to.phone
                and is_not_on_whatsapp(error.reason)
            ):
                self.not_on_whatsapp.note(to.phone, error.reason, self.clock())
            raise error from exc
        return self._receipt(response)

    def _receipt(self, response: Any) -> SendReceipt:
        stamp = int(getattr(response, "Timestamp", 0) or 0)
        at = datetime.fromtimestamp(stamp, UTC) if stamp > 0 else self.clock()
        return SendReceipt(str(response.ID), at)

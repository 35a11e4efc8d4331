"""A stand-in for neonize 0.5.2's Go library (goneonize over whatsmeow), for offline tests.

The real neonize Python package runs on top of it: its `NewClient`, its `connect()` with
the non-daemon worker thread, its dispatcher (`Event.execute`) and its protobufs. Only
`gocode`, the table of cgo exports, is replaced, and the shared library is never loaded
(`install`), so a process using it may fork safely.

What the Go side does was read in goneonize's main.go (`Neonize`, `CallbackFunction`,
`FetchMe`, `Stop`) and in whatsmeow (qrchan.go, client.go, keepalive.go, send.go,
connectionevents.go), and is played here with the same control flow:

* An unpaired store opens a login window: QR codes through the QR callback (60 s for the
  first, 20 s for each of five more; scaled by `qr_timeouts`), ended by a scan or a typed
  pair code ("success"), by running out ("timeout", then the socket closes) or by a
  remote disconnect ("timeout"). Only after the window does the event loop start.
* A window stopped from our side (Stop or Disconnect: an *expected* disconnect) never
  returns: whatsmeow's QR emitter exits without closing its channel and neonize ranges
  over it forever. A window that ended unpaired never returns either: `FetchMe` waits
  for a device ID. Both are played by `_hang`, which only `release` (test teardown,
  not in the real library) ends.
* The event loop sends the device event (code 0), then queued events until Stop cancels
  it. An event whose required field is unset (a ban code or failure reason neonize does
  not know) fails to marshal, and the loop *returns* with Go's error text.
* Events are queued only for subscribed codes, like goneonize's `subscribers` map.
* A remote disconnect of a paired client dispatches Disconnected and reconnects by itself
  while the network is reachable (whatsmeow's autoReconnect); Connected follows.
* Sends refuse what whatsmeow refuses, in its words: unpaired, not connected, a number
  without a LID ("no LID found for … from server"), a group we are not in.

Control methods (`scan`, `type_pair_code`, `incoming`, `keepalive_timeout`, …) act on the
newest client of a store; tests/fakes/neonize_remote.py drives them from another process.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import itertools
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REAL_QR_TIMEOUTS = (60.0, 20.0, 20.0, 20.0, 20.0, 20.0)  # whatsmeow's emitter, seconds
EVENT_CODES = {  # neonize.events.EVENT_TO_INT, for the events played here
    "Device": 0,
    "PairStatus": 2,
    "Connected": 3,
    "KeepAliveTimeout": 4,
    "KeepAliveRestored": 5,
    "LoggedOut": 6,
    "StreamReplaced": 7,
    "TemporaryBan": 8,
    "ConnectFailure": 9,
    "Disconnected": 12,
    "Message": 17,
}
# whatsmeow's codes → neonize's enum names; anything else is unknown to neonize 0.5.2
BAN_CODES = {101: 1, 102: 2, 103: 3, 104: 4, 106: 5}
FAILURE_REASONS = {400: 1, 401: 2, 402: 3, 403: 4, 406: 5, 405: 6, 409: 7, 500: 8, 501: 9, 503: 10}


def install(gocode: FakeGo) -> Any:
    """Import neonize over `gocode` without loading its shared library; returns
    `neonize.client`. Refuses a process where the real library is loaded already."""
    loaded = sys.modules.get("neonize.client")
    if loaded is not None:
        if not isinstance(loaded.gocode, FakeGo):
            raise RuntimeError("the real neonize library is loaded in this process")
        loaded.gocode = gocode  # NewClient reads the module's gocode when it is built
        return loaded
    spec = importlib.util.find_spec("neonize")
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["neonize"] = package
    before = os.environ.get("SPHINX")
    os.environ["SPHINX"] = "1"  # neonize's own switch: _binder defines all but gocode
    try:
        binder = importlib.import_module("neonize._binder")
    finally:
        if before is None:
            del os.environ["SPHINX"]
        else:
            os.environ["SPHINX"] = before
    binder.gocode = gocode
    spec.loader.exec_module(package)  # imports neonize.client, which takes gocode from _binder
    return importlib.import_module("neonize.client")


def _proto() -> Any:
    from neonize.proto import Neonize_pb2

    return Neonize_pb2


def jid(user: str, server: str = "s.whatsapp.net", device: int = 0) -> Any:
    return _proto().JID(
        User=user, Server=server, RawAgent=0, Device=device, Integrator=0, IsEmpty=not user
    )


EMPTY = ("", "")


@dataclass
class World:
    """One number's WhatsApp as a store sees it: the phone, the network, the people."""

    phone: str = "6281100000009"
    reachable: bool = True
    not_on_whatsapp: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)  # groups the number is a member of
    lids: dict[str, str] = field(default_factory=dict)  # lid user → phone
    sent: list[tuple[str, Any]] = field(default_factory=list)  # (to, waE2E.Message)
    fail_next: list[str] = field(default_factory=list)  # error texts for the next sends
    pair_codes: dict[str, str] = field(default_factory=dict)  # code → phone it was asked for

    def sent_texts(self) -> list[tuple[str, str]]:
        out = []
        for to, message in self.sent:
            if message.HasField("documentMessage"):
                out.append((to, f"[document {message.documentMessage.fileName}] "
                                f"{message.documentMessage.caption}"))  # fmt: skip
            else:
                out.append((to, message.conversation or message.extendedTextMessage.text))
        return out


class GoClient:
    """whatsmeow's client plus goneonize's bookkeeping for one `Neonize` call."""

    def __init__(self, uuid: str, store: str, subscribed: set[int], callbacks: tuple) -> None:
        self.uuid, self.store, self.subscribed = uuid, store, subscribed
        self.qr_cb, self.login_cb, self.event_cb = callbacks
        self.events: queue.Queue[tuple[int, Any]] = queue.Queue(maxsize=100)
        self.cancelled = threading.Event()  # the Go context (Stop)
        self.expected_disconnect = threading.Event()
        self.remote_drop = threading.Event()
        self.scanned = threading.Event()
        self.connected = False
        self.logged_in = False
        self.in_login_window = False
        self.keepalive_errors = 0
        self.qr_codes: list[str] = []

    def queue_event(self, name: str, message: Any) -> None:
        code = EVENT_CODES[name]
        if code in self.subscribed:
            self.events.put((code, message), timeout=5)

    def disconnect(self) -> None:
        """whatsmeow's Disconnect: expected, so no event and no reconnect."""
        self.expected_disconnect.set()
        self.connected = self.logged_in = False


class FakeGo:
    """The cgo exports neonize's Python calls, played offline (see module doc)."""

    def __init__(
        self, qr_timeouts: tuple[float, ...] = REAL_QR_TIMEOUTS, reconnect_after: float = 0.05
    ) -> None:
        self.qr_timeouts = qr_timeouts
        self.reconnect_after = reconnect_after
        self.clients: dict[str, GoClient] = {}  # goneonize's `clients` map
        self.newest: dict[str, GoClient] = {}  # by store: what control methods act on
        self.worlds: dict[str, World] = {}
        self.calls: list[str] = []  # exports called, in order (assertions)
        self.hanging = 0  # Go calls that never returned
        self.released = threading.Event()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # --- set-up and inspection (tests) ---------------------------------------------------

    def world(self, store: str) -> World:
        return self.worlds.setdefault(str(store), World())

    def paired(self, store: str) -> bool:
        return Path(store).is_file() and bool(Path(store).read_text())

    def pair_store(self, store: str, phone: str | None = None) -> None:
        """A store paired before the run (the device keys whatsmeow saves)."""
        world = self.world(store)
        Path(store).parent.mkdir(parents=True, exist_ok=True)
        Path(store).write_text(json.dumps({"jid": f"{phone or world.phone}:7@s.whatsapp.net"}))

    def release(self) -> None:
        """End every hung Go call (teardown only: the real library has no such thing)."""
        self.released.set()

    def client(self, store: str) -> GoClient:
        try:
            return self.newest[str(store)]
        except KeyError:
            raise AssertionError(f"no Go client was started on {store}") from None

    # --- the exports -----------------------------------------------------------------------

    def GetVersion(self) -> bytes:
        return b"0.5.2"

    def Neonize(self, db, uuid, jidbuf, jidsize, new_device, log_level, qr_cb, login_cb,
                event_cb, log_cb, subscribers, n_subscribers, props, n_props, pairphone,
                n_pairphone, proxy) -> bytes:  # fmt: skip
        self.calls.append("Neonize")
        store, name = db.decode(), uuid.decode()
        subscribed = set(bytes(subscribers)[:n_subscribers])
        client = GoClient(name, store, subscribed, (qr_cb, login_cb, event_cb))
        with self._lock:
            self.clients[name] = client
            self.newest[store] = client
        world = self.world(store)
        if not world.reachable:
            return b"failed to dial whatsapp web websocket: dial tcp: lookup web.whatsapp.com: no such host"
        client.connected = True
        if not self.paired(store):
            outcome = self._login_window(client)
            if outcome == "hang":
                return self._hang()
            self._c_string_call(client.login_cb, client, outcome)
            if outcome != "success":
                return self._hang()  # FetchMe: waits for a device ID that never comes
            client.logged_in = True
            client.queue_event("PairStatus", self._pair_status())
            client.queue_event("Connected", _proto().Connected(status=True))
        else:
            client.logged_in = True
            client.queue_event("Connected", _proto().Connected(status=True))
        return self._event_loop(client, world)

    def Stop(self, uuid: bytes) -> None:
        self.calls.append("Stop")
        client = self.clients.pop(uuid.decode(), None)
        if client is not None:
            client.disconnect()
            client.cancelled.set()

    def Disconnect(self, uuid: bytes) -> None:
        self.calls.append("Disconnect")
        client = self.clients.get(uuid.decode())
        if client is not None:
            client.disconnect()

    def IsConnected(self, uuid: bytes) -> bool:
        self.calls.append("IsConnected")  # whatsmeow takes its socket lock for this
        client = self.clients.get(uuid.decode())
        return client is not None and client.connected

    def IsLoggedIn(self, uuid: bytes) -> bool:
        client = self.clients.get(uuid.decode())
        return client is not None and client.logged_in

    def GetMe(self, uuid: bytes) -> bytes:
        client = self.clients[uuid.decode()]  # Go would panic on a missing client
        return self._device(client).SerializeToString()

    def GetPNFromLID(self, uuid: bytes, jid_bytes: bytes, size: int) -> bytes:
        p = _proto()
        client = self.clients[uuid.decode()]
        lid = p.JID.FromString(jid_bytes[:size])
        phone = self.world(client.store).lids.get(lid.User)
        if phone is None:
            return p.GetJIDFromStoreReturnFunction(Error="no PN found for LID").SerializeToString()
        return p.GetJIDFromStoreReturnFunction(Jid=jid(phone)).SerializeToString()

    def PairPhone(self, uuid: bytes, payload: bytes, size: int) -> bytes:
        self.calls.append("PairPhone")
        p = _proto()
        client = self.clients.get(uuid.decode())
        params = p.PairPhoneParams.FromString(payload[:size])
        phone = "".join(ch for ch in params.phone if ch.isdigit())
        if client is None:
            return p.PairPhoneReturnFunction(Error="client is nil").SerializeToString()
        if len(phone) <= 6:
            return p.PairPhoneReturnFunction(Error="phone number too short").SerializeToString()
        if phone.startswith("0"):
            error = "international phone number required (must not start with 0)"
            return p.PairPhoneReturnFunction(Error=error).SerializeToString()
        if not (client.connected and client.in_login_window):
            return p.PairPhoneReturnFunction(Error="websocket not connected").SerializeToString()
        letters = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"
        digits = int(phone) + next(self._ids)
        code = "".join(letters[(digits >> (5 * i)) % 32] for i in range(8))
        code = f"{code[:4]}-{code[4:]}"
        self.world(client.store).pair_codes[code] = phone
        return p.PairPhoneReturnFunction(Code=code).SerializeToString()

    def IsOnWhatsApp(self, uuid: bytes, numbers: bytes, size: int) -> bytes:
        p = _proto()
        client = self.clients.get(uuid.decode())
        if client is None or not client.connected:
            return p.IsOnWhatsAppReturnFunction(Error="websocket not connected").SerializeToString()
        world = self.world(client.store)
        answers = [
            p.IsOnWhatsAppResponse(Query=n, JID=jid(n.lstrip("+")), IsIn=n.lstrip("+") not in world.not_on_whatsapp)
            for n in numbers[:size].decode().split()
        ]
        return p.IsOnWhatsAppReturnFunction(IsOnWhatsAppResponse=answers).SerializeToString()

    def Upload(self, uuid: bytes, data: bytes, size: int, media_type: int) -> bytes:
        self.calls.append("Upload")
        p = _proto()
        client = self.clients.get(uuid.decode())
        if client is None or not client.logged_in:
            return p.UploadReturnFunction(Error="websocket not connected").SerializeToString()
        upload = p.UploadResponse(
            url="https://mmg.whatsapp.net/fake", DirectPath="/fake", Handle="", MediaKey=b"k" * 32,
            FileEncSHA256=b"e" * 32, FileSHA256=b"s" * 32, FileLength=size,
        )  # fmt: skip
        return p.UploadReturnFunction(UploadResponse=upload).SerializeToString()

    def SendMessage(self, uuid: bytes, to: bytes, to_size: int, msg: bytes, msg_size: int) -> bytes:
        self.calls.append("SendMessage")
        p = _proto()
        from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

        def refuse(error: str) -> bytes:
            return p.SendMessageReturnFunction(Error=error).SerializeToString()

        client = self.clients.get(uuid.decode())
        if client is None:
            return refuse("client is nil")
        if not self.paired(client.store):
            return refuse("the store doesn't contain a device JID")
        target = p.JID.FromString(to[:to_size])
        address = f"{target.User}@{target.Server}"
        world = self.world(client.store)
        if target.Server == "s.whatsapp.net":
            if not client.logged_in:
                return refuse(f"failed to get user info for {address} to fill LID cache: websocket not connected")
            if target.User in world.not_on_whatsapp:
                return refuse(f"no LID found for {address} from server")
        elif target.Server == "g.us":
            if not client.logged_in:
                return refuse("failed to get group members: websocket not connected")
            if target.User not in world.groups:
                return refuse("failed to get group members: you're not participating in that group")
        elif target.Server != "lid":
            return refuse(f"can't send message to unknown server {target.Server}")
        if world.fail_next:
            return refuse(world.fail_next.pop(0))
        world.sent.append((address, Message.FromString(msg[:msg_size])))
        timings = p.MessageDebugTimings(
            Queue=0, Marshal=0, GetParticipants=0, GetDevices=0, GroupEncrypt=0, PeerEncrypt=0,
            Send=0, Resp=0, Retry=0,
        )  # fmt: skip
        response = p.SendResponse(
            Timestamp=int(time.time()), ID=f"3EB0{next(self._ids):016X}", ServerID=0,
            DebugTimings=timings,
        )  # fmt: skip
        return p.SendMessageReturnFunction(SendResponse=response).SerializeToString()

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"the fake Go library does not play {name}")

    # --- control (the phone, the network, WhatsApp's servers) ---------------------------

    def scan(self, store: str) -> None:
        """The phone scans the QR code on show."""
        client = self.client(store)
        if not client.in_login_window:
            raise AssertionError("no QR code is on show")
        self.pair_store(store)
        client.scanned.set()

    def type_pair_code(self, store: str, code: str) -> None:
        """The person types the pair code on their phone (Link with phone number)."""
        phone = self.world(store).pair_codes.get(code)
        if phone is None:
            raise AssertionError(f"no pair code {code} was given out")
        client = self.client(store)
        self.pair_store(store, phone)
        client.scanned.set()

    def incoming(self, store: str, sender: str, text: str | None = None, chat: str | None = None,
                 message_id: str | None = None, sender_lid: str | None = None,
                 media: str | None = None) -> None:  # fmt: skip
        """Someone writes: `sender` a phone ("" for a LID-only sender), `chat` a group id."""
        p = _proto()
        from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as e2e

        body = e2e.Message()
        if media == "sticker":
            body.stickerMessage.CopyFrom(e2e.StickerMessage(mimetype="image/webp"))
        elif media == "unknown":
            body.MergeFromString(b"\xfa\xff\x3f\x03abc")  # a field this neonize does not know
        elif text is not None:
            if chat:
                body.extendedTextMessage.CopyFrom(e2e.ExtendedTextMessage(text=text))
            else:
                body.conversation = text
        who = jid(sender) if sender else jid(sender_lid or "", "lid")
        alt = jid(sender_lid, "lid") if sender and sender_lid else jid(*EMPTY)
        source = p.MessageSource(
            Chat=jid(chat, "g.us") if chat else who, Sender=who, IsFromMe=False,
            IsGroup=bool(chat), SenderAlt=alt, RecipientAlt=jid(*EMPTY),
            BroadcastListOwner=jid(*EMPTY),
        )  # fmt: skip
        info = p.MessageInfo(
            MessageSource=source, ID=message_id or f"3EB0{next(self._ids):016X}", ServerID=0,
            Type="text", Pushname="Warga", Timestamp=int(time.time() * 1000), Category="",
            Multicast=False, MediaType="", Edit="",
        )  # fmt: skip
        flags = dict.fromkeys(
            ("IsEphemeral", "IsViewOnce", "IsViewOnceV2", "IsViewOnceV2Extension",
             "IsDocumentWithCaption", "IsLottieSticker", "IsEdit"), False,
        )  # fmt: skip
        event = p.Message(Info=info, Message=body, UnavailableRequestID="", RetryCount=0, **flags)
        self.client(store).queue_event("Message", event)

    def keepalive_timeout(self, store: str) -> None:
        client = self.client(store)
        client.keepalive_errors += 1
        event = _proto().KeepAliveTimeout(ErrorCount=client.keepalive_errors, LastSuccess=0)
        client.queue_event("KeepAliveTimeout", event)

    def keepalive_restored(self, store: str) -> None:
        client = self.client(store)
        client.keepalive_errors = 0
        client.queue_event("KeepAliveRestored", _proto().KeepAliveRestored())

    def drop(self, store: str) -> None:
        """The server drops the socket. Paired, whatsmeow reconnects by itself (0, 2, 4 …
        s apart; `reconnect_after` here) while the network is reachable."""
        client = self.client(store)
        client.connected = client.logged_in = False
        if client.in_login_window:
            client.remote_drop.set()
            return
        client.queue_event("Disconnected", _proto().Disconnected(status=True))
        threading.Thread(target=self._reconnect, args=(client,), daemon=True).start()

    def set_reachable(self, store: str, reachable: bool) -> None:
        self.world(store).reachable = reachable

    def log_out(self, store: str, reason: int = 401, on_connect: bool = False) -> None:
        """The device is unlinked on the phone: LoggedOut, and whatsmeow deletes the store."""
        client = self.client(store)
        event = _proto().LoggedOut(OnConnect=on_connect)
        if reason in FAILURE_REASONS:
            event.Reason = FAILURE_REASONS[reason]
        client.queue_event("LoggedOut", event)
        Path(store).write_text("")
        client.disconnect()

    def ban(self, store: str, code: int = 104, expire_s: int = 3600) -> None:
        """A temporary ban (connect failure 402); a code neonize does not know stays unset."""
        client = self.client(store)
        event = _proto().TemporaryBan(Expire=expire_s)
        if code in BAN_CODES:
            event.Code = BAN_CODES[code]
        client.queue_event("TemporaryBan", event)
        client.disconnect()

    def connect_failure(self, store: str, reason: int, message: str = "") -> None:
        """A connect failure whatsmeow does not turn into another event (not 401-406, 402,
        405, 500, 503): it stops reconnecting; a reason neonize does not know stays unset."""
        client = self.client(store)
        event = _proto().ConnectFailure(Message=message, Raw=_proto().Node(Tag="failure"))
        if reason in FAILURE_REASONS:
            event.Reason = FAILURE_REASONS[reason]
        client.queue_event("ConnectFailure", event)
        client.disconnect()

    def replace(self, store: str) -> None:
        client = self.client(store)
        client.queue_event("StreamReplaced", _proto().StreamReplaced())
        client.disconnect()

    def raw_event(self, store: str, code: int, data: bytes) -> None:
        """An event neonize's dispatcher may not know (code) or decode (data)."""
        self.client(store).events.put((code, data), timeout=5)

    # --- inside ----------------------------------------------------------------------------

    def _login_window(self, client: GoClient) -> str:
        """whatsmeow's QR channel as neonize's `for evt := range qrChan` sees it."""
        client.in_login_window = True
        try:
            for number, timeout in enumerate(self.qr_timeouts, 1):
                code = f"2@{client.uuid}-{number},{'A' * 44}=,{'B' * 44}=,{'C' * 24}="
                client.qr_codes.append(code)
                self._c_string_call(client.qr_cb, client, code)
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    if client.scanned.is_set():
                        return "success"
                    if client.expected_disconnect.is_set():
                        return "hang"  # the emitter returns; the channel is never closed
                    if client.remote_drop.is_set():
                        return "timeout"  # a Disconnected event closes the channel
                    time.sleep(0.005)
            client.connected = False  # out of codes: the emitter disconnects
            return "timeout"
        finally:
            client.in_login_window = False

    def _event_loop(self, client: GoClient, world: World) -> bytes:
        """goneonize's CallbackFunction: the device event, then queued events until Stop."""
        self._event(client, 0, self._device(client))
        while not client.cancelled.is_set():
            try:
                code, message = client.events.get(timeout=0.01)
            except queue.Empty:
                continue
            if isinstance(message, bytes):
                self._raw(client, code, message)
                continue
            missing = message.FindInitializationErrors()
            if missing:  # what Go's proto.Marshal says of an unset required field
                name = f"{message.DESCRIPTOR.full_name}.{missing[0]}"
                return f"proto:\u00a0required field {name} not set".encode()
            self._event(client, code, message)
        return b""

    def _device(self, client: GoClient) -> Any:
        p = _proto()
        stored = json.loads(Path(client.store).read_text() or "{}")
        user, _, server = stored.get("jid", ":@").partition("@")
        phone, _, device = user.partition(":")
        return p.Device(
            JID=jid(phone, server, int(device or 0)), Platform="", BussinessName="",
            PushName="Cicero", Initialized=True,
        )  # fmt: skip

    def _pair_status(self) -> Any:
        p = _proto()
        return p.PairStatus(ID=jid(*EMPTY), BusinessName="", Platform="android", Status=p.PairStatus.SUCCESS)

    def _event(self, client: GoClient, code: int, message: Any) -> None:
        if code == 2:  # the paired JID, now that the store holds one
            message.ID.CopyFrom(self._device(client).JID)
        self._raw(client, code, message.SerializeToString())

    def _raw(self, client: GoClient, code: int, data: bytes) -> None:
        buf = ctypes.create_string_buffer(data, len(data))
        client.event_cb(client.uuid.encode(), ctypes.addressof(buf), len(data), code)

    def _c_string_call(self, callback: Callable, client: GoClient, text: str) -> None:
        uuid = ctypes.create_string_buffer(client.uuid.encode())
        buf = ctypes.create_string_buffer(text.encode())
        callback(ctypes.addressof(uuid), ctypes.addressof(buf))

    def _reconnect(self, client: GoClient) -> None:
        while not client.expected_disconnect.is_set() and not client.cancelled.is_set():
            time.sleep(self.reconnect_after)
            if self.world(client.store).reachable:
                client.connected = client.logged_in = True
                client.queue_event("Connected", _proto().Connected(status=True))
                return

    def _hang(self) -> bytes:
        with self._lock:
            self.hanging += 1
        self.released.wait()
        with self._lock:
            self.hanging -= 1
        return b"released by the test"

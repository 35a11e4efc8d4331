"""Drives a real `NeonizeTransport` offline and pickles what it saw (for
test_neonize_transport.py, which runs this in its own process: neonize's Go runtime must
not live in the pytest process, and a Go panic would take that process with it).

No network: the client's proxy is a closed local port, so connect() fails at once after
opening the SQLite store. Events then go through neonize's own dispatcher
(`client.event.execute`, the function Go calls) as serialised protobufs.

Usage: python neonize_probe.py WORKDIR OUTPUT.pickle
"""

from __future__ import annotations

import ctypes
import logging
import pickle
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logging.basicConfig(level=logging.CRITICAL, force=True)

from cicero.whatsapp.neonize_transport import NeonizeTransport, sqlite_store  # noqa: E402

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
GATEWAY = "6281100000009"
ALICE = "6281300000001"
ALICE_LID = "100200300400500"
GROUP = "120363000000000001"
SENT_MS = 1_795_000_000_123  # 2026-11-18T11:06:40.123Z, in milliseconds as neonize sends it


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.raise_on: type | None = None

    def __call__(self, event: Any) -> None:
        self.events.append(event)
        if self.raise_on is not None and isinstance(event, self.raise_on):
            raise RuntimeError("sink bug")

    def take(self) -> list[Any]:
        taken, self.events = self.events, []
        return taken

    def wait_for(self, kind: type, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while not any(isinstance(e, kind) for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {kind.__name__} in {self.events}")
            time.sleep(0.005)


def outcome(call: Any) -> Any:
    try:
        return ("ok", call())
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc), getattr(exc, "retryable", None))


def jid(user: str, server: str, device: int = 0) -> Any:
    from neonize.proto.Neonize_pb2 import JID

    return JID(User=user, Server=server, RawAgent=0, Device=device, Integrator=0, IsEmpty=False)


EMPTY = ("", "")


def message(chat: Any, sender: Any, alt: Any, text: str, group: bool, from_me: bool = False) -> Any:
    from neonize.proto import Neonize_pb2 as p
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ExtendedTextMessage
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WaMessage

    source = p.MessageSource(
        Chat=chat,
        Sender=sender,
        IsFromMe=from_me,
        IsGroup=group,
        SenderAlt=alt,
        RecipientAlt=jid(*EMPTY),
        BroadcastListOwner=jid(*EMPTY),
    )
    info = p.MessageInfo(
        MessageSource=source,
        ID="3EB0AAAABBBBCCCC",
        ServerID=0,
        Type="text",
        Pushname="Alice",
        Timestamp=SENT_MS,
        Category="",
        Multicast=False,
        MediaType="",
        Edit="",
    )
    body = (
        WaMessage(extendedTextMessage=ExtendedTextMessage(text=text))
        if group
        else WaMessage(conversation=text)
    )
    flags = dict.fromkeys(
        (
            "IsEphemeral",
            "IsViewOnce",
            "IsViewOnceV2",
            "IsViewOnceV2Extension",
            "IsDocumentWithCaption",
            "IsLottieSticker",
            "IsEdit",
        ),
        False,
    )
    return p.Message(Info=info, Message=body, UnavailableRequestID="", RetryCount=0, **flags)


def feed(client: Any, proto: Any) -> None:
    """Hand `proto` to neonize's dispatcher exactly as Go does: a C buffer and a code."""
    from neonize.events import EVENT_TO_INT

    data = proto.SerializeToString()  # raises if a proto2 required field is missing
    buf = ctypes.create_string_buffer(data, len(data))
    client.event.execute(0, ctypes.addressof(buf), len(data), EVENT_TO_INT[type(proto)])


def c_string(text: str) -> tuple[Any, int]:
    buf = ctypes.create_string_buffer(text.encode())
    return buf, ctypes.addressof(buf)


def main(workdir: Path, out: Path) -> None:
    from cicero.domain.delivery.session import ConnectFailed

    results: dict[str, Any] = {}
    qrs: list[str] = []
    transport = NeonizeTransport(
        "probe",
        sqlite_store(workdir, "probe"),
        on_qr=qrs.append,
        proxy="socks5://127.0.0.1:9",  # closed port: no network, even on a connected host
        clock=lambda: NOW,
    )
    results["imported_before_start"] = "neonize" in sys.modules
    results["send_before_start"] = outcome(lambda: transport.send_text(_ours(ALICE), "hi"))
    results["alive_before_start"] = transport.alive

    sink = Recorder()
    transport.start(sink)
    sink.wait_for(ConnectFailed)
    results["connect"] = sink.take()
    results["store_created"] = (workdir / "wa" / "probe.sqlite3").is_file()
    client = transport._client
    results["alive_after_failed_connect"] = transport.alive
    results["send_unpaired"] = outcome(lambda: transport.send_text(_ours(ALICE), "hi"))
    results["document_unpaired"] = outcome(
        lambda: transport.send_document(_ours(ALICE), b"x", "a.xlsx", "application/x")
    )
    results["lookup_unconnected"] = outcome(lambda: transport.lookup([ALICE]))
    results["pair_code_before_qr"] = outcome(lambda: transport.request_pair_code(ALICE))

    from neonize.proto import Neonize_pb2 as p

    cases: dict[str, list[Any]] = {
        "device_then_connected": [
            p.Device(
                JID=jid(GATEWAY, "s.whatsapp.net", device=12),
                Platform="",
                BussinessName="",
                PushName="gateway",
                Initialized=True,
            ),
            p.Connected(status=True),
        ],
        "group_lid_with_alt": [
            message(
                jid(GROUP, "g.us"),
                jid(ALICE_LID, "lid", device=3),
                jid(ALICE, "s.whatsapp.net"),
                "rekap hari ini",
                group=True,
            )
        ],
        "direct_phone": [
            message(
                jid(ALICE, "s.whatsapp.net"),
                jid(ALICE, "s.whatsapp.net", device=2),
                jid(ALICE_LID, "lid"),
                "menu",
                group=False,
            )
        ],
        "direct_lid_unresolved": [
            message(
                jid(ALICE_LID, "lid"),
                jid(ALICE_LID, "lid"),
                jid(*EMPTY),
                "halo",
                group=False,
            )
        ],
        "from_me": [
            message(
                jid(ALICE, "s.whatsapp.net"),
                jid(GATEWAY, "s.whatsapp.net"),
                jid(*EMPTY),
                "sent by us",
                group=False,
                from_me=True,
            )
        ],
        "foreign_direct": [
            message(
                jid("447700900123", "s.whatsapp.net"),
                jid("447700900123", "s.whatsapp.net"),
                jid(*EMPTY),
                "hello",
                group=False,
            )
        ],
        "logged_out": [p.LoggedOut(OnConnect=False, Reason=p.ConnectFailureReason.LOGGED_OUT)],
        "logged_out_on_connect": [
            p.LoggedOut(OnConnect=True, Reason=p.ConnectFailureReason.MAIN_DEVICE_GONE)
        ],
        "stream_replaced": [p.StreamReplaced()],
        "temporary_ban": [
            p.TemporaryBan(Code=p.TemporaryBan.SENT_TOO_MANY_SAME_MESSAGE, Expire=3600)
        ],
        "temporary_ban_no_expiry": [p.TemporaryBan(Code=p.TemporaryBan.BLOCKED_BY_USERS, Expire=0)],
        "connect_failure": [
            p.ConnectFailure(
                Reason=p.ConnectFailureReason.SERVICE_UNAVAILABLE,
                Message="try later",
                Raw=p.Node(Tag="failure"),
            )
        ],
        "connect_failure_outdated": [
            p.ConnectFailure(
                Reason=p.ConnectFailureReason.CLIENT_OUTDATED, Message="", Raw=p.Node(Tag="x")
            )
        ],
        "client_outdated": [p.ClientOutdated()],
        "disconnected": [p.Disconnected(status=True)],
        "keepalive": [
            p.KeepAliveTimeout(ErrorCount=1, LastSuccess=0),
            p.KeepAliveTimeout(ErrorCount=2, LastSuccess=0),
            p.KeepAliveRestored(),
        ],
        "pair_success": [
            p.PairStatus(
                ID=jid(GATEWAY, "s.whatsapp.net", device=7),
                BusinessName="",
                Platform="android",
                Status=p.PairStatus.SUCCESS,
            )
        ],
        "pair_error": [
            p.PairStatus(
                ID=jid(*EMPTY),
                BusinessName="",
                Platform="",
                Status=p.PairStatus.ERROR,
                Error="invalid device signature",
            )
        ],
    }
    for name, protos in cases.items():
        for proto in protos:
            feed(client, proto)
        results[name] = sink.take()

    # The QR path Go uses: NewClient.__onQr(uuid, address of a C string).
    buf, addr = c_string("2@offline-qr-code,AAAA,BBBB,CCCC")
    client._NewClient__onQr(0, addr)
    results["qr"] = (sink.take(), list(qrs))
    # While a window is open the transport asks Go; the real Go refuses (no socket here).
    results["pair_code_after_qr"] = outcome(lambda: transport.request_pair_code("0813-0000-0001"))
    sink.take()
    buf, addr = c_string("timeout")
    client._NewClient__onLoginStatus(0, addr)
    results["qr_login_timeout"] = sink.take()
    buf, addr = c_string("success")
    client._NewClient__onLoginStatus(0, addr)
    results["qr_login_success"] = sink.take()
    results["pair_code_after_window"] = outcome(lambda: transport.request_pair_code("081300000001"))
    # An event type neonize does not know: skipped with a line, nothing reaches the sink.
    client.event.execute(0, 0, 0, 99)
    results["unknown_event_type"] = sink.take()

    sink.raise_on = type(results["stream_replaced"][0])
    feed(client, p.StreamReplaced())  # the sink raises: nothing may escape into ctypes
    results["sink_raised_survived"] = len(sink.take())

    transport.stop(5)
    results["stuck_after_stop"] = transport.stuck
    results["connect_thread_after_stop"] = any(t.name == "wa-probe" for t in threading.enumerate())
    feed(client, p.StreamReplaced())
    results["after_stop"] = sink.take()
    results["send_after_stop"] = outcome(lambda: transport.send_text(_ours(ALICE), "hi"))

    again = Recorder()
    transport.start(again)  # a reconnect reuses the client object
    again.wait_for(ConnectFailed)
    results["restart"] = (again.take(), transport._client is client)
    transport.stop(5)
    results["stuck_after_second_stop"] = transport.stuck
    out.write_bytes(pickle.dumps(results))


def _ours(phone: str) -> Any:
    from cicero.domain.people.phones import user_jid

    return user_jid(phone)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

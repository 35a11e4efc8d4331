"""`NeonizeTransport` with the real neonize 0.5.2 Python over a stand-in Go library
(tests/fakes/neonize_go.py): pairing, stopping while pairing, keepalive, the library's own
reconnect, sends, refusals, a dead event loop and bad input (issue 19, items 2 to 7).

The stand-in never loads neonize's shared library, so no Go runtime starts in this
process (a later fork stays safe).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from cicero.domain.people.phones import Jid, JidError, Server, group_jid, user_jid
from cicero.whatsapp.neonize_transport import NeonizeTransport, sqlite_store
from cicero.whatsapp.transport import (
    ConnectFailed,
    Disconnected,
    Incoming,
    KeepaliveLost,
    KeepaliveRestored,
    LoggedOut,
    NotReady,
    PairCode,
    Paired,
    PairingExpired,
    QrCode,
    Ready,
    RecipientInvalid,
    Replaced,
    SendFailed,
    SendOutcomeUnknown,
    TemporarilyBanned,
)
from tests.fakes.neonize_go import FakeGo, install
from tests.unit.domain.layouts.people import row

GATEWAY = user_jid("6281100000009")
ALICE = "6281300000001"
GROUP = "120363000000000001"
QUICK = (0.4, 0.15, 0.15)  # a login window of three codes, in well under a second


class Sink:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self.lock:
            self.events.append(event)

    def wait_for(self, kind: type, seconds: float = 5.0) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                found = [e for e in self.events if isinstance(e, kind)]
            if found:
                return found[-1]
            time.sleep(0.005)
        raise AssertionError(f"no {kind.__name__} in {self.events}")

    def take(self) -> list[Any]:
        with self.lock:
            taken, self.events = self.events, []
        return taken


@pytest.fixture
def go() -> Iterator[FakeGo]:
    fake = FakeGo(qr_timeouts=QUICK, reconnect_after=0.02)
    install(fake)
    yield fake
    fake.release()  # the Go calls the real library would leave hanging forever


@pytest.fixture
def store(tmp_path) -> str:
    return sqlite_store(tmp_path, "gateway")


def transport(go: FakeGo, store: str, **kw: Any) -> NeonizeTransport:
    return NeonizeTransport("gateway", store, load=lambda: install(go), **kw)


@pytest.fixture
def ready(go: FakeGo, store: str) -> Iterator[tuple[NeonizeTransport, Sink]]:
    go.pair_store(store)
    go.world(store).groups.add(GROUP)
    t, sink = transport(go, store), Sink()
    t.start(sink)
    sink.wait_for(Ready)
    wait_until(lambda: t.alive)
    sink.take()
    yield t, sink
    t.stop(2)


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.005)


# --- pairing (item 2) ----------------------------------------------------------------------


def test_pairing_by_qr(go, store):
    t, sink = transport(go, store), Sink()
    t.start(sink)
    first = sink.wait_for(QrCode)
    assert first.code == go.client(store).qr_codes[0] and t.pairing_window_open
    assert not t.alive
    go.scan(store)
    assert sink.wait_for(Ready) == Ready(GATEWAY)
    assert [type(e) for e in sink.take()] == [QrCode, Paired, Ready]
    wait_until(lambda: t.alive)
    assert not t.pairing_window_open
    t.stop(2)
    assert not t.stuck  # a paired connection's Go call returns on stop


def test_pairing_by_code_for_a_number_in_any_format(go, store):
    t, sink = transport(go, store), Sink()
    t.start(sink)
    sink.wait_for(QrCode)
    for bad in ("", "12", "+44 7700 900123", "halo"):
        with pytest.raises(JidError):
            t.request_pair_code(bad)
    code = t.request_pair_code("+62 813-0000-0001")
    assert len(code) == 9 and code[4] == "-"
    assert sink.wait_for(PairCode) == PairCode(code)
    go.type_pair_code(store, code)
    assert sink.wait_for(Ready) == Ready(user_jid(ALICE))  # the number that typed it
    with pytest.raises(SendFailed, match="already paired"):
        t.request_pair_code(ALICE)
    t.stop(2)


def test_an_unscanned_window_expires_and_a_new_one_opens_beside_the_stuck_call(go, store):
    t, sink = transport(go, store), Sink()
    t.start(sink)
    assert sink.wait_for(PairingExpired, 5) == PairingExpired("QR codes ran out unscanned")
    assert [type(e) for e in sink.take()] == [QrCode] * len(QUICK) + [PairingExpired]
    assert go.hanging == 1  # neonize waits for a device ID forever
    with pytest.raises(NotReady):
        t.request_pair_code(ALICE)  # the login socket closed
    started = time.monotonic()
    t.stop(5)
    assert time.monotonic() - started < 1.0  # nothing to wait for: it never returns
    assert t.stuck
    t.start(sink)  # never refused
    assert sink.wait_for(QrCode).code.startswith("2@gateway-2-")
    go.scan(store)
    sink.wait_for(Ready)
    t.stop(2)
    assert t.stuck  # the first window's call is still there: the process must os._exit


# --- pairing never hangs (item 3) ------------------------------------------------------------


def test_stop_during_pairing_returns_within_its_timeout_and_restart_works(go, store):
    t, sink = transport(go, store), Sink()
    t.start(sink)
    sink.wait_for(QrCode)
    started = time.monotonic()
    t.stop(3)
    took = time.monotonic() - started
    assert took < 3.5, took
    assert t.stuck
    wait_until(lambda: go.hanging == 1)  # whatsmeow's QR emitter left neonize's loop waiting
    sink.take()
    t.start(sink)
    assert isinstance(sink.wait_for(QrCode), QrCode)
    assert go.client(store).uuid == "gateway-2"  # a new Go id, beside the stuck one
    t.stop(3)


def test_stop_bounded_even_when_whatsmeow_holds_its_socket_lock(ready, go, store, monkeypatch):
    t, _ = ready
    gate = threading.Event()
    original = go.Stop

    def slow_stop(uuid: bytes) -> None:  # Disconnect waiting on the socket lock
        gate.wait(10)
        original(uuid)

    monkeypatch.setattr(go, "Stop", slow_stop)
    started = time.monotonic()
    t.stop(1)
    assert time.monotonic() - started < 1.5
    gate.set()


# --- keepalive and the library's own reconnect (item 4) --------------------------------------


def test_a_keepalive_streak_is_one_loss_and_a_restore_no_restart(ready, go, store):
    t, sink = ready
    calls = len(go.calls)
    for _ in range(3):
        go.keepalive_timeout(store)
    sink.wait_for(KeepaliveLost)
    wait_until(lambda: not t.alive)
    go.keepalive_restored(store)
    sink.wait_for(KeepaliveRestored)
    assert sink.take() == [KeepaliveLost(), KeepaliveRestored()]
    wait_until(lambda: t.alive)
    assert "Neonize" not in go.calls[calls:] and "Stop" not in go.calls[calls:]


def test_alive_is_told_from_events_never_by_asking_go(ready, go, store):
    # whatsmeow's IsConnected waits on the socket lock a reconnect holds while it dials:
    # the watchdog asks `alive` on the actor's thread, which must never block.
    t, sink = ready
    assert t.alive
    go.keepalive_timeout(store)
    sink.wait_for(KeepaliveLost)
    assert not t.alive
    go.drop(store)
    sink.wait_for(Disconnected)
    sink.wait_for(Ready)
    assert t.alive
    assert "IsConnected" not in go.calls


def test_a_remote_disconnect_is_reconnected_by_the_library(ready, go, store):
    t, sink = ready
    calls = len(go.calls)
    go.drop(store)
    sink.wait_for(Disconnected)
    assert sink.wait_for(Ready) == Ready(GATEWAY)
    wait_until(lambda: t.alive)
    assert go.calls[calls:].count("Neonize") == 0  # the same Go call all along


# --- refusals (item 5) -----------------------------------------------------------------------


def test_a_number_not_on_whatsapp_is_refused_and_remembered(ready, go, store):
    t, _ = ready
    go.world(store).not_on_whatsapp.add("6281299999999")
    with pytest.raises(RecipientInvalid, match="no LID found for 6281299999999"):
        t.send_text(user_jid("6281299999999"), "Selamat pagi")
    sends = go.calls.count("SendMessage")
    with pytest.raises(RecipientInvalid, match="known since"):
        t.send_text(user_jid("6281299999999"), "Selamat siang")
    assert go.calls.count("SendMessage") == sends  # not asked again today
    go.incoming(store, "6281299999999", "menu")  # it wrote to us: it is on WhatsApp now
    wait_until(lambda: len(t.not_on_whatsapp) == 0)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("timed out waiting for message send response", SendOutcomeUnknown),
        ("websocket disconnected before message send returned response", SendOutcomeUnknown),
        ("server returned error 479", SendFailed),
    ],
)
def test_other_refusals(ready, go, store, error, kind):
    t, _ = ready
    go.world(store).fail_next.append(error)
    with pytest.raises(kind) as raised:
        t.send_text(group_jid(GROUP), "x")
    assert raised.value.retryable is (kind is SendFailed)


def test_a_group_we_left_is_refused_for_good(ready, go, store):
    t, _ = ready
    with pytest.raises(RecipientInvalid, match="not participating"):
        t.send_text(group_jid("120363999999999999"), "x")


def test_lookup_answers_and_remembers(ready, go, store):
    t, _ = ready
    go.world(store).not_on_whatsapp.add("6281299999999")
    found = t.lookup(["0813-0000-0001", "0812 9999 9999", "bukan nomor"])
    assert found == {"0813-0000-0001": user_jid(ALICE), "0812 9999 9999": None, "bukan nomor": None}
    assert t.not_on_whatsapp.known("6281299999999", datetime.now(UTC)) is not None


# --- a dead event loop (item 6) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("do", "want"),
    [
        (lambda go, s: go.ban(s, code=107), TemporarilyBanned("ban code unknown to neonize 0.5.2 "
                                                              "(its event loop stopped)", None)),
        (lambda go, s: go.connect_failure(s, reason=418), ConnectFailed(
            "WhatsApp refused the connection for a reason unknown to neonize 0.5.2; its event "
            "loop stopped and the library does not reconnect", retryable=False)),
        (lambda go, s: go.log_out(s, reason=499), LoggedOut("logged out for a reason unknown "
                                                            "to neonize 0.5.2")),
    ],
)  # fmt: skip
def test_an_event_neonize_cannot_encode_ends_its_loop_and_is_told_in_words(ready, go, store, do, want):
    t, sink = ready
    do(go, store)
    assert sink.wait_for(type(want)) == want
    assert sink.take() == [want]  # one word, not a stream of reconnects
    wait_until(lambda: not t.alive)


def test_known_ban_logout_replace_and_failure(ready, go, store):
    t, sink = ready
    go.ban(store, code=104, expire_s=3600)
    ban = sink.wait_for(TemporarilyBanned)
    assert ban.code == "SENT_TOO_MANY_SAME_MESSAGE" and ban.until is not None
    t.stop(2)
    for act, kind in (
        (lambda: go.log_out(store), LoggedOut),
        (lambda: go.replace(store), Replaced),
        (lambda: go.connect_failure(store, reason=409), ConnectFailed),
    ):
        go.pair_store(store)
        sink.take()
        t.start(sink)
        sink.wait_for(Ready)
        act()
        sink.wait_for(kind)
        t.stop(2)
    assert not t.stuck


def test_no_network_at_start(go, store):
    go.set_reachable(store, False)
    t, sink = transport(go, store), Sink()
    t.start(sink)
    failed = sink.wait_for(ConnectFailed)
    assert failed.retryable and "dial" in failed.reason
    t.stop(2)
    assert not t.stuck


# --- what we send is what we wrote (item 7) --------------------------------------------------


def recap_with_handles() -> str:
    from cicero.domain.layouts import posts
    from cicero.domain.layouts.client_recap import ClientRecap, render_likes

    people = (
        row("1", "AKP", "Budi Santoso", "SAT BINMAS", "20231234567", 2, 2),  # a handle of digits
        row("2", "BRIPKA", "Andi Wijaya", "POLSEK KOTA", "0", 1, 2),
        row("3", "BRIPTU", "Dedi", "SAT LANTAS", "dedi_12345678", 0, 2),
    )
    at = datetime(2026, 2, 10, 8, 20, tzinfo=UTC)
    return render_likes(ClientRecap("POLRES SUKAMAJU", at, (posts.ig("DAbc123"),), people))


TEXTS = [
    recap_with_handles(),
    "Kode OTP untuk operator@12345.polri.go.id: 123456. Balas ke admin@0.id",
    "Laporan ke @120363000000000001@g.us dan @6281300000001 selesai",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_goes_out_as_written_without_mentions(ready, go, store, text):
    t, _ = ready
    assert "@" in text
    t.send_text(group_jid(GROUP), text)
    to, message = go.world(store).sent[-1]
    assert to == f"{GROUP}@g.us"
    assert message.conversation == text
    assert not message.HasField("extendedTextMessage")  # where mentions would live
    assert "GetGroupInfo" not in go.calls  # neonize looks up "@…@g.us" as a group mention


def test_neonize_itself_would_have_mentioned_someone(ready, go, store):
    # The hazard is real in this neonize: its own send of a str parses mentions.
    t, _ = ready
    from neonize.utils.jid import build_jid

    t._client.send_message(build_jid(GROUP, "g.us"), TEXTS[0])
    _, message = go.world(store).sent[-1]
    mentioned = list(message.extendedTextMessage.contextInfo.mentionedJID)
    assert "20231234567@s.whatsapp.net" in mentioned and "0@s.whatsapp.net" in mentioned


def test_a_document_caption_goes_out_as_written(ready, go, store):
    t, _ = ready
    caption = "Rekap @20231234567 — kirim ke rekap@12345.id"
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    t.send_document(group_jid(GROUP), b"PK\x03\x04 xlsx", "rekap.xlsx", mime, caption)
    _, message = go.world(store).sent[-1]
    doc = message.documentMessage
    assert (doc.caption, doc.fileName, doc.mimetype) == (caption, "rekap.xlsx", mime)
    assert not doc.HasField("contextInfo")
    with pytest.raises(SendFailed, match="empty"):
        t.send_document(group_jid(GROUP), b"", "x.xlsx", mime)


# --- bad input from the network --------------------------------------------------------------


def test_events_neonize_cannot_read_are_skipped_with_a_line(ready, go, store, caplog):
    caplog.set_level(logging.INFO, logger="cicero.whatsapp")
    t, sink = ready
    go.raw_event(store, 99, b"")  # a type neonize 0.5.2 does not know
    go.raw_event(store, 17, b"\xff\xff\xff")  # a message that does not decode
    go.incoming(store, ALICE, "menu")
    assert sink.wait_for(Incoming).text == "menu"
    assert [type(e) for e in sink.take()] == [Incoming]
    assert "unknown type 99" in caplog.text and "could not read" in caplog.text
    assert t.alive  # the event loop goes on


def test_messages_without_text_are_quietly_skipped(ready, go, store):
    t, sink = ready
    go.incoming(store, ALICE, media="sticker")
    go.incoming(store, ALICE, media="unknown")
    go.incoming(store, ALICE, None)
    go.incoming(store, "", "halo", sender_lid="100200300400500")  # LID only, unresolved
    got = sink.wait_for(Incoming)
    assert sink.take() == [got]
    assert (got.sender_phone, got.sender_lid, got.text) == (
        None, Jid("100200300400500", Server.LID), "halo"
    )  # fmt: skip
    assert t.alive

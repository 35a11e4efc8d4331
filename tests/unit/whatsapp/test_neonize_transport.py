"""Contract tests of `NeonizeTransport`: the real neonize 0.5.2 client, offline.

neonize runs in a child process (`neonize_probe.py`): its Go runtime must not start in
the pytest process (a later fork would hang) and a Go panic would kill it. The probe builds
the transport on a temporary SQLite store, starts it (connect() fails at once: its proxy is
a closed port), feeds hand-built protobuf events through neonize's real dispatcher and
pickles what the sink received and what the calls raised.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cicero.domain.people.phones import Jid, Server, group_jid, user_jid
from cicero.whatsapp.neonize_transport import (
    NeonizeTransport,
    SendOutcomeUnknown,
    check_store,
    postgres_store,
    send_error,
    sqlite_store,
)
from cicero.whatsapp.transport import (
    ConnectFailed,
    Disconnected,
    Incoming,
    KeepaliveLost,
    KeepaliveRestored,
    LoggedOut,
    NotReady,
    Paired,
    PairingExpired,
    QrCode,
    Ready,
    RecipientInvalid,
    Replaced,
    SendFailed,
    TemporarilyBanned,
    WhatsAppTransport,
)

PROBE = Path(__file__).with_name("neonize_probe.py")
REPO = Path(__file__).resolve().parents[3]
ALICE = user_jid("6281300000001")
ALICE_LID = Jid("100200300400500", Server.LID)
GATEWAY = user_jid("6281100000009")
SENT = datetime(2026, 11, 18, 11, 6, 40, 123000, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("neonize")
    out = work / "out.pickle"
    run = subprocess.run(
        [sys.executable, str(PROBE), str(work), str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return pickle.loads(out.read_bytes())


# --- events through neonize's dispatcher ---------------------------------------------------


def test_group_message_from_lid_sender_takes_phone_from_sender_alt(seen):
    assert seen["group_lid_with_alt"] == [
        Incoming(
            message_id="3EB0AAAABBBBCCCC",
            chat=group_jid("120363000000000001"),
            sender_phone="6281300000001",
            sender_lid=ALICE_LID,
            is_group=True,
            text="rekap hari ini",  # extendedTextMessage, through neonize's extract_text
            at=SENT,
            push_name="Alice",
        )
    ]


def test_direct_message_is_addressed_by_phone(seen):
    assert seen["direct_phone"] == [
        Incoming(
            message_id="3EB0AAAABBBBCCCC",
            chat=ALICE,
            sender_phone="6281300000001",
            sender_lid=ALICE_LID,
            is_group=False,
            text="menu",
            at=SENT,
            push_name="Alice",
        )
    ]


def test_lid_without_phone_keeps_lid_and_never_asks_an_unpaired_store(seen):
    # get_pn_from_lid would crash the process (Go nil pointer) on an unpaired store.
    [event] = seen["direct_lid_unresolved"]
    assert (event.chat, event.sender_phone, event.sender_lid) == (ALICE_LID, None, ALICE_LID)


def test_own_and_foreign_messages_are_ignored(seen):
    assert seen["from_me"] == []
    assert seen["foreign_direct"] == []  # +44…: not a number Cicero can hold


def test_connected_reports_ready_with_own_jid_from_device(seen):
    assert seen["device_then_connected"] == [Ready(GATEWAY)]


def test_logged_out(seen):
    assert seen["logged_out"] == [LoggedOut("LOGGED_OUT")]
    assert seen["logged_out_on_connect"] == [LoggedOut("MAIN_DEVICE_GONE (on connect)")]


def test_stream_replaced(seen):
    assert seen["stream_replaced"] == [Replaced()]


def test_temporary_ban_expiry_is_a_duration(seen):
    assert seen["temporary_ban"] == [
        TemporarilyBanned("SENT_TOO_MANY_SAME_MESSAGE", datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    ]
    assert seen["temporary_ban_no_expiry"] == [TemporarilyBanned("BLOCKED_BY_USERS", None)]


def test_connect_failures(seen):
    assert seen["connect_failure"] == [ConnectFailed("SERVICE_UNAVAILABLE: try later", True)]
    assert seen["connect_failure_outdated"] == [ConnectFailed("CLIENT_OUTDATED", False)]
    assert seen["client_outdated"] == [ConnectFailed("client outdated", False)]


def test_disconnect_and_keepalive(seen):
    assert seen["disconnected"] == [Disconnected()]
    # Two timeouts in a row are one loss (whatsmeow keeps pinging); then the restore.
    assert seen["keepalive"] == [KeepaliveLost(), KeepaliveRestored()]


def test_pairing(seen):
    assert seen["pair_success"] == [Paired(GATEWAY)]
    assert seen["pair_error"] == [ConnectFailed("pairing failed: invalid device signature", True)]
    code = "2@offline-qr-code,AAAA,BBBB,CCCC"
    assert seen["qr"] == ([QrCode(code)], [code])  # sink and on_qr both get it
    assert seen["qr_login_timeout"] == [PairingExpired("QR codes ran out unscanned")]
    assert seen["qr_login_success"] == []


def test_a_failing_sink_does_not_break_the_dispatcher(seen):
    assert seen["sink_raised_survived"] == 1


# --- lifecycle and calls -------------------------------------------------------------------


def test_offline_connect_becomes_connect_failed_after_creating_the_store(seen):
    [failed] = seen["connect"]
    assert isinstance(failed, ConnectFailed) and failed.retryable
    assert "dial" in failed.reason
    assert seen["store_created"]
    assert seen["imported_before_start"] is False
    assert seen["alive_before_start"] is False and seen["alive_after_failed_connect"] is False


def test_sends_before_ready_raise_not_ready(seen):
    assert seen["send_before_start"][:3] == ("raised", "NotReady", "transport not started")
    # What neonize itself answers on an unpaired store, mapped by its text:
    assert seen["send_unpaired"][:3] == (
        "raised",
        "NotReady",
        "the store doesn't contain a device JID",
    )
    assert seen["document_unpaired"][1] == "NotReady"
    assert seen["lookup_unconnected"][1] == "NotReady"
    assert seen["send_after_stop"][:3] == ("raised", "NotReady", "transport stopped")


def test_pair_code_needs_the_login_socket(seen):
    assert seen["pair_code_before_qr"][1] == "NotReady"
    assert seen["pair_code_after_qr"][:3] == ("raised", "NotReady", "websocket not connected")
    assert seen["pair_code_after_window"][1] == "NotReady"  # the login socket closed


def test_an_event_of_unknown_type_is_skipped(seen):
    assert seen["unknown_event_type"] == []


def test_stop_joins_and_silences_and_a_restart_builds_a_new_client(seen):
    assert seen["stuck_after_stop"] is False
    assert seen["connect_thread_after_stop"] is False
    assert seen["after_stop"] == []
    events, same_client = seen["restart"]
    # A new neonize client (and Go id) per start: an id is never reused while its Go
    # call might still run.
    assert [type(e) for e in events] == [ConnectFailed] and not same_client
    assert seen["stuck_after_second_stop"] is False


# --- without neonize -----------------------------------------------------------------------


def test_import_and_construction_do_not_load_neonize(tmp_path):
    code = (
        "import sys\n"
        "from cicero.whatsapp.neonize_transport import NeonizeTransport\n"
        "from cicero.whatsapp.transport import NotReady\n"
        "from cicero.domain.people.phones import user_jid\n"
        "import cicero.whatsapp.qr\n"
        f"t = NeonizeTransport('gateway', {str(tmp_path / 'gw.sqlite3')!r})\n"
        "assert t.accepts_caller_id is False and t.alive is False\n"
        "try:\n"
        "    t.send_text(user_jid('6281300000001'), 'hi')\n"
        "except NotReady:\n"
        "    pass\n"
        "print('neonize' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_seam_shape(tmp_path):
    transport = NeonizeTransport("gateway", str(tmp_path / "wa" / "gateway.sqlite3"))
    assert isinstance(transport, WhatsAppTransport)
    assert transport.accepts_caller_id is False
    assert transport.alive is False and transport.stuck is False
    with pytest.raises(NotReady, match="not started"):
        transport.send_text(ALICE, "hi")
    with pytest.raises(NotReady):
        transport.lookup(["081300000001"])


class GoError(Exception):
    """Stands in for a neonize exception (module check: `neonize…`)."""


GoError.__module__ = "neonize.exc"


@pytest.mark.parametrize(
    ("text", "kind", "retryable"),
    [
        ("client is nil", NotReady, None),
        ("the store doesn't contain a device JID", NotReady, None),
        ("failed to get devices: websocket not connected", NotReady, None),
        ("can't send message to unknown server lid", RecipientInvalid, None),
        ("message recipient must be a user JID with no device part", RecipientInvalid, None),
        (
            "failed to get group members: you're not participating in that group",
            RecipientInvalid,
            None,
        ),
        ("timed out waiting for message send response", SendOutcomeUnknown, False),
        ("websocket disconnected before message send returned response", SendOutcomeUnknown, False),
        ("info query timed out", SendFailed, True),
        ("server returned error 479", SendFailed, True),
    ],
)
def test_send_error_mapping(text, kind, retryable):
    error = send_error("6281300000001@s.whatsapp.net", GoError(text))
    assert type(error) is kind
    if retryable is not None:
        assert error.retryable is retryable


def test_a_non_neonize_exception_is_a_permanent_failure():
    error = send_error("x", TypeError("bad proto"))
    assert isinstance(error, SendFailed) and not error.retryable


def test_store_locations(tmp_path):
    path = sqlite_store(tmp_path, "gateway")
    assert path == str(tmp_path / "wa" / "gateway.sqlite3") and (tmp_path / "wa").is_dir()
    url = postgres_store("postgresql://cicero@/cicero?host=/run/pg&sslmode=disable", "wa_gateway")
    assert url == (
        "postgresql://cicero@/cicero?host=%2Frun%2Fpg&sslmode=disable&search_path=wa_gateway"
    )
    assert check_store(url) == url
    with pytest.raises(ValueError, match="search_path"):
        check_store("postgresql://cicero@/cicero")  # a shared store resumes the first device
    with pytest.raises(ValueError):
        postgres_store("postgresql://x/y", "Robert'); DROP")
    with pytest.raises(ValueError):
        sqlite_store(tmp_path, "../etc")


# --- QR rendering (segno) ------------------------------------------------------------------


def test_qr_renders_for_terminal_and_status_page():
    import io
    import urllib.parse

    from cicero.whatsapp import qr

    code = "2@offline-qr-code,AAAA,BBBB,CCCC"
    out = io.StringIO()
    image = qr.show(code, "gateway", out=out)
    assert image.code == code
    assert image.svg_data_uri.startswith("data:image/svg+xml")
    assert "<svg" in urllib.parse.unquote(image.svg_data_uri)
    assert "gateway" in out.getvalue() and image.terminal in out.getvalue()
    assert {"█", "▀", "▄"} & set(image.terminal)
    assert qr.png_data_uri(code).startswith("data:image/png;base64,")
    with pytest.raises(ValueError):
        qr.render("")

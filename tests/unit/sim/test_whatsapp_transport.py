"""Contract tests of the `WhatsAppTransport` seam, run against the simulator, plus its faults."""

import pickle
from datetime import datetime, timedelta

import pytest

from cicero.domain.delivery import session as sm
from cicero.domain.delivery.outbox import message_id_for, outbox_key
from cicero.domain.people.phones import Jid, JidError, Server, group_jid, user_jid
from cicero.domain.timezone import WIB
from cicero.sim.whatsapp.transport import (
    Accepted,
    InitialState,
    SimulatedNetwork,
    SimulatedTransport,
)
from cicero.whatsapp.transport import (
    ConnectFailed,
    Disconnected,
    Incoming,
    LoggedOut,
    NotReady,
    PairCode,
    Paired,
    QrCode,
    Ready,
    RecipientInvalid,
    Replaced,
    SendFailed,
    SendReceipt,
    TemporarilyBanned,
    WhatsAppTransport,
)

T0 = datetime(2026, 11, 23, 5, 0, tzinfo=WIB)
GATEWAY = "6281100000009"
ALICE = user_jid("081300000001")
BOB = user_jid("081300000002")
GHOST = "6281399999999"  # not on WhatsApp
GROUP = group_jid("120363000000000001")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Harness:
    """A transport, the events its sink got, what the network accepted, and the session
    machine fed with every event (so the seam is checked against the machine too)."""

    def __init__(self, initial="ready", network=None, seed=1, session="gateway"):
        self.clock = Clock()
        self.network = network or SimulatedNetwork(not_on_whatsapp=[GHOST])
        self.accepted: list[Accepted] = []
        self.events: list = []
        self.machine = sm.initial(T0)
        self.t = SimulatedTransport(
            session,
            self.network,
            GATEWAY,
            self.clock,
            seed=seed,
            initial=initial,
            on_accept=self.accepted.append,
        )

    def sink(self, ev) -> None:
        self.events.append(ev)
        self.machine, _ = sm.handle(self.machine, ev, self.clock())

    def start(self) -> "Harness":
        self.t.start(self.sink)
        return self

    def kinds(self) -> list[type]:
        return [type(e) for e in self.events]


@pytest.fixture
def h() -> Harness:
    return Harness().start()


# --- the seam ------------------------------------------------------------------------------


def test_implements_the_protocol(h):
    assert isinstance(h.t, WhatsAppTransport)
    assert h.t.accepts_caller_id is True


@pytest.mark.parametrize(
    ("initial", "first", "machine_state"),
    [
        ("ready", Ready, sm.SessionState.READY),
        ("unpaired", QrCode, sm.SessionState.PAIRING),
        ("down", ConnectFailed, sm.SessionState.RECONNECTING),
    ],
)
def test_start_emits_the_initial_state(initial, first, machine_state):
    h = Harness(initial=initial)
    assert h.events == []  # nothing before start
    h.start()
    assert h.kinds() == [first]
    assert h.machine.state is machine_state
    assert h.t.alive is (initial == "ready")


def test_ready_event_carries_the_session_jid(h):
    assert h.events == [Ready(user_jid(GATEWAY))]


def test_send_text(h):
    receipt = h.t.send_text(ALICE, "halo", message_id="3EB0AAAA")
    assert receipt == SendReceipt("3EB0AAAA", T0)
    assert h.accepted == [Accepted("gateway", ALICE, "3EB0AAAA", T0, "halo")]


def test_send_without_caller_id_gets_a_fresh_id(h):
    a = h.t.send_text(ALICE, "satu")
    b = h.t.send_text(ALICE, "satu")
    assert a.message_id != b.message_id
    assert a.message_id.startswith("3EB0") and len(a.message_id) == 20
    assert len(h.accepted) == 2


def test_repeated_id_is_the_same_message(h):
    first = h.t.send_text(ALICE, "rekap", message_id="ID1")
    h.clock.advance(60)
    again = h.t.send_text(ALICE, "rekap", message_id="ID1")
    assert again == first  # the original receipt, original time
    assert len(h.accepted) == 1
    other = h.t.send_text(ALICE, "rekap", message_id="ID2")
    assert other.message_id == "ID2" and len(h.accepted) == 2


def test_same_id_from_another_session_is_another_message():
    network = SimulatedNetwork()
    a = Harness(network=network, session="gateway").start()
    b = Harness(network=network, session="operator").start()
    a.t.send_text(ALICE, "x", message_id="ID1")
    b.t.send_text(ALICE, "x", message_id="ID1")
    assert len(a.accepted) == len(b.accepted) == 1
    assert len(network.accepted()) == 2


def test_duplicate_survives_a_transport_restart_on_the_same_network():
    """A crashed session actor builds a new transport; the network still knows the id."""
    network = SimulatedNetwork()
    key = outbox_key("recap", T0, ALICE)
    first = Harness(network=network).start()
    receipt = first.t.send_text(ALICE, "rekap", message_id=message_id_for(key))
    reborn = Harness(network=network).start()
    assert reborn.t.send_text(ALICE, "rekap", message_id=message_id_for(key)) == receipt
    assert reborn.accepted == [] and len(network.accepted()) == 1


def test_network_pickles_with_its_memory():
    h = Harness().start()
    h.t.send_text(ALICE, "x", message_id="ID1")
    h.t.lose()
    copy = pickle.loads(pickle.dumps(h.network))
    reborn = SimulatedTransport("gateway", copy, GATEWAY, h.clock)
    events = []
    reborn.start(events.append)
    assert events == [ConnectFailed("network unreachable", retryable=True)]  # still down
    reborn.restore()
    assert reborn.send_text(ALICE, "x", message_id="ID1").message_id == "ID1"
    assert len(copy.accepted()) == 1


def test_send_document(h):
    data = b"PK\x03\x04 excel"
    receipt = h.t.send_document(
        GROUP, data, "Rekap.xlsx", "application/vnd.ms-excel", caption="rekap", message_id="D1"
    )
    (acc,) = h.accepted
    assert receipt.message_id == "D1" and acc.to == GROUP and acc.text == "rekap"
    assert acc.attachment.filename == "Rekap.xlsx" and acc.attachment.size == len(data)
    assert len(acc.attachment.sha256) == 64


def test_not_ready_raises_and_sends_nothing():
    for initial in ("unpaired", "down"):
        h = Harness(initial=initial).start()
        with pytest.raises(NotReady):
            h.t.send_text(ALICE, "x")
        with pytest.raises(NotReady):
            h.t.lookup([ALICE.user])
        assert h.accepted == []
    unstarted = Harness()
    with pytest.raises(NotReady):
        unstarted.t.send_text(ALICE, "x")


def test_recipient_not_on_whatsapp(h):
    with pytest.raises(RecipientInvalid, match="not on WhatsApp") as err:
        h.t.send_text(user_jid(GHOST), "x")
    assert err.value.to == f"{GHOST}@s.whatsapp.net"
    with pytest.raises(RecipientInvalid, match="unknown server lid"):
        h.t.send_text(Jid("12345", Server.LID), "x")
    assert h.accepted == []


def test_lookup(h):
    got = h.t.lookup(["0813-0000-0001", GHOST, "abc"])
    assert got == {"0813-0000-0001": ALICE, GHOST: None, "abc": None}


def test_errors_pickle():
    for err in (
        NotReady("down"),
        RecipientInvalid("x@s.whatsapp.net", "gone"),
        SendFailed("boom", True),
    ):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err)
    assert pickle.loads(pickle.dumps(SendFailed("boom", False))).retryable is False


# --- faults --------------------------------------------------------------------------------


def test_fail_next_sends(h):
    h.t.fail_next_sends(2)
    for _ in range(2):
        with pytest.raises(SendFailed) as err:
            h.t.send_text(ALICE, "x", message_id="R1")
        assert err.value.retryable
    assert h.t.send_text(ALICE, "x", message_id="R1").message_id == "R1"
    assert len(h.accepted) == 1


def test_fail_next_sends_permanent(h):
    h.t.fail_next_sends(1, retryable=False)
    with pytest.raises(SendFailed) as err:
        h.t.send_text(ALICE, "x")
    assert not err.value.retryable


def test_a_duplicate_does_not_use_up_a_failure(h):
    h.t.send_text(ALICE, "x", message_id="ID1")
    h.t.fail_next_sends(1)
    h.t.send_text(ALICE, "x", message_id="ID1")  # already accepted: answered, not failed
    with pytest.raises(SendFailed):
        h.t.send_text(ALICE, "y")


def test_lose_and_restore(h):
    h.t.lose()
    assert h.kinds() == [Ready, Disconnected]
    assert not h.t.alive and h.machine.state is sm.SessionState.RECONNECTING
    with pytest.raises(NotReady):
        h.t.send_text(ALICE, "x")
    h.t.lose()  # already down: nothing new
    assert len(h.events) == 2
    h.t.restore()
    assert h.kinds() == [Ready, Disconnected, Ready]
    assert h.t.alive and sm.is_ready(h.machine)


def test_restart_while_down_fails_to_connect(h):
    h.t.lose()
    h.t.stop(1.0)
    h.t.start(h.sink)
    assert h.kinds()[-1] is ConnectFailed


def test_log_out_then_pair_again(h):
    h.t.log_out()
    assert h.events[-1] == LoggedOut("LOGGED_OUT")
    assert h.machine.state is sm.SessionState.LOGGED_OUT
    # the actor stops the transport; ops ask to pair; the restarted transport shows a QR
    h.t.stop(1.0)
    h.machine, effects = sm.handle(h.machine, sm.PairRequested(), h.clock())
    assert sm.RestartTransport() in effects
    h.t.start(h.sink)
    assert isinstance(h.events[-1], QrCode) and h.machine.state is sm.SessionState.PAIRING
    h.t.pair()
    assert h.kinds()[-2:] == [Paired, Ready] and sm.is_ready(h.machine)


def test_logout_while_offline_is_told_on_connect(h):
    h.t.lose()
    h.t.log_out("MAIN_DEVICE_GONE")
    h.t.restore()
    assert h.events[-1] == LoggedOut("MAIN_DEVICE_GONE")
    assert h.machine.state is sm.SessionState.LOGGED_OUT


def test_ban_and_expiry(h):
    until = T0 + timedelta(hours=1)
    h.t.ban(until)
    assert h.events[-1] == TemporarilyBanned("SEND_TO_TOO_MANY_PEOPLE", until)
    assert h.machine.state is sm.SessionState.BANNED and not h.t.alive
    h.t.stop(1.0)
    h.t.start(h.sink)  # reconnecting too early: still banned
    assert isinstance(h.events[-1], TemporarilyBanned)
    h.clock.now = until
    h.machine, effects = sm.handle(h.machine, sm.KeepaliveCheck(), h.clock())
    assert sm.RestartTransport() in effects
    h.t.stop(1.0)
    h.t.start(h.sink)
    assert h.events[-1] == Ready(user_jid(GATEWAY)) and sm.is_ready(h.machine)


def test_replaced(h):
    h.t.replace()
    assert h.events[-1] == Replaced() and h.machine.state is sm.SessionState.REPLACED
    assert not h.t.alive
    h.t.restore()  # the network coming back does not resurrect a replaced session
    assert h.events[-1] == Replaced()


def test_unpaired_pairing_by_code():
    h = Harness(initial="unpaired").start()
    code = h.t.request_pair_code("0811-0000-0009")
    assert h.events[-1] == PairCode(code)
    assert len(code) == 9 and code[4] == "-"
    with pytest.raises(JidError):
        h.t.request_pair_code("abc")
    h.t.pair()
    assert h.kinds()[-2:] == [Paired, Ready]
    with pytest.raises(SendFailed, match="already paired"):
        h.t.request_pair_code(GATEWAY)


def test_incoming_reaches_the_sink(h):
    ev = h.t.deliver_incoming("0813-0000-0001", "menu", message_id="IN1", push_name="Budi")
    assert h.events[-1] == ev
    assert ev == Incoming("IN1", ALICE, ALICE.user, None, False, "menu", T0, "Budi")
    grp = h.t.deliver_incoming(None, "lapor", chat=str(GROUP), sender_lid="999@lid")
    assert grp.is_group and grp.chat == GROUP and grp.sender_lid == Jid("999", Server.LID)
    assert grp.sender_phone is None


def test_incoming_while_offline_is_held_until_connected(h):
    h.t.lose()
    ev = h.t.deliver_incoming(ALICE.user, "halo", message_id="IN1")
    assert ev not in h.events
    h.t.restore()
    assert h.events[-2:] == [Ready(user_jid(GATEWAY)), ev]


def test_incoming_redelivery_is_passed_on(h):
    a = h.t.deliver_incoming(ALICE.user, "halo", message_id="IN1")
    b = h.t.deliver_incoming(ALICE.user, "halo", message_id="IN1")
    assert a.message_id == b.message_id and h.events.count(a) == 2  # the inbox drops it


def test_incoming_needs_a_sender(h):
    with pytest.raises(JidError):
        h.t.deliver_incoming(None, "x")


def test_events_pickle(h):
    h.t.deliver_incoming(ALICE.user, "x", chat=GROUP)
    h.t.ban(T0 + timedelta(hours=1))
    for ev in h.events:
        assert pickle.loads(pickle.dumps(ev)) == ev


def test_stopped_transport_emits_nothing(h):
    h.t.stop(1.0)
    h.t.lose()
    h.t.restore()
    h.t.deliver_incoming(ALICE.user, "x")
    assert h.kinds() == [Ready]


def test_deterministic_from_seed():
    def run(seed):
        h = Harness(initial="unpaired", seed=seed).start()
        code = h.t.request_pair_code(GATEWAY)
        h.t.pair()
        ids = [h.t.send_text(BOB, str(i)).message_id for i in range(3)]
        return h.events, code, ids

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_initial_state_is_kept_for_a_known_session():
    network = SimulatedNetwork()
    Harness(network=network, initial="down")
    again = Harness(network=network, initial=InitialState.READY).start()
    assert again.kinds() == [ConnectFailed]  # the network, not the new actor, knows the line

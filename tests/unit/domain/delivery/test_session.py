import pickle
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cicero.domain.delivery.session import (
    LIBRARY_GRACE_S,
    LIVE,
    LOGIN_WINDOWS,
    RECONNECT_CAP_S,
    TERMINAL,
    TRANSITIONS,
    AlertOps,
    ConnectFailed,
    Disconnected,
    Event,
    Heartbeat,
    Incoming,
    KeepaliveCheck,
    KeepaliveLost,
    KeepaliveRestored,
    LoggedOut,
    PairCode,
    Paired,
    PairingExpired,
    PairRequested,
    QrCode,
    Ready,
    ReconnectDue,
    Replaced,
    ReportLost,
    ReportReady,
    RestartTransport,
    ScheduleReconnect,
    Session,
    SessionMisuse,
    SessionState,
    ShowPairCode,
    ShowQr,
    StopTransport,
    TemporarilyBanned,
    handle,
    initial,
    is_ready,
    is_resting,
    reconnect_delay,
    same_failure,
)
from cicero.domain.people.phones import user_jid
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 5, 0, tzinfo=WIB)
JID = user_jid("081100000001")
S = SessionState

INCOMING = Incoming("ID1", JID, "6281100000001", None, False, "menu", T0)
EVENT_SAMPLES: list[Event] = [
    QrCode("qr"),
    PairCode("ABCD-EFGH"),
    Paired(JID),
    Ready(JID),
    Disconnected(),
    ConnectFailed("dial failed", retryable=True),
    LoggedOut("LOGGED_OUT"),
    TemporarilyBanned("SEND_TO_TOO_MANY_PEOPLE", T0 + timedelta(hours=1)),
    Replaced(),
    INCOMING,
    Heartbeat(),
    KeepaliveCheck(),
    ReconnectDue(0),
    PairRequested(),
    KeepaliveLost(),
    KeepaliveRestored(),
    PairingExpired("timeout"),
]


def at(state: SessionState, **kw) -> Session:
    return Session(state=state, since=T0, last_heard=T0, **kw)


def types(effects) -> list[type]:
    return [type(e) for e in effects]


def test_table_is_total():
    # every event from every state has a rule: the network can say anything at any time
    for state in SessionState:
        for ev in EVENT_SAMPLES:
            assert (state, type(ev)) in TRANSITIONS


@pytest.mark.parametrize(
    ("state", "event", "want_state", "want_effects"),
    [
        (S.STARTING, QrCode("q1"), S.PAIRING, [ShowQr]),
        (S.PAIRING, QrCode("q2"), S.PAIRING, [ShowQr]),
        (S.READY, QrCode("q"), S.PAIRING, [ReportLost, ShowQr]),
        (S.PAIRING, PairCode("ABCD-EFGH"), S.PAIRING, [ShowPairCode]),
        (S.READY, PairCode("ABCD-EFGH"), S.READY, []),
        (S.PAIRING, Paired(JID), S.PAIRING, []),
        (S.PAIRING, Ready(JID), S.READY, [ReportReady]),
        (S.STARTING, Ready(JID), S.READY, [ReportReady]),
        (S.RECONNECTING, Ready(JID), S.READY, [ReportReady]),
        (S.READY, Ready(JID), S.READY, []),
        (S.READY, Disconnected(), S.RECONNECTING, [ReportLost, ScheduleReconnect]),
        (S.READY, KeepaliveLost(), S.RECONNECTING, [ReportLost, ScheduleReconnect]),
        (S.RECONNECTING, KeepaliveLost(), S.RECONNECTING, []),
        (S.PAIRING, KeepaliveLost(), S.PAIRING, []),
        (S.READY, KeepaliveRestored(), S.READY, []),
        (S.LOGGED_OUT, KeepaliveRestored(), S.LOGGED_OUT, []),
        (S.PAIRING, PairingExpired("timeout"), S.PAIRING, [RestartTransport]),
        (S.READY, PairingExpired("timeout"), S.READY, []),
        (S.PAIRING, PairRequested(), S.PAIRING, []),
        (S.STARTING, Disconnected(), S.RECONNECTING, [ScheduleReconnect]),
        (S.RECONNECTING, Disconnected(), S.RECONNECTING, []),
        (S.READY, ConnectFailed("x", True), S.RECONNECTING, [ReportLost, ScheduleReconnect]),
        (S.STARTING, ConnectFailed("x", False), S.RECONNECTING, [ScheduleReconnect, AlertOps]),
        (S.RECONNECTING, ConnectFailed("x", True), S.RECONNECTING, []),
        (S.RECONNECTING, ConnectFailed("x", False), S.RECONNECTING, [ScheduleReconnect, AlertOps]),
        (S.READY, LoggedOut("LOGGED_OUT"), S.LOGGED_OUT, [ReportLost, StopTransport, AlertOps]),
        (S.PAIRING, LoggedOut("x"), S.LOGGED_OUT, [StopTransport, AlertOps]),
        (
            S.READY,
            TemporarilyBanned("BLOCKED_BY_USERS", T0),
            S.BANNED,
            [ReportLost, StopTransport, AlertOps],
        ),
        (S.READY, Replaced(), S.REPLACED, [ReportLost, StopTransport, AlertOps]),
        (S.LOGGED_OUT, Ready(JID), S.LOGGED_OUT, []),
        (S.REPLACED, Ready(JID), S.REPLACED, []),
        (S.BANNED, Ready(JID), S.BANNED, []),
        (S.LOGGED_OUT, Disconnected(), S.LOGGED_OUT, []),
        (S.LOGGED_OUT, QrCode("q"), S.LOGGED_OUT, []),
        (S.LOGGED_OUT, Replaced(), S.LOGGED_OUT, []),
        (S.REPLACED, LoggedOut("x"), S.REPLACED, []),
        (S.LOGGED_OUT, PairRequested(), S.STARTING, [RestartTransport]),
        (S.REPLACED, PairRequested(), S.STARTING, [RestartTransport]),
        (S.READY, PairRequested(), S.READY, []),
        (S.LOGGED_OUT, Paired(JID), S.PAIRING, []),
        (S.READY, Heartbeat(), S.READY, []),
        (S.READY, INCOMING, S.READY, []),
    ],
)
def test_transitions(state, event, want_state, want_effects):
    new, effects = handle(at(state), event, T0 + timedelta(seconds=1))
    assert new.state is want_state
    assert types(effects) == want_effects


def test_effect_values():
    s, eff = handle(at(S.STARTING), QrCode("2@abc"), T0)
    assert eff == (ShowQr("2@abc"),)
    s, eff = handle(s, Ready(JID), T0)
    assert eff == (ReportReady(JID),) and s.jid == JID and is_ready(s)
    s, eff = handle(s, LoggedOut("MAIN_DEVICE_GONE"), T0)
    assert eff[0] == ReportLost("MAIN_DEVICE_GONE")
    assert "MAIN_DEVICE_GONE" in eff[2].reason and s.reason == "MAIN_DEVICE_GONE"


def test_a_reconnect_loop_says_its_latest_failure_and_alerts_once_per_change():
    # No network: every restart of the transport fails the same way. What /healthz shows is
    # the latest failure, and ops hear of a permanent one once, not at every retry.
    s, _ = handle(at(S.STARTING), ConnectFailed("dial failed", True), T0)
    s, _ = handle(s, ReconnectDue(s.timer), T0 + timedelta(seconds=2))
    s, eff = handle(s, ConnectFailed("dial tcp: i/o timeout", True), T0 + timedelta(seconds=3))
    assert (s.state, s.reason, s.attempt, eff) == (S.RECONNECTING, "dial tcp: i/o timeout", 1, ())
    s, eff = handle(s, ConnectFailed("CLIENT_OUTDATED", False), T0 + timedelta(seconds=4))
    assert types(eff) == [ScheduleReconnect, AlertOps] and s.reason == "CLIENT_OUTDATED"
    s, eff = handle(s, ConnectFailed("CLIENT_OUTDATED", False), T0 + timedelta(seconds=5))
    assert types(eff) == [ScheduleReconnect] and s.since == T0  # the loop that began at T0


def test_failures_that_differ_only_in_numbers_are_one_failure():
    a = "dial tcp 157.240.13.54:443: i/o timeout after 20s"
    assert same_failure(a, "dial tcp 31.13.79.53:5222: i/o timeout after 21s")
    assert not same_failure(a, "dial tcp: lookup web.whatsapp.com: no such host")
    s, _ = handle(at(S.STARTING), ConnectFailed(a, False), T0)
    s, eff = handle(s, ConnectFailed(a.replace("54", "55"), False), T0 + timedelta(seconds=1))
    assert types(eff) == [ScheduleReconnect]  # retried at the cap, no second alert


def test_keepalive_watchdog_declares_a_silent_connection_dead():
    s = at(S.READY)
    quiet, eff = handle(s, KeepaliveCheck(), T0 + timedelta(seconds=210))
    assert quiet.state is S.READY and eff == ()
    dead, eff = handle(s, KeepaliveCheck(), T0 + timedelta(seconds=211))
    assert dead.state is S.RECONNECTING and dead.reason == "keepalive timeout"
    assert types(eff) == [ReportLost, RestartTransport, ScheduleReconnect]


def test_heartbeat_keeps_the_watchdog_quiet():
    s, _ = handle(at(S.READY), Heartbeat(), T0 + timedelta(seconds=200))
    s, eff = handle(s, KeepaliveCheck(), T0 + timedelta(seconds=400))
    assert s.state is S.READY and eff == ()


def test_keepalive_limit_is_configurable():
    s = initial(T0, keepalive_s=30)
    s, _ = handle(s, Ready(JID), T0)
    s, _ = handle(s, KeepaliveCheck(), T0 + timedelta(seconds=31))
    assert s.state is S.RECONNECTING


def test_a_start_that_never_answers_times_out():
    s = initial(T0)
    same, _ = handle(s, KeepaliveCheck(), T0 + timedelta(seconds=100))
    assert same.state is S.STARTING
    s, eff = handle(s, KeepaliveCheck(), T0 + timedelta(seconds=300))
    assert s.state is S.RECONNECTING and RestartTransport() in eff


def test_temporary_ban_ends_at_until():
    until = T0 + timedelta(hours=1)
    s, _ = handle(at(S.READY), TemporarilyBanned("BROADCAST_LIST", until), T0)
    assert s.state is S.BANNED and s.until == until
    s, eff = handle(s, KeepaliveCheck(), until - timedelta(seconds=1))
    assert s.state is S.BANNED and eff == ()
    s, eff = handle(s, KeepaliveCheck(), until)
    assert s.state is S.RECONNECTING and types(eff) == [RestartTransport, ScheduleReconnect]
    assert s.until is None


def test_ban_without_expiry_needs_a_re_pair():
    s, _ = handle(at(S.READY), TemporarilyBanned("X", None), T0)
    s, _ = handle(s, KeepaliveCheck(), T0 + timedelta(days=30))
    assert s.state is S.BANNED
    s, eff = handle(s, PairRequested(), T0 + timedelta(days=30))
    assert s.state is S.STARTING and eff == (RestartTransport(),)


def test_a_second_ban_moves_the_expiry():
    s, _ = handle(at(S.READY), TemporarilyBanned("X", T0 + timedelta(hours=1)), T0)
    s, eff = handle(s, TemporarilyBanned("Y", T0 + timedelta(hours=2)), T0)
    assert s.until == T0 + timedelta(hours=2) and eff == ()


def test_reconnect_timers_back_off_and_stale_ones_are_ignored():
    s, eff = handle(at(S.STARTING), Disconnected(), T0, rng_value=0.0)
    (sched,) = [e for e in eff if isinstance(e, ScheduleReconnect)]
    assert sched.delay_s == reconnect_delay(0, 0.0)
    delays = []
    for _ in range(12):
        s, eff = handle(s, ReconnectDue(s.timer), T0, rng_value=0.0)
        assert eff[0] == RestartTransport()
        delays.append(eff[1].delay_s)
    assert delays == sorted(delays) and delays[-1] == RECONNECT_CAP_S / 2
    old = s.timer
    s, _ = handle(s, Ready(JID), T0)
    assert s.attempt == 0
    same, eff = handle(s, ReconnectDue(old), T0)
    assert same == s and eff == ()
    s, _ = handle(s, Disconnected(), T0)
    same, eff = handle(s, ReconnectDue(old), T0)  # an older timer after a newer loss
    assert eff == ()


# --- following whatsmeow: its own reconnects are not churned (issue 19 item 4) -----------


def test_a_remote_disconnect_is_left_to_the_library_reconnect():
    s, eff = handle(at(S.READY, jid=JID), Disconnected(), T0, rng_value=0.0)
    assert s.state is S.RECONNECTING and s.reason == "disconnected"
    # Not ready (the clock is told, sends wait), but no restart: whatsmeow reconnects
    # 0, 2, 4 … s after a remote disconnect, and a restart would race it.
    assert eff == (ReportLost("disconnected"), ScheduleReconnect(LIBRARY_GRACE_S, s.timer))
    back, eff = handle(s, Ready(JID), T0 + timedelta(seconds=6))
    assert back.state is S.READY and eff == (ReportReady(JID),)
    same, eff = handle(back, ReconnectDue(s.timer), T0 + timedelta(seconds=LIBRARY_GRACE_S))
    assert same == back and eff == ()  # the safety net was stale


def test_the_machine_restarts_only_after_the_library_grace():
    s, _ = handle(at(S.READY, jid=JID), Disconnected(), T0, rng_value=0.0)
    for seconds in (1, 60, LIBRARY_GRACE_S - 1):  # the watchdog does not step in either
        s, eff = handle(s, KeepaliveCheck(), T0 + timedelta(seconds=seconds))
        assert s.state is S.RECONNECTING and eff == ()
    s, eff = handle(s, ReconnectDue(s.timer), T0 + timedelta(seconds=LIBRARY_GRACE_S), 0.0)
    assert types(eff) == [RestartTransport, ScheduleReconnect]
    assert eff[1].delay_s == reconnect_delay(1, 0.0)  # from here the machine's own backoff


def test_a_keepalive_timeout_then_restore_is_a_blip_not_a_restart():
    s, eff = handle(at(S.READY, jid=JID), KeepaliveLost(), T0)
    assert s.state is S.RECONNECTING and s.reason == "keepalive timeout" and s.stalled
    assert types(eff) == [ReportLost, ScheduleReconnect] and eff[1].delay_s == LIBRARY_GRACE_S
    again, eff = handle(s, KeepaliveLost(), T0 + timedelta(seconds=25))
    assert again == s and eff == ()  # one streak, one loss
    back, eff = handle(s, KeepaliveRestored(), T0 + timedelta(seconds=40))
    assert back.state is S.READY and not back.stalled and eff == (ReportReady(JID),)
    assert back.last_heard == T0 + timedelta(seconds=40)
    same, eff = handle(back, ReconnectDue(s.timer), T0 + timedelta(seconds=LIBRARY_GRACE_S))
    assert same == back and eff == ()


def test_a_keepalive_loss_ended_by_the_library_reconnect():
    # After 3 minutes of failed pings whatsmeow drops the socket itself (no Disconnected
    # event) and reconnects: the next word is Connected.
    s, _ = handle(at(S.READY, jid=JID), KeepaliveLost(), T0)
    s, eff = handle(s, Ready(JID), T0 + timedelta(minutes=3, seconds=5))
    assert s.state is S.READY and eff == (ReportReady(JID),) and not s.stalled


def test_a_restore_after_a_real_disconnect_does_not_claim_ready():
    s, _ = handle(at(S.READY, jid=JID), Disconnected(), T0)
    same, eff = handle(s, KeepaliveRestored(), T0 + timedelta(seconds=1))
    assert same.state is S.RECONNECTING and eff == ()


def test_an_unpaired_loss_uses_the_machine_backoff():
    # Before pairing whatsmeow does not reconnect: the machine's own short backoff applies.
    s, eff = handle(at(S.STARTING), Disconnected(), T0, rng_value=0.0)
    assert eff == (ScheduleReconnect(reconnect_delay(0, 0.0), s.timer),)


def test_a_refusal_that_repeats_is_retried_at_the_cap_never_sooner():
    s, eff = handle(at(S.READY, jid=JID), ConnectFailed("unknown reason", False), T0, 0.0)
    assert eff[1] == ScheduleReconnect(RECONNECT_CAP_S, s.timer)
    for _ in range(5):  # each retry meets the same refusal
        s, eff = handle(s, ReconnectDue(s.timer), T0, 0.0)
        assert eff[0] == RestartTransport()
        s, eff = handle(s, ConnectFailed("unknown reason", False), T0, 0.0)
        # Retried at the cap; ops heard of it with the first refusal, not at every retry.
        assert eff == (ScheduleReconnect(RECONNECT_CAP_S, s.timer),)
    assert s.reason == "unknown reason"


# --- login windows ---------------------------------------------------------------------------


def test_login_windows_reopen_then_rest_until_ops_ask():
    s, _ = handle(initial(T0), QrCode("2@a"), T0)
    for window in range(1, LOGIN_WINDOWS):
        s, eff = handle(s, PairingExpired("timeout"), T0)
        assert eff == (RestartTransport(),) and s.state is S.PAIRING and not is_resting(s)
        assert "new QR codes follow" in s.reason and s.expired_windows == window
        s, eff = handle(s, QrCode(f"2@{window}"), T0)
        assert eff == (ShowQr(f"2@{window}"),)
    s, eff = handle(s, PairingExpired("timeout"), T0)
    assert s.state is S.PAIRING and is_resting(s)
    assert types(eff) == [StopTransport, AlertOps] and "ask for new ones" in s.reason
    late, eff = handle(s, QrCode("2@late"), T0)  # from the window being stopped
    assert late == s and eff == ()
    s, eff = handle(s, PairRequested(), T0 + timedelta(hours=2))
    assert s.state is S.STARTING and eff == (RestartTransport(),) and s.expired_windows == 0
    s, eff = handle(s, QrCode("2@new"), T0 + timedelta(hours=2))
    assert s.state is S.PAIRING and eff == (ShowQr("2@new"),)


def test_a_scan_after_expired_windows_pairs():
    s = at(S.PAIRING, expired_windows=LOGIN_WINDOWS)
    s, _ = handle(s, Paired(JID), T0)
    assert not is_resting(s)
    s, eff = handle(s, Ready(JID), T0)
    assert s.state is S.READY and eff == (ReportReady(JID),)


def test_misuse():
    with pytest.raises(SessionMisuse, match="never issued"):
        handle(at(S.RECONNECTING, timer=3), ReconnectDue(4), T0)
    with pytest.raises(SessionMisuse, match="not a session event"):
        handle(at(S.READY), "Ready", T0)  # type: ignore[arg-type]
    with pytest.raises(SessionMisuse, match="naive"):
        handle(at(S.READY), Heartbeat(), datetime(2026, 1, 1))


def test_events_and_effects_pickle():
    for ev in EVENT_SAMPLES:
        assert pickle.loads(pickle.dumps(ev)) == ev
    s, eff = handle(at(S.READY), Disconnected(), T0)
    assert pickle.loads(pickle.dumps((s, eff))) == (s, eff)


@settings(max_examples=200)
@given(st.integers(0, 10_000), st.floats(0, 1, exclude_max=True))
def test_reconnect_delay_is_bounded_and_grows(attempt, r):
    d = reconnect_delay(attempt, r)
    assert 0 < d <= RECONNECT_CAP_S
    assert d <= reconnect_delay(attempt + 1, r)
    assert reconnect_delay(attempt, 0.0) <= d <= reconnect_delay(attempt, 1.0)
    assert reconnect_delay(attempt, 1.0) == 2 * reconnect_delay(attempt, 0.0)


# --- the machine driven by hypothesis ------------------------------------------------------

NETWORK_EVENTS = st.sampled_from(
    [e for e in EVENT_SAMPLES if not isinstance(e, ReconnectDue | KeepaliveCheck)]
)


class SessionSpec(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.now = T0
        self.s = initial(T0)
        self.ready_events = 0  # Ready events fed since the last time the session was not ready
        self.reports: list[type] = []
        self.issued: set[int] = set()

    def step(self, ev: Event, rng: float = 0.5):
        before = self.s
        self.s, effects = handle(self.s, ev, self.now, rng)
        for e in effects:
            self.reports.append(type(e))
            if isinstance(e, ScheduleReconnect):
                assert e.token not in self.issued
                self.issued.add(e.token)
                assert 0 < e.delay_s <= max(RECONNECT_CAP_S, LIBRARY_GRACE_S)
        entered_ready = self.s.state is S.READY and before.state is not S.READY
        # ReportReady exactly on entering ready, and only on a Ready event or the end of
        # a keepalive blip
        assert (ReportReady in types(effects)) == entered_ready
        if entered_ready:
            assert isinstance(ev, Ready) or (isinstance(ev, KeepaliveRestored) and before.stalled)
        # the transport is restarted only by the machine's timers, the watchdog, a new
        # login window, a ban's end or ops: never on the network's word of a loss
        if RestartTransport in types(effects):
            assert isinstance(ev, ReconnectDue | KeepaliveCheck | PairingExpired | PairRequested)
        # ReportLost exactly on leaving ready
        left_ready = before.state is S.READY and self.s.state is not S.READY
        assert (ReportLost in types(effects)) == left_ready
        # terminal states are left only by a re-pair or an expired ban
        if before.state in TERMINAL and self.s.state is not before.state:
            assert isinstance(ev, PairRequested | Paired) or (
                before.state is S.BANNED
                and isinstance(ev, KeepaliveCheck)
                and before.until is not None
                and self.now >= before.until
            )
        # entering a terminal state stops the transport and tells ops
        if self.s.state in TERMINAL and before.state in LIVE:
            assert StopTransport in types(effects) and AlertOps in types(effects)

    @rule(ev=NETWORK_EVENTS, rng=st.floats(0, 1, exclude_max=True))
    def network_says(self, ev, rng):
        self.step(ev, rng)

    @rule(seconds=st.integers(1, 600))
    def time_passes(self, seconds):
        self.now += timedelta(seconds=seconds)
        self.step(KeepaliveCheck())

    @rule()
    def timer_fires(self):
        self.step(ReconnectDue(self.s.timer))

    @rule(back=st.integers(1, 3))
    def stale_timer_fires(self, back):
        token = max(0, self.s.timer - back)
        before = self.s
        self.step(ReconnectDue(token))
        if token != before.timer:
            assert self.s == before

    @rule(ban_minutes=st.integers(0, 120))
    def banned(self, ban_minutes):
        self.step(TemporarilyBanned("BLOCKED_BY_USERS", self.now + timedelta(minutes=ban_minutes)))

    @invariant()
    def ready_means_recently_heard(self):
        if is_ready(self.s):
            assert self.s.jid is not None and self.s.last_heard is not None
            assert self.s.attempt == 0

    @invariant()
    def bookkeeping(self):
        assert self.s.since is not None and self.s.since <= self.now
        assert (self.s.until is not None) <= (self.s.state is S.BANNED)
        assert self.s.stalled <= (self.s.state is S.RECONNECTING)
        assert self.s.timer == (max(self.issued) if self.issued else 0)


SessionSpec.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestSession = SessionSpec.TestCase


def test_utc_now_is_fine():
    s, _ = handle(at(S.READY), Heartbeat(), datetime(2026, 11, 23, tzinfo=UTC))
    assert s.last_heard == datetime(2026, 11, 23, tzinfo=UTC)

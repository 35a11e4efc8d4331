"""Upstream host limits: pacing, the 429 pause, the daily budget, and merging two views."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cicero.domain.ingestion.limits import (
    HOST_NAMES,
    PAUSE_AFTER_RATE_LIMIT,
    HostState,
    Pace,
    Pacer,
    after_answer,
    after_retries,
    budget_refusal,
    calls_today,
    counted,
    host_name,
    host_status,
    host_view,
    merged,
    pause_refusal,
    paused,
    saved_today,
    spared,
)
from cicero.domain.timezone import WIB, wib_date

T0 = datetime(2026, 2, 6, 10, 0, tzinfo=WIB)


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# ---------------------------------------------------------------- pacing


def test_a_burst_goes_at_once_then_the_rate():
    pacer, starts = Pacer(Pace(rate_per_s=2, burst=4)), []
    for _ in range(7):
        pacer, start = pacer.reserve(T0)
        starts.append((start - T0).total_seconds())
    assert starts == [0, 0, 0, 0, 0.5, 1.0, 1.5]


def test_an_idle_host_saves_up_no_more_than_its_burst():
    pacer = Pacer(Pace(rate_per_s=1, burst=2))
    for _ in range(3):
        pacer, _ = pacer.reserve(T0)
    starts = []
    for _ in range(4):  # an hour later: two at once, then one a second
        pacer, start = pacer.reserve(s(3600))
        starts.append((start - s(3600)).total_seconds())
    assert starts == [0, 0, 1, 2]


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (float("nan"), 1), (1, 0)])
def test_a_pace_that_cannot_work_is_refused(rate, burst):
    with pytest.raises(ValueError):
        Pace(rate_per_s=rate, burst=burst)


@given(
    rate=st.floats(0.1, 50),
    burst=st.integers(1, 8),
    gaps=st.lists(st.floats(0, 5), min_size=1, max_size=60),
)
def test_pacing_never_exceeds_the_rate_and_never_waits_needlessly(rate, burst, gaps):
    pacer = Pacer(Pace(rate, burst))
    interval = pacer.pace.interval
    now, asks, starts = T0, [], []
    for gap in gaps:
        now += timedelta(seconds=gap)
        pacer, start = pacer.reserve(now)
        asks.append(now)
        starts.append(start)
    for j, start in enumerate(starts):
        # The earliest instant the window rule allows, given the earlier starts:
        # any `burst + n` consecutive requests span at least `n` intervals.
        earliest = max([asks[j]] + [starts[k] + (j - k - burst + 1) * interval for k in range(j)])
        assert start == earliest
    assert starts == sorted(starts)


# ---------------------------------------------------------------- host state


def test_calls_count_per_wib_day():
    late = datetime(2026, 2, 6, 16, 59, tzinfo=UTC)  # 23:59 WIB on the 6th
    state = counted(counted(HostState(), late), late)
    assert state.calls == 2 and calls_today(state, date(2026, 2, 6)) == 2
    after_midnight = late + timedelta(minutes=1)  # 00:00 WIB on the 7th
    state = counted(state, after_midnight)
    assert state.calls_day == date(2026, 2, 7) and state.calls == 1
    assert calls_today(state, date(2026, 2, 6)) == 0


def test_spared_requests_count_per_wib_day_beside_the_calls():
    late = datetime(2026, 2, 6, 16, 59, tzinfo=UTC)  # 23:59 WIB on the 6th
    state = spared(counted(HostState(), late), late, 20)
    state = spared(state, late, 3)
    assert (state.calls, state.saved, saved_today(state, date(2026, 2, 6))) == (1, 23, 23)
    assert host_view(state, late, None)["saved_today"] == 23
    assert counted(state, late).saved == 23  # a call leaves the day's savings alone
    next_day = spared(state, late + timedelta(minutes=1), 4)  # 00:00 WIB on the 7th
    assert (next_day.calls_day, next_day.calls, next_day.saved) == (date(2026, 2, 7), 0, 4)
    assert counted(state, late + timedelta(minutes=1)).saved == 0


def test_429_after_retries_pauses_five_minutes_and_nothing_else_does():
    for error in ("server", "timeout", "auth", "malformed", "unavailable"):
        assert not paused(after_retries(HostState(), T0, error), T0)
    state = after_retries(HostState(), T0, "rate_limited")
    assert state.paused_until == T0 + PAUSE_AFTER_RATE_LIMIT == s(300)
    assert paused(state, s(299.999)) and not paused(state, s(300))
    refusal = pause_refusal("tiktok", state, s(60))
    assert refusal is not None and "tiktok paused until 10:05:00 WIB" in refusal
    assert pause_refusal("tiktok", state, s(300)) is None


def test_a_pause_never_shortens():
    state = HostState(paused_until=s(900))
    assert after_retries(state, T0, "rate_limited").paused_until == s(900)
    assert after_retries(state, s(800), "rate_limited").paused_until == s(1100)


def test_a_missing_account_is_an_answer_not_a_host_fault():
    ok = after_answer(HostState(), T0, "unavailable", "HTTP 404")
    assert ok.last_success_at == T0 and ok.last_error is None
    bad = after_answer(ok, s(1), "server", "GET /v1/likes: HTTP 500")
    assert bad.last_error == "server: GET /v1/likes: HTTP 500" and bad.last_error_at == s(1)
    assert bad.last_success_at == T0


def test_budget_refuses_engagement_once_spent_and_forgets_yesterday():
    today = wib_date(T0)
    spent = HostState(calls_day=today, calls=100)
    assert budget_refusal("instagram", spent, today, None) is None
    assert budget_refusal("instagram", spent, today, 101) is None
    refusal = budget_refusal("instagram", spent, today, 100)
    assert refusal == (
        "instagram key over its daily budget (100 of 100 calls today): only post listings run"
    )
    assert budget_refusal("instagram", spent, today + timedelta(days=1), 100) is None


def test_host_names():
    assert HOST_NAMES == ("instagram", "instagram_fallback", "tiktok", "tiktok_fallback")
    assert host_name("tiktok", True) == "tiktok_fallback"
    with pytest.raises(ValueError):
        host_name("facebook", False)


def test_status_and_view_for_healthz():
    today = wib_date(T0)
    assert host_status(HostState(), T0, None) == "unused"
    fine = HostState(calls_day=today, calls=3, last_success_at=T0)
    assert host_status(fine, T0, 10) == "ok"
    assert host_status(fine, T0, 3) == "over_budget"
    failing = after_answer(fine, s(5), "auth", "HTTP 401")
    assert host_status(failing, s(6), None) == "failing"
    limited = after_retries(failing, s(10), "rate_limited")
    view = host_view(limited, s(20), 10, "social-api4.p.rapidapi.com")
    assert view == {
        "status": "rate_limited",
        "host": "social-api4.p.rapidapi.com",
        "calls_today": 3,
        "saved_today": 0,
        "daily_budget": 10,
        "paused_until": "2026-02-06T10:05:10+07:00",
        "last_success": "2026-02-06T10:00:00+07:00",
        "last_error": "auth: HTTP 401",
        "last_error_at": "2026-02-06T10:00:05+07:00",
    }
    assert host_view(limited, s(310), 10)["paused_until"] is None  # an old pause is not shown


# ---------------------------------------------------------------- merging views


instants = st.integers(0, 3 * 86400).map(lambda n: s(n)) | st.none()
states = st.builds(
    lambda day, calls, saved, pause, ok, err, text: HostState(
        calls_day=None if day is None else wib_date(T0) + timedelta(days=day),
        calls=0 if day is None else calls,
        saved=0 if day is None else saved,
        paused_until=pause,
        last_success_at=ok,
        last_error_at=err,
        last_error=None if err is None else text,
    ),
    st.integers(0, 2) | st.none(),
    st.integers(0, 50),
    st.integers(0, 500),
    instants,
    instants,
    instants,
    st.sampled_from(["server: x", "timeout: y", "auth: z"]),
)


@given(states, states, states)
def test_merging_is_order_free(a, b, c):
    assert merged(a, b) == merged(b, a)
    assert merged(merged(a, b), c) == merged(a, merged(b, c))
    assert merged(a, a) == a


@given(states, st.integers(0, 86400))
def test_merging_keeps_every_newer_fact(state, seconds):
    now = s(4 * 86400 + seconds)  # after everything the state knows
    newer = after_retries(after_answer(counted(state, now), now, None, ""), now, "rate_limited")
    assert merged(state, newer) == merged(newer, state) == newer


# ---------------------------------------------------------------- a host over time


class HostOverTime(RuleBasedStateMachine):
    """Requests, 429 storms and the clock: no request goes out while paused, the pause
    is exactly five minutes from the last storm, and the count is the requests sent today."""

    def __init__(self) -> None:
        super().__init__()
        self.now, self.state = T0, HostState()
        self.sent: list[tuple[datetime, bool]] = []  # (when, paused at that instant)
        self.last_storm: datetime | None = None

    @rule(seconds=st.integers(1, 4 * 3600))
    def time_passes(self, seconds):
        self.now += timedelta(seconds=seconds)

    @rule(error=st.sampled_from([None, "rate_limited", "server", "unavailable"]))
    def request(self, error):
        if pause_refusal("instagram", self.state, self.now) is not None:
            return  # failed fast: nothing sent
        self.sent.append((self.now, paused(self.state, self.now)))
        self.state = counted(self.state, self.now)
        self.state = after_answer(self.state, self.now, error, "detail")
        if error is not None:
            self.state = after_retries(self.state, self.now, error)
            if error == "rate_limited":
                self.last_storm = self.now

    @precondition(lambda self: self.last_storm is not None)
    @invariant()
    def paused_exactly_five_minutes_after_the_last_storm(self):
        assert self.last_storm is not None
        assert paused(self.state, self.now) == (self.now < self.last_storm + timedelta(minutes=5))

    @invariant()
    def nothing_sent_while_paused(self):
        assert not any(was_paused for _, was_paused in self.sent)

    @invariant()
    def calls_today_are_the_requests_sent_today(self):
        today = wib_date(self.now)
        sent_today = sum(wib_date(t) == today for t, _ in self.sent)
        assert calls_today(self.state, today) == sent_today


TestHostOverTime = HostOverTime.TestCase

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.delivery.throttle import (
    FILE_COST,
    OFF,
    PAUSE_MAX_S,
    TEXT_COST,
    Bucket,
    ThrottleConfig,
    Throttled,
    cost_of,
)
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_fresh_bucket_sends_now():
    assert Bucket().next_send_at(T0, TEXT_COST, 0.7) == T0


def test_gap_and_jitter_between_sends():
    b = Bucket().take(T0, TEXT_COST)
    assert b.next_send_at(T0, TEXT_COST, 0.0) == s(2)
    assert b.next_send_at(T0, TEXT_COST, 0.5) == s(2.5)
    with pytest.raises(Throttled, match="closer than"):
        b.take(s(1.9), TEXT_COST)


def test_burst_at_the_gap_then_the_rate():
    b = Bucket()
    t = T0
    times = []
    for _ in range(103):
        t = b.next_send_at(t, TEXT_COST, 0.0)
        b = b.take(t, TEXT_COST)
        times.append((t - T0).total_seconds())
    # the saved-up tokens go out at the 2 s gap ...
    assert times[:4] == [0, 2, 4, 6]
    # ... then 20 a minute: one each 3 s, never faster
    assert all(b - a >= 2 for a, b in itertools.pairwise(times))
    assert times[-1] == pytest.approx((103 - 3) * 3, abs=0.01)


def test_file_costs_two_tokens():
    assert cost_of(True) == FILE_COST == 2 and cost_of(False) == TEXT_COST == 1
    b = Bucket(ThrottleConfig(rate_per_min=6, burst=2, min_gap_s=0, jitter_s=0))
    b = b.take(T0, FILE_COST)
    assert b.level_at(T0) == 0
    assert b.next_send_at(T0, FILE_COST) == s(20)  # 2 tokens at 0.1/s
    assert b.next_send_at(T0, TEXT_COST) == s(10)
    with pytest.raises(Throttled, match="tokens"):
        b.take(s(19), FILE_COST)
    assert b.take(s(20), FILE_COST).level_at(s(20)) == pytest.approx(0)


def test_cost_over_burst_is_refused():
    with pytest.raises(ValueError, match="exceeds burst"):
        Bucket().next_send_at(T0, 4)


def test_config_validation():
    with pytest.raises(ValueError, match="burst"):
        ThrottleConfig(burst=1)
    with pytest.raises(ValueError, match="rate_per_min"):
        ThrottleConfig(rate_per_min=0)
    with pytest.raises(ValueError, match="min_gap_s"):
        ThrottleConfig(min_gap_s=-1)


def test_throttle_off_never_waits():
    b = Bucket(OFF)
    for i in range(1000):
        assert b.next_send_at(T0, FILE_COST, 0.9) == T0
        b = b.take(T0, FILE_COST if i % 2 else TEXT_COST)


def test_pause_doubles_to_an_hour_and_resets_after_quiet():
    b = Bucket()
    lengths = []
    t = T0
    for _ in range(6):
        b = b.pause(t)
        lengths.append((b.paused_until - t).total_seconds())
        t = b.paused_until
    assert lengths == [300, 600, 1200, 2400, 3600, 3600]
    assert b.next_send_at(t - timedelta(seconds=1), TEXT_COST) == t
    with pytest.raises(Throttled, match="paused"):
        b.take(t - timedelta(seconds=1), TEXT_COST)
    assert b.is_paused(t - timedelta(seconds=1)) and not b.is_paused(t)
    quiet = t + timedelta(seconds=PAUSE_MAX_S + 1)
    assert (b.pause(quiet).paused_until - quiet).total_seconds() == 300


def test_pause_honours_a_later_ban_expiry_and_never_shortens():
    until = s(7200)
    b = Bucket().pause(T0, until=until)
    assert b.paused_until == until
    assert b.pause(s(10)).paused_until == until


def test_pause_applies_even_with_throttle_off():
    b = Bucket(OFF).pause(T0)
    assert b.next_send_at(T0, TEXT_COST) == s(300)


# --- properties ---------------------------------------------------------------------------

configs = st.builds(
    ThrottleConfig,
    rate_per_min=st.sampled_from([6.0, 20.0, 30.0, 120.0]),
    burst=st.integers(2, 6),
    min_gap_s=st.sampled_from([0.0, 0.5, 2.0]),
    jitter_s=st.sampled_from([0.0, 1.0]),
)
sends = st.lists(
    st.tuples(
        st.sampled_from([TEXT_COST, FILE_COST]),
        st.floats(0, 1, exclude_max=True),  # jitter
        st.floats(0, 30),  # how long after the allowed instant the caller actually sends
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(configs, sends)
def test_no_minute_holds_more_than_rate_plus_burst(config, plan):
    b = Bucket(config)
    now = T0
    log: list[tuple[datetime, int]] = []
    for cost, jitter, late in plan:
        t = b.next_send_at(now, cost, jitter) + timedelta(seconds=late) * (late > 20)
        assert t >= now
        b = b.take(t, cost)
        if log:
            assert (t - log[-1][0]).total_seconds() >= config.min_gap_s
        log.append((t, cost))
        now = t
    for i, (start, _) in enumerate(log):
        spent = sum(c for t, c in log[i:] if t <= start + timedelta(seconds=60))
        assert spent <= config.rate_per_min + config.burst + 1e-6


@settings(max_examples=100, deadline=None)
@given(configs, sends)
def test_next_send_at_is_allowed_and_not_needlessly_late(config, plan):
    b = Bucket(config)
    now = T0
    for cost, jitter, idle in plan:
        t = b.next_send_at(now, cost, jitter)
        if t > now:  # something blocked a moment earlier: the gap with jitter, or tokens
            early = t - timedelta(milliseconds=5)
            gap = config.min_gap_s + jitter * config.jitter_s
            gap_blocks = b.last_send is not None and early < b.last_send + timedelta(seconds=gap)
            assert gap_blocks or b.level_at(early) < cost
        b = b.take(t, cost)  # allowed exactly at the instant given
        now = t + timedelta(seconds=idle)

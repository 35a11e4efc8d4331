"""Send windows (cicero.domain.send_window): how many rows a session claims at once."""

import itertools
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.send_window import plan_window
from cicero.domain.throttle import FILE_COST, OFF, TEXT_COST, Bucket, ThrottleConfig
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)


def never() -> float:
    return 0.0


def test_throttle_off_and_a_network_that_dedupes_send_every_row_at_once():
    window = plan_window(Bucket(OFF), [TEXT_COST] * 100, T0, never, network_dedupes=True)
    assert (window.size, window.next_at) == (100, None)


def test_a_network_that_cannot_dedupe_gets_one_row_at_a_time():
    window = plan_window(Bucket(OFF), [TEXT_COST] * 100, T0, never, network_dedupes=False)
    assert (window.size, window.next_at) == (1, None)


def test_no_rows_no_window():
    assert plan_window(Bucket(OFF), [], T0, never, network_dedupes=True).size == 0
    assert plan_window(Bucket(OFF), [], T0, never, network_dedupes=False).size == 0


def test_the_minimum_gap_keeps_a_throttled_window_to_one_row():
    window = plan_window(Bucket(), [TEXT_COST] * 5, T0, never, network_dedupes=True)
    assert (window.size, window.next_at) == (1, T0 + timedelta(seconds=2))


def test_a_spent_bucket_sends_nothing_and_says_when():
    spent = Bucket(ThrottleConfig(rate_per_min=6, burst=2, min_gap_s=0, jitter_s=0))
    spent = spent.take(T0, FILE_COST)
    window = plan_window(spent, [TEXT_COST], T0, never, network_dedupes=True)
    assert (window.size, window.next_at) == (0, T0 + timedelta(seconds=10))


def test_jitter_is_drawn_once_per_row_considered():
    draws = itertools.count()

    def jitter() -> float:
        next(draws)
        return 0.5

    plan_window(Bucket(), [TEXT_COST] * 5, T0, jitter, network_dedupes=True)
    assert next(draws) == 2  # the row that went, and the row the gap held back


configs = st.builds(
    ThrottleConfig,
    rate_per_min=st.one_of(st.none(), st.floats(1, 10_000)),
    burst=st.integers(FILE_COST, 50),
    min_gap_s=st.sampled_from([0.0, 0.0, 2.0]),
    jitter_s=st.sampled_from([0.0, 1.0]),
)


@given(
    config=configs,
    spent=st.lists(st.sampled_from([TEXT_COST, FILE_COST]), max_size=5),
    costs=st.lists(st.sampled_from([TEXT_COST, FILE_COST]), max_size=60),
    dedupes=st.booleans(),
    jitters=st.lists(st.floats(0, 0.999), min_size=1, max_size=10),
)
def test_a_window_is_what_the_bucket_allows_now_row_by_row(
    config: ThrottleConfig, spent: list[int], costs: list[int], dedupes: bool, jitters: list[float]
) -> None:
    # A bucket with some history: sends one second apart, as far as it allowed them.
    bucket, t = Bucket(config), T0 - timedelta(minutes=1)
    for cost in spent:
        t = bucket.next_send_at(t, cost)
        bucket = bucket.take(t, cost)
    now = max(t, T0)
    drawn = itertools.cycle(jitters)

    def jitter() -> float:
        return next(drawn)

    window = plan_window(bucket, costs, now, jitter, dedupes)

    assert 0 <= window.size <= len(costs)
    if not dedupes:
        assert window.size <= 1  # a crash may only leave the row in flight in doubt
    # Sending the window now never breaks the throttle (take raises if it would).
    replay = itertools.cycle(jitters)
    for cost in costs[: window.size]:
        assert bucket.next_send_at(now, cost, next(replay)) <= now
        bucket = bucket.take(now, cost)
    # And it is as large as allowed: the first row left out could not go now.
    if window.size < len(costs) and (dedupes or window.size == 0):
        assert window.next_at is not None and window.next_at > now
        assert bucket.next_send_at(now, costs[window.size], next(replay)) == window.next_at
    else:
        assert window.next_at is None

"""Lockout per account (5 in a row: 15 min, doubling to 24 h) and per IP (100 in 10 min)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.auth import lockout
from cicero.domain.auth.lockout import Attempt, Outcome

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
F, S, R = Outcome.FAILURE, Outcome.SUCCESS, Outcome.RESET


def history(*outcomes: Outcome, gap: timedelta = timedelta(seconds=10)) -> list[Attempt]:
    return [Attempt(T0 + i * gap, o) for i, o in enumerate(outcomes)]


def test_four_failures_do_not_lock_the_fifth_locks_for_15_minutes() -> None:
    four = history(F, F, F, F)
    assert lockout.account_locked_until(four, T0 + timedelta(minutes=1)) is None
    five = history(F, F, F, F, F)
    last = five[-1].at
    assert lockout.account_locked_until(five, last) == last + timedelta(minutes=15)
    assert lockout.account_locked_until(five, last + timedelta(minutes=15)) is None


def test_each_further_failure_doubles_up_to_24_hours() -> None:
    assert [lockout.account_lock_for(n) for n in range(5, 9)] == [
        timedelta(minutes=m) for m in (15, 30, 60, 120)
    ]
    assert lockout.account_lock_for(12) == timedelta(hours=24)
    assert lockout.account_lock_for(500) == timedelta(hours=24)


def test_a_success_or_a_reset_ends_the_streak() -> None:
    for ender in (S, R):
        attempts = history(F, F, F, F, ender, F)
        assert lockout.account_locked_until(attempts, attempts[-1].at) is None


@given(st.lists(st.sampled_from([F, S, R]), max_size=20))
def test_locked_only_after_five_failures_in_a_row_at_the_end(outcomes: list[Outcome]) -> None:
    attempts = history(*outcomes)
    now = attempts[-1].at if attempts else T0
    tail = 0
    for o in reversed(outcomes):
        if o is not F:
            break
        tail += 1
    assert (lockout.account_locked_until(attempts, now) is not None) == (tail >= 5)


def test_an_address_is_blocked_for_10_minutes_after_100_failures_within_10_minutes() -> None:
    failures = [T0 + timedelta(seconds=5 * i) for i in range(100)]  # 495 s apart at most
    last = failures[-1]
    assert lockout.ip_blocked_until(failures[:99], last) is None
    assert lockout.ip_blocked_until(failures, last) == last + timedelta(minutes=10)
    assert lockout.ip_blocked_until(failures, last + timedelta(minutes=10)) is None


def test_100_failures_spread_over_more_than_10_minutes_do_not_block() -> None:
    failures = [T0 + timedelta(seconds=7 * i) for i in range(100)]  # 693 s
    assert lockout.ip_blocked_until(failures, failures[-1]) is None


def test_retry_after_rounds_up() -> None:
    assert lockout.retry_after_s(T0 + timedelta(seconds=10), T0) == 10
    assert lockout.retry_after_s(T0 + timedelta(seconds=9, milliseconds=1), T0) == 10
    assert lockout.retry_after_s(T0, T0) == 1

"""Login lockout (api.md §1, W8): per account and per IP, from the `login_attempt` history.

Account: 5 failures in a row lock it 15 minutes from the last one; each further failure in
the same streak (after the lock ran out) doubles the lock, up to 24 hours. A success or a
password reset ends the streak. IP: 100 failures within 10 minutes block the address for 10
minutes (carrier NAT puts many honest phones behind one address, hence the high bar).
Unknown accounts are counted like known ones, so the lock says nothing about existence.
Attempts refused by a lock are not failures: they neither extend nor end anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

ACCOUNT_STREAK = 5
ACCOUNT_LOCK = timedelta(minutes=15)
ACCOUNT_LOCK_MAX = timedelta(hours=24)
IP_FAILURES = 100
IP_WINDOW = timedelta(minutes=10)
IP_BLOCK = timedelta(minutes=10)
# How much history the checks need: the longest streak that still changes the lock, and
# the IP window twice (a block begun by failures up to a window ago).
ACCOUNT_HISTORY = ACCOUNT_STREAK + 8
IP_HISTORY = IP_WINDOW + IP_BLOCK


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    RESET = "reset"  # a new password was set: the streak ends


@dataclass(frozen=True)
class Attempt:
    at: datetime
    outcome: Outcome


def account_lock_for(streak: int) -> timedelta:
    """The lock after the `streak`-th failure in a row (none below 5)."""
    if streak < ACCOUNT_STREAK:
        return timedelta(0)
    doublings = min(streak - ACCOUNT_STREAK, 16)  # bounded: past 24 h it stays 24 h
    return min(ACCOUNT_LOCK * (1 << doublings), ACCOUNT_LOCK_MAX)


def account_locked_until(history: Sequence[Attempt], now: datetime) -> datetime | None:
    """When the account opens again, if it is locked at `now` (history: newest first or in
    any order; only the latest streak counts)."""
    streak = 0
    last_failure: datetime | None = None
    for attempt in sorted(history, key=lambda a: a.at, reverse=True):
        if attempt.outcome is not Outcome.FAILURE:
            break
        streak += 1
        last_failure = last_failure or attempt.at
    if last_failure is None:
        return None
    until = last_failure + account_lock_for(streak)
    return until if now < until else None


def ip_blocked_until(failures: Sequence[datetime], now: datetime) -> datetime | None:
    """When the address opens again: 10 minutes after the latest failure that was the 100th
    within 10 minutes."""
    times = sorted(failures)
    trigger: datetime | None = None
    for i in range(IP_FAILURES - 1, len(times)):
        if times[i] - times[i - IP_FAILURES + 1] < IP_WINDOW:
            trigger = times[i]
    if trigger is None:
        return None
    until = trigger + IP_BLOCK
    return until if now < until else None


def retry_after_s(until: datetime, now: datetime) -> int:
    """Whole seconds for `Retry-After`, rounded up, at least 1."""
    seconds = (until - now).total_seconds()
    return max(1, int(seconds) + (0 if seconds == int(seconds) else 1))

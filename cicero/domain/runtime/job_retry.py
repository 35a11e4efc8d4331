"""A job run whose worker crashed is tried again (DESIGN §5, invariant 6).

The ledger (one row per job and fire time, claimed before the work) and the outbox keys
(job, fire time, recipient, part) make a second try safe: what the first one wrote is
found, not written twice. So a crashed run is tried again after a backoff, while it is
still within its job's grace, at most MAX_ATTEMPTS times in all; only then is it failed.
A run that ended with an outcome (done, failed by its own rules, skipped) is never
retried here: only one that crashed, whose worker could not say how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_ATTEMPTS = 3
FIRST_BACKOFF = timedelta(seconds=30)
BACKOFF_FACTOR = 4  # 30 s, then 2 min: a worker restarts in well under that


@dataclass(frozen=True)
class RetryAt:
    at: datetime
    attempt: int  # the number of the next try


@dataclass(frozen=True)
class GiveUp:
    reason: str


def backoff(attempt: int) -> timedelta:
    """The wait after try `attempt` (1-based) crashed."""
    factor: int = BACKOFF_FACTOR ** max(attempt - 1, 0)  # int ** int is typed Any
    return FIRST_BACKOFF * factor


def after_crash(
    attempt: int, fire_time: datetime, now: datetime, grace: timedelta, error: str
) -> RetryAt | GiveUp:
    """What follows the crash of try `attempt` of the run for `fire_time`."""
    if attempt >= MAX_ATTEMPTS:
        return GiveUp(f"worker crashed, {attempt} tries: {error}")
    at = now + backoff(attempt)
    if at - fire_time > grace:
        return GiveUp(f"worker crashed, no time for another try within grace {grace}: {error}")
    return RetryAt(at, attempt + 1)

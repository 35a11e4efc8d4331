"""When to retry an upstream call and how long to wait (data.md §2.1)."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    delays: tuple[float, ...] = (1.0, 2.0)  # before the 2nd, 3rd… attempt, plus jitter
    retry_after_cap: float = 60.0


def retry_delay(
    policy: RetryPolicy, failures: int, retry_after: str | None, jitter: float
) -> float:
    """Seconds to wait after the `failures`-th failed attempt (1-based).

    A usable `Retry-After` (delta-seconds) wins, capped; otherwise the policy's delay
    for that attempt plus the caller's jitter (the caller draws it: no randomness here).
    """
    seconds = parse_retry_after(retry_after)
    if seconds is not None:
        return min(seconds, policy.retry_after_cap)
    base = policy.delays[min(failures, len(policy.delays)) - 1] if policy.delays else 0.0
    return min(base + max(jitter, 0.0), policy.retry_after_cap)


def parse_retry_after(value: str | None) -> float | None:
    """Delta-seconds only; an HTTP-date (rare from RapidAPI) falls back to the policy."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None

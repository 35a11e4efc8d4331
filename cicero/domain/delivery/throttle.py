"""Per-session send pacing, so a number is not banned (jobs.md §1 Throttle).

A token bucket (`rate` tokens a minute, at most `burst` saved up; a text costs 1, a file 2)
plus a minimum gap between two sends with jitter, and a pause on a rate-limit or ban
signal (5 min, doubling to 1 h). Values are immutable: `take` returns the next bucket.
In any 60 s window a session spends at most `rate + burst` tokens.
"""

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

TEXT_COST = 1
FILE_COST = 2
PAUSE_FIRST_S = 300.0
PAUSE_MAX_S = 3600.0
_EPS = 1e-6  # tokens: tolerance for float drift when a send lands exactly on a refill


class Throttled(Exception):
    """`take` was called before `next_send_at` allowed it: the caller's bug."""


@dataclass(frozen=True)
class ThrottleConfig:
    rate_per_min: float | None = 20.0  # None: throttle off (benchmarks); pauses still apply
    burst: int = 3
    min_gap_s: float = 2.0
    jitter_s: float = 1.0  # the gap grows by jitter × jitter_s, jitter in [0, 1)

    def __post_init__(self) -> None:
        if self.rate_per_min is not None and self.rate_per_min <= 0:
            raise ValueError(
                f"throttle rate_per_min must be > 0 or absent, got {self.rate_per_min}"
            )
        if self.burst < FILE_COST:
            raise ValueError(f"throttle burst must be >= {FILE_COST} (a file), got {self.burst}")
        if self.min_gap_s < 0 or self.jitter_s < 0:
            raise ValueError("throttle min_gap_s and jitter_s must be >= 0")


OFF = ThrottleConfig(rate_per_min=None)


def cost_of(has_file: bool) -> int:
    return FILE_COST if has_file else TEXT_COST


@dataclass(frozen=True)
class Bucket:
    config: ThrottleConfig = ThrottleConfig()
    tokens: float | None = None  # None: full (a fresh bucket)
    at: datetime | None = None  # instant `tokens` was measured
    last_send: datetime | None = None
    paused_until: datetime | None = None
    pause_level: int = 0

    def level_at(self, now: datetime) -> float:
        """Tokens available at `now` (refilled, capped at `burst`)."""
        c = self.config
        if self.tokens is None or self.at is None or c.rate_per_min is None:
            return float(c.burst)
        elapsed = max(0.0, (now - self.at).total_seconds())
        return min(float(c.burst), self.tokens + elapsed * c.rate_per_min / 60.0)

    def next_send_at(self, now: datetime, cost: int, jitter: float = 0.0) -> datetime:
        """Earliest instant a send of `cost` tokens may go out; `jitter` in [0, 1)."""
        c = self.config
        if cost > c.burst:
            raise ValueError(f"cost {cost} exceeds burst {c.burst}")
        t = now
        if self.paused_until is not None:
            t = max(t, self.paused_until)
        if c.rate_per_min is None:
            return t
        if self.last_send is not None:
            gap = c.min_gap_s + min(max(jitter, 0.0), 1.0) * c.jitter_s
            t = max(t, self.last_send + timedelta(seconds=gap))
        missing = cost - self.level_at(t)
        if missing > 0:
            wait_s = missing * 60.0 / c.rate_per_min
            # Up to the next microsecond (never early by rounding), after dropping the float
            # noise below a nanosecond: two histories that reach one level by different sums
            # must name one instant (59.0000000001 s is 59 s, not 59.000001).
            t += timedelta(microseconds=math.ceil(round(wait_s * 1e6, 3)))
        return t

    def take(self, now: datetime, cost: int) -> "Bucket":
        """The bucket after a send of `cost` tokens at `now` (the transport accepted it)."""
        c = self.config
        if self.paused_until is not None and now < self.paused_until:
            raise Throttled(f"send at {now.isoformat()} while paused until {self.paused_until}")
        if c.rate_per_min is None:
            return replace(self, last_send=now)
        if self.last_send is not None and (now - self.last_send).total_seconds() < c.min_gap_s:
            raise Throttled(f"send at {now.isoformat()} closer than {c.min_gap_s}s to the last")
        level = self.level_at(now)
        if level + _EPS < cost:
            raise Throttled(f"send of cost {cost} at {now.isoformat()} with {level:.3f} tokens")
        return replace(self, tokens=max(0.0, level - cost), at=now, last_send=now)

    def pause(self, now: datetime, until: datetime | None = None) -> "Bucket":
        """A rate-limit or ban signal: stop sending 5 min, doubling per repeat, up to 1 h.

        The doubling restarts when the previous pause ended more than 1 h before `now`.
        A ban's own expiry (`until`) wins when it is later.
        """
        level = self.pause_level
        if (
            self.paused_until is not None
            and (now - self.paused_until).total_seconds() > PAUSE_MAX_S
        ):
            level = 0
        seconds = min(PAUSE_MAX_S, PAUSE_FIRST_S * 2 ** min(level, 16))
        end = now + timedelta(seconds=seconds)
        if until is not None:
            end = max(end, until)
        if self.paused_until is not None:
            end = max(end, self.paused_until)  # a pause never shortens
        return replace(self, paused_until=end, pause_level=level + 1)

    def is_paused(self, now: datetime) -> bool:
        return self.paused_until is not None and now < self.paused_until

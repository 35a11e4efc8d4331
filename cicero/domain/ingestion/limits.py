"""Limits on calling the upstream hosts (data.md §2.1, §3.8): pacing, the 429 pause, the daily budget.

A *host* is one endpoint a platform calls with one key: `instagram`, `instagram_fallback`,
`tiktok`, `tiktok_fallback`. RapidAPI meters a key per API, so the host is also the unit
of the daily call count and its budget.

* Pacing: at most `burst` requests at once, then `rate_per_s` (GCRA: each request reserves
  the next slot, so concurrent callers queue instead of racing for one token).
* Pause: a request that still gets 429 after its retries pauses its host 5 minutes;
  nothing is sent to that host until the pause ends.
* Budget: past a key's daily budget (calls on its WIB day) only post listings run.

Values are immutable and time is an argument: the caller owns the clock and the I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from cicero.domain.timezone import to_wib, wib_date

PAUSE_AFTER_RATE_LIMIT = timedelta(minutes=5)
_Instant = TypeVar("_Instant", date, datetime)
RATE_LIMITED = "rate_limited"
PLATFORMS = ("instagram", "tiktok")
HOST_NAMES = tuple(name for p in PLATFORMS for name in (p, f"{p}_fallback"))
# Error classes that say something is wrong with the host or the key. Anything else
# (a missing account or post) is a proper answer: the host works.
HOST_FAULTS = frozenset({RATE_LIMITED, "server", "timeout", "auth", "malformed"})


def host_name(platform: str, fallback: bool) -> str:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    return f"{platform}_fallback" if fallback else str(platform)


# ---------------------------------------------------------------- pacing


@dataclass(frozen=True)
class Pace:
    rate_per_s: float = 2.0
    burst: int = 4

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate_per_s) and self.rate_per_s > 0):
            raise ValueError(f"rate_per_s must be > 0, got {self.rate_per_s}")
        if self.burst < 1:
            raise ValueError(f"burst must be >= 1, got {self.burst}")

    @property
    def interval(self) -> timedelta:
        # Rounded up to the microsecond: never faster than the rate.
        return timedelta(microseconds=math.ceil(1_000_000 / self.rate_per_s))


@dataclass(frozen=True)
class Pacer:
    pace: Pace = Pace()
    next_slot: datetime | None = None  # GCRA's theoretical arrival time of the next request

    def reserve(self, now: datetime) -> tuple[Pacer, datetime]:
        """Reserve a request: the pacer after it, and the instant it may be sent (≥ now)."""
        interval = self.pace.interval
        slot = now if self.next_slot is None else max(self.next_slot, now)
        start = max(now, slot - (self.pace.burst - 1) * interval)
        return replace(self, next_slot=slot + interval), start


# ---------------------------------------------------------------- host state


@dataclass(frozen=True)
class HostState:
    """What is known of a host; kept in `upstream_host` so it outlives a restart."""

    calls_day: date | None = None  # the WIB day `calls` and `saved` count
    calls: int = 0
    saved: int = 0  # requests `unchanged` engagement fetches spared (data.md §3.4)
    paused_until: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None  # "class: detail"


def calls_today(state: HostState, today: date) -> int:
    return state.calls if state.calls_day == today else 0


def saved_today(state: HostState, today: date) -> int:
    return state.saved if state.calls_day == today else 0


def counted(state: HostState, now: datetime) -> HostState:
    """After one request is sent at `now`: a new WIB day starts again from one."""
    today = wib_date(now)
    return replace(state, calls_day=today, calls=calls_today(state, today) + 1,
                   saved=saved_today(state, today))  # fmt: skip


def spared(state: HostState, now: datetime, requests: int) -> HostState:
    """After `requests` were not sent at `now` because nothing had changed (§3.4)."""
    today = wib_date(now)
    return replace(state, calls_day=today, calls=calls_today(state, today),
                   saved=saved_today(state, today) + requests)  # fmt: skip


def after_answer(
    state: HostState, now: datetime, error_class: str | None, detail: str
) -> HostState:
    """After the host answered one request (`error_class` None: a usable answer)."""
    if error_class is None or error_class not in HOST_FAULTS:
        return replace(state, last_success_at=_later(state.last_success_at, now))
    return replace(state, last_error_at=now, last_error=f"{error_class}: {detail}")


def after_retries(state: HostState, now: datetime, error_class: str) -> HostState:
    """A request failed for good. Still 429 after its retries: pause the host 5 minutes
    (a pause never shortens). Other failures leave the host open: the next cycle retries."""
    if error_class != RATE_LIMITED:
        return state
    return replace(state, paused_until=_later(state.paused_until, now + PAUSE_AFTER_RATE_LIMIT))


def paused(state: HostState, now: datetime) -> bool:
    return state.paused_until is not None and now < state.paused_until


def pause_refusal(name: str, state: HostState, now: datetime) -> str | None:
    """Why a request to the host may not be sent now, or None when it may."""
    if not paused(state, now):
        return None
    assert state.paused_until is not None
    until = to_wib(state.paused_until).strftime("%H:%M:%S")
    return f"host {name} paused until {until} WIB after repeated 429 (no request sent)"


def budget_refusal(name: str, state: HostState, today: date, budget: int | None) -> str | None:
    """Why engagement fetches on this key are skipped today, or None while within budget.

    Post listings are never refused for budget: only likers and commenters wait a day."""
    if budget is None:
        return None
    used = calls_today(state, today)
    if used < budget:
        return None
    return (
        f"{name} key over its daily budget ({used} of {budget} calls today): only post listings run"
    )


def merged(a: HostState, b: HostState) -> HostState:
    """Two views of one host joined: later day, more calls that day, later stamps.

    Commutative and idempotent, so writes that land out of order lose nothing."""
    day = _later(a.calls_day, b.calls_day)
    calls = max(calls_today(a, day), calls_today(b, day)) if day is not None else 0
    saved = max(saved_today(a, day), saved_today(b, day)) if day is not None else 0
    # The later error wins; equal stamps pick by text, so the order of arguments never matters.
    error = max((a, b), key=lambda s: (_stamp(s.last_error_at), s.last_error or ""))
    return HostState(
        calls_day=day,
        calls=calls,
        saved=saved,
        paused_until=_later(a.paused_until, b.paused_until),
        last_success_at=_later(a.last_success_at, b.last_success_at),
        last_error_at=error.last_error_at,
        last_error=error.last_error,
    )


def host_status(state: HostState, now: datetime, budget: int | None) -> str:
    """One word for /healthz: rate_limited, over_budget, failing, ok or unused."""
    if paused(state, now):
        return RATE_LIMITED
    if budget is not None and calls_today(state, wib_date(now)) >= budget:
        return "over_budget"
    if state.last_error_at is not None and _stamp(state.last_error_at) > _stamp(
        state.last_success_at
    ):
        return "failing"
    return "ok" if state.last_success_at is not None else "unused"


def host_view(
    state: HostState, now: datetime, budget: int | None, host: str = ""
) -> dict[str, Any]:
    """The /healthz entry of a host: its status and the facts behind it, times in WIB."""

    def wib(t: datetime | None) -> str | None:
        return to_wib(t).isoformat() if t is not None else None

    return {
        "status": host_status(state, now, budget),
        "host": host,
        "calls_today": calls_today(state, wib_date(now)),
        "saved_today": saved_today(state, wib_date(now)),
        "daily_budget": budget,
        "paused_until": wib(state.paused_until) if paused(state, now) else None,
        "last_success": wib(state.last_success_at),
        "last_error": state.last_error,
        "last_error_at": wib(state.last_error_at),
    }


def _later(a: _Instant | None, b: _Instant | None) -> _Instant | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _stamp(t: datetime | None) -> float:
    return t.timestamp() if t is not None else -math.inf

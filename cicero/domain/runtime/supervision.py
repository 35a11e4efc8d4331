"""Supervision as declared policy (Erlang/OTP's supervisor is the model), pure arithmetic.

The Supervisor actor keeps a `ChildRecord` per child and asks `on_exit` what to
do when one exits: restart it after a backoff, leave it down, or escalate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Strategy(StrEnum):
    ONE_FOR_ONE = "one_for_one"  # restart only the child that failed
    REST_FOR_ONE = "rest_for_one"  # restart it and every child started after it


class RestartType(StrEnum):
    PERMANENT = "permanent"  # always restarted
    TRANSIENT = "transient"  # restarted only after an abnormal exit
    TEMPORARY = "temporary"  # never restarted


@dataclass(frozen=True)
class SupFlags:
    strategy: Strategy = Strategy.ONE_FOR_ONE
    intensity: int = 5  # more than `intensity` restarts ...
    period_s: float = 60.0  # ... within `period_s` seconds escalates
    backoff_min_s: float = 0.05
    backoff_max_s: float = 30.0
    backoff_reset_s: float = 300.0  # a child quiet this long starts its backoff over


@dataclass(frozen=True)
class Restart:
    delay_s: float


@dataclass(frozen=True)
class LeaveDown:
    reason: str


@dataclass(frozen=True)
class Escalate:
    reason: str


Decision = Restart | LeaveDown | Escalate


def backoff(failures: int, flags: SupFlags, jitter: float) -> float:
    """Exponential backoff: min·2^(failures-1), capped, times a jitter factor in [0.8, 1.2].

    `jitter` is a number in [0, 1) supplied by the caller (no randomness here).
    """
    if failures <= 0:
        return 0.0
    base = min(flags.backoff_max_s, flags.backoff_min_s * (2.0 ** min(failures - 1, 30)))
    return min(flags.backoff_max_s, base * (0.8 + 0.4 * jitter))


START_S = 5.0  # a fresh child's start, at most (its Start handled, its pool made)
_ACTOR_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def spec_problems(specs: Sequence[tuple[str, str, float]]) -> list[str]:
    """What is wrong with a supervisor's child specs (name, "module:Class", shutdown
    seconds), checked before the first start (OTP's check_childspec): names must be present
    and unique (a duplicate would silently replace the first child), the actor a class path,
    the shutdown time positive and finite."""
    problems, seen = [], set()
    for name, actor, shutdown_s in specs:
        if not name or name != name.strip():
            problems.append(f"child {name!r}: a name is needed, without spaces around it")
        elif name in seen:
            problems.append(f"child {name!r} is named twice")
        seen.add(name)
        if not _ACTOR_PATH.fullmatch(actor):
            problems.append(f"child {name!r}: actor {actor!r} is not 'module:Class'")
        if not (math.isfinite(shutdown_s) and shutdown_s > 0):
            problems.append(f"child {name!r}: shutdown_s {shutdown_s!r} is not a positive time")
    return problems


def back_within(backoff_max_s: float) -> float:
    """Seconds within which a restarted child is back: the longest backoff twice (its first
    restart may fail once more) and its start. A child missing longer is not coming soon
    (the clock then fails a run parked for it rather than hold it)."""
    return 2 * backoff_max_s + START_S


def recent_restarts(stamps: tuple[float, ...], now: float, period_s: float) -> tuple[float, ...]:
    """Restart times still inside the intensity window (stamps are monotonic seconds)."""
    return tuple(t for t in stamps if t > now - period_s)


@dataclass(frozen=True)
class ChildRecord:
    """What a supervisor remembers of one child across its restarts."""

    restart_type: RestartType
    failures: int = 0  # consecutive, for the backoff; reset after a quiet period
    last_start: float = 0.0
    restarts: int = 0  # total, for /healthz


def on_exit(
    record: ChildRecord,
    stamps: tuple[float, ...],
    now: float,
    abnormal: bool,
    flags: SupFlags,
    jitter: float,
) -> tuple[ChildRecord, tuple[float, ...], Decision]:
    """Decide what follows a child's exit. `stamps` are the supervisor's recent restart times."""
    if record.restart_type is RestartType.TEMPORARY:
        return record, stamps, LeaveDown("temporary child")
    if record.restart_type is RestartType.TRANSIENT and not abnormal:
        return record, stamps, LeaveDown("transient child exited normally")
    kept = (*recent_restarts(stamps, now, flags.period_s), now)
    if len(kept) > flags.intensity:
        return (
            record,
            kept,
            Escalate(f"{len(kept)} restarts within {flags.period_s:g}s (limit {flags.intensity})"),
        )
    quiet = now - record.last_start >= flags.backoff_reset_s
    failures = 1 if quiet else record.failures + 1
    updated = ChildRecord(record.restart_type, failures, record.last_start, record.restarts + 1)
    return updated, kept, Restart(backoff(failures, flags, jitter))


def restart_set(order: tuple[str, ...], failed: str, strategy: Strategy) -> tuple[str, ...]:
    """Which children a failure restarts, in start order."""
    if strategy is Strategy.ONE_FOR_ONE:
        return (failed,)
    index = order.index(failed)
    return order[index:]

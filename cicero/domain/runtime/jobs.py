"""What a scheduled job is, as plain values, and the cron rules config must obey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

from cicero.domain.timezone import WIB

ALWAYS = "always"
BUCKETS = ("always", "operator", "gateway", "user")


class Overlap(StrEnum):
    SKIP = "skip"  # a fire time that meets a still-running run is recorded skipped


class Missed(StrEnum):
    COALESCE = "coalesce"  # run the newest missed fire time within grace, record the rest


@dataclass(frozen=True)
class JobSpec:
    key: str
    name: str
    bucket: str
    crons: tuple[str, ...] = ()
    after: str | None = None  # runs when that job's run for the same fire time ends
    enabled: bool = True
    grace: timedelta = timedelta(minutes=60)
    overlap: Overlap = Overlap.SKIP
    missed: Missed = Missed.COALESCE
    timeout: timedelta = timedelta(hours=1)  # a run silent longer than this is given up


def cron_problem(expr: str) -> str | None:
    """Why a cron expression is unusable, or None (5 fields: croniter reads a 6th as seconds)."""
    fields = expr.split()
    if len(fields) != 5:
        return f"{expr!r} has {len(fields)} fields; use 5 (minute hour day month weekday)"
    if not croniter.is_valid(expr):
        return f"{expr!r} is not a valid cron expression"
    try:
        croniter(expr, datetime(2026, 1, 1, tzinfo=WIB)).get_next(datetime)
    except (CroniterBadDateError, CroniterBadCronError):
        return f"{expr!r} never fires"
    return None

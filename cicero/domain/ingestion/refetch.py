"""When a post's likers or commenters are fetched again (data.md §3.4).

Every fire time lists each client's posts with their like and comment counts (one cheap
request); a post's engagement (up to 20 or 40 pages) is fetched only when

* it has no successful fetch yet today (`first`),
* an **audit** is owed: its last successful fetch is older than what the schedule asks of
  this fire time (`audit`, below). A failed fetch never settles an audit: the deadline
  stays, so the next fire time fetches again,
* this run's listing gave no usable count for it (`unknown`: hidden, not a number, or the
  listing failed or did not reach it), or
* its listed count differs from the count its last successful fetch was made at (`moved`;
  up, down or by millions alike).

Otherwise the fetch is `unchanged` and costs no request. `truncated` counts as a fetch.

Audits catch what the counts hide (one unlike and one like between two fire times). Their
deadlines come from the schedule, never from a hand-made list: at the last ingestion before
a recap R that reads engagement, every post must have been fetched successfully since
R - `upstream.audit_fresh` (or at that very ingestion, when the cadence is coarser); at any
ingestion, no post's last fetch may be older than `upstream.audit_every` (where the cadence
allows); and the day's end counts as a recap, so the day's last ingestion settles the day
for the week and month reports. A post fetched recently enough for another reason (its count
moved) is not fetched twice.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

from cicero.domain.runtime.jobs import JobSpec
from cicero.domain.runtime.schedule import fire_times
from cicero.domain.timezone import WIB

# An after-job of the ingestion runs once that fire time's ingestion ended: it reads what
# that very ingestion stored, so it counts as a recap an instant after it.
_JUST_AFTER = timedelta(microseconds=1)


class FetchReason(StrEnum):
    FIRST = "first"
    AUDIT = "audit"
    UNKNOWN = "unknown"
    MOVED = "moved"
    ASKED = "asked"  # a fetch asked from a menu: fresh data was asked for


@dataclass(frozen=True)
class LastFetch:
    """A post's latest successful (complete or truncated) fetch of the day."""

    started_at: datetime
    listed_count: int | None  # the post's listed count it was made at; None: unknown then
    pages: int  # what fetching it again would cost, about


def fetch_reason(
    last: LastFetch | None,
    listed_count: int | None,
    audit_due: datetime | None,
    asked: bool = False,
) -> FetchReason | None:
    """Why the post's engagement is fetched in this run, or None: `unchanged`, no request.

    `listed_count`: the count this run's listing gave (None: none usable). `audit_due`: the
    time since which the schedule wants every post fetched at this run (`due_at`; None:
    nothing owed yet today)."""
    if asked:
        return FetchReason.ASKED
    if last is None:
        return FetchReason.FIRST
    if audit_due is not None and last.started_at < audit_due:
        return FetchReason.AUDIT
    if listed_count is None:
        return FetchReason.UNKNOWN
    if last.listed_count != listed_count:
        return FetchReason.MOVED
    return None


def saved_requests(last: LastFetch) -> int:
    """Requests an `unchanged` post spared: as many pages as its last fetch took (≥ 1)."""
    return max(1, last.pages)


# ---------------------------------------------------------------- audit deadlines


@dataclass(frozen=True)
class Deadline:
    """At ingestion `at`, each post's last successful fetch must be at or after `since`."""

    at: datetime
    since: datetime | None  # None: nothing is owed yet (the day's first ingestion)


def audit_deadlines(
    ingestions: Iterable[datetime],
    recaps: Iterable[datetime],
    fresh: timedelta,
    every: timedelta,
) -> tuple[Deadline, ...]:
    """One day's ingestions (sorted) with what each asks of every post, given the day's
    `recaps` that read engagement.

    At ingestion t (next one t'): for each recap R in (t, t'] (after t, for the day's last
    ingestion, whose day's end counts as a recap just after it), a success since
    min(R - fresh, t); before t', a success since min(t' - every, t). Deadlines only move
    forward: one not met (a failed fetch) stays owed until a fetch meets it.
    """
    if fresh <= timedelta(0) or every <= timedelta(0):
        raise ValueError("audit_fresh and audit_every must be positive")
    times = sorted(set(ingestions))
    reads = sorted(recaps)
    out: list[Deadline] = []
    owed: datetime | None = None
    for k, t in enumerate(times):
        if k == 0:
            out.append(Deadline(t, None))  # every post is fetched the first time it is seen
            continue
        following = times[k + 1] if k + 1 < len(times) else None
        if following is None:
            served = [*reads[bisect_right(reads, t):], t + _JUST_AFTER]
            asked = [r - fresh for r in served]
        else:
            served = reads[bisect_right(reads, t) : bisect_right(reads, following)]
            asked = [r - fresh for r in served] + [following - every]
        need = min(max(asked), t)  # the latest that can be met is a fetch at t itself
        owed = need if owed is None else max(owed, need)
        out.append(Deadline(t, owed))
    return tuple(out)


def due_at(deadlines: Sequence[Deadline], at: datetime) -> datetime | None:
    """What the latest ingestion at or before `at` asks of every post (a run at a time the
    schedule does not name, a catch-up, follows the fire time before it)."""
    i = bisect_right([d.at for d in deadlines], at)
    return deadlines[i - 1].since if i else None


def day_window(day: date) -> tuple[datetime, datetime]:
    """[00:00 WIB of `day`, 00:00 WIB of the next day)."""
    start = datetime.combine(day, time(0), tzinfo=WIB)
    return start, start + timedelta(days=1)


def day_deadlines(
    day: date,
    jobs: Sequence[JobSpec],
    ingest_key: str,
    readers: Iterable[str],
    fresh: timedelta,
    every: timedelta,
) -> tuple[Deadline, ...]:
    """The audit deadlines of `ingest_key`'s fire times on WIB `day`, from the schedule.

    `readers`: keys of jobs whose runs read engagement (recaps, reminders); disabled ones
    and those absent from `jobs` are ignored. An after-job reads just after the fire time
    of the cron job its chain starts from (just after the ingestion, for the ingestion's
    own after-jobs). Remembered per day and schedule: every ingestion run asks, and the
    answer is some twenty croniter walks over the day (~20 ms)."""
    return _day_deadlines(day, tuple(jobs), ingest_key, frozenset(readers), fresh, every)


@lru_cache(maxsize=8)
def _day_deadlines(
    day: date,
    jobs: tuple[JobSpec, ...],
    ingest_key: str,
    readers: frozenset[str],
    fresh: timedelta,
    every: timedelta,
) -> tuple[Deadline, ...]:
    specs = {j.key: j for j in jobs}
    ingest = specs.get(ingest_key)
    if ingest is None or not ingest.enabled:
        return ()
    start, end = day_window(day)
    before_start = start - _JUST_AFTER
    last_instant = end - _JUST_AFTER
    ingestions = fire_times(ingest, before_start, last_instant)
    recaps: list[datetime] = []
    for key in readers:
        spec = specs.get(key)
        if spec is None or not spec.enabled:
            continue
        root = _chain_root(spec, specs)
        if root is None:
            continue
        shift = _JUST_AFTER if root.key != spec.key else timedelta(0)
        recaps += [t + shift for t in fire_times(root, before_start, last_instant)]
    return audit_deadlines(ingestions, recaps, fresh, every)


def _chain_root(spec: JobSpec, specs: Mapping[str, JobSpec]) -> JobSpec | None:
    """The cron job an after-chain starts from (None for a broken or circular chain)."""
    seen = {spec.key}
    while spec.after is not None:
        nxt = specs.get(spec.after)
        if nxt is None or nxt.key in seen:
            return None
        seen.add(nxt.key)
        spec = nxt
    return spec

"""When a post's likers or commenters are fetched again (data.md §3.4).

Every fire time lists each client's posts with their like and comment counts (one cheap
request); a post's engagement (up to 20 or 40 pages) is fetched only when

* it has no successful fetch yet today (`first`),
* an **audit** is owed: the latest audit fire time at or before this run is later than the
  post's last successful fetch (`audit`). A failed fetch never settles an audit, and an
  audit missed (process down, run skipped) is owed to the next run;
* this run's listing gave no usable count for it (`unknown`: hidden, not a number, or the
  listing failed or did not reach it), or
* its listed count differs from the count its last successful fetch was made at (`moved`;
  up, down or by millions alike).

Otherwise the fetch is `unchanged` and costs no request. `truncated` counts as a fetch.

Audit fire times come from the schedule, never from a hand-made list: the last ingestion
before each recap that reads engagement, unless an audit fire time lies within
`upstream.audit_fresh` before that recap; besides, audits are never more than
`upstream.audit_every` apart (when the ingestion cadence allows), and the day's first and
last ingestions are audits (the last one settles the day for the week and month reports).
Audits catch what the counts hide (one unlike and one like between two fire times).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

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
    latest audit fire time at or before this run (None: none today)."""
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


# ---------------------------------------------------------------- audit fire times


def choose_audits(
    ingestions: Iterable[datetime],
    recaps: Iterable[datetime],
    fresh: timedelta,
    every: timedelta,
) -> tuple[datetime, ...]:
    """The audit fire times among one day's `ingestions`, given the day's `recaps` that read
    engagement (sorted output).

    An ingestion t is an audit when it is the day's first or last; when the next ingestion would
    come more than `every` after the latest audit; or when t is the last ingestion before a
    recap R (R in (t, next ingestion]) and the latest audit so far is older than R - fresh.
    """
    if fresh <= timedelta(0) or every <= timedelta(0):
        raise ValueError("audit_fresh and audit_every must be positive")
    times = sorted(set(ingestions))
    reads = sorted(recaps)
    audits: list[datetime] = []
    for k, t in enumerate(times):
        following = times[k + 1] if k + 1 < len(times) else None
        latest = audits[-1] if audits else None
        served = reads[bisect_right(reads, t) : bisect_right(reads, following)] if following \
            else reads[bisect_right(reads, t):]  # fmt: skip
        if (
            latest is None
            or following is None
            or (following is not None and following - latest > every)
            or any(latest < r - fresh for r in served)
        ):
            audits.append(t)
    return tuple(audits)


def day_window(day: date) -> tuple[datetime, datetime]:
    """[00:00 WIB of `day`, 00:00 WIB of the next day)."""
    start = datetime.combine(day, time(0), tzinfo=WIB)
    return start, start + timedelta(days=1)


def audit_times(
    day: date,
    jobs: Sequence[JobSpec],
    ingest_key: str,
    readers: Iterable[str],
    fresh: timedelta,
    every: timedelta,
) -> tuple[datetime, ...]:
    """The audit fire times of `ingest_key` on WIB `day`, from the schedule of `jobs`.

    `readers`: keys of jobs whose runs read engagement (recaps, reminders); disabled ones
    and those absent from `jobs` are ignored. An after-job reads just after the fire time
    of the cron job its chain starts from (just after the ingestion, for the ingestion's
    own after-jobs)."""
    specs = {j.key: j for j in jobs}
    ingest = specs.get(ingest_key)
    if ingest is None or not ingest.enabled:
        return ()
    start, end = day_window(day)
    before_start = start - _JUST_AFTER
    last_instant = end - _JUST_AFTER
    ingestions = fire_times(ingest, before_start, last_instant)
    recaps: list[datetime] = []
    for key in set(readers):
        spec = specs.get(key)
        if spec is None or not spec.enabled:
            continue
        root = _chain_root(spec, specs)
        if root is None:
            continue
        shift = _JUST_AFTER if root.key != spec.key else timedelta(0)
        recaps += [t + shift for t in fire_times(root, before_start, last_instant)]
    return choose_audits(ingestions, recaps, fresh, every)


def latest_audit(audits: Sequence[datetime], at: datetime) -> datetime | None:
    """The latest audit fire time at or before `at`."""
    i = bisect_right(audits, at)
    return audits[i - 1] if i else None


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

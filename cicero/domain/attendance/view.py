"""Attendance of one scope over one period, as one value (STYLE §6): the dashboard page,
`GET /api/attendance`, the Excel file and the "Salin rekap" text are renderings of it, and
the WhatsApp recap counts with the same rule over the same query.

Pure: the adapter gives the period's post set P (in its order), each counted person's
`Attendance` against P (data.md §4.2-4.4, as the recaps compute it), and who the scope's
satkers are called; here the value is shaped: groups in recap order (§4.5), the summary,
the per-post and per-day figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache, partial
from itertools import chain
from typing import Any

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key, unit_key
from cicero.domain.attendance.rule import Attendance, Ratio, Status, exact_ratio, required, status
from cicero.domain.layouts.blocks import directorate_order
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date

MAX_DAYS = 31  # api.md §3: a longer range is refused (422)


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # Monday–Sunday
    MONTH = "month"


PERIOD_LABEL = {Period.DAY: "Hari", Period.WEEK: "Minggu", Period.MONTH: "Bulan"}


class RangeRefused(ValueError):
    """A range the dashboard does not serve (backwards, or longer than 31 days)."""


@dataclass(frozen=True)
class DayRange:
    start: date
    end: date  # included

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise RangeRefused("tanggal akhir sebelum tanggal awal")
        if (self.end - self.start).days + 1 > MAX_DAYS:
            raise RangeRefused(f"rentang lebih dari {MAX_DAYS} hari")

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def period_range(period: Period, day: date) -> DayRange:
    """The WIB days a period around `day` counts: the day, its Monday–Sunday week, its month."""
    if period is Period.DAY:
        return DayRange(day, day)
    if period is Period.WEEK:
        monday = day - timedelta(days=day.weekday())
        return DayRange(monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return DayRange(first, following - timedelta(days=1))


@dataclass(frozen=True)
class Counted:
    """One post of P and how many counted people engaged with it (exceptions excluded, §4.4)."""

    id: int
    ref: PostRef
    engaged: int


@dataclass(frozen=True)
class Group:
    client_id: str
    client_name: str
    unit: str
    people: tuple[Attendance, ...]


@dataclass(frozen=True)
class DaySummary:
    day: date
    posts: int
    sudah: int
    kurang: int
    belum: int
    tanpa_username: int


@dataclass(frozen=True)
class AttendanceView:
    scope: str
    scope_name: str
    directorate: bool
    platform: Platform
    period: Period
    range: DayRange
    done_ratio: Ratio
    posts: tuple[Counted, ...]
    people: tuple[Attendance, ...]  # in recap order
    groups: tuple[Group, ...]
    days: tuple[DaySummary, ...]
    data_incomplete: bool
    failed_posts: tuple[str, ...] = ()  # posts whose latest engagement fetch failed

    @property
    def required(self) -> int:
        return required(len(self.posts), self.done_ratio)

    def summary(self) -> dict[str, int]:
        counts = Counter(a.status for a in self.people)
        return {s.value: counts[s] for s in Status} | {"total": len(self.people)}

    def filtered(self, wanted: frozenset[Status] | None) -> tuple[Group, ...]:
        """The groups with only the people whose status is wanted (None: everyone)."""
        if wanted is None:
            return self.groups
        out = []
        for g in self.groups:
            kept = tuple(a for a in g.people if a.status in wanted)
            if kept:
                out.append(Group(g.client_id, g.client_name, g.unit, kept))
        return tuple(out)

    def as_json(self, wanted: frozenset[Status] | None = None) -> dict[str, Any]:
        """The body of `GET /api/attendance` (api.md §3)."""
        return {
            "scope": {"client_id": self.scope, "name": self.scope_name,
                      "directorate": self.directorate},
            "platform": self.platform.value,
            "period": {"kind": self.period.value, "from": self.range.start.isoformat(),
                       "to": self.range.end.isoformat()},
            "done_ratio": str(exact_ratio(self.done_ratio)),
            "required": self.required,
            "posts": [
                {"id": p.ref.external_id, "link": p.ref.link, "engaged": p.engaged,
                 "posted_at": p.ref.posted_at,
                 "fetch_failed": p.ref.external_id in self.failed_posts}
                for p in self.posts
            ],
            "summary": self.summary(),
            "groups": [
                {"client_id": g.client_id, "client_name": g.client_name, "unit": g.unit,
                 "people": [person_json(a) for a in g.people]}
                for g in self.filtered(wanted)
            ],
            "days": [
                {"date": d.day.isoformat(), "posts": d.posts, "sudah": d.sudah, "kurang": d.kurang,
                 "belum": d.belum, "tanpa_username": d.tanpa_username}
                for d in self.days
            ],
            "data_incomplete": self.data_incomplete,
        }  # fmt: skip


def person_json(a: Attendance) -> dict[str, Any]:
    return {
        "nrp": a.nrp, "rank": a.rank, "name": a.name, "position": a.position,
        "handle": a.handle, "count": a.count if a.handle else None,
        "status": a.status.value, "exception": a.exception,
    }  # fmt: skip


def build(
    *,
    scope: str,
    scope_name: str,
    directorate: bool,
    platform: Platform,
    period: Period,
    days: DayRange,
    done_ratio: Ratio,
    posts: Sequence[tuple[int, PostRef]],
    people: Sequence[Attendance],
    client_names: Mapping[str, str],
    data_incomplete: bool = False,
    failed_posts: Sequence[str] = (),
    ranks: RankTable = DEFAULT_RANK_TABLE,
) -> AttendanceView:
    """The view of a scope's attendance: `people` is each counted person against `posts` (P of
    the whole range), as `db.attendance.scope_attendance` gives it."""
    ordered = (
        directorate_order(people, scope, client_names, ranks)
        if directorate
        else sorted(people, key=lambda a: (unit_key(a.unit), person_key(a, ranks)))
    )
    runs: list[list[Attendance]] = []  # the ordered people cut where (client, unit) changes
    for a in ordered:
        if runs and runs[-1][0].client == a.client and runs[-1][0].unit == a.unit:
            runs[-1].append(a)
        else:
            runs.append([a])
    groups = [
        Group(run[0].client, client_names.get(run[0].client, run[0].client), run[0].unit,
              tuple(run))
        for run in runs
    ]  # fmt: skip
    # Counted in C: a directorate's 5,000 people mark ~120,000 (person, post) pairs.
    engaged = Counter(chain.from_iterable(a.done_posts for a in ordered if not a.exception))
    counted = tuple(Counted(pid, ref, engaged[pid]) for pid, ref in posts)
    return AttendanceView(
        scope=scope, scope_name=scope_name, directorate=directorate, platform=platform,
        period=period, range=days, done_ratio=done_ratio, posts=counted, people=tuple(ordered),
        groups=tuple(groups), days=tuple(per_day(days, posts, ordered, done_ratio)),
        data_incomplete=data_incomplete, failed_posts=tuple(failed_posts),
    )  # fmt: skip


def per_day(
    days: DayRange,
    posts: Sequence[tuple[int, PostRef]],
    people: Sequence[Attendance],
    done_ratio: Ratio,
) -> list[DaySummary]:
    """Each day of the range on its own (the daily trend): P of that day, each person's status
    by the same rule against it. A one-day range is the period itself."""
    day_of = {pid: wib_date(ref.posted_at) for pid, ref in posts if ref.posted_at is not None}
    posts_on = Counter(day_of.values())
    if len(days.days()) == 1:
        counts = Counter(a.status for a in people)
        return [_summary(days.start, posts_on[days.start], counts)]
    # Thousands of people, a handful of distinct inputs: the rule is asked once per input.
    rule = cache(partial(status, done_ratio=exact_ratio(done_ratio)))
    tallies: dict[date, Counter[Status]] = {d: Counter() for d in days.days()}
    for a in people:
        done_on = Counter(day_of[pid] for pid in a.done_posts if pid in day_of)
        has_handle = a.handle is not None
        for d, tally in tallies.items():
            tally[rule(done_on[d], posts_on[d], has_handle, a.exception)] += 1
    return [_summary(d, posts_on[d], tally) for d, tally in tallies.items()]


def _summary(day: date, posts: int, counts: Counter[Status]) -> DaySummary:
    return DaySummary(day, posts, counts[Status.SUDAH], counts[Status.KURANG], counts[Status.BELUM],
                      counts[Status.TANPA_USERNAME])  # fmt: skip

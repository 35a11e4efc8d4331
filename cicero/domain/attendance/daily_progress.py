"""From a directorate's attendance to the daily engagement report's inputs (jobs.md §3.6).

Exception staff count as done but add nothing to engagement totals (data.md §4.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from cicero.domain.attendance.rule import Attendance, Status
from cicero.domain.layouts.daily_engagement import Progress, SatkerScore


def satker_scores(
    people: Iterable[Attendance], names: Mapping[str, str], directorate: str
) -> tuple[SatkerScore, ...]:
    """Engagement of each satker's staff; the directorate's own staff are not a satker."""
    totals: dict[str, int] = {}
    for a in people:
        if a.client != directorate:
            totals[a.client] = totals.get(a.client, 0) + (0 if a.exception else a.count)
    return tuple(SatkerScore(names.get(c, c), n) for c, n in totals.items())


def _part(people: Sequence[Attendance], n: int) -> tuple[Fraction, int, int]:
    """(done / possible, gap, backlog) over people who can be counted."""
    counted = [a for a in people if not a.exception and a.handle]
    possible = n * len(counted)
    done = sum(a.count for a in counted)
    backlog = sum(a.status is not Status.SUDAH for a in people)
    ratio = Fraction(done, possible) if possible else Fraction(1)
    return ratio, possible - done, backlog


def progress(
    instagram: Sequence[Attendance], ig_posts: int, tiktok: Sequence[Attendance], tt_posts: int
) -> Progress:
    ig_ratio, gap, ig_backlog = _part(instagram, ig_posts)
    tt_ratio, _, tt_backlog = _part(tiktok, tt_posts)
    return Progress(
        ig_ratio=ig_ratio,
        ig_target_met=gap == 0,
        likes_gap=gap,
        ig_backlog=ig_backlog,
        tiktok_ratio=tt_ratio,
        tiktok_backlog=tt_backlog,
    )

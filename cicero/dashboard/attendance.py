"""The attendance of one scope and period (api.md §3), computed once: the one data function
behind `/absensi/*`, `GET /api/attendance`, the "Salin rekap" text, the Excel export and the
home page's figures (STYLE §6). It reads with the recaps' own queries (`db.attendance`) and
counts with the same ratio the scope's WhatsApp recap is configured with, so the page and
the WhatsApp recap cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import asyncpg

from cicero.config import Settings
from cicero.db import recaps
from cicero.db.attendance import ENGAGEMENT_KIND, scope_attendance, scope_posts
from cicero.domain.attendance import view
from cicero.domain.attendance.rule import Ratio
from cicero.domain.attendance.view import AttendanceView, DayRange, Period
from cicero.domain.layouts import directorate_full
from cicero.domain.layouts.client_recap import ClientRecap, render_comments, render_likes
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.people.usernames import Platform

# The WhatsApp recap a dashboard scope mirrors: an ORG client's is org_engagement_recap
# (jobs.md §3.2/§3.3), a directorate's the full recap of its jobs (§3.5).
ORG_JOB = "org_engagement_recap"
DIRECTORATE_REPORT = {Platform.INSTAGRAM: "likes_full", Platform.TIKTOK: "comments_full"}


def recap_ratio(settings: Settings, c: recaps.ClientRow, platform: Platform) -> Ratio:
    """The done ratio the scope's WhatsApp recap counts with (config, else jobs.md §4's default)."""
    from cicero.reports.directorate import DEFAULT_RATIO

    jobs = settings.config.jobs
    if not c.is_directorate:
        job = jobs.get(ORG_JOB)
        return _as_ratio(dict(job.params).get("done_ratio", 1)) if job is not None else 1
    report = DIRECTORATE_REPORT[platform]
    for job in jobs.values():
        params = dict(job.params)
        if str(params.get("directorate", "")).upper() == c.client_id:
            ratios = params.get("done_ratio", {}) or {}
            if not isinstance(ratios, Mapping):
                raise TypeError(f"done_ratio of a directorate job is a table, got {ratios!r}")
            if report in ratios:
                return _as_ratio(ratios[report])
    return DEFAULT_RATIO.get(report, 1)


def _as_ratio(value: object) -> Ratio:
    """A configured done_ratio (config values are untyped); a wrong type fails as
    `exact_ratio` would."""
    if isinstance(value, Fraction | int | float | str):
        return value
    raise TypeError(f"done_ratio must be a number or a fraction, got {value!r}")


@dataclass(frozen=True)
class Computed:
    """The view and what the recap layouts need besides it."""

    view: AttendanceView
    client: recaps.ClientRow
    names: dict[str, str]


async def compute(
    conn: asyncpg.Connection,
    settings: Settings,
    c: recaps.ClientRow,
    platform: Platform,
    period: Period,
    days: DayRange,
    now: datetime,
) -> Computed:
    """Attendance of `c` on `platform` over `days`, counted up to `now` (the runtime's clock).
    A week or month counts its posts together (cumulative), as the directorate menu's
    periods do."""
    ratio = recap_ratio(settings, c, platform)
    posts = await scope_posts(
        conn, c.client_id, platform, days.start, now, c.is_directorate, until=days.end
    )
    ids = [p.id for p in posts]
    people = await scope_attendance(conn, c.client_id, platform, ids, now, c.is_directorate, ratio)
    names = await recaps.client_names(conn)
    failed = await recaps.failed_fetches(conn, ids, ENGAGEMENT_KIND[platform]) if ids else set()
    failed_ids = tuple(p.ref.external_id for p in posts if p.id in failed)
    incomplete = bool(failed_ids) or await _last_run_failed(conn, c.client_id, platform)
    value = view.build(
        scope=c.client_id, scope_name=c.name, directorate=c.is_directorate, platform=platform,
        period=period, days=days, done_ratio=ratio, posts=[(p.id, p.ref) for p in posts],
        people=people if posts else [], client_names=names, data_incomplete=incomplete,
        failed_posts=failed_ids,
    )  # fmt: skip
    return Computed(value, c, names)


async def _last_run_failed(conn: asyncpg.Connection, client_id: str, platform: Platform) -> bool:
    """data.md §1.1: a failed latest ingestion run marks the numbers incomplete."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (stage) stage, outcome FROM ingest_run
            WHERE client_id = $1 AND platform = $2 AND outcome <> 'running'
            ORDER BY stage, started_at DESC""",
        client_id, platform.value,
    )  # fmt: skip
    return any(r["outcome"] == "failed" for r in rows)


def recap_text(done: Computed, now: datetime) -> str:
    """The WhatsApp recap of this value, from the jobs' own renderer: an ORG client's §3.2/§3.3
    recap, a directorate's full recap (§3.5)."""
    v = done.view
    posts = tuple(p.ref for p in v.posts)
    people = v.people if posts else ()
    if not v.directorate:
        recap = ClientRecap(
            client_name=v.scope_name, at=now, posts=posts, people=tuple(people),
            done_ratio=v.done_ratio, failed_posts=v.failed_posts,
        )  # fmt: skip
        render = render_likes if v.platform is Platform.INSTAGRAM else render_comments
        text = render(recap)
    else:
        text = directorate_full.render(
            DirectorateRecap(
                directorate=v.scope, name=v.scope_name, platform=v.platform, at=now,
                posts=posts, people=tuple(people), client_names=done.names,
                done_ratio=v.done_ratio,
            )
        )  # fmt: skip
    if v.period is not Period.DAY:
        text = f"{text}\n\n📅 Periode: {_label(v.range)} (akumulasi)"
    return text


def _label(days: DayRange) -> str:
    from cicero.domain.attendance.periods import DateRange

    return DateRange(days.start, days.end).label()


def today_range(now: datetime) -> DayRange:
    from cicero.domain.timezone import wib_date

    d = wib_date(now)
    return DayRange(d, d)


__all__ = ["Computed", "Fraction", "compute", "recap_ratio", "recap_text"]

"""On-demand reports asked from the menus, built in the step's own transaction.

`cicero.domain.attendance.on_demand` says what to build; this reads the database with the scheduled
recaps' own builders (one set-based attendance query per scope) and returns outbox rows to
the asking chat. Their keys come from the incoming message, from part `FIRST_PART` on, so
they never collide with the menu's own reply parts (1, 2, …) and a rerun after a crash
writes nothing twice. They drain after the "⏳" reply (recap and file priorities).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

import asyncpg

from cicero.config import Settings
from cicero.db import recaps
from cicero.db.amplify import reported_links
from cicero.db.attendance import scope_attendance, scope_posts, scope_staff
from cicero.db.inbox import InboxMessage
from cicero.db.outbox import NewMessage
from cicero.domain.attendance import on_demand, periods
from cicero.domain.attendance.on_demand import Build, Builder, Mode, NotAvailable
from cicero.domain.delivery.outbox import MessageKind, reply_key
from cicero.domain.layouts import (
    amplification,
    kasatker_report,
    link_recap,
    per_content,
    staff_data,
    task_broadcast,
    tiktok_analytics,
)
from cicero.domain.layouts.client_recap import render_comments, render_likes
from cicero.domain.layouts.staff_data import Registrations
from cicero.domain.menus.model import BuildReport
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date
from cicero.reports.amplification import amplify_recap_for
from cicero.reports.batch import Batch
from cicero.reports.client_recap import client_recap
from cicero.reports.directorate import (
    DirectorateReports,
    Text,
    add_outputs,
    build_files,
    kasatker_letter,
)
from cicero.reports.task_broadcast import task_message, task_posts

JOB = "on_demand"  # outbox.job of these rows: sent because of a request, not a schedule
KIND = MessageKind.MENU_REPLY  # same sender as the menu's replies: the session that was asked
FIRST_PART = 10  # parts of on-demand reports (the menu reply takes 1, 2, …)
FETCH_PART = 40  # parts of a fetch's answers: after the reports built in the step


def reply_batch(session: str, message_id: str, now: datetime, first_part: int) -> Batch:
    """Rows answering incoming message `message_id`, keyed from it from part `first_part` on."""
    return Batch(
        job=JOB,
        fire_time=now,
        now=now,
        session=session,
        key_for=lambda _to, part: reply_key(session, message_id, first_part - 1 + part),
        in_reply_to=message_id,
    )


async def run(
    conn: asyncpg.Connection,
    settings: Settings,
    requests: Sequence[BuildReport],
    m: InboxMessage,
    now: datetime,
) -> list[NewMessage]:
    """The outbox rows answering the step's report requests, in their order."""
    if not requests:
        return []
    batch = reply_batch(m.session, m.message_id, now, FIRST_PART)
    for req in requests:
        await add_report(conn, settings, req, batch, m.chat, now)
    return batch.messages


async def add_report(
    conn: asyncpg.Connection,
    settings: Settings,
    req: BuildReport,
    batch: Batch,
    chat: str,
    now: datetime,
) -> None:
    c = await recaps.client(conn, req.scope)
    if c is None:
        batch.text(chat, f"❌ Client *{req.scope}* tidak ditemukan.", KIND)
        return
    plan = on_demand.plan(req, c.is_directorate)
    if isinstance(plan, NotAvailable):
        batch.text(chat, plan.text, KIND)
        return
    day = wib_date(now)
    if plan.builder is Builder.CLIENT_RECAP:
        await _client(conn, c, plan, batch, chat, now)
    elif plan.builder is Builder.STAFF_DATA:
        people = await scope_staff(conn, c.client_id, c.is_directorate)
        names = await recaps.client_names(conn)
        data = Registrations(c.client_id, c.name, now, tuple(people), c.is_directorate, names)
        batch.text(chat, staff_data.render_for(plan.report, data), KIND)
    elif plan.builder is Builder.PER_CONTENT:
        batch.text(chat, await _per_content(conn, c, plan, now), KIND)
    elif plan.builder is Builder.LINK_RECAP:
        batch.text(chat, await _link_recap(conn, c, plan, now), KIND)
    elif plan.builder is Builder.TASK_MESSAGE:
        posts = await task_posts(conn, c, day, now)
        seen = await recaps.last_broadcast(conn, c.client_id, day) or set()
        batch.text(chat, task_broadcast.render(task_message(c, posts, seen)), KIND)
    elif plan.builder is Builder.TIKTOK_ANALYTICS:
        batch.text(chat, await _tiktok_analytics(conn, c, plan, now), KIND)
    elif plan.builder is Builder.AMPLIFY:
        amplified, recap = await amplify_recap_for(conn, c, day, now)
        shown = on_demand.keep(plan.mode, recap.people)
        text = amplification.render(replace(recap, people=shown))
        _with_note(batch, chat, text, plan, len(shown), len(recap.people), bool(amplified))
    else:
        names = await recaps.client_names(conn)
        letter = _kasatker_letter(settings, c.client_id)
        days = periods.date_range(plan.period, day)
        label = "" if plan.period is None else days.label()  # None: today, as the jobs send it
        reports = DirectorateReports(
            conn, c, names, {}, days.start or date.min, now, letter, days.end, label, plan.period
        )
        outputs = [o for key in (plan.report, *plan.also) for o in await reports.report(key)]
        if not outputs:  # the per-content workbooks are not built for a day without posts
            outputs = [_no_posts(c.name, plan.platform, label)]
        files, _ = build_files(outputs)
        add_outputs(batch, chat, outputs, files, KIND)
        if plan.note:
            batch.text(chat, plan.note, KIND)


async def _client(
    conn: asyncpg.Connection,
    c: recaps.ClientRow,
    plan: Build,
    batch: Batch,
    chat: str,
    now: datetime,
) -> None:
    platform = Platform(plan.platform or Platform.INSTAGRAM)
    posts, recap = await client_recap(conn, c, platform, wib_date(now), now)
    shown = on_demand.keep(plan.mode, recap.people)
    render = render_likes if platform is Platform.INSTAGRAM else render_comments
    text = render(replace(recap, people=shown))
    _with_note(batch, chat, text, plan, len(shown), len(recap.people), bool(posts))


async def _tiktok_analytics(
    conn: asyncpg.Connection, c: recaps.ClientRow, plan: Build, now: datetime
) -> str:
    """The "Rekap Analitik" of an ORG client's TikTok: today's posts, half of them the target."""
    posts, recap = await client_recap(
        conn, c, Platform.TIKTOK, wib_date(now), now, tiktok_analytics.HALF
    )
    audience, distinct = await recaps.post_audience(conn, [p.id for p in posts], "comment", now)
    stats = tuple(tiktok_analytics.ContentStat(p.ref, *audience.get(p.id, ("", 0))) for p in posts)
    return tiktok_analytics.render(
        tiktok_analytics.TiktokAnalytics(
            c.name, now, stats, recap.people, distinct, tiktok_analytics.HALF,
            show_reached=plan.mode is not Mode.BELUM, show_missing=plan.mode is not Mode.SUDAH,
            failed_posts=recap.failed_posts,
        )
    )  # fmt: skip


def _with_note(
    batch: Batch, chat: str, text: str, plan: Build, shown: int, total: int, posts: bool
) -> None:
    note = on_demand.mode_note(plan.mode, shown, total) if posts else None
    batch.text(chat, f"{text}\n\n{note}" if note else text, KIND)


async def _link_recap(
    conn: asyncpg.Connection, c: recaps.ClientRow, plan: Build, now: datetime
) -> str:
    """Links reported for the posts of today (or yesterday) up to now."""
    on_day = now - timedelta(days=1) if plan.period == "yesterday" else now
    posts = await scope_posts(
        conn, c.client_id, Platform.INSTAGRAM, wib_date(on_day), now, c.is_directorate
    )
    reported = await reported_links(conn, [(p.id, p.ref) for p in posts], now)
    recap = link_recap.LinkRecap(c.name, on_day, now, tuple(p.ref for p in posts), tuple(reported))
    return link_recap.render(recap)


async def _per_content(
    conn: asyncpg.Connection, c: recaps.ClientRow, plan: Build, now: datetime
) -> str:
    """Each of today's posts with who engaged and who did not (the mode picks the halves)."""
    platform = Platform(plan.platform or Platform.INSTAGRAM)
    posts = await scope_posts(conn, c.client_id, platform, wib_date(now), now, c.is_directorate)
    ids = [p.id for p in posts]
    people = await scope_attendance(conn, c.client_id, platform, ids, now, c.is_directorate)
    return per_content.render(
        per_content.PerContent(
            c.name, now, platform, tuple((p.id, p.ref) for p in posts), tuple(people),
            show_done=plan.mode is not Mode.BELUM, show_missing=plan.mode is not Mode.SUDAH,
        )
    )  # fmt: skip


def _kasatker_letter(settings: Settings, directorate: str) -> kasatker_report.Letter:
    """The letter parts configured for this directorate's scheduled Kasatker report, if any."""
    for key, job in settings.config.jobs.items():
        params = dict(job.params)
        reports = params.get("reports") or []
        if (
            str(params.get("directorate", "")).upper() == directorate
            and isinstance(reports, Collection)
            and "kasatker_report" in reports
        ):
            return kasatker_letter(key, params)
    return kasatker_report.Letter()


def _no_posts(name: str, platform: Platform | None, period: str = "") -> Text:
    names: dict[Platform | None, str] = {Platform.TIKTOK: "TikTok", Platform.INSTAGRAM: "Instagram"}
    what = names.get(platform, "Instagram maupun TikTok")
    when = f"pada periode {period}" if period else "hari ini"
    return Text(f"Tidak ada konten {what} pada akun official *{name}* {when}.")

"""The amplification reports to each amplification ORG client's operator (jobs.md §2).

- `amplify_daily_report` (21:07): the links reported for today's official IG posts, then for
  yesterday's, per platform (the menu's link recap, `layouts.link_recap`). A day without posts
  sends nothing; recap_log gets one entry per day sent (today: the job key, yesterday: the job
  key + `_yesterday`), done = posts with at least one link from that person.
- `amplify_monthly_excel` (cron `L`, the month's last day): the month's link reports per person
  as a workbook, then a text; a month without reports sends a short text instead.

A client without a valid operator number gets nothing; the outcome names it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import asyncpg

from cicero.db.amplify import client_link_reports, reported_links
from cicero.db.attendance import scope_posts, scope_staff
from cicero.db.outbox import enqueue
from cicero.db.recaps import ClientRow, RecapEntry, active_clients, log_recaps
from cicero.domain.attendance.rule import assess
from cicero.domain.delivery.outbox import MessageKind
from cicero.domain.layouts import amplify_monthly, link_recap
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB, to_wib, wib_date
from cicero.jobs.params import batch_for
from cicero.jobs.registry import JobContext
from cicero.reports.batch import recipients
from cicero.reports.xlsx import WorkbookError, attachment

KIND = MessageKind.OPERATOR_DIRECT


async def _amplify_clients(
    conn: asyncpg.Connection, notes: list[str]
) -> list[tuple[ClientRow, str]]:
    """(client, its operator's number) for each active amplification ORG client that has one."""
    out = []
    for c in await active_clients(conn, "ORG"):
        if not c.amplify_enabled:
            continue
        operator, bad = recipients(c.operator_wa)
        if operator:
            out.append((c, operator[0]))
        else:
            notes.append(f"{c.client_id}: {'bad' if bad else 'no'} operator number")
    return out


async def _day_recap(
    conn: asyncpg.Connection, c: ClientRow, on_day: datetime, now: datetime, report: str
) -> tuple[str, RecapEntry] | None:
    """The link recap of WIB day `on_day` and its evidence, or None for a day without posts."""
    posts = await scope_posts(conn, c.client_id, Platform.INSTAGRAM, wib_date(on_day), now, False)
    if not posts:
        return None
    reported = await reported_links(conn, [(p.id, p.ref) for p in posts], now)
    text = link_recap.render(
        link_recap.LinkRecap(c.name, on_day, now, tuple(p.ref for p in posts), tuple(reported))
    )
    linked = {(x.person.nrp, x.post.external_id) for x in reported if any(x.links)}
    people = tuple(
        assess(s.person, s.person.nrp,
               [p.id for p in posts if (s.person.nrp, p.ref.external_id) in linked], len(posts))
        for s in await scope_staff(conn, c.client_id, False)
    )  # fmt: skip
    posted = tuple(p.ref.external_id for p in posts)
    return text, RecapEntry(report, c.client_id, str(Platform.INSTAGRAM), posted, people)


async def amplify_daily_report(ctx: JobContext) -> str:
    batch, entries, notes = batch_for(ctx), list[RecapEntry](), list[str]()
    async with ctx.pool.acquire() as conn, conn.transaction():
        for c, operator in await _amplify_clients(conn, notes):
            for days_back, report in ((0, ctx.job), (1, f"{ctx.job}_yesterday")):
                on_day = ctx.fire_time - timedelta(days=days_back)
                built = await _day_recap(conn, c, on_day, ctx.now, report)
                if built is None:
                    notes.append(f"{c.client_id}: no posts on {wib_date(on_day)}")
                    continue
                text, entry = built
                batch.text(operator, text, KIND)
                entries.append(entry)
        await log_recaps(conn, ctx.job, ctx.fire_time, entries, ctx.now)
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{len(entries)} recaps, {len(batch.messages)} messages", *notes])


def month_window(t: datetime) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of t's WIB month."""
    first = to_wib(t).date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(0), WIB), datetime.combine(following, time(0), WIB)


async def amplify_monthly_excel(ctx: JobContext) -> str:
    start, end = month_window(ctx.fire_time)
    batch, notes, files = batch_for(ctx), list[str](), 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        for c, operator in await _amplify_clients(conn, notes):
            reports = await client_link_reports(conn, c.client_id, start, min(end, ctx.now))
            staff = tuple(s.person for s in await scope_staff(conn, c.client_id, False))
            month = amplify_monthly.AmplifyMonth(
                c.client_id, c.name, ctx.now, staff, tuple(reports)
            )
            if not reports:
                batch.text(operator, amplify_monthly.no_reports(month), KIND)
                continue
            try:
                book = attachment(amplify_monthly.workbook(month))
            except WorkbookError as err:
                notes.append(f"{c.client_id}: excel failed: {err}")
                batch.text(operator, "⚠️ File Excel rekap link amplifikasi gagal dibuat.", KIND)
                continue
            batch.file(operator, book, KIND)
            batch.text(operator, amplify_monthly.caption(month), KIND)
            files += 1
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{files} workbooks, {len(batch.messages)} messages", *notes])

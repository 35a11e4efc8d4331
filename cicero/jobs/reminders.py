"""personal_reminder (jobs.md §2.1, §3.7): opted-in staff of the `clients` param get what is
left of today's tasks, once per stage per day; state in `reminder_state`, written with the
outbox rows. Nothing on a day without posts."""

from __future__ import annotations

from cicero.db.attendance import ScopePost, scope_attendance, scope_posts
from cicero.db.outbox import enqueue
from cicero.db.recaps import client, opted_in_chats, record_reminder, reminder_rows
from cicero.domain.attendance import Attendance, Status
from cicero.domain.layouts.posts import PostRef
from cicero.domain.layouts.reminder import Reminder, render
from cicero.domain.outbox import MessageKind, Priority
from cicero.domain.reminders import ReminderRow, due, run_stage
from cicero.domain.timezone import wib_date
from cicero.domain.usernames import Platform
from cicero.jobs.messages import Batch, job_params
from cicero.jobs.registry import JobContext


def _todo(posts: list[ScopePost], a: Attendance | None) -> tuple[PostRef, ...]:
    if a is None or a.status is Status.SUDAH:
        return ()
    return tuple(p.ref for p in posts if p.id not in a.done_posts)


async def personal_reminder(ctx: JobContext) -> str:
    day = wib_date(ctx.fire_time)
    batch, notes, sent = Batch.for_run(ctx), [], 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        for client_id in job_params(ctx).get("clients", []):
            c = await client(conn, str(client_id))
            if c is None:
                notes.append(f"{client_id}: no such client")
                continue
            posts, people = {}, {}
            for platform in (Platform.INSTAGRAM, Platform.TIKTOK):
                ps = await scope_posts(conn, c.client_id, platform, day, ctx.now, c.is_directorate)
                att = await scope_attendance(
                    conn, c.client_id, platform, [p.id for p in ps], ctx.now, c.is_directorate
                )
                posts[platform], people[platform] = ps, {a.nrp: a for a in att}
            total = sum(len(ps) for ps in posts.values())
            if total == 0:
                notes.append(f"{c.client_id}: no posts today")
                continue
            rows = {
                chat: ReminderRow(*row)
                for chat, row in (await reminder_rows(conn, day, c.client_id)).items()
            }
            stage = run_stage(rows.values())
            chats = await opted_in_chats(conn, sorted(people[Platform.INSTAGRAM]))
            for nrp, chat in sorted(chats.items()):
                if not due(rows.get(chat), stage):
                    continue
                ig = people[Platform.INSTAGRAM][nrp]
                tt = people[Platform.TIKTOK].get(nrp)
                missing_tt = bool(posts[Platform.TIKTOK]) and not ig.person.tiktok
                reminder = Reminder(
                    pers=ig.person.pers, at=ctx.now, posts_today=total,
                    instagram_todo=_todo(posts[Platform.INSTAGRAM], ig),
                    tiktok_todo=() if missing_tt else _todo(posts[Platform.TIKTOK], tt),
                    tiktok_missing=missing_tt,
                )  # fmt: skip
                text = render(reminder)
                if text is None:
                    continue
                batch.text(chat, text, MessageKind.REMINDER, Priority.BROADCAST)
                complete = not (
                    reminder.instagram_todo or reminder.tiktok_todo or reminder.tiktok_missing
                )
                await record_reminder(
                    conn, day, chat, c.client_id, stage, complete, batch.messages[-1].key, ctx.now
                )
                sent += 1
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{sent} reminders", *notes])

"""personal_reminder (jobs.md §2.1, §3.7): opted-in staff of the `clients` param get what is
left of today's tasks, once per stage per day; state in `reminder_state`, written with the
outbox rows. Nothing on a day without posts."""

from __future__ import annotations

from cicero.db.attendance import ScopePost, scope_attendance, scope_chats, scope_posts
from cicero.db.outbox import enqueue
from cicero.db.recaps import ReminderSent, client, record_reminders, reminder_rows
from cicero.domain.attendance.reminders import ReminderRow, due, run_stage
from cicero.domain.attendance.rule import Attendance, Status
from cicero.domain.delivery.outbox import MessageKind, Priority
from cicero.domain.layouts.posts import PostRef
from cicero.domain.layouts.reminder import Reminder, render
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date
from cicero.jobs.params import batch_for, job_params
from cicero.jobs.registry import JobContext


def _todo(posts: list[ScopePost], a: Attendance | None) -> tuple[PostRef, ...]:
    if a is None or a.status is Status.SUDAH:
        return ()
    return tuple(p.ref for p in posts if p.id not in a.done_posts)


async def personal_reminder(ctx: JobContext) -> str:
    day = wib_date(ctx.fire_time)
    batch, notes, sent = batch_for(ctx), [], []
    async with ctx.pool.acquire() as conn, conn.transaction():
        for client_id in job_params(ctx).get("clients", []):
            c = await client(conn, str(client_id))
            if c is None:
                notes.append(f"{client_id}: no such client")
                continue
            posts = {
                platform: await scope_posts(
                    conn, c.client_id, platform, day, ctx.now, c.is_directorate
                )
                for platform in (Platform.INSTAGRAM, Platform.TIKTOK)
            }
            total = sum(len(ps) for ps in posts.values())
            if total == 0:
                notes.append(f"{c.client_id}: no posts today")
                continue
            # Only the opted-in people are counted: a few hundred of a directorate's thousands.
            chats = await scope_chats(conn, c.client_id, c.is_directorate)
            people = {}
            for platform, ps in posts.items():
                att = await scope_attendance(
                    conn, c.client_id, platform, [p.id for p in ps], ctx.now, c.is_directorate,
                    only=sorted(chats),
                )  # fmt: skip
                people[platform] = {a.nrp: a for a in att}
            rows = {
                chat: ReminderRow(*row)
                for chat, row in (await reminder_rows(conn, day, c.client_id)).items()
            }
            stage = run_stage(rows.values())
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
                key = batch.messages[-1].key
                sent.append(ReminderSent(chat, c.client_id, stage, complete, key))
        await record_reminders(conn, day, sent, ctx.now)
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{len(sent)} reminders", *notes])

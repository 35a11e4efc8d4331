"""task_broadcast (jobs.md §2.1, §3.1): after each ingestion until 17:15 WIB, each client's
group hears today's task list when its post set differs from the last one queued that day.

State is `broadcast_state(client, date, post_ids)`, written with the outbox row; posts absent
from it are marked [BARU] (all of them on the day's first broadcast). A newer broadcast
supersedes an unsent older one of the same client and day.
"""

from __future__ import annotations

from datetime import date, datetime, time

import asyncpg

from cicero.db.attendance import ScopePost, scope_posts
from cicero.db.outbox import enqueue
from cicero.db.recaps import ClientRow, active_clients, last_broadcast, record_broadcast
from cicero.domain.delivery.outbox import MessageKind, Priority
from cicero.domain.layouts.task_broadcast import TaskBroadcast, TaskPost, render
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import to_wib
from cicero.jobs.messages import Batch, job_params, recipients
from cicero.jobs.registry import JobContext


async def task_posts(
    conn: asyncpg.Connection, c: ClientRow, day: date, now: datetime
) -> dict[Platform, list[ScopePost]]:
    """Today's posts of each platform the client runs, with their engager counts (shared with
    the directorate menu's task message)."""
    return {
        platform: await scope_posts(conn, c.client_id, platform, day, now, c.is_directorate, True)
        if enabled
        else []
        for platform, enabled in (
            (Platform.INSTAGRAM, c.has_instagram),
            (Platform.TIKTOK, c.has_tiktok),
        )
    }


def task_message(
    c: ClientRow, posts: dict[Platform, list[ScopePost]], seen: set[int]
) -> TaskBroadcast:
    """§3.1 of those posts; a post missing from `seen` (the last broadcast's set) is [BARU]."""
    ig, tt = (
        tuple(TaskPost(p.ref, p.engagers, new=p.id not in seen) for p in posts[platform])
        for platform in (Platform.INSTAGRAM, Platform.TIKTOK)
    )
    return TaskBroadcast(c.name, ig, tt)


async def task_broadcast(ctx: JobContext) -> str:
    hh, mm = (int(x) for x in str(job_params(ctx).get("until", "17:15")).split(":"))
    fire = to_wib(ctx.fire_time)
    if fire.time() > time(hh, mm):
        return f"after {hh:02d}:{mm:02d} WIB: no broadcast"
    day = fire.date()
    batch, notes, sent = Batch.for_run(ctx), [], 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        for c in await active_clients(conn):
            posts = await task_posts(conn, c, day, ctx.now)
            current = sorted(p.id for ps in posts.values() for p in ps)
            if not current:
                continue
            last = await last_broadcast(conn, c.client_id, day)
            if last == set(current):
                continue
            group, bad = recipients(c.group_jid)
            if not group:
                notes.append(f"{c.client_id}: no group id" + (f" ({bad[0]!r})" if bad else ""))
                continue  # no state either: the list goes out once a group is set

            text = render(task_message(c, posts, last or set()))
            batch.text(
                group[0], text, MessageKind.GROUP_BROADCAST, Priority.BROADCAST,
                supersede_key=f"task_broadcast|{c.client_id}|{day.isoformat()}",
            )  # fmt: skip
            await record_broadcast(conn, c.client_id, day, current, ctx.fire_time, ctx.now)
            sent += 1
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{sent} broadcasts", *notes])

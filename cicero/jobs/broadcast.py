"""task_broadcast (jobs.md §2.1, §3.1): after each ingestion until 17:15 WIB, each client's
group hears today's task list when its post set differs from the last one queued that day.

State is `broadcast_state(client, date, post_ids)`, written with the outbox row; posts absent
from it are marked [BARU] (all of them on the day's first broadcast). A newer broadcast
supersedes an unsent older one of the same client and day.
"""

from __future__ import annotations

from datetime import time

from cicero.db.outbox import enqueue
from cicero.db.recaps import active_clients, last_broadcast, record_broadcast
from cicero.domain.delivery.outbox import MessageKind, Priority
from cicero.domain.layouts.task_broadcast import render
from cicero.domain.timezone import to_wib
from cicero.jobs.params import batch_for, job_params
from cicero.jobs.registry import JobContext
from cicero.reports.batch import recipients
from cicero.reports.task_broadcast import task_message, task_posts


async def task_broadcast(ctx: JobContext) -> str:
    hh, mm = (int(x) for x in str(job_params(ctx).get("until", "17:15")).split(":"))
    fire = to_wib(ctx.fire_time)
    if fire.time() > time(hh, mm):
        return f"after {hh:02d}:{mm:02d} WIB: no broadcast"
    day = fire.date()
    batch, notes, sent = batch_for(ctx), [], 0
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

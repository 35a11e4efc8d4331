"""ops_digest (jobs.md §2): the day's skipped/missed/failed fires and dead/in_doubt rows
(expired ones included: they are dead with an "expired" error), and the upstream requests
sent and spared per host, to the admins."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from cicero.db.outbox import enqueue
from cicero.db.upstream_hosts import load_hosts
from cicero.domain.delivery.outbox import MessageKind, Priority
from cicero.domain.ingestion.limits import calls_today, saved_today
from cicero.domain.layouts.ops_digest import Digest, RowIssue, RunIssue, UpstreamUse, render
from cicero.domain.runtime import job_parts
from cicero.domain.timezone import WIB, wib_date
from cicero.jobs.params import batch_for
from cicero.jobs.registry import JobContext
from cicero.reports.batch import recipients


async def ops_digest(ctx: JobContext) -> str:
    start = datetime.combine(wib_date(ctx.fire_time), time(0), tzinfo=WIB)
    end = start + timedelta(days=1)
    admins, bad = recipients(ctx.settings.admin_numbers)
    batch = batch_for(ctx)
    async with ctx.pool.acquire() as conn, conn.transaction():
        runs = await conn.fetch(
            """SELECT job_key, fire_time, status, reason FROM job_run
                WHERE fire_time >= $1 AND fire_time < $2
                  AND status IN ('skipped', 'missed', 'failed')
                  AND position($3 IN job_key) = 0  -- a job's parts: its own row says it all
                ORDER BY fire_time, job_key""",
            start,
            end,
            job_parts.SEPARATOR,
        )
        rows = await conn.fetch(
            """SELECT coalesce(job, '') AS job, recipient, status, error FROM outbox
                WHERE created_at >= $1 AND created_at < $2 AND status IN ('dead', 'in_doubt')
                ORDER BY id""",
            start,
            end,
        )
        day = wib_date(ctx.fire_time)
        hosts = await load_hosts(conn)
        digest = Digest(
            at=ctx.now,
            runs=tuple(
                RunIssue(r["job_key"], r["fire_time"], r["status"], r["reason"]) for r in runs
            ),
            rows=tuple(RowIssue(r["job"], r["recipient"], r["status"], r["error"]) for r in rows),
            upstream=tuple(
                UpstreamUse(name, calls_today(h.state, day), saved_today(h.state, day))
                for name, h in hosts.items()
            ),
        )
        text = render(digest)
        for to in admins:
            batch.text(to, text, MessageKind.ADMIN_NOTICE, Priority.RECAP)
        await enqueue(conn, batch.messages, ctx.now)
    notes = [f"bad admin number {b!r}" for b in bad] + ([] if admins else ["no admin numbers"])
    return "; ".join([f"{len(runs)} run issues, {len(rows)} row issues to {len(admins)}", *notes])

"""amplify_recap (jobs.md §2, §3.8): for each amplification ORG client, who reported links for
today's official IG posts; to its operator, supers and group (admins with `copy_admins`)."""

from __future__ import annotations

from cicero.db.outbox import enqueue
from cicero.db.recaps import RecapEntry, active_clients, empty_recap_logged, log_recaps
from cicero.domain.delivery.outbox import MessageKind
from cicero.domain.layouts.amplification import render
from cicero.domain.timezone import wib_date
from cicero.jobs.params import batch_for, job_params
from cicero.jobs.registry import JobContext
from cicero.reports.amplification import amplify_recap_for
from cicero.reports.batch import recipients


async def amplify_recap(ctx: JobContext) -> str:
    params = job_params(ctx)
    admins = ctx.settings.admin_numbers if params.get("copy_admins", False) else ()
    day = wib_date(ctx.fire_time)
    batch, entries, notes = batch_for(ctx), [], []
    async with ctx.pool.acquire() as conn, conn.transaction():
        for c in await active_clients(conn, "ORG"):
            if not c.amplify_enabled:
                continue
            posts, recap = await amplify_recap_for(conn, c, day, ctx.now)
            everyone, bad = recipients(c.operator_wa, c.super_wa, c.group_jid, admins)
            notes += [f"{c.client_id}: bad recipient {b!r}" for b in bad]
            if posts:
                targets = everyone
            elif await empty_recap_logged(
                conn, ctx.job, c.client_id, "instagram", day, ctx.fire_time
            ):
                targets = []
            else:  # "no content" once a day, to the group, else the operator
                targets = recipients(c.group_jid or c.operator_wa)[0]
            text = render(recap)
            for to in targets:
                kind = (
                    MessageKind.GROUP_BROADCAST
                    if to.endswith("@g.us")
                    else MessageKind.OPERATOR_DIRECT
                )
                batch.text(to, text, kind)
            entries.append(
                RecapEntry(
                    ctx.job, c.client_id, "instagram", tuple(p.ref.external_id for p in posts),
                    tuple(p.attendance for p in recap.people) if posts else (),
                )
            )  # fmt: skip
        await log_recaps(conn, ctx.job, ctx.fire_time, entries, ctx.now)
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{len(entries)} recaps, {len(batch.messages)} messages", *notes])

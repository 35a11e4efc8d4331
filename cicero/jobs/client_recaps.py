"""org_engagement_recap (jobs.md §2, §3.2-3.3): each ORG client's likes, then comments recap,
to its group, operator and supers. "No content" goes to the group only, once a day."""

from __future__ import annotations

from cicero.db.outbox import enqueue
from cicero.db.recaps import (
    ClientRow,
    RecapEntry,
    active_clients,
    empty_recaps_logged,
    log_recaps,
)
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date
from cicero.jobs.params import batch_for, job_params
from cicero.jobs.registry import JobContext
from cicero.reports.batch import recipients
from cicero.reports.client_recap import RENDER, client_recaps


def _counts(c: ClientRow, platform: Platform) -> bool:
    return c.has_instagram if platform is Platform.INSTAGRAM else c.has_tiktok


async def org_engagement_recap(ctx: JobContext) -> str:
    ratio = job_params(ctx).get("done_ratio", 1)
    day = wib_date(ctx.fire_time)
    batch, entries, notes = batch_for(ctx), [], []
    async with ctx.pool.acquire() as conn, conn.transaction():
        clients = await active_clients(conn, "ORG")
        built = {
            platform: await client_recaps(
                conn, [c for c in clients if _counts(c, platform)], platform, day, ctx.now, ratio
            )
            for platform in RENDER
        }
        # Whose "no content" the group already heard today, asked only when someone has none.
        told = (
            await empty_recaps_logged(conn, ctx.job, day, ctx.fire_time)
            if any(not posts for recaps in built.values() for posts, _ in recaps.values())
            else set()
        )
        for c in clients:
            everyone, bad = recipients(c.group_jid, c.operator_wa, c.super_wa)
            notes += [f"{c.client_id}: bad recipient {b!r}" for b in bad]
            if not c.group_jid:
                notes.append(f"{c.client_id}: no group id")
            for platform, render in RENDER.items():
                if c.client_id not in built[platform]:
                    continue
                posts, recap = built[platform][c.client_id]
                text = render(recap)
                if posts:
                    targets = everyone
                elif (c.client_id, str(platform)) in told:
                    targets = []  # the group already heard "no content" today
                else:
                    targets, _ = recipients(c.group_jid)
                for to in targets:
                    batch.text(to, text)
                entries.append(
                    RecapEntry(
                        ctx.job, c.client_id, str(platform),
                        tuple(p.ref.external_id for p in posts), recap.people,
                    )
                )  # fmt: skip
        await log_recaps(conn, ctx.job, ctx.fire_time, entries, ctx.now)
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{len(entries)} recaps, {len(batch.messages)} messages", *notes])

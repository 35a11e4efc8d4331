"""org_engagement_recap (jobs.md §2, §3.2-3.3): each ORG client's likes, then comments recap,
to its group, operator and supers. "No content" goes to the group only, once a day."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from cicero.db.attendance import ENGAGEMENT_KIND, ScopePost, scope_attendance, scope_posts
from cicero.db.outbox import enqueue
from cicero.db.recaps import (
    ClientRow,
    RecapEntry,
    active_clients,
    empty_recap_logged,
    failed_fetches,
    log_recaps,
)
from cicero.domain.attendance import FULL, Ratio
from cicero.domain.layouts.client_recap import ClientRecap, render_comments, render_likes
from cicero.domain.timezone import wib_date
from cicero.domain.usernames import Platform
from cicero.jobs.messages import Batch, job_params, recipients
from cicero.jobs.registry import JobContext


async def client_recap(
    conn: asyncpg.Connection,
    c: ClientRow,
    platform: Platform,
    day: date,
    now: datetime,
    ratio: Ratio = FULL,
) -> tuple[list[ScopePost], ClientRecap]:
    """An ORG client's §3.2/§3.3 recap input for WIB day `day`, counted up to `now` (shared
    with the on-demand menu reports)."""
    posts = await scope_posts(conn, c.client_id, platform, day, now, False)
    ids = [p.id for p in posts]
    people = await scope_attendance(conn, c.client_id, platform, ids, now, False, ratio)
    failed = (
        await failed_fetches(conn, ids, ENGAGEMENT_KIND[platform])
        if platform is Platform.TIKTOK
        else set()
    )
    recap = ClientRecap(
        client_name=c.name,
        at=now,
        posts=tuple(p.ref for p in posts),
        people=tuple(people) if posts else (),
        done_ratio=ratio,
        failed_posts=tuple(p.ref.external_id for p in posts if p.id in failed),
    )
    return posts, recap


async def org_engagement_recap(ctx: JobContext) -> str:
    ratio = job_params(ctx).get("done_ratio", 1)
    day = wib_date(ctx.fire_time)
    batch, entries, notes = Batch.for_run(ctx), [], []
    async with ctx.pool.acquire() as conn, conn.transaction():
        for c in await active_clients(conn, "ORG"):
            everyone, bad = recipients(c.group_jid, c.operator_wa, c.super_wa)
            notes += [f"{c.client_id}: bad recipient {b!r}" for b in bad]
            if not c.group_jid:
                notes.append(f"{c.client_id}: no group id")
            for platform, render in (
                (Platform.INSTAGRAM, render_likes),
                (Platform.TIKTOK, render_comments),
            ):
                if not (c.has_instagram if platform is Platform.INSTAGRAM else c.has_tiktok):
                    continue
                posts, recap = await client_recap(conn, c, platform, day, ctx.now, ratio)
                text = render(recap)
                if posts:
                    targets = everyone
                elif await empty_recap_logged(
                    conn, ctx.job, c.client_id, str(platform), day, ctx.fire_time
                ):
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

"""amplify_recap (jobs.md §2, §3.8): for each amplification ORG client, who reported links for
today's official IG posts; to its operator, supers and group (admins with `copy_admins`)."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from cicero.db.amplify import link_counts
from cicero.db.attendance import ScopePost, scope_attendance, scope_posts
from cicero.db.outbox import enqueue
from cicero.db.recaps import ClientRow, RecapEntry, active_clients, empty_recap_logged, log_recaps
from cicero.domain.attendance.rule import assess
from cicero.domain.delivery.outbox import MessageKind
from cicero.domain.layouts.amplification import AmplifyPerson, AmplifyRecap, render
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date
from cicero.jobs.messages import Batch, job_params, recipients
from cicero.jobs.registry import JobContext


async def amplify_recap_for(
    conn: asyncpg.Connection, c: ClientRow, day: date, now: datetime
) -> tuple[list[ScopePost], AmplifyRecap]:
    """An amplification client's §3.8 input for WIB day `day`, counted up to `now` (shared
    with the on-demand menu reports)."""
    posts = await scope_posts(conn, c.client_id, Platform.INSTAGRAM, day, now, False)
    ids = [p.id for p in posts]
    staff = await scope_attendance(conn, c.client_id, Platform.INSTAGRAM, ids, now, False)
    reported = await link_counts(conn, ids, day, now)
    people = []
    for a in staff:
        done, links = reported.get(a.nrp, ((), 0))
        # No handle is needed to report links: the nrp stands in for it.
        people.append(AmplifyPerson(assess(a.person, a.nrp, done, len(ids)), links))
    return posts, AmplifyRecap(c.name, now, tuple(p.ref for p in posts), tuple(people))


async def amplify_recap(ctx: JobContext) -> str:
    params = job_params(ctx)
    admins = ctx.settings.admin_numbers if params.get("copy_admins", False) else ()
    day = wib_date(ctx.fire_time)
    batch, entries, notes = Batch.for_run(ctx), [], []
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

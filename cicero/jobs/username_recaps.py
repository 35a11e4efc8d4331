"""The staff data jobs (jobs.md §2): who has registered their Instagram and TikTok usernames.

- `incomplete_data_recap`: for each client of `params.clients` (default: the configured
  directorates), who lacks a username, per division, to the admins and the client's supers and
  operator. Nothing is sent for a client whose staff all have both (old: DITSAMAPTA only).
- `username_completeness_recap`: for each active ORG client with IG or TikTok on, everyone's
  Lengkap/Kurang/Belum per division, to the client's group; none without a group id.

A client with no counted staff gets nothing (the outcome says so): a report of zero people
would only be noise in a group.
"""

from __future__ import annotations

from cicero.db.attendance import scope_staff
from cicero.db.outbox import enqueue
from cicero.db.recaps import active_clients, client, client_names
from cicero.domain.delivery.outbox import MessageKind
from cicero.domain.layouts.username_data import StaffData, render_completeness, render_incomplete
from cicero.jobs.params import batch_for, job_params
from cicero.jobs.registry import JobContext
from cicero.reports.batch import recipients


async def incomplete_data_recap(ctx: JobContext) -> str:
    params = job_params(ctx)
    scopes = params.get("clients") or [d.id for d in ctx.settings.config.directorates]
    if not isinstance(scopes, list) or not all(isinstance(c, str) for c in scopes):
        raise ValueError(f"jobs.{ctx.job}.params.clients: give a list of client ids")
    batch, notes, sent = batch_for(ctx), [], 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        names = await client_names(conn)
        for scope in dict.fromkeys(c.upper() for c in scopes):
            c = await client(conn, scope)
            if c is None:
                notes.append(f"{scope}: no client row")
                continue
            people = tuple(s.person for s in await scope_staff(conn, scope, c.is_directorate))
            text = render_incomplete(StaffData(scope, c.name, ctx.now, people, names))
            if text is None:
                notes.append(f"{scope}: {'nobody counted' if not people else 'all complete'}")
                continue
            targets, bad = recipients(ctx.settings.admin_numbers, c.super_wa, c.operator_wa)
            notes += [f"{scope}: bad recipient {b!r}" for b in bad]
            for to in targets:
                batch.text(to, text, MessageKind.OPERATOR_DIRECT)
            sent += 1
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{sent} recaps, {len(batch.messages)} messages", *notes])


async def username_completeness_recap(ctx: JobContext) -> str:
    batch, notes, sent = batch_for(ctx), [], 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        names = await client_names(conn)
        for c in await active_clients(conn, "ORG"):
            if not (c.has_instagram or c.has_tiktok):
                continue
            groups, bad = recipients(c.group_jid)
            if not groups:
                notes.append(f"{c.client_id}: {'bad' if bad else 'no'} group id")
                continue
            people = tuple(s.person for s in await scope_staff(conn, c.client_id, False))
            if not people:
                notes.append(f"{c.client_id}: nobody counted")
                continue
            text = render_completeness(StaffData(c.client_id, c.name, ctx.now, people, names))
            batch.text(groups[0], text, MessageKind.GROUP_BROADCAST)
            sent += 1
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join([f"{sent} recaps, {len(batch.messages)} messages", *notes])

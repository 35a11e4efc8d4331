"""Fetches asked from the menus (`TriggerFetch`): queued by the router's step, run by an ingestor.

`queue` runs in the step's transaction: the request becomes a queued `job_run` row (its key
from `cicero.domain.ingestion.manual_fetch`), or, when nothing can be fetched, a plain answer. The router
then tells an ingestor; `execute` (in that actor) claims the row, fetches that one client's
stages and answers the chat with what came in, then the report the request named. Answers
are keyed from the incoming message (parts from FETCH_PART on), so a rerun writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import asyncpg

from cicero.conversations import reports
from cicero.db import ledger, recaps
from cicero.db.inbox import InboxMessage
from cicero.db.ingest_runs import active_clients
from cicero.db.outbox import NewMessage, enqueue
from cicero.domain.ingestion import manual_fetch
from cicero.domain.ingestion.manual_fetch import FetchRequest
from cicero.domain.menus.model import BuildReport, TriggerFetch
from cicero.jobs.ingest import IngestOptions, ingest
from cicero.jobs.messages import Batch
from cicero.jobs.registry import JobContext

FETCH_PART = 40  # after the menu reply (1) and the reports built in the step (10…)
PAUSE_KEY = "ingest_social"  # pausing ingestion pauses the fetches asked from menus too
UNKNOWN = "❌ Permintaan pengambilan data tidak dikenali. Hubungi admin."


async def queue(
    conn: asyncpg.Connection, requests: Sequence[TriggerFetch], m: InboxMessage, now: datetime
) -> tuple[list[NewMessage], list[str]]:
    """Queue each request in the ledger (same transaction as the step); immediate answers
    for those that cannot run, and the ledger keys to dispatch once committed."""
    if not requests:
        return [], []
    batch = reports.reply_batch(m.session, m.message_id, now, FETCH_PART)
    keys: list[str] = []
    flags = {c.client_id: c.flags for c in await active_clients(conn)}
    for t in requests:
        req = manual_fetch.request_for(t, m.session, m.chat, m.message_id, now)
        checked = UNKNOWN if req is None else manual_fetch.runnable(req, flags.get(t.client))
        if isinstance(checked, str):
            batch.text(m.chat, checked, reports.KIND)
            continue
        key = manual_fetch.ledger_key(checked)
        await ledger.enqueue(conn, key, now)
        keys.append(key)
    return batch.messages, keys


async def queued(conn: asyncpg.Connection) -> list[tuple[str, datetime]]:
    """Requests still queued (a restart came between the step and the ingestor's claim)."""
    return [(k, t) for k, t in await ledger.load_queued(conn) if manual_fetch.is_key(k)]


async def open_keys(conn: asyncpg.Connection, keys: Sequence[str]) -> set[str]:
    """Those of these requests still queued or running."""
    rows = await conn.fetch(
        """SELECT job_key FROM job_run WHERE job_key = ANY($1::text[])
              AND status IN ('queued', 'running')""",
        list(keys),
    )
    return {r["job_key"] for r in rows}


async def execute(ctx: JobContext, worker: str, lease: timedelta) -> str | None:
    """Claim and run the request whose ledger key is `ctx.job` (fire time: when it was asked).
    Returns the session with new rows to send, None when there is nothing to say (another
    worker has it, or it ran already)."""
    req = manual_fetch.from_key(ctx.job, ctx.fire_time)
    if req is None:
        ctx.log.warning("not a fetch request: %r", ctx.job)
        return None
    async with ctx.pool.acquire() as conn:
        claim = await ledger.claim(
            conn, ctx.job, ctx.fire_time, worker, ctx.now, lease, pause_key=PAUSE_KEY
        )
    if not claim.won:
        if claim.reason != "paused":
            return None
        await answer_unrun(ctx.pool, req, manual_fetch.paused_text, ctx.now)
        return req.session
    if manual_fetch.expired(req, ctx.now):
        await _finish(ctx, worker, "missed", "asked too long ago")
        await answer_unrun(ctx.pool, req, manual_fetch.expired_text, ctx.now)
        return req.session
    try:
        reason = await run(ctx, req)
    except Exception as err:  # recorded and answered, then the actor crashes (let it crash)
        await _finish(ctx, worker, "failed", f"{type(err).__name__}: {err}"[:500])
        await answer_unrun(ctx.pool, req, manual_fetch.failed_text, ctx.now)
        raise
    await _finish(ctx, worker, "done", reason)
    return req.session


async def _finish(ctx: JobContext, worker: str, status: str, reason: str) -> None:
    async with ctx.pool.acquire() as conn:
        await ledger.finish(conn, ctx.job, ctx.fire_time, worker, status, reason, ctx.now)


async def run(ctx: JobContext, req: FetchRequest) -> str:
    """Fetch the request's stages for its client, then answer; returns the ledger reason.
    `ctx.job` is the request's ledger key, `ctx.fire_time` when it was asked."""
    results = await ingest(
        ctx, IngestOptions(sleep=ctx.sleep), req.platforms, req.client, req.work()
    )
    async with ctx.pool.acquire() as conn, conn.transaction():
        name = await _name(conn, req.client)
        batch = _batch(req, ctx.now)
        batch.text(req.chat, manual_fetch.summary(name, req, results), reports.KIND)
        if req.then_report:
            platform = req.platforms[0].value if len(req.platforms) == 1 else None
            then = BuildReport(req.then_report, req.client, platform)
            await reports.add_report(conn, ctx.settings, then, batch, req.chat, ctx.now)
        await enqueue(conn, batch.messages, ctx.now)
    failed = sum(r.failed for r in results)
    return f"{len(results)} stages, {failed} failed, answered {req.chat}"


async def answer_unrun(
    pool: asyncpg.Pool, req: FetchRequest, text_for: Callable[[str], str], now: datetime
) -> None:
    """Tell the chat its request will not run (paused, or too old after a restart)."""
    async with pool.acquire() as conn, conn.transaction():
        batch = _batch(req, now)
        batch.text(req.chat, text_for(await _name(conn, req.client)), reports.KIND)
        await enqueue(conn, batch.messages, now)


def _batch(req: FetchRequest, now: datetime) -> Batch:
    return reports.reply_batch(req.session, req.message_id, now, FETCH_PART)


async def _name(conn: asyncpg.Connection, client_id: str) -> str:
    c = await recaps.client(conn, client_id)
    return c.name if c else client_id

"""A fetch asked from a menu, run by an ingestor like a job (cicero.conversations.fetches
queues it in the ledger): `execute` claims the request's row, fetches that one client's stages
and answers the chat with what came in, then the report the request named. Answers are keyed
from the incoming message (parts from FETCH_PART on), so a rerun writes nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg

from cicero.db import ledger, recaps
from cicero.db.outbox import enqueue
from cicero.domain.ingestion import manual_fetch
from cicero.domain.ingestion.manual_fetch import FetchRequest
from cicero.domain.menus.model import BuildReport
from cicero.domain.runtime.names import RunStatus
from cicero.jobs.ingest import IngestOptions, ingest
from cicero.jobs.registry import JobContext
from cicero.reports import on_demand as reports
from cicero.reports.batch import Batch

PAUSE_KEY = "ingest_social"  # pausing ingestion pauses the fetches asked from menus too


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
        await _finish(ctx, worker, RunStatus.MISSED, "asked too long ago")
        await answer_unrun(ctx.pool, req, manual_fetch.expired_text, ctx.now)
        return req.session
    if manual_fetch.out_of_tries(claim.attempts):
        tries = claim.attempts - 1
        await _finish(ctx, worker, RunStatus.FAILED, f"its ingestor stopped during {tries} tries")
        await answer_unrun(ctx.pool, req, manual_fetch.failed_text, ctx.now)
        return req.session
    try:
        reason = await run(ctx, req)
    except Exception as err:  # recorded and answered, then the actor crashes (let it crash)
        await _finish(ctx, worker, RunStatus.FAILED, f"{type(err).__name__}: {err}"[:500])
        await answer_unrun(ctx.pool, req, manual_fetch.failed_text, ctx.now)
        raise
    await _finish(ctx, worker, RunStatus.DONE, reason)
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
    return reports.reply_batch(req.session, req.message_id, now, reports.FETCH_PART)


async def _name(conn: asyncpg.Connection, client_id: str) -> str:
    c = await recaps.client(conn, client_id)
    return c.name if c else client_id

"""A job registry for tests: handlers that really touch the database."""

from __future__ import annotations

import asyncio

from cicero.db.outbox import NewMessage, enqueue
from cicero.domain.delivery.outbox import outbox_key
from cicero.jobs.registry import JobContext, JobHandler, Registry


async def probe(ctx: JobContext) -> str:
    async with ctx.pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS probe_hits (job text, fire_time timestamptz, at timestamptz)"
        )
        await conn.execute(
            "INSERT INTO probe_hits VALUES ($1, $2, $3)", ctx.job, ctx.fire_time, ctx.now
        )
    return "probed"


async def explode(ctx: JobContext) -> str:
    raise RuntimeError("upstream said no")


async def fanout(ctx: JobContext) -> str:
    """Queue `count` messages to distinct numbers from `session`, in the run's transaction."""
    params = ctx.settings.config.jobs[ctx.job].params
    count, session = int(params["count"]), str(params.get("session", "gateway"))
    messages = [
        NewMessage(
            key=outbox_key(ctx.job, ctx.fire_time, f"62812{i:08d}"),
            session=session,
            recipient=f"62812{i:08d}",
            kind="group_broadcast",
            body=f"Pesan {i} untuk {ctx.fire_time:%H:%M}",
            job=ctx.job,
            fire_time=ctx.fire_time,
        )
        for i in range(count)
    ]
    async with ctx.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, messages, ctx.now)
    return f"{count} queued"


async def linger(ctx: JobContext) -> str:
    """The first try of a fire time stays busy (long enough to be killed); later ones end."""
    async with ctx.pool.acquire() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS linger_tries (fire_time timestamptz)")
        await conn.execute("INSERT INTO linger_tries VALUES ($1)", ctx.fire_time)
        tries = await conn.fetchval(
            "SELECT count(*) FROM linger_tries WHERE fire_time = $1", ctx.fire_time
        )
    if tries == 1:
        await asyncio.sleep(120)
    return f"try {tries}"


async def noop(ctx: JobContext) -> str:
    return ""


def registry() -> Registry:
    return Registry(
        [
            JobHandler("probe", probe),
            JobHandler("gated", probe),
            JobHandler("chained", probe),
            JobHandler("explode", explode),
            JobHandler("noop", noop),
            JobHandler("linger", linger),
            JobHandler("fanout", fanout),
            JobHandler("fanout_evening", fanout),
        ]
    )

"""A job registry for tests: handlers that really touch the database."""

from __future__ import annotations

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
        ]
    )

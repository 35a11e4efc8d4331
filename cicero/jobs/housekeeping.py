"""Housekeeping: purge runtime rows older than their retention period (jobs.md §2)."""

from __future__ import annotations

from datetime import timedelta

from cicero.jobs.registry import JobContext


async def housekeeping(ctx: JobContext) -> str:
    keep = ctx.settings.config.retention
    counts = {}
    async with ctx.pool.acquire() as conn, conn.transaction():
        counts["job_run"] = await _purge(
            conn,
            "DELETE FROM job_run WHERE fire_time < $1 AND status <> 'running'",
            ctx.now - timedelta(days=keep.ledger_days),
        )
        counts["outbox"] = await _purge(
            conn,
            "DELETE FROM outbox WHERE created_at < $1 AND status IN ('sent', 'dead', 'in_doubt')",
            ctx.now - timedelta(days=keep.outbox_days),
        )
        counts["inbox"] = await _purge(
            conn,
            "DELETE FROM inbox WHERE received_at < $1 AND handled_at IS NOT NULL",
            ctx.now - timedelta(days=keep.inbox_days),
        )
    return ", ".join(f"{table} -{n}" for table, n in counts.items())


async def _purge(conn, sql: str, before) -> int:  # type: ignore[no-untyped-def]
    result = await conn.execute(sql, before)
    return int(result.split()[-1])

"""The job ledger: one `job_run` row per (job, fire time), claimed before the work starts.

Times are passed in (the virtual clock in simulation), never read from the server,
so a simulated day and a real one follow the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from cicero.domain.runtime.names import RunStatus
from cicero.domain.timezone import to_wib


@dataclass(frozen=True)
class Claim:
    won: bool
    reason: str = ""  # why not: done already, held by another worker, overlap, paused
    attempts: int = 0


async def claim(
    conn: asyncpg.Connection,
    job: str,
    fire_time: datetime,
    worker: str,
    now: datetime,
    lease: timedelta,
    pause_key: str | None = None,
) -> Claim:
    """Claim (job, fire_time) for `worker`. Exactly one claimer wins; an expired lease is taken over.

    In the same transaction: a paused job is recorded skipped, and a job with
    another fire time still running under a live lease is recorded skipped (overlap).
    A part of a job (`job/part`) is paused by pausing its job: `pause_key`.
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('job:' || $1))", job)
        paused = pause_key or job
        if await conn.fetchval("SELECT 1 FROM job_pause WHERE job_key = $1", paused):
            await _settle(conn, job, fire_time, "skipped", "paused", now)
            return Claim(False, "paused")
        busy = await conn.fetchval(
            """SELECT fire_time FROM job_run
               WHERE job_key = $1 AND status = 'running' AND fire_time <> $2 AND lease_until > $3""",
            job,
            fire_time,
            now,
        )
        if busy is not None:
            reason = f"overlap: still running {to_wib(busy).isoformat()}"
            await _settle(conn, job, fire_time, "skipped", reason, now)
            return Claim(False, reason)
        attempts = await conn.fetchval(
            """INSERT INTO job_run (job_key, fire_time, status, claimed_by, claimed_at, lease_until, attempts)
               VALUES ($1, $2, 'running', $3, $4::timestamptz, $4::timestamptz + $5::interval, 1)
               ON CONFLICT (job_key, fire_time) DO UPDATE
                 SET status = 'running', claimed_by = EXCLUDED.claimed_by, claimed_at = EXCLUDED.claimed_at,
                     lease_until = EXCLUDED.lease_until, attempts = job_run.attempts + 1
                 WHERE job_run.status = 'queued'
                    OR (job_run.status = 'running' AND job_run.lease_until <= $4::timestamptz)
               RETURNING attempts""",
            job,
            fire_time,
            worker,
            now,
            lease,
        )
        if attempts is None:
            status = await conn.fetchval(
                "SELECT status FROM job_run WHERE job_key = $1 AND fire_time = $2", job, fire_time
            )
            return Claim(False, f"already {status}")
        return Claim(True, attempts=attempts)


async def finish(
    conn: asyncpg.Connection,
    job: str,
    fire_time: datetime,
    worker: str,
    status: str,
    reason: str,
    now: datetime,
) -> bool:
    """Close a claimed run. False when the claim was lost (taken over after the lease)."""
    result = await conn.execute(
        """UPDATE job_run SET status = $4, reason = $5, finished_at = $6
           WHERE job_key = $1 AND fire_time = $2 AND claimed_by = $3 AND status = 'running'""",
        job,
        fire_time,
        worker,
        status,
        reason,
        now,
    )
    return result.endswith(" 1")


async def _settle(
    conn: asyncpg.Connection, job: str, fire_time: datetime, status: str, reason: str, now: datetime
) -> None:
    await conn.execute(
        """INSERT INTO job_run (job_key, fire_time, status, reason, finished_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (job_key, fire_time) DO UPDATE
             SET status = EXCLUDED.status, reason = EXCLUDED.reason, finished_at = EXCLUDED.finished_at
             WHERE job_run.status = 'queued'""",
        job,
        fire_time,
        status,
        reason,
        now,
    )


async def record(
    conn: asyncpg.Connection, job: str, fire_time: datetime, status: str, reason: str, now: datetime
) -> None:
    """A fire time that ends without running (missed, skipped: disabled or overlap, given up).

    A `failed` record only closes a run still open; a queued run that is missed or
    skipped later is closed too; finished runs are never overwritten.
    """
    if status == RunStatus.FAILED:
        await conn.execute(
            """UPDATE job_run SET status = 'failed', reason = $3, finished_at = $4
               WHERE job_key = $1 AND fire_time = $2 AND status IN ('queued', 'running')""",
            job,
            fire_time,
            reason,
            now,
        )
        return
    await _settle(conn, job, fire_time, status, reason, now)


async def requeue(conn: asyncpg.Connection, job: str, fire_time: datetime, reason: str) -> None:
    """A crashed run will be tried again: its row is claimable once more (a row that
    reached its end meanwhile is left alone)."""
    await conn.execute(
        """UPDATE job_run SET status = 'queued', reason = $3, claimed_by = NULL, lease_until = NULL
           WHERE job_key = $1 AND fire_time = $2 AND status IN ('queued', 'running')""",
        job,
        fire_time,
        reason,
    )


async def claimed_by(conn: asyncpg.Connection, job: str, fire_time: datetime) -> str | None:
    """Who holds a run that is `running` (None when it is not running)."""
    value: str | None = await conn.fetchval(
        "SELECT claimed_by FROM job_run WHERE job_key = $1 AND fire_time = $2 AND status = 'running'",
        job,
        fire_time,
    )
    return value


async def enqueue(conn: asyncpg.Connection, job: str, fire_time: datetime) -> None:
    """The clock owes this run: record it before sending, so a crash cannot lose it."""
    await conn.execute(
        """INSERT INTO job_run (job_key, fire_time, status) VALUES ($1, $2, 'queued')
           ON CONFLICT (job_key, fire_time) DO NOTHING""",
        job,
        fire_time,
    )


async def load_queued(conn: asyncpg.Connection) -> list[tuple[str, datetime]]:
    rows = await conn.fetch("SELECT job_key, fire_time FROM job_run WHERE status = 'queued'")
    return [(r["job_key"], r["fire_time"]) for r in rows]


async def load_cursors(conn: asyncpg.Connection) -> dict[str, datetime]:
    rows = await conn.fetch("SELECT job_key, handled_through FROM job_cursor")
    return {r["job_key"]: r["handled_through"] for r in rows}


async def advance_cursor(conn: asyncpg.Connection, job: str, through: datetime) -> None:
    await conn.execute(
        """INSERT INTO job_cursor (job_key, handled_through) VALUES ($1, $2)
           ON CONFLICT (job_key) DO UPDATE
             SET handled_through = GREATEST(job_cursor.handled_through, EXCLUDED.handled_through)""",
        job,
        through,
    )


async def last_outcomes(conn: asyncpg.Connection) -> dict[str, dict[str, str]]:
    """Each job's last outcome; the fetches asked from menus (one key per request, holding the
    asking chat) as one entry, `manual_fetch`, their latest."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (job) job, fire_time, status, reason
           FROM (SELECT CASE WHEN job_key LIKE 'manual\\_fetch/%' THEN 'manual_fetch'
                             ELSE job_key END AS job, fire_time, status, reason
                   FROM job_run WHERE status NOT IN ('queued', 'running')) AS settled
           ORDER BY job, fire_time DESC"""
    )
    return {
        r["job"]: {
            "fire_time": r["fire_time"].isoformat(),
            "status": r["status"],
            "reason": r["reason"],
        }
        for r in rows
    }

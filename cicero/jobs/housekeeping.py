"""Housekeeping (jobs.md §2): every table's retention rule (cicero.domain.runtime.retention),
applied once a day. Engagement older than `retention.engagement_days` is compacted day by day
(cicero.db.compaction), each day in its own transaction; the purges follow, one statement per
table, each in its own transaction, so one that fails leaves the others done."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from cicero.db.compaction import compact_day, days_to_compact
from cicero.domain.runtime.retention import COMPACTED, purged
from cicero.domain.timezone import wib_date
from cicero.jobs.registry import JobContext

# Per table: the statement deleting what is older than $1, an instant (tables dated by WIB
# day compare with its WIB date, data.md's SQL form of wib_date). Only finished rows go: a running ledger row, a
# pending outbox row, an unhandled inbox row, a pending OTP code stay whatever their age.
_DAY = "($1::timestamptz AT TIME ZONE 'Asia/Jakarta')::date"
PURGES = {
    "engagement_fetch": "DELETE FROM engagement_fetch WHERE started_at < $1",
    "ingest_run": "DELETE FROM ingest_run WHERE started_at < $1 AND outcome <> 'running'",
    "job_run": "DELETE FROM job_run WHERE fire_time < $1 AND status <> 'running'",
    "outbox": "DELETE FROM outbox WHERE created_at < $1 AND status IN ('sent', 'dead', 'in_doubt')",
    "inbox": "DELETE FROM inbox WHERE received_at < $1 AND handled_at IS NOT NULL",
    "recap_log": "DELETE FROM recap_log WHERE fire_time < $1",
    "reminder_state": "DELETE FROM reminder_state WHERE wib_date < " + _DAY,
    "broadcast_state": "DELETE FROM broadcast_state WHERE wib_date < " + _DAY,
    "task_announcement": "DELETE FROM task_announcement WHERE wib_date < " + _DAY,
    # the latest state of each session stays: /healthz and the outbox read it
    "session_log": """DELETE FROM session_log l WHERE at < $1
                       AND seq < (SELECT max(seq) FROM session_log m WHERE m.session = l.session)""",
    "otp_request": "DELETE FROM otp_request WHERE at < $1",
    "otp_code": "DELETE FROM otp_code WHERE expires_at < $1",
    "staff_import_row": """DELETE FROM staff_import_row r USING staff_import i
                            WHERE r.import_id = i.id AND i.created_at < $1""",
    "staff_import": "DELETE FROM staff_import WHERE created_at < $1",
    "audit_log": "DELETE FROM audit_log WHERE at < $1",
    "login_attempt": "DELETE FROM login_attempt WHERE at < $1",
    "auth_token": """DELETE FROM auth_token
                      WHERE expires_at < $1 OR (revoked_at IS NOT NULL AND revoked_at < $1)""",
    "password_link": "DELETE FROM password_link WHERE expires_at < $1",
    "dashboard_reset": "DELETE FROM dashboard_reset WHERE expires_at < $1",
    "ig_profile_refresh": "DELETE FROM ig_profile_refresh WHERE at < $1",
}
MAX_DAYS_PER_RUN = 31  # compaction catches up on a backlog a month at a time


async def housekeeping(ctx: JobContext) -> str:
    keep = ctx.settings.config.retention
    notes = []
    compacted = await compact(ctx.pool, ctx.now, keep.engagement_days)
    if compacted:
        notes.append(f"engagement compacted: {compacted}")
    for table, rule in purged().items():
        if table in COMPACTED:
            continue
        before = ctx.now - timedelta(days=getattr(keep, rule.setting))
        async with ctx.pool.acquire() as conn, conn.transaction():
            result = await conn.execute(PURGES[table], before)
        notes.append(f"{table} -{int(result.split()[-1])}")
    return ", ".join(notes)


async def compact(pool: asyncpg.Pool, now: datetime, days: int) -> str:
    """Compact the days older than `days` (WIB), oldest first; a summary, "" if none."""
    horizon = wib_date(now) - timedelta(days=days)
    async with pool.acquire() as conn:
        due = (await days_to_compact(conn, horizon))[:MAX_DAYS_PER_RUN]
    done = []
    for day in due:
        async with pool.acquire() as conn, conn.transaction():
            done.append(await compact_day(conn, day, now))
    if not done:
        return ""
    return (f"{len(done)} days ({done[0].day}..{done[-1].day}), "
            f"{sum(d.rows for d in done)} rows into {sum(d.counts for d in done)} counts")  # fmt: skip

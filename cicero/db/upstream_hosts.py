"""`upstream_host`: each upstream host's call count, 429 pause and last outcomes.

A write merges with what is stored, as `domain.upstream_limits.merged` does (later day,
more calls that day, later stamps), so writes landing out of order lose nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cicero.domain.ingestion.limits import HostState


@dataclass(frozen=True)
class HostRow:
    name: str
    host: str
    state: HostState
    daily_budget: int | None


_COLUMNS = """name, host, calls_day, calls, saved, daily_budget, paused_until, last_success_at,
              last_error_at, last_error"""


async def load_hosts(conn: asyncpg.Connection) -> dict[str, HostRow]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM upstream_host ORDER BY name")
    return {r["name"]: _row(r) for r in rows}


async def save_host(
    conn: asyncpg.Connection,
    name: str,
    host: str,
    state: HostState,
    daily_budget: int | None,
    now: datetime,
) -> HostState:
    """Merge `state` into the stored row; returns the stored state after the merge."""
    record = await conn.fetchrow(
        f"""INSERT INTO upstream_host AS h ({_COLUMNS}, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (name) DO UPDATE SET
                host = EXCLUDED.host,
                daily_budget = EXCLUDED.daily_budget,
                calls_day = GREATEST(h.calls_day, EXCLUDED.calls_day),
                calls = CASE
                    WHEN h.calls_day IS NOT DISTINCT FROM EXCLUDED.calls_day
                        THEN GREATEST(h.calls, EXCLUDED.calls)
                    WHEN h.calls_day IS NULL OR EXCLUDED.calls_day > h.calls_day
                        THEN EXCLUDED.calls
                    ELSE h.calls END,
                saved = CASE
                    WHEN h.calls_day IS NOT DISTINCT FROM EXCLUDED.calls_day
                        THEN GREATEST(h.saved, EXCLUDED.saved)
                    WHEN h.calls_day IS NULL OR EXCLUDED.calls_day > h.calls_day
                        THEN EXCLUDED.saved
                    ELSE h.saved END,
                paused_until = GREATEST(h.paused_until, EXCLUDED.paused_until),
                last_success_at = GREATEST(h.last_success_at, EXCLUDED.last_success_at),
                last_error_at = CASE WHEN {_NEWER_ERROR}
                    THEN EXCLUDED.last_error_at ELSE h.last_error_at END,
                last_error = CASE WHEN {_NEWER_ERROR}
                    THEN EXCLUDED.last_error ELSE h.last_error END,
                updated_at = EXCLUDED.updated_at
            RETURNING {_COLUMNS}""",
        name,
        host,
        state.calls_day,
        state.calls,
        state.saved,
        daily_budget,
        state.paused_until,
        state.last_success_at,
        state.last_error_at,
        state.last_error,
        now,
    )
    assert record is not None
    return _row(record).state


# The later error wins; equal stamps pick the larger text (byte order, as Python compares).
_NEWER_ERROR = """(COALESCE(EXCLUDED.last_error_at, '-infinity'),
                   COALESCE(EXCLUDED.last_error, '') COLLATE "C")
                > (COALESCE(h.last_error_at, '-infinity'), COALESCE(h.last_error, '') COLLATE "C")"""


def _row(r: asyncpg.Record) -> HostRow:
    state = HostState(
        calls_day=r["calls_day"],
        calls=r["calls"],
        saved=r["saved"],
        paused_until=r["paused_until"],
        last_success_at=r["last_success_at"],
        last_error_at=r["last_error_at"],
        last_error=r["last_error"],
    )
    return HostRow(r["name"], r["host"], state, r["daily_budget"])

"""Who the ingestor fetches and what each stage run recorded (`ingest_run`).

One `ingest_run` row per (platform, client, stage, fire time). Counts are additive
across a client's stages (see domain/ingestion/summary.py), so `ingest_totals` gives
the transcript's `ingest` line for each (platform, client, fire time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cicero.domain.ingestion.rules import ClientFlags
from cicero.domain.ingestion.summary import StageResult


@dataclass(frozen=True)
class IngestClient:
    flags: ClientFlags
    tiktok_secuid: str | None

    @property
    def client_id(self) -> str:
        return self.flags.client_id


async def active_clients(conn: asyncpg.Connection) -> list[IngestClient]:
    records = await conn.fetch(
        """SELECT client_id, active, instagram, instagram_enabled, tiktok, tiktok_enabled,
                  amplify_enabled, tiktok_secuid
             FROM client WHERE active ORDER BY client_id"""
    )
    return [IngestClient(_flags(r), r["tiktok_secuid"]) for r in records]


def _flags(r: asyncpg.Record) -> ClientFlags:
    return ClientFlags(
        r["client_id"], r["active"], r["instagram"], r["instagram_enabled"],
        r["tiktok"], r["tiktok_enabled"], r["amplify_enabled"],
    )  # fmt: skip


async def save_sec_uid(conn: asyncpg.Connection, client_id: str, sec_uid: str) -> None:
    await conn.execute(
        "UPDATE client SET tiktok_secuid = $2, updated_at = now() WHERE client_id = $1",
        client_id,
        sec_uid,
    )


async def record_run(
    conn: asyncpg.Connection,
    result: StageResult,
    fire_time: datetime | None,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    """Write a stage's row; a repeat of the same fire time replaces it (a rerun after a crash)."""
    await conn.execute(
        """INSERT INTO ingest_run (platform, client_id, stage, fire_time, started_at, finished_at,
                                   outcome, pages, posts, new_posts, engagements, skipped,
                                   error_class, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (platform, client_id, stage, fire_time) WHERE fire_time IS NOT NULL
           DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                         outcome = EXCLUDED.outcome, pages = EXCLUDED.pages,
                         posts = EXCLUDED.posts, new_posts = EXCLUDED.new_posts,
                         engagements = EXCLUDED.engagements, skipped = EXCLUDED.skipped,
                         error_class = EXCLUDED.error_class, reason = EXCLUDED.reason""",
        result.platform.value,
        result.client_id,
        result.stage.value,
        fire_time,
        started_at,
        finished_at,
        result.outcome,
        result.pages,
        result.posts,
        result.new_posts,
        result.engagements,
        result.skipped,
        result.error_class,
        result.reason[:500],
    )


@dataclass(frozen=True)
class IngestTotals:
    platform: str
    client_id: str
    fire_time: datetime
    finished_at: datetime
    posts: int
    new_posts: int
    engagements: int
    error_classes: tuple[str, ...]  # of the failed stages, in stage order


async def ingest_totals(conn: asyncpg.Connection, fire_time: datetime) -> list[IngestTotals]:
    """Per (platform, client) of one fire time: the counts summed over its stages."""
    records = await conn.fetch(
        """SELECT platform, client_id, fire_time, max(finished_at) AS finished_at,
                  sum(posts)::int AS posts, sum(new_posts)::int AS new_posts,
                  sum(engagements)::int AS engagements,
                  array_remove(array_agg(error_class ORDER BY id), NULL) AS error_classes
             FROM ingest_run WHERE fire_time = $1
            GROUP BY platform, client_id, fire_time
            ORDER BY platform, client_id""",
        fire_time,
    )
    return [_totals(r) for r in records]


def _totals(r: asyncpg.Record) -> IngestTotals:
    return IngestTotals(
        r["platform"], r["client_id"], r["fire_time"], r["finished_at"], r["posts"],
        r["new_posts"], r["engagements"], tuple(r["error_classes"]),
    )  # fmt: skip

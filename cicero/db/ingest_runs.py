"""Who the ingestor fetches and what each stage run recorded (`ingest_run`).

One `ingest_run` row per (platform, client, stage, fire time). Counts are additive
across a client's stages (see domain/ingestion/summary.py), so `ingest_totals` gives
the transcript's `ingest` line for each (platform, client, fire time).
"""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class RunRow:
    """A stage's result as `ingest_run` stores it, with when the stage ran."""

    result: StageResult
    started_at: datetime
    finished_at: datetime


async def record_runs(
    conn: asyncpg.Connection, rows: Sequence[RunRow], fire_time: datetime | None
) -> None:
    """Write stages' rows in one statement, in the order given (`id` keeps stage order); a
    repeat of the same fire time replaces a row (a rerun after a crash)."""
    if not rows:
        return
    results = [r.result for r in rows]
    await conn.execute(
        """INSERT INTO ingest_run (platform, client_id, stage, fire_time, started_at, finished_at,
                                   outcome, pages, posts, new_posts, engagements, skipped,
                                   error_class, reason)
           SELECT r.platform, r.client_id, r.stage, $1, r.started_at, r.finished_at, r.outcome,
                  r.pages, r.posts, r.new_posts, r.engagements, r.skipped, r.error_class,
                  r.reason
             FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[],
                         $6::timestamptz[], $7::text[], $8::int[], $9::int[], $10::int[],
                         $11::int[], $12::int[], $13::text[], $14::text[])
                  WITH ORDINALITY AS r(platform, client_id, stage, started_at, finished_at,
                                       outcome, pages, posts, new_posts, engagements, skipped,
                                       error_class, reason, n)
            ORDER BY r.n
           ON CONFLICT (platform, client_id, stage, fire_time) WHERE fire_time IS NOT NULL
           DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                         outcome = EXCLUDED.outcome, pages = EXCLUDED.pages,
                         posts = EXCLUDED.posts, new_posts = EXCLUDED.new_posts,
                         engagements = EXCLUDED.engagements, skipped = EXCLUDED.skipped,
                         error_class = EXCLUDED.error_class, reason = EXCLUDED.reason""",
        fire_time,
        [r.platform.value for r in results],
        [r.client_id for r in results],
        [r.stage.value for r in results],
        [r.started_at for r in rows],
        [r.finished_at for r in rows],
        [r.outcome for r in results],
        [r.pages for r in results],
        [r.posts for r in results],
        [r.new_posts for r in results],
        [r.engagements for r in results],
        [r.skipped for r in results],
        [r.error_class for r in results],
        [r.reason[:500] for r in results],
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

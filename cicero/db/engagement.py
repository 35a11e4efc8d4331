"""Engagement rows in bulk (data.md §3.4): COPY into a staging table, then one upsert.

Rows are never deleted by ingestion: a name seen once stays counted, and a later sighting
only moves `last_seen_at`. The table has no per-row foreign key to `post` (migration 0051):
this, its only writer, checks once per call that the posts exist, and posts are never
deleted. bench/ingest.py measures the rate against the same method's limit.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import asyncpg

from cicero.domain.ingestion.refetch import LastFetch
from cicero.domain.ingestion.rules import Outcome
from cicero.domain.people.usernames import Platform

# Which engagement kind each platform's engagement stage writes.
KIND = {Platform.INSTAGRAM: "like", Platform.TIKTOK: "comment"}

_STAGE = "engagement_stage"


class EngagementRow(NamedTuple):  # a tuple: tens of thousands a run go to COPY as they are
    post_id: int
    kind: str  # 'like' | 'comment'
    username: str  # canonical


class UnknownPosts(ValueError):
    """Engagement for post ids that are not stored: a bug of the caller, nothing is written."""


@dataclass(frozen=True)
class Written:
    new: int  # rows first seen now
    touched: int  # rows whose last_seen_at moved forward (new ones included)


async def upsert_engagement(
    conn: asyncpg.Connection, rows: Iterable[EngagementRow], at: datetime
) -> Written:
    """Merge `rows` seen at `at` into `engagement`. Must run inside a transaction."""
    # Unique (one key twice would make ON CONFLICT DO UPDATE fail) and sorted, so the key is
    # filled page by page: ~10 % quicker than DISTINCT in SQL. Rows that come strictly
    # ascending already (the ingestor builds them so) skip the sort: ~7 % of the call.
    records = rows if isinstance(rows, list) else list(rows)
    if not all(map(operator.lt, records, records[1:])):
        records = sorted(set(records))
    if not records:
        return Written(0, 0)
    posts = sorted({r.post_id for r in records})  # a handful: one look-up for them all
    stored = await conn.fetch("SELECT id FROM post WHERE id = ANY($1::bigint[])", posts)
    if len(stored) != len(posts):
        missing = sorted(set(posts) - {r["id"] for r in stored})
        raise UnknownPosts(f"engagement for posts that are not stored: {missing[:10]}")
    # ON COMMIT DROP keeps pooled connections clean; dropped here too, so a second
    # call in the same transaction starts from an empty table.
    await conn.execute(
        f"CREATE TEMP TABLE {_STAGE} (post_id bigint, kind text, username text) ON COMMIT DROP"
    )
    await conn.copy_records_to_table(
        _STAGE, records=records, columns=("post_id", "kind", "username")
    )
    row = await conn.fetchrow(
        f"""WITH up AS (
                INSERT INTO engagement AS e (post_id, kind, username, first_seen_at, last_seen_at)
                SELECT post_id, kind, username, $1::timestamptz, $1::timestamptz
                  FROM {_STAGE}
                ON CONFLICT (post_id, kind, username) DO UPDATE
                   SET last_seen_at = EXCLUDED.last_seen_at
                 WHERE e.last_seen_at < EXCLUDED.last_seen_at
                RETURNING (e.xmax = 0) AS fresh)
            SELECT count(*) FILTER (WHERE fresh) AS new, count(*) AS touched FROM up""",
        at,
    )
    await conn.execute(f"DROP TABLE {_STAGE}")
    return Written(int(row["new"]), int(row["touched"]))


async def exception_handles(conn: asyncpg.Connection, platform: Platform) -> frozenset[str]:
    """Handles of exception staff: never written into engagement (§3.6)."""
    column = "instagram" if platform is Platform.INSTAGRAM else "tiktok"
    records = await conn.fetch(
        f"SELECT {column} AS handle FROM staff WHERE exception AND {column} IS NOT NULL"
    )
    return frozenset(r["handle"] for r in records)


@dataclass(frozen=True)
class FetchRecord:
    post_id: int
    kind: str
    outcome: Outcome  # complete | truncated | failed | unchanged (no request)
    pages: int
    items: int
    skipped: int
    error_class: str | None
    listed_count: int | None = None  # the post's listed count the fetch was made at


async def record_fetches(
    conn: asyncpg.Connection,
    fetches: Sequence[FetchRecord],
    started_at: datetime,
    finished_at: datetime,
) -> None:
    if not fetches:
        return
    await conn.execute(
        """INSERT INTO engagement_fetch (post_id, kind, started_at, finished_at, outcome, pages,
                                         items, skipped, error_class, listed_count)
           SELECT f.post_id, f.kind, $1, $2, f.outcome, f.pages, f.items, f.skipped, f.error_class,
                  f.listed_count
             FROM unnest($3::bigint[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[],
                         $9::text[], $10::bigint[])
                  AS f(post_id, kind, outcome, pages, items, skipped, error_class, listed_count)""",
        started_at,
        finished_at,
        [f.post_id for f in fetches],
        [f.kind for f in fetches],
        [f.outcome.value for f in fetches],
        [f.pages for f in fetches],
        [f.items for f in fetches],
        [f.skipped for f in fetches],
        [f.error_class for f in fetches],
        [f.listed_count for f in fetches],
    )


async def last_fetches(
    conn: asyncpg.Connection, post_ids: Sequence[int], kind: str, since: datetime
) -> dict[int, LastFetch]:
    """Each post's latest successful (complete or truncated) fetch of `kind` since `since`."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (post_id) post_id, started_at, listed_count, pages
             FROM engagement_fetch
            WHERE post_id = ANY($1::bigint[]) AND kind = $2 AND started_at >= $3
              AND outcome IN ('complete', 'truncated')
            ORDER BY post_id, started_at DESC, id DESC""",
        list(post_ids),
        kind,
        since,
    )
    return {r["post_id"]: LastFetch(r["started_at"], r["listed_count"], r["pages"]) for r in rows}

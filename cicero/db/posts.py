"""Posts as the ingestor writes them (data.md §3.2, §3.7): bulk upserts, presence state.

A post's `client_id` is set once, by the first account that listed it; a later
listing by another client refreshes the counts but never moves the post.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from cicero.domain.ingestion.payloads import ParsedPost
from cicero.domain.ingestion.rules import KnownPost, day_start
from cicero.domain.people.usernames import Platform


@dataclass(frozen=True)
class PostsWritten:
    ids: dict[str, int]  # external_id → post.id
    new: tuple[str, ...]  # external ids first seen now
    conflicts: tuple[tuple[str, str], ...]  # (external_id, owning client) listed by another


_UPSERT = """
INSERT INTO post AS p (platform, external_id, client_id, caption, author, posted_at,
                       like_count, comment_count, view_count, share_count, media,
                       first_seen_at, last_seen_at)
SELECT $1, r.external_id, $2, r.caption, r.author, r.posted_at,
       r.like_count, r.comment_count, r.view_count, r.share_count, r.media::jsonb, $3, $3
  FROM unnest($4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::bigint[], $9::bigint[],
              $10::bigint[], $11::bigint[], $12::text[])
       AS r(external_id, caption, author, posted_at, like_count, comment_count, view_count,
            share_count, media)
ON CONFLICT (platform, external_id) DO UPDATE SET
    caption       = COALESCE(EXCLUDED.caption, p.caption),
    author        = COALESCE(EXCLUDED.author, p.author),
    like_count    = COALESCE(EXCLUDED.like_count, p.like_count),
    comment_count = COALESCE(EXCLUDED.comment_count, p.comment_count),
    view_count    = COALESCE(EXCLUDED.view_count, p.view_count),
    share_count   = COALESCE(EXCLUDED.share_count, p.share_count),
    media         = EXCLUDED.media,
    last_seen_at  = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at)
RETURNING p.id, p.external_id, p.client_id, (p.xmax = 0) AS inserted
"""


async def upsert_posts(
    conn: asyncpg.Connection,
    client_id: str,
    platform: Platform,
    posts: Sequence[ParsedPost],
    at: datetime,
) -> PostsWritten:
    """One statement for the whole listing; unknown counts (NULL) keep the stored ones."""
    unique = {p.external_id: p for p in posts}  # a post listed twice is written once
    # In P's order (listings come newest first): new posts take their places in the day
    # (post.day_seq) in that order, so recaps read the masks as they are (cicero.db.attendance).
    rows = sorted(unique.values(), key=lambda p: (p.posted_at, p.external_id))
    if not rows:
        return PostsWritten({}, (), ())
    records = await conn.fetch(
        _UPSERT,
        platform.value,
        client_id,
        at,
        [p.external_id for p in rows],
        [p.caption for p in rows],
        [p.author for p in rows],
        [p.posted_at for p in rows],
        [p.like_count for p in rows],
        [p.comment_count for p in rows],
        [p.view_count for p in rows],
        [p.share_count for p in rows],
        [json.dumps(p.media.as_json()) for p in rows],
    )
    return PostsWritten(
        ids={r["external_id"]: r["id"] for r in records},
        new=tuple(sorted(r["external_id"] for r in records if r["inserted"])),
        conflicts=tuple(
            sorted(
                (r["external_id"], r["client_id"]) for r in records if r["client_id"] != client_id
            )
        ),
    )


async def refresh_counts(
    conn: asyncpg.Connection,
    client_id: str,
    platform: Platform,
    listed: Sequence[ParsedPost],
    today: date,
    at: datetime,
) -> None:
    """data.md §3.2: a known post listed again gets fresh counts and `last_seen_at`, whatever
    its day: today's listing also shows the last days' posts, whose likes, comments and views
    go on moving (the analytics read them). Only posts of earlier days the client owns are
    touched (today's are upserted); an unknown count keeps the stored one."""
    rows = [
        p for p in {p.external_id: p for p in listed}.values() if p.posted_at < day_start(today)
    ]
    if not rows:
        return
    await conn.execute(
        """UPDATE post AS p SET
               like_count    = COALESCE(r.like_count, p.like_count),
               comment_count = COALESCE(r.comment_count, p.comment_count),
               view_count    = COALESCE(r.view_count, p.view_count),
               share_count   = COALESCE(r.share_count, p.share_count),
               last_seen_at  = GREATEST(p.last_seen_at, $3)
             FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
                  AS r(external_id, like_count, comment_count, view_count, share_count)
            WHERE p.platform = $1 AND p.client_id = $2 AND p.external_id = r.external_id
              AND p.wib_date < $9""",
        platform.value, client_id, at, [p.external_id for p in rows],
        [p.like_count for p in rows], [p.comment_count for p in rows],
        [p.view_count for p in rows], [p.share_count for p in rows], today,
    )  # fmt: skip


async def known_posts(
    conn: asyncpg.Connection,
    client_id: str,
    platform: Platform,
    listed: Iterable[str],
    covered: bool,
    covered_since: datetime | None,
) -> list[KnownPost]:
    """The client's posts a listing speaks about: those it listed, and (when it covered a
    span) every post in that span (`covered_since` None = the whole feed)."""
    records = await conn.fetch(
        """SELECT external_id, posted_at, removed_at, missed_listings FROM post
            WHERE client_id = $1 AND platform = $2
              AND (external_id = ANY($3::text[])
                   OR ($4 AND ($5::timestamptz IS NULL OR posted_at >= $5)))""",
        client_id,
        platform.value,
        list(listed),
        covered,
        covered_since,
    )
    return [
        KnownPost(r["external_id"], r["posted_at"], r["removed_at"], r["missed_listings"])
        for r in records
    ]


async def save_presence(
    conn: asyncpg.Connection, platform: Platform, changed: Sequence[KnownPost]
) -> None:
    """Write the miss counts and removal marks decided by `reconcile_removals`."""
    if not changed:
        return
    await conn.execute(
        """UPDATE post AS p SET missed_listings = c.missed, removed_at = c.removed_at
             FROM unnest($2::text[], $3::smallint[], $4::timestamptz[])
                  AS c(external_id, missed, removed_at)
            WHERE p.platform = $1 AND p.external_id = c.external_id""",
        platform.value,
        [k.external_id for k in changed],
        [k.missed_listings for k in changed],
        [k.removed_at for k in changed],
    )


@dataclass(frozen=True)
class DayPost:
    id: int
    external_id: str


async def accounts_with_posts(conn: asyncpg.Connection, day: date) -> set[tuple[str, Platform]]:
    """The (client, platform) pairs with a post of WIB day `day` still present upstream: an
    ingestion run asks once which of its accounts `posts_of_day` could find anything for."""
    records = await conn.fetch(
        """SELECT DISTINCT client_id, platform FROM post
            WHERE wib_date = $1 AND removed_at IS NULL""",
        day,
    )
    return {(r["client_id"], Platform(r["platform"])) for r in records}


async def posts_of_day(
    conn: asyncpg.Connection, client_id: str, platform: Platform, day: date
) -> list[DayPost]:
    """The client's posts of WIB day `day` still present upstream, oldest first."""
    records = await conn.fetch(
        """SELECT id, external_id FROM post
            WHERE client_id = $1 AND platform = $2 AND wib_date = $3 AND removed_at IS NULL
            ORDER BY posted_at, external_id""",
        client_id,
        platform.value,
        day,
    )
    return [DayPost(r["id"], r["external_id"]) for r in records]

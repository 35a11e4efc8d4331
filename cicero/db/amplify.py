"""Link reports per person for the amplification recap (data.md §4.7): one query per scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from cicero.db.attendance import person_from_row
from cicero.domain.layouts.amplify_monthly import MonthlyLink
from cicero.domain.layouts.link_recap import ReportedLinks
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform

# A report counts on the day it was submitted (WIB), up to the cut-off; links = filled fields.
_LINKS = """
SELECT r.nrp,
       array_agg(r.post_id ORDER BY p.ord) FILTER (WHERE r.links > 0) AS done,
       sum(r.links)::int AS links
  FROM (SELECT nrp, post_id,
               (instagram_link IS NOT NULL)::int + (facebook_link IS NOT NULL)::int
             + (twitter_link IS NOT NULL)::int + (tiktok_link IS NOT NULL)::int
             + (youtube_link IS NOT NULL)::int AS links
          FROM link_report
         WHERE post_id = ANY($1::bigint[]) AND reported_at <= $3
           AND (reported_at AT TIME ZONE 'Asia/Jakarta')::date = $2) r
  JOIN unnest($1::bigint[]) WITH ORDINALITY AS p(id, ord) ON p.id = r.post_id
 GROUP BY r.nrp
"""


async def link_counts(
    conn: asyncpg.Connection, post_ids: Sequence[int], day: date, cutoff: datetime
) -> dict[str, tuple[tuple[int, ...], int]]:
    """nrp → (post ids with ≥ 1 link, in P's order; total links) for today's reports."""
    rows = await conn.fetch(_LINKS, list(post_ids), day, cutoff)
    return {r["nrp"]: (tuple(r["done"] or ()), r["links"]) for r in rows}


_REPORTED = """
SELECT r.post_id, r.instagram_link, r.facebook_link, r.twitter_link, r.tiktok_link,
       r.youtube_link, s.nrp, s.client_id, s.name, s.rank, s.unit, s.position, s.instagram,
       s.tiktok, s.exception
  FROM link_report r JOIN staff s ON s.nrp = r.nrp
 WHERE r.post_id = ANY($1::bigint[]) AND r.reported_at <= $2
 ORDER BY r.post_id, s.nrp
"""


async def reported_links(
    conn: asyncpg.Connection, posts: Sequence[tuple[int, PostRef]], cutoff: datetime
) -> list[ReportedLinks]:
    """Every link report on `posts` (database id, ref) submitted up to the cut-off."""
    refs = dict(posts)
    rows = await conn.fetch(_REPORTED, list(refs), cutoff)
    fields = ("instagram_link", "facebook_link", "twitter_link", "tiktok_link", "youtube_link")
    return [
        ReportedLinks(refs[r["post_id"]], person_from_row(r), tuple(r[f] for f in fields))
        for r in rows
    ]


_CLIENT_REPORTS = """
SELECT p.platform, p.external_id, p.posted_at, coalesce(c.tiktok, '') AS owner, r.reported_at,
       r.instagram_link, r.facebook_link, r.twitter_link, r.tiktok_link, r.youtube_link,
       s.nrp, s.client_id, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok, s.exception
  FROM link_report r
  JOIN post p ON p.id = r.post_id
  JOIN client c ON c.client_id = p.client_id
  JOIN staff s ON s.nrp = r.nrp
 WHERE p.client_id = $1 AND r.reported_at >= $2 AND r.reported_at < $3
 ORDER BY r.reported_at, s.nrp, p.external_id
"""


async def client_link_reports(
    conn: asyncpg.Connection, client_id: str, start: datetime, end: datetime
) -> list[MonthlyLink]:
    """Every link report on the client's posts submitted in [start, end), by whoever sent it."""
    rows = await conn.fetch(_CLIENT_REPORTS, client_id, start, end)
    fields = ("instagram_link", "facebook_link", "twitter_link", "tiktok_link", "youtube_link")
    return [
        MonthlyLink(
            person_from_row(r),
            PostRef(Platform(r["platform"]), r["external_id"], r["owner"], r["posted_at"]),
            r["reported_at"],
            tuple(r[f] for f in fields),
        )
        for r in rows
    ]

"""Link reports per person for the amplification recap (data.md §4.7): one query per scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

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

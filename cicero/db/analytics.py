"""What the analytics read (issue 17): the accounts of a scope, their stored posts of a range
and their follower counts. Nothing here calls the upstream: the figures are what the
ingestion stored (`post` counts as last listed, `account_profile` followers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

import asyncpg
import orjson

from cicero.db.account_profiles import known_followers
from cicero.domain.analytics.figures import RATE_DIGITS, TOP, Account, Totals
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform

CAPTION_CHARS = 100  # the lists show the start of a caption; the post's link has the rest

# The scope's own client first, then its satkers by name (a directorate's side by side).
_ACCOUNTS = """
SELECT c.client_id, c.name, CASE WHEN $2 = 'instagram' THEN c.instagram ELSE c.tiktok END AS handle
  FROM client c
 WHERE c.client_id = $1
    OR ($3 AND c.active AND c.client_id IN (SELECT d.client_id FROM client_directorate d
                                             WHERE d.directorate_id = $1))
 ORDER BY c.client_id <> $1, c.name, c.client_id
"""

# Columns in the order of cicero.domain.analytics.figures.PostRow (its followers come after).
POSTS = f"""
SELECT p.client_id, p.external_id, p.posted_at, p.wib_date,
       coalesce(p.author, CASE WHEN p.platform = 'instagram' THEN c.instagram ELSE c.tiktok END, ''),
       coalesce(left(p.caption, {CAPTION_CHARS}), ''),
       p.like_count, p.comment_count, p.view_count, p.share_count
  FROM post p JOIN client c USING (client_id)
 WHERE p.client_id = ANY($1::text[]) AND p.platform = $2 AND p.wib_date BETWEEN $3 AND $4
   AND p.removed_at IS NULL AND p.kind = 'routine'
"""


# The answer of `GET /api/analytics` as PostgreSQL builds it (issue 17: within 2x of its SQL):
# the three post lists as JSON, byte for byte what orjson writes for the pure path's items
# (cicero.domain.analytics.figures, Analytics.posts_json), and the sums per account, per day
# and in all, from which the figures' rules make the rest. Each post's followers are its
# account's latest known count on or before its day (FollowerBook); its rate is the
# figures' `rate` in integers, k = floor((2 n 10^6 + f) / 2f), written as orjson writes
# k / 10^6 (shortest digits, "1.0", "0.0", "Ne-6" below 0.00001). Ties rank as `build` ranks
# them: external ids compared as code points (COLLATE "C"). Agreement to the byte holds for
# rates below 10^9 (k of 15 digits: orjson's shortest float digits are k's); beyond, the two
# write the same number to a float's precision. The counts are looked up, not
# joined: a prepared statement's generic plan (row estimates of a few posts) would loop over
# them per post.
_SCALE = 10**RATE_DIGITS
_SAFE = 2**62 // (2 * _SCALE)  # 2n 10^6 + f stays within a bigint below it

# One post of `counted` as orjson writes the pure path's item (client ids are [A-Z0-9_] by
# the client table's CHECK: nothing to escape); built after the lists are ordered.
_ITEM = f"""'{{"client_id":"' || client_id || '","shortcode":' || to_json(external_id)::text
    || ',"posted_at":' || CASE WHEN length(iso) = 21 THEN left(iso, 20)
       ELSE '"' || to_char(posted_at AT TIME ZONE INTERVAL '+07:00',
                           'YYYY-MM-DD"T"HH24:MI:SS.US') END
    || '+07:00","caption":' || to_json(caption)::text
    || ',"url":' || to_json(format($5, external_id, owner))::text
    || ',"likes":' || coalesce(like_count::text, 'null')
    || ',"comments":' || coalesce(comment_count::text, 'null')
    || ',"views":' || coalesce(view_count::text, 'null')
    || ',"shares":' || coalesce(share_count::text, 'null')
    || ',"interactions":' || interactions::text
    || ',"followers":' || coalesce(followers::text, 'null')
    || ',"engagement_rate":' || CASE WHEN k BETWEEN 1 AND 9 THEN k::text || 'e-6'
       WHEN k % {_SCALE} = 0 THEN (k / {_SCALE})::text || '.0'
       WHEN k IS NOT NULL THEN trim_scale(k * 1e-{RATE_DIGITS})::text
       WHEN huge IS NOT NULL THEN trim_scale(huge * 1e-{RATE_DIGITS})::text
       ELSE 'null' END || '}}'"""

_RANK = "interactions DESC, posted_at, external_id"  # top first (figures.PostRow.rank_key)
_LAST = "interactions, posted_at DESC, external_id DESC"  # its reverse: bottom, fewest first

ANSWER = f"""
WITH counts AS (  -- the known counts of the range, "CLIENT:n" (n: days since $3) -> followers
    SELECT jsonb_object_agg(client_id || ':' || (wib_date - $3), followers) AS book
      FROM account_profile
     WHERE client_id = ANY($1::text[]) AND platform = $2 AND followers IS NOT NULL
       AND wib_date BETWEEN $3 AND $4
), posts AS (
    SELECT p.posted_at, p.external_id COLLATE "C" AS external_id, p.client_id, p.wib_date,
           p.like_count, p.comment_count, p.view_count, p.share_count,
           coalesce(p.like_count, 0) + coalesce(p.comment_count, 0)
               + coalesce(p.share_count, 0) AS interactions,
           CASE WHEN octet_length(p.caption) <= {CAPTION_CHARS} THEN p.caption
                ELSE coalesce(left(p.caption, {CAPTION_CHARS}), '') END AS caption,
           coalesce(p.author, CASE WHEN p.platform = 'instagram' THEN c.instagram
                                   ELSE c.tiktok END, '') AS owner,
           to_json(p.posted_at AT TIME ZONE INTERVAL '+07:00')::text AS iso,
           -- its day's count, or (none that day) the latest before it
           coalesce(((SELECT book FROM counts)
                     ->> (p.client_id || ':' || (p.wib_date - $3)))::bigint,
                    (SELECT a.followers FROM account_profile a
                      WHERE a.client_id = p.client_id AND a.platform = $2
                        AND a.followers IS NOT NULL AND a.wib_date < p.wib_date
                      ORDER BY a.wib_date DESC LIMIT 1)) AS followers
      FROM post p JOIN client c USING (client_id)
     WHERE p.client_id = ANY($1::text[]) AND p.platform = $2 AND p.wib_date BETWEEN $3 AND $4
       AND p.removed_at IS NULL AND p.kind = 'routine'
), counted AS MATERIALIZED (
    SELECT p.*,
           CASE WHEN followers > 0 AND interactions < {_SAFE} AND followers < {_SAFE}
                THEN (2 * interactions * {_SCALE} + followers) / (2 * followers) END AS k,
           -- past a bigint (no account comes near): the exact decimal, not orjson's float
           CASE WHEN followers > 0 AND NOT (interactions < {_SAFE} AND followers < {_SAFE})
                THEN div(2::numeric * interactions * {_SCALE} + followers, 2::numeric * followers)
           END AS huge
      FROM (SELECT * FROM posts OFFSET 0) AS p  -- (each post's followers looked up once)
)
SELECT (SELECT convert_to('[' || coalesce(string_agg({_ITEM}, ',' ORDER BY posted_at, external_id),
                                          '') || ']', 'UTF8') FROM counted) AS posts,
       (SELECT convert_to('[' || coalesce(string_agg({_ITEM}, ',' ORDER BY {_RANK}), '') || ']',
                          'UTF8')
          FROM (SELECT * FROM counted ORDER BY {_RANK} LIMIT {TOP}) AS t) AS top,
       -- the fewest first, and never one of top: at most the posts past the first five
       (SELECT convert_to('[' || coalesce(string_agg({_ITEM}, ',' ORDER BY {_LAST}), '') || ']',
                          'UTF8')
          FROM (SELECT * FROM counted ORDER BY {_LAST}
                LIMIT greatest(least({TOP}, (SELECT count(*) FROM counted) - {TOP}), 0)) AS b
       ) AS bottom,
       (SELECT json_agg(json_build_array(g.grouped, g.client_id, g.wib_date, g.posts, g.likes,
                                         g.comments, g.views, g.shares))
          FROM (SELECT grouping(client_id, wib_date) AS grouped, client_id, wib_date,
                       count(*) AS posts, sum(like_count) AS likes, sum(comment_count) AS comments,
                       sum(view_count) AS views, sum(share_count) AS shares
                  FROM counted GROUP BY GROUPING SETS ((client_id), (wib_date), ())) AS g) AS sums,
       (SELECT json_object_agg(c.id, b.followers) FROM unnest($1::text[]) AS c(id)
          CROSS JOIN LATERAL (
              SELECT followers FROM account_profile
               WHERE client_id = c.id AND platform = $2 AND followers IS NOT NULL
                 AND wib_date <= $4
               ORDER BY wib_date DESC LIMIT 1) AS b) AS followers
"""


class Answer(NamedTuple):
    """The API's post lists as JSON (UTF-8) and the sums the rest of its figures come from."""

    posts: bytes
    top: bytes
    bottom: bytes
    by_client: dict[str, Totals]
    by_day: dict[date, Totals]
    totals: Totals
    followers: dict[str, int]  # at the end of the range, of the accounts with a known count


async def answer(
    conn: asyncpg.Connection, client_ids: Sequence[str], platform: Platform, start: date, end: date
) -> Answer:
    """`period_posts` and `known_followers` of the accounts as the API answers them (one query)."""
    link = PostRef(platform, "{0}", owner="{1}").link
    template = link.replace("%", "%%").replace("{0}", "%1$s").replace("{1}", "%2$s")
    r = await conn.fetchrow(ANSWER, list(client_ids), platform.value, start, end, template)
    by_client: dict[str, Totals] = {}
    by_day: dict[date, Totals] = {}
    totals = Totals()
    for grouped, client, day, *figures in orjson.loads(r["sums"] or "[]"):
        t = Totals(*figures)
        if grouped == 3:
            totals = t
        elif grouped == 1:  # per account (wib_date is grouped over)
            by_client[client] = t
        else:
            by_day[date.fromisoformat(day)] = t
    followers = orjson.loads(r["followers"]) if r["followers"] else {}
    return Answer(r["posts"], r["top"], r["bottom"], by_client, by_day, totals, followers)


async def scope_accounts(
    conn: asyncpg.Connection, client_id: str, platform: Platform, directorate: bool
) -> list[Account]:
    rows = await conn.fetch(_ACCOUNTS, client_id, platform.value, directorate)
    return [Account(r["client_id"], r["name"], r["handle"]) for r in rows]


async def period_posts(
    conn: asyncpg.Connection, client_ids: Sequence[str], platform: Platform, start: date, end: date
) -> list[asyncpg.Record]:
    """The accounts' routine posts of WIB days [start, end] still up (a post removed upstream
    no longer counts for its account); special tasks are tasks, not the account's feed."""
    return await conn.fetch(POSTS, list(client_ids), platform.value, start, end)


__all__ = ["Answer", "answer", "known_followers", "period_posts", "scope_accounts"]

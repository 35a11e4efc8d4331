"""What the analytics read (issue 17): the accounts of a scope, their stored posts of a range
and their follower counts. Nothing here calls the upstream: the figures are what the
ingestion stored (`post` counts as last listed, `account_profile` followers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from cicero.db.account_profiles import known_followers
from cicero.domain.analytics.figures import Account
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


__all__ = ["known_followers", "period_posts", "scope_accounts"]

"""`account_profile` (migration 0040): the official accounts' daily profile counts, written by
the ingestion's daily profile fetch and read by the analytics (followers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from cicero.domain.ingestion.profiles import ProfileDay
from cicero.domain.people.usernames import Platform


async def profile_days(
    conn: asyncpg.Connection, accounts: Sequence[tuple[str, Platform]], day: date
) -> dict[tuple[str, Platform], ProfileDay]:
    """Today's row of each (client, platform) that has one, in one statement: an ingestion
    run looks them all up at once (one round trip, not one per account and fire time)."""
    if not accounts:
        return {}
    records = await conn.fetch(
        """SELECT a.client_id, a.platform, a.handle, a.followers, a.attempts, a.error_class
             FROM account_profile a
             JOIN unnest($1::text[], $2::text[]) AS k(client_id, platform)
               ON a.client_id = k.client_id AND a.platform = k.platform
            WHERE a.wib_date = $3""",
        [c for c, _ in accounts], [p.value for _, p in accounts], day,
    )  # fmt: skip
    return {
        (r["client_id"], Platform(r["platform"])): ProfileDay(
            r["handle"], r["followers"], r["attempts"], r["error_class"]
        )
        for r in records
    }


async def save_profile(
    conn: asyncpg.Connection,
    client_id: str,
    platform: Platform,
    day: date,
    handle: str,
    counts: tuple[int | None, int | None, int | None] | None,
    error_class: str | None,
    at: datetime,
) -> None:
    """Today's fetch of the account: `counts` (followers, following, media) when it worked.
    A failure never erases counts an earlier attempt of the day stored for the same handle."""
    followers, following, media = counts or (None, None, None)
    await conn.execute(
        """INSERT INTO account_profile AS a (client_id, platform, wib_date, handle, followers,
                                             following, media_count, error_class, fetched_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (client_id, platform, wib_date) DO UPDATE SET
               attempts    = CASE WHEN a.handle = EXCLUDED.handle THEN a.attempts + 1 ELSE 1 END,
               followers   = CASE WHEN $10 OR a.handle <> EXCLUDED.handle
                                  THEN EXCLUDED.followers ELSE a.followers END,
               following   = CASE WHEN $10 OR a.handle <> EXCLUDED.handle
                                  THEN EXCLUDED.following ELSE a.following END,
               media_count = CASE WHEN $10 OR a.handle <> EXCLUDED.handle
                                  THEN EXCLUDED.media_count ELSE a.media_count END,
               handle      = EXCLUDED.handle,
               error_class = EXCLUDED.error_class,
               fetched_at  = EXCLUDED.fetched_at""",
        client_id, platform.value, day, handle, followers, following, media, error_class, at,
        counts is not None,
    )  # fmt: skip


async def known_followers(
    conn: asyncpg.Connection, client_ids: Sequence[str], platform: Platform, start: date, end: date
) -> list[tuple[str, date, int]]:
    """(client, day, followers) of every known count in [start, end], and each client's latest
    known count before `start` (what "the latest count on or before a day" needs)."""
    rows = await conn.fetch(
        """SELECT client_id, wib_date, followers FROM account_profile
            WHERE client_id = ANY($1::text[]) AND platform = $2 AND followers IS NOT NULL
              AND wib_date BETWEEN $3 AND $4
           UNION ALL
           SELECT c.id, b.wib_date, b.followers FROM unnest($1::text[]) AS c(id)
             CROSS JOIN LATERAL (
                 SELECT wib_date, followers FROM account_profile
                  WHERE client_id = c.id AND platform = $2 AND followers IS NOT NULL
                    AND wib_date < $3
                  ORDER BY wib_date DESC LIMIT 1) AS b""",
        list(client_ids), platform.value, start, end,
    )  # fmt: skip
    return [(r["client_id"], r["wib_date"], r["followers"]) for r in rows]

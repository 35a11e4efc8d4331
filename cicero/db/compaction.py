"""Engagement that stops growing (issue 18): old days compacted into `attendance_day`.

A day's likers and commenters are only ever read again by the week, month and year reports,
which count, per member of staff, how many of a scope's posts they engaged with. So once a
day is older than `retention.engagement_days`, each scope's post set P of that day (data.md
§4.1: the client's routine posts not removed, and for a directorate the posts tagged with
its role) is stored with, per member of staff whose handle (as it is now) engaged with at
least one of them, how many; then the day's engagement rows are deleted. The reports add
those counts to what they count from engagement (`compacted_done`).

A day is compacted whole, in one transaction, and its posts are marked; a post compacted
later on (none are: posts are stored on their day) is added to its day's counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from cicero.domain.people.usernames import Platform

KIND = {Platform.INSTAGRAM: "like", Platform.TIKTOK: "comment"}
HANDLE = {Platform.INSTAGRAM: "instagram", Platform.TIKTOK: "tiktok"}

# P of every scope for one day and platform, over the posts not compacted yet: a client's own
# routine posts not removed, and for a directorate the posts tagged with its role too.
_P = """
WITH p AS (
    SELECT x.id, x.client_id AS scope
      FROM post x
     WHERE x.platform = $1 AND x.wib_date = $2 AND x.engagement_compacted_at IS NULL
       AND x.kind = 'routine' AND x.removed_at IS NULL
    UNION
    SELECT x.id, c.client_id
      FROM post x
      JOIN post_tag t ON t.post_id = x.id
      JOIN client c ON c.type = 'DIREKTORAT' AND lower(c.client_id) = t.role_name
     WHERE x.platform = $1 AND x.wib_date = $2 AND x.engagement_compacted_at IS NULL
       AND x.kind = 'routine' AND x.removed_at IS NULL
)"""


@dataclass(frozen=True)
class Compacted:
    day: date
    posts: int  # posts whose engagement moved to attendance_day
    rows: int  # engagement rows deleted
    counts: int  # (scope, person) counts stored


async def days_to_compact(conn: asyncpg.Connection, before: date) -> list[date]:
    """WIB days before `before` that still have posts not compacted, oldest first."""
    rows = await conn.fetch(
        """SELECT DISTINCT wib_date FROM post
            WHERE engagement_compacted_at IS NULL AND wib_date < $1 ORDER BY wib_date""",
        before,
    )
    return [r["wib_date"] for r in rows]


async def compact_day(conn: asyncpg.Connection, day: date, now: datetime) -> Compacted:
    """Compact one WIB day's engagement, both platforms. Run it inside a transaction."""
    counts = rows = 0
    for platform in Platform:
        sizes = {
            r["scope"]: r["n"]
            for r in await conn.fetch(
                f"{_P} SELECT scope, count(*) AS n FROM p GROUP BY scope", platform.value, day
            )
        }
        done = await conn.fetch(
            f"""{_P}
            SELECT scope, array_agg(nrp ORDER BY nrp) AS nrps, array_agg(done ORDER BY nrp) AS done
              FROM (SELECT p.scope, s.nrp, count(*)::smallint AS done
                      FROM p
                      JOIN engagement e ON e.post_id = p.id AND e.kind = $3
                      JOIN staff s ON s.{HANDLE[platform]} = e.username
                     GROUP BY p.scope, s.nrp) x
             GROUP BY scope""",
            platform.value, day, KIND[platform],
        )  # fmt: skip
        by_scope = {r["scope"]: (list(r["nrps"]), list(r["done"])) for r in done}
        for scope, n in sizes.items():
            nrps, did = by_scope.get(scope, ([], []))
            await _store(conn, scope, platform, day, n, nrps, did)
            counts += len(nrps)
    posts = await conn.fetch(
        """UPDATE post SET engagement_compacted_at = $2
            WHERE wib_date = $1 AND engagement_compacted_at IS NULL RETURNING id""",
        day,
        now,
    )
    ids = [r["id"] for r in posts]
    deleted = await conn.execute("DELETE FROM engagement WHERE post_id = ANY($1::bigint[])", ids)
    rows = int(deleted.split()[-1])
    return Compacted(day, len(ids), rows, counts)


async def _store(
    conn: asyncpg.Connection, scope: str, platform: Platform, day: date, posts: int,
    nrps: Sequence[str], done: Sequence[int],
) -> None:  # fmt: skip
    """One scope's counts of the day, added to any stored before for the same day."""
    old = await conn.fetchrow(
        """SELECT posts, nrps, done FROM attendance_day
            WHERE scope = $1 AND platform = $2 AND wib_date = $3 FOR UPDATE""",
        scope, platform.value, day,
    )  # fmt: skip
    merged = dict(zip(nrps, done, strict=True))
    if old is not None:
        posts += old["posts"]
        for nrp, n in zip(old["nrps"], old["done"], strict=True):
            merged[nrp] = merged.get(nrp, 0) + n
    order = sorted(merged)
    await conn.execute(
        """INSERT INTO attendance_day (scope, platform, wib_date, posts, nrps, done)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (scope, platform, wib_date) DO UPDATE
              SET posts = EXCLUDED.posts, nrps = EXCLUDED.nrps, done = EXCLUDED.done""",
        scope, platform.value, day, posts, order, [merged[n] for n in order],
    )  # fmt: skip


async def compacted_done(
    conn: asyncpg.Connection, scope: str, platform: Platform | str, first: date, last: date
) -> dict[str, int]:
    """Per member of staff, the posts of `scope`'s P they engaged with on the compacted days
    among `first`..`last` (WIB, both included)."""
    rows = await conn.fetch(
        """SELECT u.nrp, sum(u.done)::int AS done
             FROM attendance_day a, unnest(a.nrps, a.done) AS u(nrp, done)
            WHERE a.scope = $1 AND a.platform = $2 AND a.wib_date BETWEEN $3 AND $4
            GROUP BY u.nrp""",
        scope, str(Platform(platform)), first, last,
    )  # fmt: skip
    return {r["nrp"]: r["done"] for r in rows}

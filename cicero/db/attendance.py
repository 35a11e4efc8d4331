"""Attendance for a whole scope in one set-based query (data.md §4.1-4.3).

A scope is an ORG client (its active `operator` staff) or a directorate (active holders of
its role on its own staff or a linked satker's). The status is computed in SQL with the rule
of `cicero.domain.attendance.status`, the ratio passed as an exact numerator/denominator so
`ceil(N·r)` is integer arithmetic, as in the domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from cicero.domain.attendance import FULL, Attendance, Person, Ratio, Status, exact_ratio
from cicero.domain.layouts.posts import PostRef
from cicero.domain.usernames import Platform

ENGAGEMENT_KIND = {Platform.INSTAGRAM: "like", Platform.TIKTOK: "comment"}


@dataclass(frozen=True)
class ScopePost:
    """A counted post: its database id, how messages show it, distinct engagers so far."""

    id: int
    ref: PostRef
    engagers: int


# P(scope, platform, day): routine posts of the day, known and not removed at the cut-off, owned by
# the scope's client or (directorate) tagged with its role; ordered by posted_at, external_id.
_POSTS = """
SELECT p.id, p.external_id, p.posted_at, coalesce(c.tiktok, '') AS owner,
       (SELECT count(*) FROM engagement e
         WHERE e.post_id = p.id AND e.kind = $5 AND e.first_seen_at <= $4) AS engagers
  FROM post p JOIN client c ON c.client_id = p.client_id
 WHERE p.platform = $2 AND p.wib_date = $3 AND p.kind = 'routine'
   AND p.first_seen_at <= $4 AND (p.removed_at IS NULL OR p.removed_at > $4)
   AND (p.client_id = $1
        OR ($6 AND EXISTS (SELECT 1 FROM post_tag t
                            WHERE t.post_id = p.id AND t.role_name = lower($1))))
 ORDER BY p.posted_at, p.external_id
"""


async def scope_posts(
    conn: asyncpg.Connection,
    scope: str,
    platform: Platform | str,
    day: date,
    cutoff: datetime,
    directorate: bool,
) -> list[ScopePost]:
    platform = Platform(platform)
    rows = await conn.fetch(
        _POSTS, scope, str(platform), day, cutoff, ENGAGEMENT_KIND[platform], directorate
    )
    return [
        ScopePost(r["id"], PostRef(platform, r["external_id"], r["owner"], r["posted_at"]), r["engagers"])
        for r in rows
    ]  # fmt: skip


# $1 scope, $2 platform, $3 post ids (P, in order), $4 cut-off, $5 engagement kind,
# $6 is a directorate, $7/$8 done_ratio as numerator/denominator.
_ATTENDANCE = """
WITH p AS (
    SELECT id, ord FROM unnest($3::bigint[]) WITH ORDINALITY AS u(id, ord)
), n AS (
    SELECT count(*)::int AS n FROM p
), people AS (
    SELECT s.nrp, s.client_id, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok,
           s.exception,
           CASE WHEN $2 = 'instagram' THEN s.instagram ELSE s.tiktok END AS handle
      FROM staff s
     WHERE s.active
       AND CASE WHEN $6
           THEN EXISTS (SELECT 1 FROM staff_role r WHERE r.nrp = s.nrp AND r.role_name = lower($1))
                AND (s.client_id = $1 OR s.client_id IN (SELECT d.client_id FROM client_directorate d
                                                         WHERE d.directorate_id = $1))
           ELSE s.client_id = $1
                AND EXISTS (SELECT 1 FROM staff_role r WHERE r.nrp = s.nrp AND r.role_name = 'operator')
           END
), done AS (
    SELECT s.nrp, array_agg(p.id ORDER BY p.ord) AS ids
      FROM people s
      JOIN engagement e ON e.username = s.handle AND e.kind = $5 AND e.first_seen_at <= $4
      JOIN p ON p.id = e.post_id
     GROUP BY s.nrp
)
SELECT s.*, coalesce(d.ids, '{}') AS done_ids, n.n AS total,
       CASE WHEN s.handle IS NULL THEN 'tanpa_username'
            WHEN s.exception THEN 'sudah'
            WHEN n.n = 0 THEN 'no_posts'
            WHEN coalesce(cardinality(d.ids), 0) >= greatest(1, (n.n * $7 + $8 - 1) / $8) THEN 'sudah'
            WHEN coalesce(cardinality(d.ids), 0) >= 1 THEN 'kurang'
            ELSE 'belum'
       END AS status
  FROM people s CROSS JOIN n LEFT JOIN done d ON d.nrp = s.nrp
 ORDER BY s.nrp
"""


async def scope_attendance(
    conn: asyncpg.Connection,
    scope: str,
    platform: Platform | str,
    post_ids: Sequence[int],
    cutoff: datetime,
    directorate: bool,
    done_ratio: Ratio = FULL,
) -> list[Attendance]:
    """Each counted person's attendance against `post_ids` (the post set, in its order);
    `done_posts` holds post ids. Sorted by nrp; layouts order people themselves."""
    platform = Platform(platform)
    ratio = exact_ratio(done_ratio)
    rows = await conn.fetch(
        _ATTENDANCE, scope, str(platform), list(post_ids), cutoff, ENGAGEMENT_KIND[platform],
        directorate, ratio.numerator, ratio.denominator,
    )  # fmt: skip
    return [_attendance(r) for r in rows]


def _attendance(r: asyncpg.Record) -> Attendance:
    person = Person(
        nrp=r["nrp"], client=r["client_id"], name=r["name"], rank=r["rank"], unit=r["unit"],
        position=r["position"], instagram=r["instagram"], tiktok=r["tiktok"],
        exception=r["exception"],
    )  # fmt: skip
    handle = r["handle"]
    return Attendance(
        person=person,
        handle=handle,
        done_posts=tuple(r["done_ids"]) if handle else (),
        total=r["total"],
        status=Status(r["status"]),
    )

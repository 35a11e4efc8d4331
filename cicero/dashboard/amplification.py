"""Amplification of one scope today (api.md §3 `/amplifikasi`, data.md §4.7): who reported
links for the scope's official IG posts, routine (the amplify_recap job's own data function)
or special tasks, per person and per post; and the deletion of a wrong report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from cicero.db import audit, recaps
from cicero.db.amplify import link_counts
from cicero.db.attendance import ScopePost, scope_attendance, scope_posts
from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, person_key, unit_key
from cicero.domain.attendance.rule import assess
from cicero.domain.layouts.amplification import AmplifyPerson, AmplifyRecap
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform

KINDS = ("routine", "special")
LINK_FIELDS = ("instagram_link", "facebook_link", "twitter_link", "tiktok_link", "youtube_link")

_SPECIAL = """
SELECT p.id, p.external_id, p.posted_at FROM post p
 WHERE p.platform = 'instagram' AND p.kind = 'special' AND p.wib_date = $2
   AND p.first_seen_at <= $3 AND (p.removed_at IS NULL OR p.removed_at > $3)
   AND (p.client_id = $1 OR ($4 AND EXISTS (SELECT 1 FROM post_tag t
                                             WHERE t.post_id = p.id AND t.role_name = lower($1))))
 ORDER BY p.posted_at, p.external_id
"""


@dataclass(frozen=True)
class Amplification:
    client: recaps.ClientRow
    kind: str
    day: date
    posts: tuple[ScopePost, ...]
    recap: AmplifyRecap
    reporters: dict[int, list[dict[str, Any]]]  # post id -> who reported, with their links

    def as_json(self) -> dict[str, Any]:
        people = sorted(
            self.recap.people,
            key=lambda p: (unit_key(p.attendance.unit), person_key(p.attendance, DEFAULT_RANK_TABLE)),
        )
        counts = Counter(p.attendance.status.value for p in people)
        return {
            "client": {"client_id": self.client.client_id, "name": self.client.name},
            "kind": self.kind, "date": self.day.isoformat(),
            "posts": [
                {"shortcode": p.ref.external_id, "link": p.ref.link, "posted_at": p.ref.posted_at,
                 "reporters": self.reporters.get(p.id, [])}
                for p in self.posts
            ],
            "summary": {"total": len(people), "sudah": counts["sudah"], "kurang": counts["kurang"],
                        "belum": counts["belum"], "links": sum(p.links for p in people)},
            "people": [
                {"nrp": p.attendance.nrp, "rank": p.attendance.rank, "name": p.attendance.name,
                 "unit": p.attendance.unit, "posts_done": p.attendance.count, "links": p.links,
                 "status": p.attendance.status.value, "exception": p.attendance.exception}
                for p in people
            ],
        }  # fmt: skip


async def today(
    conn: asyncpg.Connection, c: recaps.ClientRow, kind: str, day: date, now: datetime
) -> Amplification:
    if kind == "routine":
        posts = await scope_posts(conn, c.client_id, Platform.INSTAGRAM, day, now, c.is_directorate)
    else:
        rows = await conn.fetch(_SPECIAL, c.client_id, day, now, c.is_directorate)
        posts = [ScopePost(r["id"], PostRef(Platform.INSTAGRAM, r["external_id"], "", r["posted_at"]), 0)
                 for r in rows]  # fmt: skip
    ids = [p.id for p in posts]
    staff = await scope_attendance(conn, c.client_id, Platform.INSTAGRAM, ids, now, c.is_directorate)
    reported = await link_counts(conn, ids, day, now)
    people = []
    for a in staff:
        done, links = reported.get(a.nrp, ((), 0))
        people.append(AmplifyPerson(assess(a.person, a.nrp, done, len(ids)), links))
    recap = AmplifyRecap(c.name, now, tuple(p.ref for p in posts), tuple(people) if posts else ())
    reporters: dict[int, list[dict[str, Any]]] = {}
    rows = await conn.fetch(
        f"""SELECT r.post_id, r.nrp, s.name, s.rank, s.unit, r.reported_at, {", ".join("r." + f for f in LINK_FIELDS)}
              FROM link_report r JOIN staff s ON s.nrp = r.nrp
             WHERE r.post_id = ANY($1::bigint[]) AND r.reported_at <= $2
             ORDER BY r.post_id, r.reported_at, r.nrp""",
        ids, now,
    )  # fmt: skip
    for r in rows:
        reporters.setdefault(r["post_id"], []).append(
            {"nrp": r["nrp"], "name": r["name"], "rank": r["rank"], "unit": r["unit"],
             "reported_at": r["reported_at"],
             "links": {f.removesuffix("_link"): r[f] for f in LINK_FIELDS if r[f]}}
        )  # fmt: skip
    return Amplification(c, kind, day, tuple(posts), recap, reporters)


@dataclass(frozen=True)
class Deleted:
    nrp: str
    shortcode: str
    links: dict[str, str]


async def delete_report(
    conn: asyncpg.Connection, kind: str, shortcode: str, nrp: str, allowed: Any,
    now: datetime, entry: audit.Entry,
) -> Deleted | None:  # fmt: skip
    """Delete one wrong link report (its URL keys go with it) and audit it, in the caller's
    transaction. `allowed(client_id)`: whether the caller may act on that client. None when
    there is no such report in the caller's scope."""
    row = await conn.fetchrow(
        f"""SELECT r.post_id, s.client_id AS staff_client, p.client_id AS post_client,
                   {", ".join("r." + f for f in LINK_FIELDS)}
              FROM link_report r JOIN post p ON p.id = r.post_id JOIN staff s ON s.nrp = r.nrp
             WHERE p.platform = 'instagram' AND p.external_id = $1 AND p.kind = $2 AND r.nrp = $3
             FOR UPDATE OF r""",
        shortcode, kind, nrp,
    )  # fmt: skip
    if row is None or not (allowed(row["staff_client"]) or allowed(row["post_client"])):
        return None
    links = {f.removesuffix("_link"): row[f] for f in LINK_FIELDS if row[f]}
    await conn.execute("DELETE FROM link_report WHERE post_id = $1 AND nrp = $2", row["post_id"], nrp)
    await audit.record(
        conn,
        audit.Entry(entry.actor, entry.channel, "link_report.delete",
                    f"link_report:{kind}:{shortcode}:{nrp}", before={"links": links}, after=None,
                    reason=entry.reason, request_id=entry.request_id),
        now,
    )  # fmt: skip
    return Deleted(nrp, shortcode, links)

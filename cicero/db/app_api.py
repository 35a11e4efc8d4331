"""SQL of the staff app's API (api.md §2): the caller's profile, task set, link reports and
the Instagram profile cache. Rules are in cicero.domain.amplification; this is SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from cicero.db.auth import TokenRow, fetch_with_caller, with_caller
from cicero.domain.amplification.links import FIELDS, LinkField

_COLUMNS = ", ".join(f.column for f in FIELDS)

_PROFILE = """
SELECT s.nrp, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok, s.client_id, s.active,
       s.village, c.name AS client_name,
       coalesce((SELECT array_agg(r.role_name ORDER BY r.role_name) FROM staff_role r
                  WHERE r.nrp = s.nrp), '{{}}') AS roles
  FROM staff s JOIN client c ON c.client_id = s.client_id
 WHERE s.nrp = {nrp}
"""
_CALLER_PROFILE = with_caller(_PROFILE.format(nrp="caller.subject"))


async def caller_profile(
    conn: asyncpg.Connection, token_hash: bytes
) -> tuple[TokenRow | None, asyncpg.Record | None]:
    """The token's row and its subject's profile, in one round trip."""
    token, rows = await fetch_with_caller(conn, _CALLER_PROFILE, token_hash)
    return token, rows[0] if rows else None


# A post is a task of the caller (data.md §4.1, api.md §2): owned by their client, or by a
# directorate whose role they hold, or tagged with such a role; not removed; its owner tracks
# amplification. {client} = the caller's client, {roles} = the caller's roles (text[]).
_TASK = """
  FROM post p
  JOIN client c ON c.client_id = p.client_id AND c.amplify_enabled
 WHERE p.platform = 'instagram' AND p.kind = {kind} AND p.removed_at IS NULL
   AND (p.client_id = {client}
        OR lower(p.client_id) = ANY({roles})
        OR EXISTS (SELECT 1 FROM post_tag t WHERE t.post_id = p.id AND t.role_name = ANY({roles})))
"""
_POST_COLUMNS = """p.id, p.external_id, p.client_id, p.caption, p.posted_at, p.like_count,
       p.comment_count, p.media"""
_DIRECT = {"client": "$1", "roles": "$2::text[]", "kind": "$3"}
# The same with the caller's client and roles from the token lookup (with_caller).
_OF_CALLER = {"client": "caller.subject_client", "roles": "caller.subject_roles", "kind": "$2"}
_TASK_POSTS = f"SELECT {_POST_COLUMNS} {_TASK} AND p.wib_date = {{day}}"
_TASK_POST = f"SELECT {_POST_COLUMNS} {_TASK} AND p.external_id = {{shortcode}}"
_CALLER_TASK_POSTS = with_caller(
    _TASK_POSTS.format(**_OF_CALLER, day="$3"), order_by="posted_at, external_id"
)


async def caller_task_posts(
    conn: asyncpg.Connection, token_hash: bytes, kind: str, day: date
) -> tuple[TokenRow | None, list[asyncpg.Record]]:
    """The token's row and the task posts of its subject's day, in one round trip."""
    return await fetch_with_caller(conn, _CALLER_TASK_POSTS, token_hash, kind, day)


_OWN_TASK_POST = _TASK_POST.format(**_DIRECT, shortcode="$4")


async def task_post(
    conn: asyncpg.Connection, client_id: str, roles: Sequence[str], kind: str, shortcode: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(_OWN_TASK_POST, client_id, list(roles), kind, shortcode)


_CALLER_TASK_POST = with_caller(_TASK_POST.format(**_OF_CALLER, shortcode="$3"))


async def caller_task_post(
    conn: asyncpg.Connection, token_hash: bytes, kind: str, shortcode: str
) -> tuple[TokenRow | None, asyncpg.Record | None]:
    """The token's row and its subject's task post `shortcode`, in one round trip."""
    token, rows = await fetch_with_caller(conn, _CALLER_TASK_POST, token_hash, kind, shortcode)
    return token, rows[0] if rows else None


_REPORT = f"""
SELECT p.external_id, r.nrp, {", ".join("r." + f.column for f in FIELDS)}, r.reported_at,
       p.caption, p.media
  FROM link_report r JOIN post p ON p.id = r.post_id
"""


async def own_reports(
    conn: asyncpg.Connection, nrp: str, kind: str, since: datetime, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        _REPORT + """ WHERE r.nrp = $1 AND p.kind = $2 AND p.platform = 'instagram'
                        AND r.reported_at >= $3
                      ORDER BY r.reported_at DESC, p.external_id LIMIT $4""",
        nrp, kind, since, limit,
    )  # fmt: skip


async def report_for(
    conn: asyncpg.Connection, nrp: str, kind: str, shortcode: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        _REPORT + " WHERE r.nrp = $1 AND p.kind = $2 AND p.external_id = $3", nrp, kind, shortcode
    )


async def report_of_post(conn: asyncpg.Connection, post_id: int, nrp: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_REPORT + " WHERE r.post_id = $1 AND r.nrp = $2", post_id, nrp)


async def used_keys(conn: asyncpg.Connection, keys: Sequence[str]) -> set[str]:
    rows = await conn.fetch(
        "SELECT key FROM link_report_url WHERE key = ANY($1::text[])", list(keys)
    )
    return {r["key"] for r in rows}


@dataclass(frozen=True)
class Inserted:
    ok: bool
    report_exists: bool = False
    taken: frozenset[str] = frozenset()  # keys another report holds


_INSERT = f"""
WITH report AS (
    INSERT INTO link_report (post_id, nrp, {_COLUMNS}, reported_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
    ON CONFLICT (post_id, nrp) DO NOTHING
    RETURNING post_id, nrp
), keys AS (
    INSERT INTO link_report_url (key, post_id, nrp, field)
    SELECT k.key, r.post_id, r.nrp, k.field
      FROM report r, unnest($9::text[], $10::text[]) AS k(key, field)
    RETURNING 1
)
SELECT (SELECT count(*) FROM report) AS stored
"""


async def insert_report(
    conn: asyncpg.Connection,
    post_id: int,
    nrp: str,
    links: dict[LinkField, str],
    keys: dict[str, LinkField],
    now: datetime,
) -> Inserted:
    """The report and its URL keys in one statement (so one transaction, one round trip). A
    racing submitter of the same key meets the primary key of link_report_url and loses:
    the whole statement fails and nothing of it is stored."""
    try:
        stored = await conn.fetchval(
            _INSERT, post_id, nrp, *(links.get(f) for f in FIELDS), now,
            list(keys), [f.value for f in keys.values()],
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        return Inserted(False, taken=frozenset(await used_keys(conn, list(keys))))
    if not stored:
        return Inserted(False, report_exists=True)
    return Inserted(True)


async def write_scenario_report(
    conn: asyncpg.Connection, post_id: int, nrp: str, links: dict[LinkField, str],
    keys: dict[str, LinkField], at: datetime,
) -> None:  # fmt: skip
    """A simulated report (scenario `[[link_report]]`): a repeat for (post, nrp) replaces it,
    its keys follow; a key another report holds is left to that report."""
    async with conn.transaction():
        await conn.execute(
            f"""INSERT INTO link_report (post_id, nrp, {_COLUMNS}, reported_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                ON CONFLICT (post_id, nrp) DO UPDATE SET
                    {", ".join(f"{f.column} = EXCLUDED.{f.column}" for f in FIELDS)},
                    updated_at = EXCLUDED.updated_at""",
            post_id, nrp, *(links.get(f) for f in FIELDS), at,
        )  # fmt: skip
        await conn.execute(
            "DELETE FROM link_report_url WHERE post_id = $1 AND nrp = $2", post_id, nrp
        )
        await conn.executemany(
            """INSERT INTO link_report_url (key, post_id, nrp, field) VALUES ($1, $2, $3, $4)
               ON CONFLICT (key) DO NOTHING""",
            [(k, post_id, nrp, f.value) for k, f in keys.items()],
        )


# ---- Instagram profiles (A7, A8) ----------------------------------------------------------


async def ig_profile(conn: asyncpg.Connection, username: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM ig_profile WHERE username = $1", username)


async def save_ig_profile(conn: asyncpg.Connection, row: dict[str, Any]) -> None:
    await conn.execute(
        """INSERT INTO ig_profile (username, full_name, post_count, follower_count,
                                   following_count, profile_pic_url, is_private, fetched_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (username) DO UPDATE SET full_name = $2, post_count = $3,
               follower_count = $4, following_count = $5, profile_pic_url = $6,
               is_private = $7, fetched_at = $8""",
        row["username"], row["full_name"], row["post_count"], row["follower_count"],
        row["following_count"], row["profile_pic_url"], row["is_private"], row["fetched_at"],
    )  # fmt: skip


async def refreshes_since(conn: asyncpg.Connection, nrp: str, since: datetime) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM ig_profile_refresh WHERE nrp = $1 AND at >= $2", nrp, since
        )
    )


async def record_refresh(conn: asyncpg.Connection, nrp: str, at: datetime) -> None:
    await conn.execute("INSERT INTO ig_profile_refresh (nrp, at) VALUES ($1, $2)", nrp, at)

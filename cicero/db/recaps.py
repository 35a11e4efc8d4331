"""What the recap jobs read besides attendance (clients) and the evidence they write (recap_log)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from cicero.domain.attendance.rule import Attendance


@dataclass(frozen=True)
class ClientRow:
    client_id: str
    name: str
    type: str  # ORG | DIREKTORAT
    instagram: str | None
    tiktok: str | None
    instagram_enabled: bool
    tiktok_enabled: bool
    amplify_enabled: bool
    operator_wa: str | None
    super_wa: tuple[str, ...]
    group_jid: str | None

    @property
    def is_directorate(self) -> bool:
        return self.type == "DIREKTORAT"

    @property
    def has_instagram(self) -> bool:
        return bool(self.instagram) and self.instagram_enabled

    @property
    def has_tiktok(self) -> bool:
        return bool(self.tiktok) and self.tiktok_enabled


_CLIENT_COLUMNS = """client_id, name, type, instagram, tiktok, instagram_enabled, tiktok_enabled,
                     amplify_enabled, operator_wa, super_wa, group_jid"""


def _client(r: asyncpg.Record) -> ClientRow:
    return ClientRow(**{**dict(r), "super_wa": tuple(r["super_wa"])})


async def active_clients(conn: asyncpg.Connection, type_: str | None = None) -> list[ClientRow]:
    rows = await conn.fetch(
        f"""SELECT {_CLIENT_COLUMNS} FROM client
             WHERE active AND ($1::text IS NULL OR type = $1) ORDER BY client_id""",
        type_,
    )
    return [_client(r) for r in rows]


async def client(conn: asyncpg.Connection, client_id: str) -> ClientRow | None:
    row = await conn.fetchrow(
        f"SELECT {_CLIENT_COLUMNS} FROM client WHERE client_id = $1", client_id
    )
    return _client(row) if row else None


async def client_names(conn: asyncpg.Connection) -> dict[str, str]:
    return {
        r["client_id"]: r["name"] for r in await conn.fetch("SELECT client_id, name FROM client")
    }


@dataclass(frozen=True)
class RecapEntry:
    """One `recap_log` row: `posts` are external ids in P's order, `people` the counted staff."""

    report: str
    scope: str
    platform: str
    posts: tuple[str, ...]
    people: tuple[Attendance, ...]


async def log_recaps(
    conn: asyncpg.Connection,
    job: str,
    fire_time: datetime,
    entries: Sequence[RecapEntry],
    built_at: datetime,
) -> None:
    """Write the evidence in order; a (job, fire_time, report, scope, platform) already logged
    stays. Reports of one run often count the same people (a directorate's text and Excel
    recaps of a platform): each distinct list is encoded, sent and parsed once."""
    if not entries:
        return
    docs: dict[tuple[int, ...], int] = {}  # the people's object ids -> their document, from 1
    texts: list[str] = []
    for e in entries:
        key = tuple(map(id, e.people))  # the entries hold them: no id is reused meanwhile
        if key not in docs:
            texts.append(json.dumps([a.transcript() for a in e.people]))
            docs[key] = len(texts)
    doc_of = [docs[tuple(map(id, e.people))] for e in entries]
    await conn.execute(
        """WITH doc AS MATERIALIZED (  -- each document parsed once, however many rows share it
               SELECT n, people::jsonb AS people FROM unnest($3::text[]) WITH ORDINALITY d(people, n)
           )
           INSERT INTO recap_log (job, fire_time, report, scope, platform, posts, people, built_at)
           SELECT $1, $2, e.report, e.scope, e.platform, e.posts::jsonb, doc.people, $4
             FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::int[])
                  WITH ORDINALITY e(report, scope, platform, posts, doc, n)
             JOIN doc ON doc.n = e.doc
            ORDER BY e.n
           ON CONFLICT (job, fire_time, report, scope, platform) DO NOTHING""",
        job, fire_time, texts, built_at,
        [e.report for e in entries], [e.scope for e in entries], [e.platform for e in entries],
        [json.dumps(list(e.posts)) for e in entries], doc_of,
    )  # fmt: skip


async def empty_recap_logged(
    conn: asyncpg.Connection, job: str, scope: str, platform: str, day: date, before: datetime
) -> bool:
    """Whether an earlier run of `job` on WIB `day` already found no posts for this scope."""
    return bool(
        await conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM recap_log
                  WHERE job = $1 AND scope = $2 AND platform = $3 AND posts = '[]'::jsonb
                    AND (fire_time AT TIME ZONE 'Asia/Jakarta')::date = $4 AND fire_time < $5)""",
            job, scope, platform, day, before,
        )
    )  # fmt: skip


async def empty_recaps_logged(
    conn: asyncpg.Connection, job: str, day: date, before: datetime
) -> set[tuple[str, str]]:
    """(scope, platform) of every scope an earlier run of `job` on WIB `day` found without
    posts (`empty_recap_logged` for all scopes at once)."""
    rows = await conn.fetch(
        """SELECT DISTINCT scope, platform FROM recap_log
            WHERE job = $1 AND posts = '[]'::jsonb
              AND (fire_time AT TIME ZONE 'Asia/Jakarta')::date = $2 AND fire_time < $3""",
        job, day, before,
    )  # fmt: skip
    return {(r["scope"], r["platform"]) for r in rows}


async def failed_fetches(conn: asyncpg.Connection, post_ids: Sequence[int], kind: str) -> set[int]:
    """Posts whose latest engagement fetch of `kind` failed (their counts may be short)."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (post_id) post_id, outcome FROM engagement_fetch
            WHERE post_id = ANY($1::bigint[]) AND kind = $2 AND outcome <> 'unchanged'
            ORDER BY post_id, started_at DESC, id DESC""",
        list(post_ids),
        kind,
    )
    return {r["post_id"] for r in rows if r["outcome"] == "failed"}


async def post_audience(
    conn: asyncpg.Connection, post_ids: Sequence[int], kind: str, cutoff: datetime
) -> tuple[dict[int, tuple[str, int]], int]:
    """Per post its caption and the distinct accounts that engaged (`kind`) up to `cutoff`,
    and the distinct accounts over all the posts together."""
    rows = await conn.fetch(
        """SELECT p.id, coalesce(p.caption, '') AS caption, count(e.username) AS engagers
             FROM post p LEFT JOIN engagement e
                  ON e.post_id = p.id AND e.kind = $2 AND e.first_seen_at <= $3
            WHERE p.id = ANY($1::bigint[])
            GROUP BY p.id""",
        list(post_ids), kind, cutoff,
    )  # fmt: skip
    distinct = await conn.fetchval(
        """SELECT count(DISTINCT username) FROM engagement
            WHERE post_id = ANY($1::bigint[]) AND kind = $2 AND first_seen_at <= $3""",
        list(post_ids), kind, cutoff,
    )  # fmt: skip
    return {r["id"]: (r["caption"], r["engagers"]) for r in rows}, distinct


async def directorate_satkers(conn: asyncpg.Connection, directorate: str) -> list[str]:
    rows = await conn.fetch(
        """SELECT d.client_id FROM client_directorate d JOIN client c USING (client_id)
            WHERE d.directorate_id = $1 AND c.active ORDER BY d.client_id""",
        directorate,
    )
    return [r["client_id"] for r in rows]


async def last_broadcast(conn: asyncpg.Connection, client_id: str, day: date) -> set[int] | None:
    """The post set of the client's last queued broadcast that day (row locked), or None."""
    ids = await conn.fetchval(
        "SELECT post_ids FROM broadcast_state WHERE client_id = $1 AND wib_date = $2 FOR UPDATE",
        client_id,
        day,
    )
    return None if ids is None else set(ids)


async def record_broadcast(
    conn: asyncpg.Connection,
    client_id: str,
    day: date,
    post_ids: Sequence[int],
    fire_time: datetime,
    now: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO broadcast_state (client_id, wib_date, post_ids, fire_time, queued_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (client_id, wib_date) DO UPDATE
              SET post_ids = EXCLUDED.post_ids, fire_time = EXCLUDED.fire_time,
                  queued_at = EXCLUDED.queued_at""",
        client_id, day, list(post_ids), fire_time, now,
    )  # fmt: skip
    await conn.execute(
        """INSERT INTO task_announcement (client_id, wib_date, post_id, announced_at)
           SELECT $1, $2, unnest($3::bigint[]), $4 ON CONFLICT DO NOTHING""",
        client_id, day, list(post_ids), now,
    )  # fmt: skip


async def reminder_rows(
    conn: asyncpg.Connection, day: date, client_id: str
) -> dict[str, tuple[str, bool]]:
    rows = await conn.fetch(
        """SELECT chat, stage, complete FROM reminder_state
            WHERE wib_date = $1 AND client_id = $2 FOR UPDATE""",
        day,
        client_id,
    )
    return {r["chat"]: (r["stage"], r["complete"]) for r in rows}


@dataclass(frozen=True)
class ReminderSent:
    """A `reminder_state` row: the stage a chat was sent on `client_id`'s behalf, and its key."""

    chat: str
    client_id: str
    stage: str
    complete: bool
    outbox_key: str


async def record_reminders(
    conn: asyncpg.Connection, day: date, sent: Sequence[ReminderSent], now: datetime
) -> None:
    """Upsert the rows in order (one round trip; a chat listed twice keeps its last row)."""
    await conn.executemany(
        """INSERT INTO reminder_state (wib_date, chat, client_id, stage, complete, outbox_key,
                                       updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (wib_date, chat, client_id) DO UPDATE
              SET stage = EXCLUDED.stage, complete = EXCLUDED.complete,
                  outbox_key = EXCLUDED.outbox_key, updated_at = EXCLUDED.updated_at""",
        [(day, r.chat, r.client_id, r.stage, r.complete, r.outbox_key, now) for r in sent],
    )

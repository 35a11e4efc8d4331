"""The outbox in PostgreSQL (invariant 5). Rules are in cicero.domain.delivery.outbox; this is SQL.

Writers insert rows inside the transaction that decided to send them. A session
drains only its own rows, oldest first per recipient, marking a row `sending`
(committed) before the transport call and `sent` after it. A session whose network
de-duplicates by message id does both for a window of rows at a time
(cicero.domain.delivery.send_window).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cicero.domain.delivery.failures import Again, Fate, InDoubt
from cicero.domain.delivery.outbox import OutboxStatus, on_restart


@dataclass(frozen=True)
class NewMessage:
    key: str
    session: str
    recipient: str
    kind: str
    body: str = ""
    priority: int = 1
    attachment: bytes | None = None
    attachment_name: str | None = None
    attachment_mime: str | None = None
    job: str | None = None
    fire_time: datetime | None = None
    in_reply_to: str | None = None
    expires_at: datetime | None = None
    supersede_key: str | None = None
    not_before: datetime | None = None
    # The body once the row is settled, for a message carrying a one-time secret (the
    # database swaps it in: migration 0080); None keeps the body.
    body_after: str | None = None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    session: str
    recipient: str
    kind: str
    body: str
    attachment: bytes | None
    attachment_name: str | None
    attachment_mime: str | None
    attempts: int
    expires_at: datetime | None
    priority: int = 1


_FIELDS = tuple(OutboxRow.__dataclass_fields__)
_ROW = ", ".join(f"o.{name}" for name in _FIELDS)  # an OutboxRow's columns, in the query


async def enqueue(conn: asyncpg.Connection, messages: Iterable[NewMessage], now: datetime) -> None:
    """Insert messages decided at `now` (the runtime's clock, virtual in simulation); a key
    already present is left as it is (the decision was made before)."""
    rows = list(messages)
    if not rows:
        return
    await conn.executemany(
        """INSERT INTO outbox (key, session, recipient, kind, body, priority, attachment,
                               attachment_name, attachment_mime, job, fire_time, in_reply_to,
                               expires_at, supersede_key, next_attempt_at, created_at, body_after)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                   COALESCE($15::timestamptz, $16::timestamptz), $16::timestamptz, $17)
           ON CONFLICT (key) DO NOTHING""",
        [
            (
                m.key, m.session, m.recipient, m.kind, m.body, m.priority, m.attachment,
                m.attachment_name, m.attachment_mime, m.job, m.fire_time, m.in_reply_to,
                m.expires_at, m.supersede_key, m.not_before, now, m.body_after,
            )
            for m in rows
        ],
    )  # fmt: skip


async def expire(conn: asyncpg.Connection, session: str, now: datetime) -> int:
    result = await conn.execute(
        """UPDATE outbox SET status = 'dead', error = 'expired before it could be sent'
           WHERE session = $1 AND status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $2""",
        session,
        now,
    )
    return int(result.split()[-1])


async def due(
    conn: asyncpg.Connection, session: str, now: datetime, limit: int = 1
) -> list[OutboxRow]:
    """Rows this session may send now, in send order: due, and first in line for their
    recipient (a later row of the same recipient waits for the earlier one)."""
    rows = await conn.fetch(
        f"""SELECT {_ROW}
            FROM outbox o
            WHERE o.session = $1 AND o.status = 'pending' AND o.next_attempt_at <= $2
              AND NOT EXISTS (
                  SELECT 1 FROM outbox p
                  WHERE p.session = o.session AND p.recipient = o.recipient AND p.id < o.id
                    AND p.status IN ('pending', 'sending'))
            ORDER BY o.priority, o.id
            LIMIT $3""",
        session,
        now,
        limit,
    )
    return [OutboxRow(**dict(r)) for r in rows]


async def next_due(conn: asyncpg.Connection, session: str, now: datetime) -> OutboxRow | None:
    """The next row this session may send now."""
    rows = await due(conn, session, now, 1)
    return rows[0] if rows else None


async def behind(
    conn: asyncpg.Connection, session: str, now: datetime, heads: Sequence[OutboxRow], limit: int
) -> list[tuple[OutboxRow, bool]]:
    """The pending rows waiting behind `heads` (rows `due` answered: each first in line
    for its recipient), lowest ids first, at most `limit`; each with whether it is due."""
    rows = await conn.fetch(
        f"""SELECT {_ROW}, o.next_attempt_at <= $2 AS is_due FROM outbox o
            WHERE o.session = $1 AND o.status = 'pending' AND o.recipient = ANY($3::text[])
              AND o.id <> ALL($4::bigint[])
            ORDER BY o.id
            LIMIT $5""",
        session,
        now,
        list({row.recipient for row in heads}),
        [row.id for row in heads],
        limit,
    )
    return [(OutboxRow(**{k: r[k] for k in _FIELDS}), r["is_due"]) for r in rows]


@dataclass(frozen=True)
class PaceLimits:
    changes_at: datetime | None  # when a pending row next comes due or expires
    waiting: dict[str, int]  # rows waiting behind each head's recipient


async def pace_limits(
    conn: asyncpg.Connection, session: str, now: datetime, heads: Sequence[OutboxRow]
) -> PaceLimits:
    """What else changes `due`'s answers while rows go out: a pending row of the session
    coming due or expiring after `now`; and how many rows wait behind `heads`."""
    row = await conn.fetchrow(
        """SELECT least(
                      (SELECT min(next_attempt_at) FROM outbox
                       WHERE session = $1 AND status = 'pending' AND next_attempt_at > $2),
                      (SELECT min(expires_at) FROM outbox
                       WHERE session = $1 AND status = 'pending' AND expires_at > $2)
                  ) AS changes_at, w.recipients, w.counts
           FROM (SELECT array_agg(recipient) AS recipients, array_agg(n) AS counts
                 FROM (SELECT recipient, count(*) AS n FROM outbox
                       WHERE session = $1 AND status = 'pending'
                         AND recipient = ANY($3::text[]) AND id <> ALL($4::bigint[])
                       GROUP BY recipient) g) w""",
        session,
        now,
        list({head.recipient for head in heads}),
        [head.id for head in heads],
    )
    waiting = dict(zip(row["recipients"] or [], row["counts"] or [], strict=True))
    return PaceLimits(row["changes_at"], waiting)


async def next_attempt_at(conn: asyncpg.Connection, session: str) -> datetime | None:
    """When a row of this session next becomes sendable: only the first row in line for
    each recipient counts (a later one waits for it, whatever its own time)."""
    return await conn.fetchval(
        """SELECT min(o.next_attempt_at) FROM outbox o
           WHERE o.session = $1 AND o.status = 'pending'
             AND NOT EXISTS (
                 SELECT 1 FROM outbox p
                 WHERE p.session = o.session AND p.recipient = o.recipient AND p.id < o.id
                   AND p.status IN ('pending', 'sending'))""",
        session,
    )


async def reassign(
    conn: asyncpg.Connection, kind: str, sessions: list[str], to_session: str
) -> int:
    """Hand the pending rows of `kind` held by `sessions` to `to_session` (sender fallback)."""
    result = await conn.execute(
        "UPDATE outbox SET session = $3 WHERE kind = $1 AND session = ANY($2) AND status = 'pending'",
        kind,
        sessions,
        to_session,
    )
    return int(result.split()[-1])


async def readiness(conn: asyncpg.Connection) -> dict[str, tuple[str, datetime]]:
    """Each session's latest state and since when (from the session log)."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (session) session, state, at FROM session_log ORDER BY session, seq DESC"
    )
    return {r["session"]: (r["state"], r["at"]) for r in rows}


async def mark_sending(conn: asyncpg.Connection, row_id: int, message_id: str) -> bool:
    result = await conn.execute(
        """UPDATE outbox SET status = 'sending', attempts = attempts + 1, wa_message_id = $2
           WHERE id = $1 AND status = 'pending'""",
        row_id,
        message_id,
    )
    return result.endswith(" 1")


async def mark_sent(conn: asyncpg.Connection, row_id: int, message_id: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', wa_message_id = $2, sent_at = $3, error = '' WHERE id = $1",
        row_id,
        message_id,
        now,
    )


async def mark_sending_many(
    conn: asyncpg.Connection, claims: Sequence[tuple[int, str]]
) -> set[int]:
    """`mark_sending` for a send window in one statement: (row id, message id) pairs.
    Returns the ids claimed; a row no longer pending was taken by someone else."""
    rows = await conn.fetch(
        """UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1,
                  wa_message_id = c.message_id
           FROM unnest($1::bigint[], $2::text[]) AS c (id, message_id)
           WHERE o.id = c.id AND o.status = 'pending'
           RETURNING o.id""",
        [row_id for row_id, _ in claims],
        [message_id for _, message_id in claims],
    )
    return {r["id"] for r in rows}


async def mark_sent_many(
    conn: asyncpg.Connection, sent: Sequence[tuple[int, str, datetime]]
) -> None:
    """`mark_sent` for a send window in one statement: (row id, message id, sent at)."""
    if not sent:
        return
    await conn.execute(
        """UPDATE outbox o SET status = 'sent', wa_message_id = s.message_id, sent_at = s.at,
                  error = ''
           FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS s (id, message_id, at)
           WHERE o.id = s.id""",
        [row_id for row_id, _, _ in sent],
        [message_id for _, message_id, _ in sent],
        [at for _, _, at in sent],
    )


async def release_unsent(conn: asyncpg.Connection, row_ids: Sequence[int]) -> None:
    """Rows claimed for a window but never handed to the transport (the session stopped
    being ready part way, or a paced window stopped before their turn): pending again, the
    claim not counted as an attempt, and a row never tried before without a message id."""
    if not row_ids:
        return
    await conn.execute(
        """UPDATE outbox SET status = 'pending', attempts = attempts - 1,
                  wa_message_id = CASE WHEN attempts > 1 THEN wa_message_id END
           WHERE id = ANY($1::bigint[]) AND status = 'sending'""",
        list(row_ids),
    )


async def redact(conn: asyncpg.Connection, row_id: int) -> None:
    """Drop a body once it is no longer needed (an OTP mail must not keep its code)."""
    await conn.execute(
        "UPDATE outbox SET body = split_part(body, E'\n\n', 1) || E'\n\n[redacted]' WHERE id = $1",
        row_id,
    )


async def settle_failure(conn: asyncpg.Connection, row_id: int, fate: Fate) -> None:
    """Store what a failed send led to (cicero.domain.delivery.failures)."""
    if isinstance(fate, Again):
        await mark_retry(conn, row_id, fate.at, fate.error)
    elif isinstance(fate, InDoubt):
        await mark_in_doubt(conn, row_id, fate.reason)
    else:
        await mark_dead(conn, row_id, fate.reason)


async def redact_finished(conn: asyncpg.Connection, session: str) -> int:
    """Redact every finished row of `session` not redacted yet (rows a crash left in_doubt,
    rows that expired unsent): a mail's code must not outlive its sending."""
    result = await conn.execute(
        """UPDATE outbox SET body = split_part(body, E'\n\n', 1) || E'\n\n[redacted]'
           WHERE session = $1 AND status IN ('sent', 'dead', 'in_doubt')
             AND body NOT LIKE '%[redacted]'""",
        session,
    )
    return int(result.split()[-1])


async def mark_retry(conn: asyncpg.Connection, row_id: int, at: datetime, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $2, error = $3 WHERE id = $1",
        row_id,
        at,
        error,
    )


async def mark_dead(conn: asyncpg.Connection, row_id: int, reason: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'dead', error = $2 WHERE id = $1", row_id, reason
    )


async def mark_in_doubt(conn: asyncpg.Connection, row_id: int, reason: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'in_doubt', error = $2 WHERE id = $1", row_id, reason
    )


async def recover(conn: asyncpg.Connection, session: str, accepts_caller_id: bool) -> int:
    """At session start: rows left `sending` by a crash go back to pending (same id, the
    network de-duplicates) or become in_doubt (never resent by themselves)."""
    target = on_restart(OutboxStatus.SENDING, accepts_caller_id)
    result = await conn.execute(
        """UPDATE outbox SET status = $2,
                  error = CASE WHEN $2 = 'in_doubt' THEN 'the session stopped during the send' ELSE error END
           WHERE session = $1 AND status = 'sending'""",
        session,
        target.value,
    )
    return int(result.split()[-1])


async def counts(conn: asyncpg.Connection, session: str | None = None) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT status, count(*) AS n FROM outbox WHERE $1::text IS NULL OR session = $1 GROUP BY status",
        session,
    )
    return {r["status"]: r["n"] for r in rows}

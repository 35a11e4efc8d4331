"""The inbox in PostgreSQL (invariant 7): each incoming message recorded once, by
(session, message id); handled strictly in order per chat; a message that keeps
failing is counted, then set aside (cicero.domain.runtime.poison)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class InboxMessage:
    session: str
    message_id: str
    chat: str
    sender: str
    is_group: bool
    text: str
    push_name: str
    received_at: datetime
    attempts: int = 0  # tries begun so far
    last_error: str = ""


async def record(conn: asyncpg.Connection, m: InboxMessage) -> bool:
    """True when the message is new; a redelivery is ignored."""
    result = await conn.execute(
        """INSERT INTO inbox (session, message_id, chat, sender, is_group, text, push_name, received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session, message_id) DO NOTHING""",
        m.session, m.message_id, m.chat, m.sender, m.is_group, m.text, m.push_name, m.received_at,
    )  # fmt: skip
    return result.endswith(" 1")


async def next_unhandled(conn: asyncpg.Connection) -> InboxMessage | None:
    """The next message to handle: only a chat's oldest unhandled message may go (per-chat
    order), and among those, ones never tried before ones that failed, then oldest first,
    so a message that keeps failing never holds up another chat."""
    # The oldest unhandled message heads its chat; when it was never tried it is the one.
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM inbox WHERE handled_at IS NULL ORDER BY seq LIMIT 1"
    )
    if row is not None and row["attempts"] > 0:  # it failed before: other chats first
        row = await conn.fetchrow(
            f"""SELECT * FROM (
                    SELECT DISTINCT ON (session, chat) {_COLUMNS}, seq
                    FROM inbox WHERE handled_at IS NULL ORDER BY session, chat, seq
                ) heads ORDER BY attempts > 0, seq LIMIT 1"""
        )
    if row is None:
        return None
    return InboxMessage(**{k: row[k] for k in _FIELDS})


_FIELDS = (
    "session", "message_id", "chat", "sender", "is_group", "text", "push_name", "received_at",
    "attempts", "last_error",
)  # fmt: skip
_COLUMNS = ", ".join(_FIELDS)


async def begin_attempt(conn: asyncpg.Connection, m: InboxMessage) -> None:
    """Count a try before it begins (committed on its own): a process that dies in the
    middle of it has used it up too."""
    await conn.execute(
        "UPDATE inbox SET attempts = attempts + 1 WHERE session = $1 AND message_id = $2",
        m.session,
        m.message_id,
    )


async def record_failure(conn: asyncpg.Connection, m: InboxMessage, error: str) -> None:
    await conn.execute(
        "UPDATE inbox SET last_error = $3 WHERE session = $1 AND message_id = $2",
        m.session,
        m.message_id,
        error,
    )


async def set_aside(conn: asyncpg.Connection, m: InboxMessage, error: str, now: datetime) -> None:
    """Done with it without handling it: nothing waits behind it any more."""
    await conn.execute(
        """UPDATE inbox SET handled_at = $3, set_aside_at = $3, last_error = $4
           WHERE session = $1 AND message_id = $2""",
        m.session,
        m.message_id,
        now,
        error,
    )


async def last_set_aside(conn: asyncpg.Connection, session: str, chat: str) -> datetime | None:
    """When a message of this chat was last set aside, if ever."""
    value: datetime | None = await conn.fetchval(
        """SELECT max(set_aside_at) FROM inbox
           WHERE session = $1 AND chat = $2 AND set_aside_at IS NOT NULL""",
        session,
        chat,
    )
    return value


async def mark_handled(
    conn: asyncpg.Connection, session: str, message_id: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE inbox SET handled_at = $3 WHERE session = $1 AND message_id = $2",
        session,
        message_id,
        now,
    )

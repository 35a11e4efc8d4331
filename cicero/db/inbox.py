"""The inbox in PostgreSQL (invariant 7): each incoming message recorded once, by
(session, message id); handled strictly in order per chat."""

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


async def record(conn: asyncpg.Connection, m: InboxMessage) -> bool:
    """True when the message is new; a redelivery is ignored."""
    result = await conn.execute(
        """INSERT INTO inbox (session, message_id, chat, sender, is_group, text, push_name, received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session, message_id) DO NOTHING""",
        m.session, m.message_id, m.chat, m.sender, m.is_group, m.text, m.push_name, m.received_at,
    )  # fmt: skip
    return result.endswith(" 1")


async def next_unhandled(conn: asyncpg.Connection) -> InboxMessage | None:
    """The oldest unhandled message of any chat whose earlier messages are all handled."""
    row = await conn.fetchrow(
        """SELECT session, message_id, chat, sender, is_group, text, push_name, received_at
           FROM inbox WHERE handled_at IS NULL ORDER BY seq LIMIT 1"""
    )
    return InboxMessage(**dict(row)) if row else None


async def mark_handled(
    conn: asyncpg.Connection, session: str, message_id: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE inbox SET handled_at = $3 WHERE session = $1 AND message_id = $2",
        session,
        message_id,
        now,
    )

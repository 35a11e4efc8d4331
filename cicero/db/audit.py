"""The audit log (api.md §5): one write helper for every channel, called inside the
transaction of the change it records, so a change and its entry commit or vanish together.

Entries hold no secrets: a password change says "password changed", never a hash; phone
numbers are the actor's own id. The table refuses updates and deletes younger than a year.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg

from cicero.domain.text.storable import storable


class Channel(StrEnum):
    WEB = "web"
    WHATSAPP = "whatsapp"
    IMPORT = "import"
    CLI = "cli"
    SYSTEM = "system"


@dataclass(frozen=True)
class Entry:
    actor: str  # 'dash:<username>', 'wa:<number>', 'cli', 'system'
    channel: Channel
    action: str  # dotted, lower case: 'dashboard_account.approve', 'job.pause', …
    entity: str = ""  # what changed: 'dashboard_account:12', 'job:db_backup', 'outbox:981'
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str = ""
    request_id: str = ""


class NotInTransaction(RuntimeError):
    """An audit entry written outside the change's transaction could outlive a rolled-back
    change, or be lost while the change stays: a caller bug."""


async def record(conn: asyncpg.Connection, entry: Entry, at: datetime) -> int:
    """Append `entry` at instant `at` (the runtime's clock); returns its id."""
    if not conn.is_in_transaction():
        raise NotInTransaction(f"audit {entry.action!r} outside a transaction")
    row_id: int = await conn.fetchval(
        """INSERT INTO audit_log (at, actor, channel, action, entity, before, after, reason,
                                  request_id)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9) RETURNING id""",
        at, entry.actor, entry.channel.value, entry.action, entry.entity,
        _json(entry.before), _json(entry.after), storable(entry.reason)[:500], entry.request_id,
    )  # fmt: skip
    return row_id


async def record_many(conn: asyncpg.Connection, entries: Sequence[Entry], at: datetime) -> None:
    """Append many entries at once (an import's thousands of rows), same rules as `record`."""
    if not entries:
        return
    if not conn.is_in_transaction():
        raise NotInTransaction(f"audit {entries[0].action!r} outside a transaction")
    await conn.executemany(
        """INSERT INTO audit_log (at, actor, channel, action, entity, before, after, reason,
                                  request_id)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9)""",
        [
            (at, e.actor, e.channel.value, e.action, e.entity, _json(e.before), _json(e.after),
             storable(e.reason)[:500], e.request_id)
            for e in entries
        ],
    )  # fmt: skip


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Logged:
    id: int
    at: datetime
    actor: str
    channel: str
    action: str
    entity: str
    before: Any
    after: Any
    reason: str
    request_id: str


async def recent(
    conn: asyncpg.Connection,
    limit: int = 50,
    before_id: int | None = None,
    entity_prefix: str | None = None,
    *,
    entity: str | None = None,
    channel: str | None = None,
    actor: str | None = None,
) -> list[Logged]:
    """Newest first, a keyset page: entries with id below `before_id` (api.md §5 `cursor`),
    optionally of one entity (exact), channel or actor."""
    rows = await conn.fetch(
        """SELECT id, at, actor, channel, action, entity, before, after, reason, request_id
             FROM audit_log
            WHERE ($1::bigint IS NULL OR id < $1)
              AND ($2::text IS NULL OR starts_with(entity, $2))
              AND ($4::text IS NULL OR entity = $4)
              AND ($5::text IS NULL OR channel = $5)
              AND ($6::text IS NULL OR actor = $6)
            ORDER BY id DESC LIMIT $3""",
        before_id, entity_prefix, limit, entity, channel, actor,
    )  # fmt: skip
    return [
        Logged(
            r["id"], r["at"], r["actor"], r["channel"], r["action"], r["entity"],
            json.loads(r["before"]) if r["before"] else None,
            json.loads(r["after"]) if r["after"] else None, r["reason"], r["request_id"],
        )
        for r in rows
    ]  # fmt: skip

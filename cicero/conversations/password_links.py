"""Issue a "Password aplikasi" link: throttle, store its hash, queue the WhatsApp message to
the member's bound number, all in the caller's transaction (the menu step's, or a web call's
for the dashboard later)."""

from __future__ import annotations

import secrets
from datetime import datetime

import asyncpg

from cicero.db import auth as db
from cicero.db.outbox import NewMessage, enqueue
from cicero.domain.auth import password_links as links
from cicero.domain.delivery.outbox import MessageKind, Priority


async def issue(
    conn: asyncpg.Connection,
    nrp: str,
    phone: str,
    requested_by: str,
    session: str,
    base_url: str,
    now: datetime,
) -> bool:
    """True when a link went into the outbox; False when one was sent too recently."""
    earlier = await db.link_requests(conn, nrp, now - links.TTL * 4)
    if not links.may_issue(earlier, now):
        return False
    token = links.token_of(secrets.token_bytes(32))
    digest = links.digest(token)
    assert digest is not None
    await db.store_link(conn, digest, nrp, now, links.TTL, requested_by)
    await enqueue(
        conn,
        [
            NewMessage(
                key=links.key(nrp, now),
                session=session,
                recipient=phone,
                kind=MessageKind.OPERATOR_DIRECT.value,
                body=links.message(links.url(base_url, token)),
                priority=int(Priority.MENU_REPLY),
                expires_at=now + links.TTL,  # a link worth nothing once expired is not sent
            )
        ],
        now,
    )
    return True

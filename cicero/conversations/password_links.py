"""Issue a "Password aplikasi" link: throttle, store its hash, queue the WhatsApp message to
the member's bound number, all in the caller's transaction (the menu step's, or a web call's
for the dashboard later)."""

from __future__ import annotations

import secrets
from datetime import datetime

import asyncpg

from cicero.db import audit
from cicero.db import auth as db
from cicero.db.outbox import NewMessage, enqueue
from cicero.domain.auth import password_links as links
from cicero.domain.delivery.outbox import SECRET_REMOVED, MessageKind, Priority
from cicero.domain.people.phones import mask_phone


async def issue(
    conn: asyncpg.Connection,
    nrp: str,
    phone: str,
    requested_by: str,
    session: str,
    base_url: str,
    now: datetime,
    *,
    request_id: str = "",
) -> bool:
    """True when a link went into the outbox; False when one was sent too recently. Audited
    (who asked, for whom; never the link): `requested_by` is "self", "operator:<number>" or
    "dash:<username>"."""
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
                body_after=links.message(links.url(base_url, SECRET_REMOVED)),
            )
        ],
        now,
    )
    web = requested_by.startswith("dash:")
    number = phone if requested_by == "self" else requested_by.partition(":")[2]
    actor = requested_by if web else f"wa:{number}"
    await audit.record(
        conn,
        audit.Entry(actor, audit.Channel.WEB if web else audit.Channel.WHATSAPP,
                    "staff.password_link", f"staff:{nrp}",
                    after={"link_sent_to": mask_phone(phone),
                           "valid_minutes": int(links.TTL.total_seconds() // 60)},
                    request_id=request_id),
        now,
    )  # fmt: skip
    return True

"""Registrations and their decisions (api.md §1): from the dashboard or from WhatsApp
(`approvedash#`/`denydash#`), each decision audited and the applicant told, in the caller's
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from cicero.config import Settings
from cicero.db import audit
from cicero.db import dashboard as db
from cicero.db.outbox import NewMessage, enqueue
from cicero.domain.auth import dashboard
from cicero.domain.auth.dashboard import DecisionRefused, Role, Status
from cicero.domain.auth.tokens import Revocation, TokenKind
from cicero.domain.delivery.outbox import MessageKind, Priority
from cicero.domain.people.phones import mask_phone

NOTICE_LIFE = timedelta(hours=24)


def first_session(settings: Settings, kind: MessageKind) -> str:
    """The first configured session of the kind's sender chain (the drain falls back)."""
    config = settings.config
    chain = config.senders.chains.get(kind.value, ("operator",))
    return next((s for s in chain if s in config.sessions), chain[0])


async def known_clients(conn: asyncpg.Connection) -> dict[str, str]:
    rows = await conn.fetch("SELECT client_id, type FROM client WHERE active ORDER BY client_id")
    return {r["client_id"]: r["type"] for r in rows}


async def admin_recipients(conn: asyncpg.Connection, settings: Settings) -> list[str]:
    """Who hears of a registration: config admin numbers and active dashboard admins."""
    numbers = [*settings.config.admin_numbers, *await db.admin_numbers(conn)]
    return list(dict.fromkeys(numbers))


def registration_notice(row: db.AccountRow, public_url: str) -> str:
    clients = ", ".join(row.client_ids) or "–"
    return (
        "📝 *Pendaftaran akun dashboard*\n"
        f"Username: *{row.username}*\nNama: {row.name}\n"
        f"WhatsApp: {mask_phone(row.whatsapp) if row.whatsapp else '–'}\n"
        f"Peran diminta: {row.role.label}\nClient: {clients}\n\n"
        f"Setujui: *approvedash#{row.username}*\nTolak: *denydash#{row.username}*\n"
        f"Atau buka {public_url.rstrip('/')}/admin/pengguna (berlaku 7 hari)."
    )


async def tell_admins(
    conn: asyncpg.Connection, settings: Settings, row: db.AccountRow, now: datetime
) -> int:
    session = first_session(settings, MessageKind.ADMIN_NOTICE)
    text = registration_notice(row, settings.config.web.public_url)
    messages = [
        NewMessage(
            key=f"dashboard_register|{row.id}|{to}", session=session, recipient=to,
            kind=MessageKind.ADMIN_NOTICE.value, body=text, priority=int(Priority.RECAP),
            expires_at=now + NOTICE_LIFE,
        )
        for to in await admin_recipients(conn, settings)
    ]  # fmt: skip
    await enqueue(conn, messages, now)
    return len(messages)


@dataclass(frozen=True)
class Decided:
    row: db.AccountRow
    status: Status
    role: Role
    client_ids: tuple[str, ...]


async def decide(
    conn: asyncpg.Connection,
    settings: Settings,
    row: db.AccountRow,
    approve: bool,
    now: datetime,
    *,
    actor: str,
    channel: audit.Channel,
    role: Role | None = None,
    client_ids: Sequence[str] | None = None,
    reason: str = "",
    request_id: str = "",
) -> Decided:
    """Approve (fixing role and clients; default: as asked) or reject a pending registration.
    Raises DecisionRefused (already decided, lapsed) or ValueError (a bad role or client)."""
    status = dashboard.decide(row.status, row.registered_at, now, approve)
    role = role or row.role
    if role is Role.ADMIN:
        raise ValueError("admin hanya dibuat dengan perintah cicero admin add")
    ids = tuple(row.client_ids if client_ids is None else client_ids)
    if approve:
        ids, problem = dashboard.client_choice(list(ids), role, await known_clients(conn))
        if problem:
            raise ValueError(problem)
    await db.set_decision(conn, row.id, status, role, ids, actor, now)
    await audit.record(
        conn,
        audit.Entry(
            actor, channel, "dashboard_account.approve" if approve else "dashboard_account.reject",
            f"dashboard_account:{row.id}",
            before={"status": row.current(now).value, "role": row.role.value,
                    "client_ids": list(row.client_ids)},
            after={"status": status.value, "role": role.value, "client_ids": list(ids)},
            reason=reason, request_id=request_id,
        ),
        now,
    )  # fmt: skip
    if row.whatsapp:
        text = (
            f"✅ Akun dashboard *{row.username}* disetujui sebagai {role.label}. Silakan masuk di "
            f"{settings.config.web.public_url.rstrip('/')}/login"
            if approve
            else f"❌ Pendaftaran akun dashboard *{row.username}* ditolak."
            + (f" Alasan: {reason}" if reason else "")
        )
        await enqueue(
            conn,
            [
                NewMessage(
                    key=f"dashboard_decision|{row.id}|{status.value}", recipient=row.whatsapp,
                    session=first_session(settings, MessageKind.ADMIN_NOTICE),
                    kind=MessageKind.ADMIN_NOTICE.value, body=text, priority=int(Priority.RECAP),
                    expires_at=now + NOTICE_LIFE,
                )
            ],
            now,
        )  # fmt: skip
    return Decided(row, status, role, ids)


async def disable(
    conn: asyncpg.Connection, row: db.AccountRow, now: datetime, *, actor: str,
    channel: audit.Channel, reason: str = "", request_id: str = "",
) -> None:  # fmt: skip
    """Deactivate an account and end its sessions."""
    from cicero.db.auth import revoke_subject

    await db.set_status(conn, row.id, Status.DISABLED)
    await revoke_subject(
        conn, (TokenKind.DASHBOARD_SESSION,), str(row.id), Revocation.DEACTIVATED, now
    )
    await audit.record(
        conn,
        audit.Entry(
            actor, channel, "dashboard_account.disable", f"dashboard_account:{row.id}",
            before={"status": row.current(now).value}, after={"status": Status.DISABLED.value},
            reason=reason, request_id=request_id,
        ),
        now,
    )  # fmt: skip


__all__ = ["Decided", "DecisionRefused", "decide", "disable", "tell_admins"]

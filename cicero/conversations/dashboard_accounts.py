"""`approvedash#` / `denydash#` from an admin's WhatsApp (menus.md §3.5, api.md §1): the
decision on a dashboard registration, made with the dashboard's own service in the step's
transaction (audited, applicant told), and the one reply saying what happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from cicero.config import Settings
from cicero.conversations import reports
from cicero.dashboard import accounts as service
from cicero.db import audit
from cicero.db import dashboard as db
from cicero.db.inbox import InboxMessage
from cicero.db.outbox import NewMessage
from cicero.domain.auth.dashboard import DecisionRefused, Role
from cicero.domain.menus.model import DecideDashboardAccount

DECISION_PART = 60  # after the menu reply, reports (10…) and fetch answers (40…)


async def run(
    conn: asyncpg.Connection,
    settings: Settings,
    decisions: Sequence[DecideDashboardAccount],
    m: InboxMessage,
    now: datetime,
) -> list[NewMessage]:
    if not decisions:
        return []
    batch = reports.reply_batch(m.session, m.message_id, now, DECISION_PART)
    for d in decisions:
        batch.text(m.chat, await _decide(conn, settings, d, m, now), reports.KIND)
    return batch.messages


async def _decide(
    conn: asyncpg.Connection, settings: Settings, d: DecideDashboardAccount, m: InboxMessage,
    now: datetime,
) -> str:  # fmt: skip
    row = await db.by_username(conn, d.username)
    if row is None:
        return f"❌ Akun dashboard *{d.username}* tidak ditemukan."
    role = None
    if d.role is not None:
        try:
            role = Role(d.role)
        except ValueError:
            return f"❌ Peran *{d.role}* tidak dikenal."
    try:
        done = await service.decide(
            conn, settings, row, d.approve, now, actor=f"wa:{m.sender}",
            channel=audit.Channel.WHATSAPP, role=role, client_ids=d.client_ids, reason=d.reason,
        )  # fmt: skip
    except DecisionRefused as err:
        return f"ℹ️ Akun *{row.username}* tidak dapat diputuskan: {err}."
    except ValueError as err:
        return f"❌ {err}."
    if not d.approve:
        return f"✅ Pendaftaran *{row.username}* ditolak."
    clients = ", ".join(done.client_ids) or "sesuai peran"
    return f"✅ Akun *{row.username}* disetujui sebagai {done.role.label} (client: {clients})."

"""The admin's client menu through the router's real step (load facts, answer lookups, apply
effects, queue replies) on a real database: bulk deactivation, exception, move, per-content."""

from __future__ import annotations

import asyncio
import json

import pytest

from cicero.conversations.step import handle_next
from cicero.db.connect import connect
from cicero.db.inbox import InboxMessage, record
from tests.integration.recaps import world

NOW = world.at(15, 20)
BULK = """Permohonan Penghapusan Data Personil – POLRES A
1. BUDI SANTOSO – 75020001 – mutasi
2. ANDI WIJAYA – 75020003 – pensiun
3. EKO – 75020011 – polres lain"""


@pytest.fixture(scope="module")
def seeded(database_url: str) -> str:
    world.seeded(database_url)
    return database_url


def converse(url: str, sender: str, texts: list[str], prefix: str) -> list[str]:
    """Each text as one inbound message, handled in turn; the reply bodies, in order."""

    async def go() -> list[str]:
        conn = await connect(url)
        try:
            for i, text in enumerate(texts):
                m = InboxMessage(
                    "operator", f"{prefix}{i}", f"{sender}@s.whatsapp.net", sender, False, text,
                    "", NOW,
                )  # fmt: skip
                await record(conn, m)
                assert await handle_next(conn, world.settings(url), NOW) is not None
            rows = await conn.fetch(
                "SELECT body FROM outbox WHERE in_reply_to LIKE $1 ORDER BY id", f"{prefix}%"
            )
            return [r["body"] for r in rows]
        finally:
            await conn.close()

    return asyncio.run(go())


def staff_row(url: str, nrp: str) -> dict:
    rows = world.query(
        url,
        """SELECT s.active, s.whatsapp, s.exception, s.client_id,
                  array(SELECT role_name FROM staff_role r WHERE r.nrp = s.nrp ORDER BY 1) AS roles
             FROM staff s WHERE nrp = $1""",
        nrp,
    )
    return rows[0]


def test_bulk_deactivation_on_the_database(seeded: str) -> None:
    replies = converse(seeded, world.ADMIN, ["clientrequest", "1", "5", BULK, "ya", "1"], "B")
    assert "Akan diproses (2):" in replies[3] and "75020011: bukan personil POLRES A" in replies[3]
    assert "BUDI SANTOSO – 75020001 memiliki beberapa role" in replies[4]
    assert "✅ Diproses (2):" in replies[5]
    andi = staff_row(seeded, "75020003")  # one role: dropped, inactive, unbound
    assert (andi["active"], andi["whatsapp"], andi["roles"]) == (False, None, [])
    budi = staff_row(seeded, "75020001")  # picked 1. ditbinmas: keeps operator and the number
    assert (budi["active"], budi["whatsapp"], budi["roles"]) == (
        True,
        "6281300000001",
        ["operator"],
    )
    # audit_log, from the WhatsApp channel: the last role (and with it the person) in one
    # entry, then the number; the inactive step in between changed nothing more.
    audit = world.query(
        seeded,
        """SELECT action, actor, channel, before, after, reason FROM audit_log
            WHERE entity = 'staff:75020003' ORDER BY id""",
    )
    assert [(a["action"], a["channel"]) for a in audit] == [
        ("staff.roles", "whatsapp"), ("staff.update", "whatsapp")]
    assert json.loads(audit[0]["before"]) == {"roles": ["operator"], "active": True}
    assert json.loads(audit[0]["after"]) == {"roles": [], "active": False}
    assert json.loads(audit[1]["after"]) == {"whatsapp": None}
    assert {(a["actor"], a["reason"]) for a in audit} == {(f"wa:{world.ADMIN}", "pensiun")}


def test_exception_and_move_are_stored(seeded: str) -> None:
    converse(seeded, world.ADMIN, ["clientrequest", "1", "3", "75020004", "8", "tidak",
                                   "10", "POLRES_B"], "U")  # fmt: skip
    fajar = staff_row(seeded, "75020004")
    assert (fajar["exception"], fajar["client_id"]) == (False, "POLRES_B")


def test_not_an_admin_changes_nothing(seeded: str) -> None:
    (reply,) = converse(seeded, "6281200000001", ["clientrequest"], "N")  # POLRES_A operator
    assert reply.startswith("❌ Anda tidak memiliki akses")

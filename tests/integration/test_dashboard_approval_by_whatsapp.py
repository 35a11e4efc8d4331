"""`approvedash#` / `denydash#` from an admin's WhatsApp through the router's real step:
the registration decided with the dashboard's service (audited with channel whatsapp, the
applicant told), one reply; refused for anyone but an admin, and for a decided account."""

from __future__ import annotations

import asyncio

from cicero.db.connect import connect
from cicero.domain.auth.dashboard import Role, Status
from tests.integration.recaps import world
from tests.integration.test_client_admin_steps import converse
from tests.integration.web.dashboard_world import make_account


def test_admin_approves_and_rejects_from_whatsapp(database_url: str) -> None:
    world.seeded(database_url)

    async def accounts() -> None:
        await make_account(database_url, "op.baru", Role.OPERATOR, ("POLRES_A",),
                           status=Status.PENDING, whatsapp="6281277770001", now=world.at(9))  # fmt: skip
        await make_account(database_url, "dit.baru", Role.DITBINMAS, status=Status.PENDING,
                           now=world.at(9))  # fmt: skip
        await make_account(database_url, "ditolak", Role.OPERATOR, ("POLRES_A",),
                           status=Status.PENDING, whatsapp="6281277770002", now=world.at(9))  # fmt: skip

    asyncio.run(accounts())
    stranger = converse(database_url, "6281399999999", ["approvedash#op.baru"], "wa-x")
    assert len(stranger) == 1 and "akses" in stranger[0]
    replies = converse(
        database_url, world.ADMIN,
        ["approvedash#op.baru", "approvedash#dit.baru#ditbinmas#POLRES_B", "denydash#ditolak#data tidak lengkap",
         "approvedash#op.baru", "approvedash#tidak.ada", "approvedash#"],
        "wa-a",
    )  # fmt: skip
    assert replies[0].startswith("✅ Akun *op.baru* disetujui sebagai Operator satker")
    assert "POLRES_B" in replies[1]
    assert replies[2] == "✅ Pendaftaran *ditolak* ditolak."
    assert "tidak dapat diputuskan" in replies[3]
    assert "tidak ditemukan" in replies[4] and replies[5].startswith("Format: approvedash#")

    async def check() -> None:
        conn = await connect(database_url)
        try:
            rows = {r["username"]: r for r in await conn.fetch(
                "SELECT username, status, role, client_ids, decided_by FROM dashboard_account")}  # fmt: skip
            assert rows["op.baru"]["status"] == "active"
            assert rows["op.baru"]["decided_by"] == f"wa:{world.ADMIN}"
            assert list(rows["dit.baru"]["client_ids"]) == ["POLRES_B"]
            assert rows["ditolak"]["status"] == "rejected"
            audit = await conn.fetch("SELECT channel, action, reason FROM audit_log ORDER BY id")
            assert [(a["channel"], a["action"]) for a in audit] == [
                ("whatsapp", "dashboard_account.approve"), ("whatsapp", "dashboard_account.approve"),
                ("whatsapp", "dashboard_account.reject")]  # fmt: skip
            assert audit[2]["reason"] == "data tidak lengkap"
            told = await conn.fetch(
                "SELECT recipient, body FROM outbox WHERE key LIKE 'dashboard_decision|%' ORDER BY id"
            )
            assert [t["recipient"] for t in told] == ["6281277770001", "6281277770002"]
            assert "Alasan: data tidak lengkap" in told[1]["body"]
        finally:
            await conn.close()

    asyncio.run(check())

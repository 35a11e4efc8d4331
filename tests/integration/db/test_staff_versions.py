"""Migration 0045: every change to a person bumps its version (whichever channel writes it),
the menus' old staff_audit rows live on in audit_log, and audit_log refuses TRUNCATE too."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import asyncpg
import pytest

from cicero.db.connect import connect
from cicero.db.migrate import known_migrations, migrate

T = datetime(2026, 2, 6, 3, 0, tzinfo=UTC)


def test_versions_follow_every_change_and_role(database_url: str) -> None:
    async def go() -> None:
        conn = await connect(database_url)
        try:
            await conn.execute(
                """INSERT INTO client (client_id, name, type) VALUES ('POLRES_V', 'POLRES V', 'ORG');
                   INSERT INTO staff (nrp, name, client_id) VALUES ('76000001', 'ADI', 'POLRES_V');
                   INSERT INTO staff_role VALUES ('76000001', 'operator')"""
            )

            async def v() -> int:
                return int(await conn.fetchval("SELECT version FROM staff WHERE nrp = '76000001'"))

            assert await v() == 2  # created, then its first role
            await conn.execute("UPDATE staff SET name = 'ADI S' WHERE nrp = '76000001'")
            assert await v() == 3
            await conn.execute("UPDATE staff SET name = 'ADI S' WHERE nrp = '76000001'")
            assert await v() == 3  # nothing changed, nothing to invalidate
            await conn.execute("INSERT INTO staff_role VALUES ('76000001', 'ditbinmas')")
            assert await v() == 4
            # Dropping the last roles: one bump for the statement, one for the deferred
            # trigger that makes the person inactive at commit.
            await conn.execute("DELETE FROM staff_role WHERE nrp = '76000001'")
            assert await v() == 6
            assert await conn.fetchval("SELECT active FROM staff WHERE nrp = '76000001'") is False
        finally:
            await conn.close()

    asyncio.run(go())


def test_truncating_the_audit_log_is_refused(database_url: str) -> None:
    async def go() -> None:
        conn = await connect(database_url)
        try:
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute("TRUNCATE audit_log")
        finally:
            await conn.close()

    asyncio.run(go())


def test_staff_audit_rows_move_into_audit_log(empty_database_url: str) -> None:
    async def go() -> None:
        conn = await connect(empty_database_url)
        try:
            await conn.execute(
                """CREATE TABLE schema_migration (version integer PRIMARY KEY, name text NOT NULL,
                                                  applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            for m in known_migrations():
                if m.version < 45:
                    await conn.execute(m.sql)
                    await conn.execute("INSERT INTO schema_migration VALUES ($1, $2)", m.version, m.name)
            await conn.executemany(
                "INSERT INTO staff_audit (nrp, field, value, by_phone, at) VALUES ($1, $2, $3, $4, $5)",
                [("76000001", "whatsapp", "6281234500011", "6281234500011@s.whatsapp.net", T),
                 ("76000001", "password", None, "web:/akun/password", T),
                 ("76000002", "role_dropped", "operator", "6281300000001", T)],
            )  # fmt: skip
            await migrate(conn)
            rows = await conn.fetch(
                "SELECT at, actor, channel, action, entity, after FROM audit_log ORDER BY id"
            )
            got = [(r["actor"], r["channel"], r["action"], r["entity"],
                    json.loads(r["after"]) if r["after"] else None) for r in rows]  # fmt: skip
            assert got == [
                ("wa:6281234500011", "whatsapp", "staff.update", "staff:76000001",
                 {"whatsapp": "6281234500011"}),
                ("staff:76000001", "web", "staff.password_set", "staff:76000001", None),
                ("wa:6281300000001", "whatsapp", "staff.roles", "staff:76000002",
                 {"role_dropped": "operator"}),
            ]  # fmt: skip
            assert all(r["at"] == T for r in rows)
            gone = await conn.fetchval("SELECT to_regclass('staff_audit')")
            assert gone is None
        finally:
            await conn.close()

    asyncio.run(go())

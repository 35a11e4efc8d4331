"""audit_log (api.md §5): written only inside the change's transaction, rolled back with it,
and append-only: no update, no delete of a row younger than a year."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest

from cicero.db import audit
from cicero.db.connect import connect

T = datetime(2026, 2, 6, 3, 0, tzinfo=UTC)
ENTRY = audit.Entry("dash:admin", audit.Channel.WEB, "job.pause", "job:db_backup",
                    before={"paused": False}, after={"paused": True}, reason="uji", request_id="r1")  # fmt: skip


def test_entries_commit_and_roll_back_with_their_change(database_url: str) -> None:
    async def go() -> None:
        conn = await connect(database_url)
        try:
            with pytest.raises(audit.NotInTransaction):
                await audit.record(conn, ENTRY, T)
            async with conn.transaction():
                await audit.record(conn, ENTRY, T)
            with pytest.raises(RuntimeError):
                async with conn.transaction():
                    await audit.record(conn, ENTRY, T)
                    raise RuntimeError("the change failed")
            rows = await audit.recent(conn)
            assert len(rows) == 1 and rows[0].after == {"paused": True}
            assert rows[0].actor == "dash:admin" and rows[0].request_id == "r1"
            for sql in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
                with pytest.raises(asyncpg.RaiseError, match="append-only"):
                    await conn.execute(sql)
            await conn.execute(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;"
                "UPDATE audit_log SET at = now() - interval '13 months';"
                "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"
            )
            assert await conn.execute("DELETE FROM audit_log") == "DELETE 1"  # past a year
        finally:
            await conn.close()

    asyncio.run(go())

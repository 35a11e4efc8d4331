"""A scratch embedded cluster (`cicero simulate`'s fresh database): created by our initdb
call, started by pgserver, running without waiting for the disk, and usable."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cicero.db.connect import connect
from cicero.db.embedded import SCRATCH_SETTINGS, start_embedded


async def settings_and_a_write(url: str) -> dict[str, str]:
    conn = await connect(url)
    try:
        await conn.execute("CREATE TABLE t (x int)")
        await conn.execute("INSERT INTO t VALUES (1)")
        assert await conn.fetchval("SELECT x FROM t") == 1
        return {key: await conn.fetchval(f"SHOW {key}") for key in SCRATCH_SETTINGS}
    finally:
        await conn.close()


def test_a_scratch_cluster_never_waits_for_the_disk_and_works(tmp_path: Path) -> None:
    url, server = start_embedded(tmp_path, "scratch_db", scratch=True)
    try:
        assert url.split("?")[0].endswith("/scratch_db")
        assert asyncio.run(settings_and_a_write(url)) == SCRATCH_SETTINGS
    finally:
        server.cleanup()  # type: ignore[attr-defined]


def test_without_scratch_the_cluster_keeps_postgresql_defaults(tmp_path: Path) -> None:
    url, server = start_embedded(tmp_path)
    try:
        shown = asyncio.run(settings_and_a_write(url))
        assert shown == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
    finally:
        server.cleanup()  # type: ignore[attr-defined]

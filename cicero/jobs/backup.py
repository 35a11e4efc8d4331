"""db_backup (data.md §6): pg_dump into `<data_dir>/backups/`, verified, then rotated.

An unverified dump is deleted and the job fails; rotation runs only after a verified one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import asyncpg

from cicero.db import backup
from cicero.domain.runtime.backups import backup_name, stamp_of, to_keep
from cicero.jobs.registry import JobContext


async def manifest(conn: asyncpg.Connection, at: datetime) -> dict[str, object]:
    counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in backup.KEY_TABLES}
    version = await conn.fetchval("SELECT max(version) FROM schema_migration")
    return {"taken_at": at.isoformat(), "schema_version": version, "rows": counts}


def rotate(folder: Path, daily: int, weekly: int) -> list[str]:
    dumps = {s: p for p in folder.glob("cicero-*.dump") if (s := stamp_of(p.name))}
    keep = to_keep(dumps, daily, weekly)
    gone = [p for s, p in dumps.items() if s not in keep]
    for p in gone:
        backup.remove(p)
    return sorted(p.name for p in gone)


async def take_backup(url: str, conn: asyncpg.Connection, folder: Path, now: datetime) -> Path:
    target = folder / backup_name(now)
    info = await manifest(conn, now)
    await asyncio.to_thread(backup.dump, url, target, info)
    try:
        await asyncio.to_thread(backup.verify, target)
    except backup.BackupError:
        backup.remove(target)
        raise
    return target


async def db_backup(ctx: JobContext) -> str:
    if ctx.settings.env.database_url is None:
        raise backup.BackupError("no database URL in the settings")
    folder = ctx.settings.env.data_dir / "backups"
    async with ctx.pool.acquire() as conn:
        path = await take_backup(ctx.settings.env.database_url.reveal(), conn, folder, ctx.now)
    keep = ctx.settings.config.retention
    gone = rotate(folder, keep.backups_daily, keep.backups_weekly)
    return f"{path.name} ({path.stat().st_size} bytes, verified); rotated out {len(gone)}"

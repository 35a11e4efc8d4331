"""db_backup and restore: a verified custom-format dump restores into a fresh database with
every table's row count; rotation keeps 7 daily + 4 weekly and the newest."""

import asyncio
from datetime import datetime, timedelta

from cicero.cli.backup_cmds import restore_into
from cicero.db.connect import connect
from cicero.domain.runtime.backups import backup_name, stamp_of, to_keep
from cicero.domain.timezone import WIB
from cicero.jobs.backup import db_backup
from cicero.jobs.broadcast import task_broadcast
from tests.conftest import fresh_database
from tests.integration.recaps import world


async def _counts(url):
    conn = await connect(url)
    try:
        tables = await conn.fetch(
            """SELECT table_name FROM information_schema.tables
                WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"""
        )
        return {
            t["table_name"]: await conn.fetchval(f'SELECT count(*) FROM "{t["table_name"]}"')
            for t in tables
        }
    finally:
        await conn.close()


def test_dump_verify_restore_counts(pg_server, tmp_path):
    url = fresh_database(pg_server)
    world.seeded(url)
    world.run_job(url, "task_broadcast", world.at(12), task_broadcast)  # outbox + state rows
    fire = datetime(2026, 2, 11, 4, 0, tzinfo=WIB)
    reason = world.run_job(url, "db_backup", fire, db_backup, data_dir=tmp_path)
    assert reason.startswith("cicero-20260211-040004.dump") and "verified" in reason
    dump = tmp_path / "backups" / "cicero-20260211-040004.dump"
    assert dump.exists() and (tmp_path / "backups" / (dump.name + ".sha256")).exists()

    target = fresh_database(pg_server, template="template0")  # empty: no schema at all
    restored = asyncio.run(restore_into(target, dump))
    assert restored["staff"] == len(world.STAFF) and restored["post"] == len(world.POSTS)
    before, after = asyncio.run(_counts(url)), asyncio.run(_counts(target))
    assert before == after
    assert before["outbox"] > 0 and before["broadcast_state"] > 0


def test_rotation_keeps_7_daily_4_weekly_and_newest():
    start = datetime(2026, 1, 1, 4, 0, tzinfo=WIB)
    stamps = [start + timedelta(days=d) for d in range(60)]
    stamps += [start + timedelta(days=59, hours=3)]  # a second dump on the last day
    keep = to_keep(stamps, daily=7, weekly=4)
    newest = max(stamps)
    days = sorted({s.date() for s in keep})
    assert newest in keep
    assert len([s for s in keep if s.date() > newest.date() - timedelta(days=7)]) == 7
    assert len(keep) <= 7 + 4 and len(days) == len(keep)
    assert stamp_of(backup_name(newest)) == newest
    assert to_keep([], 7, 4) == set()

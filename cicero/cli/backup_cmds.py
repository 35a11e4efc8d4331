"""`cicero backup` and `cicero restore FILE|latest` (data.md §6)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from cicero.config import load_settings
from cicero.db import backup
from cicero.db.embedded import DatabaseUnavailable

# asyncpg and the job modules load only when a command runs (the parser is built on every call).
# Exit codes as every command's: 2 when refused before anything was done (a missing or
# damaged dump, no PostgreSQL tools, the database unreachable or in use), 1 when the dump or
# the restore itself failed.
EXIT_OK, EXIT_FAIL, EXIT_REFUSED = 0, 1, 2


class Refused(backup.BackupError):
    """Nothing was done: the message says what to fix first."""


def cmd_backup(args: argparse.Namespace) -> int:
    from cicero.db.connect import connect, resolve_database
    from cicero.jobs.backup import take_backup

    settings = load_settings()
    folder = settings.env.data_dir / "backups"
    try:
        url, _server = resolve_database(settings)  # keep the handle while in use

        async def go() -> Path:
            conn = await connect(url)
            try:
                return await take_backup(url, conn, folder, datetime.now(UTC))
            finally:
                await conn.close()

        path = asyncio.run(go())
    except DatabaseUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REFUSED
    except backup.BackupError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAIL
    print(f"{path} ({path.stat().st_size} bytes, verified)")
    return EXIT_OK


def _latest(folder: Path) -> Path:
    dumps = sorted(folder.glob("cicero-*.dump"))
    if not dumps:
        raise Refused(f"no dumps in {folder}")
    return dumps[-1]


def check_dump(path: Path) -> None:
    """Refused unless `path` is a dump pg_restore can read, with the key tables' data and,
    where one was recorded, its checksum."""
    if not path.exists():
        raise Refused(f"{path}: no such file")
    if not path.is_file():
        raise Refused(f"{path}: not a regular file")
    try:
        backup.pg_tool("pg_restore")
    except backup.BackupError as err:
        raise Refused(str(err)) from None
    try:
        backup.check_sum(path)
        backup.verify(path)
    except backup.BackupError as err:
        raise Refused(f"{path}: not a usable Cicero dump: {err}") from None


async def restore_into(url: str, path: Path) -> dict[str, int]:
    """Restore `path` into the database at `url`, migrate, and return the key tables' rows."""
    from cicero.db.connect import connect
    from cicero.db.migrate import migrate

    conn = await connect(url)
    try:
        held = await conn.fetchval(
            """SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""
        )
        if held:
            raise Refused("a running Cicero holds this database; stop it first")
        await asyncio.to_thread(backup.restore, url, path)
        await migrate(conn)
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in backup.KEY_TABLES}
    finally:
        await conn.close()


def cmd_restore(args: argparse.Namespace) -> int:
    from cicero.db.connect import resolve_database

    settings = load_settings()
    try:
        folder = settings.env.data_dir / "backups"
        path = _latest(folder) if args.file == "latest" else Path(args.file)
        check_dump(path)
        if not args.yes:
            print(f"restoring {path} replaces the database's contents; add --yes", file=sys.stderr)
            return EXIT_REFUSED
        url, _server = (args.db, None) if args.db else resolve_database(settings)
        counts = asyncio.run(restore_into(url, path))
    except (DatabaseUnavailable, Refused) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REFUSED
    except (backup.BackupError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAIL
    manifest_file = path.with_name(path.name + ".manifest.json")
    expected = json.loads(manifest_file.read_text())["rows"] if manifest_file.exists() else {}
    for table, n in counts.items():
        print(f"{table:12} {n:>10}   manifest {expected.get(table, '?')}")
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="dump the database into <data_dir>/backups and verify it")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a dump (FILE or 'latest') into the database")
    p.add_argument("file", help="a .dump file, or 'latest' for the newest in <data_dir>/backups")
    p.add_argument("--db", help="PostgreSQL URL to restore into (default: the configured one)")
    p.add_argument("--yes", action="store_true", help="confirm replacing the database contents")
    p.set_defaults(func=cmd_restore)

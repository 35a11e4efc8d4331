"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given.

Its data lives under the data directory; an instance already up for that
directory is reused, and the handle stops it when this process exits.

What a hard kill leaves behind is cleared before pgserver looks (`recover`):
pgserver counts the processes using a server in `.handle_pids.json` and stops
the server when the last one lets go, so a killed process's pid left there kept
every later clean stop from stopping it; and a `postmaster.pid` whose pid now
belongs to some unrelated live process made pgserver take the server for running
and fail later with a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path

import psutil

log = logging.getLogger("cicero.db")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or started; the message says what to do."""


def ensure_writable(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as err:
        raise DatabaseUnavailable(
            f"data directory {data_dir} is not writable ({err.strerror}); "
            "set CICERO_DATA_DIR to a writable directory"
        ) from None


def start_embedded(
    data_dir: Path, database: str = "cicero", *, scratch: bool = False
) -> tuple[str, object]:
    """Start (or join) the embedded server; return its URL for `database` and the handle.

    Keep the handle referenced for as long as the database is needed: its
    finaliser stops the server when the last handle in this process goes.

    `scratch`: the server's files are deleted after this one run (`cicero simulate`), so
    nothing in them has to survive a machine crash: a new cluster is created without
    initdb's flush to disk and runs with `SCRATCH_SETTINGS`.
    """
    ensure_writable(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
        (data_dir / "run").mkdir(exist_ok=True)
        import pgserver  # imported here: it is only needed without DATABASE_URL

        logging.getLogger("pgserver").setLevel(logging.WARNING)
        pgdata = data_dir / "pg"
        try:
            from pgserver.postgres_server import PostgresServer

            with PostgresServer._lock:  # pgserver's own, held while it touches these files
                recover(pgdata)
            if scratch and not (pgdata / "PG_VERSION").exists():
                _init_scratch(pgdata)
            server = pgserver.get_server(pgdata, cleanup_mode="stop")
            exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
            if "1 row" not in exists:
                server.psql(f'CREATE DATABASE "{database}";')
        except DatabaseUnavailable:
            raise
        except Exception as err:  # pgserver raises bare exceptions from initdb/pg_ctl/psql
            raise DatabaseUnavailable(
                f"the embedded PostgreSQL under {pgdata} did not start ({_short(err)}); "
                "see its log in that directory, or set DATABASE_URL"
            ) from None
    return server.get_uri(database), server


HANDLES = ".handle_pids.json"  # pgserver: the pids of the processes using the server


def recover(pgdata: Path) -> None:
    """Clear what hard kills left: dead pids in pgserver's handle list, and a
    `postmaster.pid` naming a live process that is not this directory's PostgreSQL."""
    handles = pgdata / HANDLES
    if handles.exists():
        try:
            pids = json.loads(handles.read_text() or "[]")
        except ValueError:
            pids = []  # unreadable: nothing in it can be trusted, so no one holds the server
        alive = [p for p in pids if isinstance(p, int) and _alive(p)]
        if alive != pids:
            log.info(
                "embedded PostgreSQL: forgot %d handle(s) of exited processes",
                len(pids) - len(alive),
            )
            handles.write_text(json.dumps(alive))
    lock = pgdata / "postmaster.pid"
    try:
        pid = int(lock.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return  # no lock file, or one PostgreSQL will judge itself
    if not _alive(pid) or _is_postmaster_of(pid, pgdata):
        return  # PostgreSQL clears a dead one's file itself; a live one is reused
    if _postmaster_running_in(pgdata):
        raise DatabaseUnavailable(
            f"{lock} names pid {pid}, which is not the PostgreSQL running on {pgdata}: "
            "stop that PostgreSQL, then start again"
        )
    log.warning("embedded PostgreSQL: %s named pid %d, an unrelated process; removed", lock, pid)
    try:
        lock.unlink()
    except OSError as err:
        raise DatabaseUnavailable(
            f"{lock} is stale (pid {pid} is another program) and cannot be removed "
            f"({err.strerror}): remove it by hand"
        ) from None


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _is_postmaster_of(pid: int, pgdata: Path) -> bool:
    try:
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and str(pgdata.resolve()) in proc.cmdline()
    except psutil.Error:
        return False


def _postmaster_running_in(pgdata: Path) -> bool:
    return any(_is_postmaster_of(p.pid, pgdata) for p in psutil.process_iter())


def _short(err: BaseException) -> str:
    """pgserver's errors quote whole command lines and logs: keep the first line."""
    text = str(err).strip().splitlines()
    return text[0][:300] if text else type(err).__name__


# On a busy machine fsync cost 1-3 ms per commit, initdb's final flush ~1.5 s, and deleting
# flushed files after the run ~1 s more; a scratch cluster waits for none of it.
SCRATCH_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
PGSERVER_USER = "pgserver"  # the user pgserver runs PostgreSQL as when we are root


def _init_scratch(pgdata: Path) -> None:
    """initdb with pgserver's arguments plus --no-sync, then the scratch settings; pgserver
    finds the cluster initialised and only starts it. As root, PostgreSQL must run as
    pgserver's own user, with the same permissions pgserver would give it."""
    import pgserver

    pgdata.mkdir(exist_ok=True)
    user = None
    if os.geteuid() == 0:
        import pwd
        import stat

        from pgserver import utils
        from pgserver.postgres_server import POSTGRES_BIN_PATH as BIN

        user = PGSERVER_USER
        utils.ensure_user_exists(user)
        utils.ensure_prefix_permissions(pgdata)
        utils.ensure_prefix_permissions(BIN)
        readable, executable = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
        utils.ensure_folder_permissions(BIN, readable | executable)
        utils.ensure_folder_permissions(BIN.parent / "lib", readable)
        entry = pwd.getpwnam(user)
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    # pgserver makes its command functions at import (setattr on the module): no stub sees them
    pgserver.initdb(  # type: ignore[attr-defined]
        ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"],
        pgdata=pgdata,
        user=user,
    )
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write("".join(f"{key} = {value}\n" for key, value in SCRATCH_SETTINGS.items()))

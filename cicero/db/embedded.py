"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given.

Its data lives under the data directory; an instance already up for that
directory is reused, and the handle stops it when this process exits.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

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
        try:
            if scratch and not (data_dir / "pg" / "PG_VERSION").exists():
                _init_scratch(data_dir / "pg")
            server = pgserver.get_server(data_dir / "pg", cleanup_mode="stop")
        except Exception as err:  # pgserver raises bare exceptions from initdb/pg_ctl
            raise DatabaseUnavailable(
                f"the embedded PostgreSQL under {data_dir / 'pg'} did not start ({err}); "
                "see its log in that directory, or set DATABASE_URL"
            ) from None
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database), server


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
    pgserver.initdb(
        ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"],
        pgdata=pgdata,
        user=user,
    )
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write("".join(f"{key} = {value}\n" for key, value in SCRATCH_SETTINGS.items()))

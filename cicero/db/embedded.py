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


def start_embedded(data_dir: Path, database: str = "cicero") -> tuple[str, object]:
    """Start (or join) the embedded server; return its URL for `database` and the handle.

    Keep the handle referenced for as long as the database is needed: its
    finaliser stops the server when the last handle in this process goes.
    """
    ensure_writable(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
        (data_dir / "run").mkdir(exist_ok=True)
        import pgserver  # imported here: it is only needed without DATABASE_URL

        logging.getLogger("pgserver").setLevel(logging.WARNING)
        try:
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

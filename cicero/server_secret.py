"""The server secret: the key of every HMAC Cicero stores (OTP codes today).

Taken from `CICERO_SECRET_KEY` when set (at least 32 characters; containers that keep no
data directory of their own), else from `<data_dir>/secret.key`, created at first start
with 32 random bytes and mode 0600. Losing it only voids what it keyed: the OTP codes
outstanding at that moment (each lives 5 minutes).

`cicero run` and `cicero simulate` resolve it once, before any actor starts, into the
settings every actor receives; nothing else reads the file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import replace
from pathlib import Path

from cicero.config.load import Env, Secret, Settings

ENV_NAME = "CICERO_SECRET_KEY"
FILE_NAME = "secret.key"
MIN_LENGTH = 32


class SecretError(RuntimeError):
    """The secret file cannot be used; the message says why and what to do."""


def with_server_secret(settings: Settings) -> Settings:
    """`settings` whose env carries the server secret (read or created now)."""
    if settings.env.secret_key is not None:
        return settings
    key = load_or_create(settings.env.data_dir / FILE_NAME)
    return replace(settings, env=replace(settings.env, secret_key=Secret(key)))


def key_bytes(env: Env) -> bytes:
    """The secret as an HMAC key; a runtime without one was started wrongly (a bug)."""
    if env.secret_key is None:
        raise RuntimeError(f"no server secret: {ENV_NAME} unset and with_server_secret not run")
    return env.secret_key.reveal().encode()


def load_or_create(path: Path) -> str:
    """The secret in `path`, creating it (0600, written whole before it appears) if absent."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)  # fails if another process created it first: theirs wins
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return _read(path)


def _read(path: Path) -> str:
    try:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            os.chmod(path, 0o600)  # readable by others: no longer
        key = path.read_text().strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as err:
        raise SecretError(f"{path}: cannot read the server secret: {err}") from None
    if len(key) < MIN_LENGTH:
        raise SecretError(
            f"{path}: the server secret is shorter than {MIN_LENGTH} characters; "
            f"delete the file to have a new one made (outstanding OTP codes become invalid)"
        )
    return key

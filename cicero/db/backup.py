"""pg_dump / pg_restore as argument lists (no shell), the password in the environment.

A dump is written as `.partial`, fsynced and renamed, with a `.sha256` and a manifest of row
counts beside it; `verify` asks `pg_restore --list` whether the key tables' data is in it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

KEY_TABLES = ("client", "staff", "post", "engagement", "link_report")


class BackupError(RuntimeError):
    """A dump, check or restore failed; the message carries the tool's own words."""


def pg_tool(name: str) -> str:
    """The binary of the embedded server's version (pgserver) when installed, else PATH."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver  # the server this project runs; its tools match its major version

        candidate = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found (install the PostgreSQL client tools)")
    return found


def _url_and_env(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment that carries it (not in argv)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
        url = urlunsplit(parts._replace(netloc=netloc))
    return url, env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = done.stderr.strip()[-500:] or f"exit status {done.returncode}, no message"
        raise BackupError(f"{Path(args[0]).name} failed: {said}")
    return done.stdout


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dump(url: str, target: Path, manifest: dict[str, object]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    bare, env = _url_and_env(url)
    _run(
        [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={partial}",
            f"--dbname={bare}",
        ],
        env,
    )
    with partial.open("rb") as f:
        os.fsync(f.fileno())
    partial.rename(target)
    target.with_name(target.name + ".sha256").write_text(f"{sha256_of(target)}  {target.name}\n")
    target.with_name(target.name + ".manifest.json").write_text(json.dumps(manifest, indent=1))
    return target


def verify(path: Path) -> None:
    """`pg_restore --list` reads the file and lists the key tables' data; else BackupError."""
    listing = _run([pg_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    missing = [t for t in KEY_TABLES if f"TABLE DATA public {t} " not in listing]
    if missing:
        raise BackupError(f"{path.name}: no data for {', '.join(missing)}")


def check_sum(path: Path) -> None:
    recorded = path.with_name(path.name + ".sha256")
    if recorded.exists() and recorded.read_text().split()[0] != sha256_of(path):
        raise BackupError(f"{path.name}: checksum does not match {recorded.name}")


def restore(url: str, path: Path) -> None:
    check_sum(path)
    bare, env = _url_and_env(url)
    _run(
        [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", f"--dbname={bare}", str(path)],
        env,
    )  # fmt: skip


def remove(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + s) for s in (".sha256", ".manifest.json"))):
        p.unlink(missing_ok=True)

"""One Cicero per data directory: `cicero run` and `cicero pair` hold `cicero.lock` in it.

A second `cicero run` on the same directory would race the first for its web port,
its sessions' advisory locks and its embedded PostgreSQL, and end in tracebacks; it
now stops at once with one line naming the holder. The lock is an `flock`, released by
the kernel when the last process holding it ends, however it ends; the actor processes
inherit it from the launcher, so it stays held until none of them is left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import psutil

LOCK_NAME = "cicero.lock"


class AlreadyRunning(RuntimeError):
    """Another Cicero holds the data directory; the message says which and what to do."""


@contextlib.contextmanager
def holding(data_dir: Path, command: str) -> Iterator[None]:
    """Hold the data directory's lock for `command` (e.g. "cicero run") while inside."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise AlreadyRunning(
            f"data directory {data_dir} is not writable ({err.strerror}); "
            "set CICERO_DATA_DIR to a writable directory"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(_held_by(fd, data_dir)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # the lock goes with the last copy of this descriptor


def _held_by(fd: int, data_dir: Path) -> str:
    """Who holds the lock, in words."""
    try:
        pid_text, _, command = os.pread(fd, 200, 0).decode(errors="replace").strip().partition(" ")
        pid = int(pid_text)
    except ValueError:
        return f"another Cicero is using {data_dir}: stop it first"
    command = command or "cicero"
    if psutil.pid_exists(pid):
        return f"{command} (pid {pid}) is already using {data_dir}: stop it first"
    return (
        f"{command} (pid {pid}) has exited but its processes still hold {data_dir}; "
        "they stop within seconds: try again"
    )

"""The embedded PostgreSQL after hard kills: what they leave behind is cleared, or start-up
stops with one line (never a traceback, never a server left running by a clean stop)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from cicero.db.embedded import DatabaseUnavailable, start_embedded

HOLD = """
import sys, time
from pathlib import Path
from cicero.db.embedded import start_embedded
start_embedded(Path(sys.argv[1]), scratch=True)
print("up", flush=True)
time.sleep(120)
"""


def postmaster(data: Path) -> int:
    return int((data / "pg" / "postmaster.pid").read_text().split()[0])


def stopped(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_killed_user_of_the_server_does_not_keep_it_running_after_a_clean_stop(
    tmp_path: Path,
) -> None:
    """pgserver stops the server when its last user lets go; a SIGKILLed user stayed on its
    list for ever, so every later clean stop left PostgreSQL running."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"up"
    finally:
        holder.kill()
        holder.wait(5)
    server_pid = postmaster(tmp_path)
    assert json.loads((tmp_path / "pg" / ".handle_pids.json").read_text()) == [holder.pid]
    _, server = start_embedded(tmp_path)
    assert postmaster(tmp_path) == server_pid  # the running server is reused
    assert json.loads((tmp_path / "pg" / ".handle_pids.json").read_text()) == [psutil.Process().pid]
    server.cleanup()  # type: ignore[attr-defined]
    assert stopped(server_pid)


def test_a_stale_lock_file_naming_a_live_unrelated_process_is_cleared(tmp_path: Path) -> None:
    _, server = start_embedded(tmp_path, scratch=True)
    lock = (tmp_path / "pg" / "postmaster.pid").read_text().splitlines()
    server.cleanup()  # type: ignore[attr-defined]
    unrelated = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / "pg" / "postmaster.pid").write_text("\n".join([str(unrelated.pid), *lock[1:]]))
        url, server = start_embedded(tmp_path)
        try:
            assert postmaster(tmp_path) != unrelated.pid and url.startswith("postgresql://")
        finally:
            server.cleanup()  # type: ignore[attr-defined]
        assert unrelated.poll() is None  # and the unrelated process was left alone
    finally:
        unrelated.kill()


def test_a_lock_file_naming_another_process_while_the_server_runs_stops_in_one_line(
    tmp_path: Path,
) -> None:
    """Never guess with a live server: its lock file is left alone and start-up says why."""
    _, server = start_embedded(tmp_path, scratch=True)
    path = tmp_path / "pg" / "postmaster.pid"
    original = path.read_text()
    unrelated = subprocess.Popen(["sleep", "60"])
    try:
        path.write_text("\n".join([str(unrelated.pid), *original.splitlines()[1:]]) + "\n")
        with pytest.raises(DatabaseUnavailable) as err:
            start_embedded(tmp_path)
        message = str(err.value)
        assert f"names pid {unrelated.pid}" in message and "\n" not in message
        assert path.exists()
    finally:
        path.write_text(original)
        unrelated.kill()
        server.cleanup()  # type: ignore[attr-defined]

"""`cicero run` as a real process tree (multiprocTCPBase): health, restarts, escalation, shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cicero.config.load import DEFAULT_CONFIG
from cicero.db.connect import connect
from cicero.loopback import free_port
from tests.integration.runtime import ROOT, RunningCicero, leftovers

pytestmark = pytest.mark.slow


def test_run_serves_healthz_and_sigterm_leaves_no_process_behind(
    tmp_path: Path, database_url: str
) -> None:
    cicero = RunningCicero(tmp_path / "data", database_url)
    try:
        body = cicero.wait_healthy()
        assert body["database"]["ok"] is True
        from cicero.jobs.registry import load_registry

        workers = set(load_registry().actors())
        fixed = {"session:operator", "session:gateway", "clock", "router", "mailer", "web"}
        assert set(body["actors"]) == fixed | workers
        assert all(a["state"] == "running" for a in body["actors"].values())
        # The simulated sessions come up ready, so their buckets open (each reports on its
        # own, in either order: wait for both).
        body = cicero.wait_for(
            lambda b: b["buckets"].get("gateway") is True and b["buckets"].get("operator") is True,
            10,
            "the gateway and operator buckets ready",
        )
        assert body["buckets"]["always"] is True and body["buckets"]["operator"] is True
        from cicero.config import load_settings

        configured = set(load_settings({}).config.jobs)
        assert set(body["not_implemented"]) == configured - load_registry().keys()
        assert all(t.endswith("+07:00") for t in body["next"]["db_backup"])
        pids = [p.pid for p in cicero.tree()]
        assert len(pids) >= 8  # admin, logger, supervisor, 2 sessions, worker, clock, web
        started = time.monotonic()
        assert cicero.stop() == 0
        assert time.monotonic() - started < 10
        assert leftovers(pids) == []
    finally:
        if cicero.proc.poll() is None:
            cicero.kill()


def test_a_sigkilled_actor_comes_back(tmp_path: Path, database_url: str) -> None:
    cicero = RunningCicero(tmp_path / "data", database_url)
    try:
        cicero.wait_healthy()
        os.kill(cicero.actor_pid("Clock"), signal.SIGKILL)
        body = cicero.wait_for(
            lambda b: b["actors"]["clock"]["restarts"] == 1 and b["ok"], 10, "the clock restarted"
        )
        assert body["actors"]["clock"]["state"] == "running"
        assert cicero.actor_pid("Clock")  # a new process carries the title
    finally:
        assert cicero.stop() == 0


def test_restarts_past_intensity_make_run_exit_non_zero(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "cicero.toml"
    text = DEFAULT_CONFIG.read_text().replace("intensity = 5 ", "intensity = 1 ")
    assert "intensity = 1 " in text
    config.write_text(text)
    cicero = RunningCicero(tmp_path / "data", database_url, config)
    try:
        cicero.wait_healthy()
        pids = [p.pid for p in cicero.tree()]
        for _ in range(2):
            os.kill(cicero.actor_pid("Clock"), signal.SIGKILL)
            time.sleep(0.5)
        assert cicero.proc.wait(20) == 1
        assert "escalat" in cicero.output()
        time.sleep(0.5)
        assert leftovers(pids) == []
    finally:
        if cicero.proc.poll() is None:
            cicero.kill()


def run_once(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cicero", "run"],
        cwd=ROOT,
        env={**os.environ, "CICERO_DATA_DIR": str(tmp_path / "data"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    for word in words:
        assert word in result.stderr


def test_port_in_use(tmp_path: Path, database_url: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_once(tmp_path, DATABASE_URL=database_url, CICERO_WEB_PORT=str(port))
    assert_one_clear_line(result, f"web port 127.0.0.1:{port} is not available")


def test_unreachable_database(tmp_path: Path) -> None:
    url = f"postgresql://cicero:secretpw@127.0.0.1:{free_port()}/cicero"
    result = run_once(tmp_path, DATABASE_URL=url)
    assert_one_clear_line(result, "cannot reach the database", "DATABASE_URL")
    assert "secretpw" not in result.stderr


def test_database_from_a_newer_version(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    url = fresh_database(pg_server)

    async def from_the_future() -> None:
        conn = await connect(url)
        await conn.execute("INSERT INTO schema_migration (version, name) VALUES (9999, 'future')")
        await conn.close()

    asyncio.run(from_the_future())
    result = run_once(tmp_path, DATABASE_URL=url)
    assert_one_clear_line(result, "9999", "newer Cicero")


def test_bad_config_starts_nothing(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        DEFAULT_CONFIG.read_text().replace('crons = ["0 4 * * *"]', 'crons = ["0 0 4 * * *"]')
    )
    result = run_once(tmp_path, CICERO_CONFIG=str(config))
    assert_one_clear_line(result, "jobs.db_backup.crons", "6 fields")
    assert not (tmp_path / "data").exists()


def test_unwritable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_once(tmp_path, CICERO_DATA_DIR=str(blocker / "data"))
    assert_one_clear_line(result, "is not writable", "CICERO_DATA_DIR")


def test_embedded_defaults_start_and_stop_their_own_postgres(tmp_path: Path) -> None:
    import psutil

    cicero = RunningCicero(tmp_path / "data")
    try:
        body = cicero.wait_healthy(45)
        assert body["database"]["ok"] is True
        assert (tmp_path / "data" / "pg" / "PG_VERSION").exists()
        postmaster = int((tmp_path / "data" / "pg" / "postmaster.pid").read_text().split()[0])
        assert cicero.stop() == 0
        assert (
            not psutil.pid_exists(postmaster)
            or psutil.Process(postmaster).status() == psutil.STATUS_ZOMBIE
        )
    finally:
        if cicero.proc.poll() is None:
            cicero.kill()

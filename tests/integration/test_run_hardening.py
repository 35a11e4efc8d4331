"""`cicero run` as a real process tree, attacked and killed: where it listens, what a
SIGKILL of the launcher leaves behind, and what a second run on the same data dir does."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.integration.runtime import ROOT, RunningCicero, leftovers

pytestmark = pytest.mark.slow


def listening(cicero: RunningCicero) -> list[tuple[str, str, int]]:
    """(process, address, port) of every socket the runtime listens on (TCP, or bound UDP)."""
    found = []
    for proc in [psutil.Process(cicero.proc.pid), *cicero.tree()]:
        try:
            title = " ".join(proc.cmdline())[:40]
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN or (conn.laddr and not conn.raddr):
                    found.append((f"{proc.pid} {title}", conn.laddr.ip, conn.laddr.port))
        except psutil.Error:
            continue
    return found


def shown(sockets: list[tuple[str, str, int]]) -> str:
    return "\n".join(f"  {ip}:{port}  {who}" for who, ip, port in sorted(set(sockets)))


def test_every_socket_listens_on_loopback_by_default(tmp_path: Path, database_url: str) -> None:
    """Thespian binds every actor, its admin and its logger to all interfaces unless told;
    its ports carry pickles. The web server, SMTP sink and fake upstream are loopback too."""
    cicero = RunningCicero(tmp_path / "data", database_url)
    try:
        cicero.wait_healthy()
        sockets = listening(cicero)
        assert len(sockets) >= 10, shown(sockets)  # admin, logger, every actor, web
        assert cicero.port in {port for _, _, port in sockets}, shown(sockets)
        outside = [s for s in sockets if s[1] != "127.0.0.1"]
        assert not outside, "listening beyond loopback:\n" + shown(sockets)
    finally:
        assert cicero.stop() == 0


def test_actor_ports_listen_on_the_one_configured_address(
    tmp_path: Path, database_url: str
) -> None:
    cicero = RunningCicero(tmp_path / "data", database_url, CICERO_ACTOR_HOST="127.0.0.2")
    try:
        cicero.wait_healthy()
        sockets = listening(cicero)
        actors = [s for s in sockets if "ActorAddr" in s[0] and s[2] != cicero.port]
        assert actors and {ip for _, ip, _ in actors} == {"127.0.0.2"}, shown(sockets)
        assert {ip for _, ip, _ in sockets} <= {"127.0.0.1", "127.0.0.2"}, shown(sockets)
    finally:
        assert cicero.stop() == 0


def test_a_sigkilled_launcher_leaves_only_postgres_and_the_next_run_is_healthy(
    tmp_path: Path,
) -> None:
    """The actors used to run on forever (the admin had the launcher's SIGTERM handler), so
    the next run met a busy port and held advisory locks; and the embedded server's list of
    users kept the dead launcher, so the next clean stop left PostgreSQL running."""
    data = tmp_path / "data"
    first = RunningCicero(data)
    try:
        first.wait_healthy(60)
        tree = [p.pid for p in first.tree()]
        assert len(tree) >= 8
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(5)
        deadline = time.monotonic() + 10
        while leftovers(tree) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [psutil.Process(p).cmdline() for p in leftovers(tree) if psutil.pid_exists(p)]
        assert not left, f"still running 10 s after the launcher's SIGKILL: {left}"
    finally:
        for pid in leftovers([p.pid for p in first.tree()]):
            psutil.Process(pid).kill()
    postmaster = int((data / "pg" / "postmaster.pid").read_text().split()[0])
    assert psutil.pid_exists(postmaster)  # the embedded PostgreSQL outlives it, by design
    second = RunningCicero(data)
    try:
        body = second.wait_healthy(60)
        assert body["database"]["ok"] is True
        assert all(a["restarts"] == 0 for a in body["actors"].values()), body["actors"]
    finally:
        assert second.stop() == 0
    gone = not psutil.pid_exists(postmaster)
    assert gone or psutil.Process(postmaster).status() == psutil.STATUS_ZOMBIE


def test_a_second_run_on_the_same_data_dir_refuses_in_one_line(
    tmp_path: Path, database_url: str
) -> None:
    first = RunningCicero(tmp_path / "data", database_url)
    try:
        first.wait_healthy()
        second = subprocess.run(
            [sys.executable, "-m", "cicero", "run"],
            cwd=ROOT,
            env={**first.env, "CICERO_WEB_PORT": str(first.port + 1)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2, second.stderr
        lines = [x for x in (second.stdout + second.stderr).splitlines() if x.strip()]
        assert len(lines) == 1, lines
        assert f"cicero run (pid {first.proc.pid}) is already using" in lines[0]
        assert first.healthz() is not None  # the first one carries on
    finally:
        assert first.stop() == 0

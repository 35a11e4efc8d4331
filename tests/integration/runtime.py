"""Start `cicero run` as a real process for tests, and find every process it made."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from cicero.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRAPE_TOKEN = "scrape-token-for-runtime-tests-0123456789"


class RunningCicero:
    def __init__(
        self,
        data_dir: Path,
        database_url: str | None = None,
        config: Path | None = None,
        **env: str,
    ):
        self.port = free_port()
        self.env = {
            **os.environ,
            "CICERO_DATA_DIR": str(data_dir),
            "CICERO_WEB_PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            # /healthz shows its whole body to the scraper only (api.md §4)
            "CICERO_METRICS_TOKEN": SCRAPE_TOKEN,
            **env,
        }
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if config:
            self.env["CICERO_CONFIG"] = str(config)
        self.log = data_dir / "cicero.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cicero", "run"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.started = time.monotonic()

    def healthz(self) -> tuple[int, dict[str, Any]] | None:
        try:
            asked = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/healthz",
                headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"},
            )
            with urllib.request.urlopen(asked, timeout=2) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            return None

    def wait_healthy(self, timeout: float = 30) -> dict[str, Any]:
        return self.wait_for(lambda body: body["status"] == "ok", timeout, "a green /healthz")

    def wait_for(self, predicate, timeout: float, what: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"cicero run exited with {self.proc.returncode}:\n{self.output()}"
                )
            got = self.healthz()
            if got is not None:
                last = got[1]
                if predicate(last):
                    return last
            time.sleep(0.2)
        raise AssertionError(f"no {what} within {timeout}s; last: {last}\n{self.output()}")

    def tree(self) -> list[psutil.Process]:
        """Every process of this runtime except the embedded PostgreSQL."""
        try:
            procs = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [p for p in procs if p.name() not in ("postgres", "pg_ctl")]

    def actor_pid(self, title: str) -> int:
        for proc in self.tree():
            if " ".join(proc.cmdline()).startswith(title + " "):
                return proc.pid
        raise AssertionError(f"no process titled {title!r} in {[p.cmdline() for p in self.tree()]}")

    def stop(self, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        for proc in [*self.tree(), psutil.Process(self.proc.pid)]:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        self.proc.wait(5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def leftovers(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive

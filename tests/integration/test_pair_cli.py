"""`cicero pair` as a process, with neonize over the stand-in Go library (issue 19 items 2
and 3): pairing by QR and by code, login windows that expire, and Ctrl-C or SIGTERM while
a QR code is on show returning within the shutdown timeout (neonize 0.5.2 never ends that
Go call, on a non-daemon thread)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.neonize_remote import Remote

ROOT = Path(__file__).resolve().parents[2]
SHUTDOWN_TIMEOUT_S = 10.0  # runtime.shutdown_timeout_s, the default


class Pairing:
    def __init__(self, tmp_path: Path, *args: str, qr_timeouts: list[float] | None = None):
        folder = tmp_path / "fake-go"
        folder.mkdir(exist_ok=True)
        (folder / "config.json").write_text(json.dumps({"qr_timeouts": qr_timeouts or [20, 5]}))
        self.out, self.err = tmp_path / "out.txt", tmp_path / "err.txt"
        self.store = str(tmp_path / "wa" / "gateway.sqlite3")
        env = {
            **os.environ,
            "CICERO_DATA_DIR": str(tmp_path),
            "CICERO_WHATSAPP": "neonize",
            "PYTHONUNBUFFERED": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.pair_cli", "pair", *args],
            cwd=ROOT,
            env=env,
            stdout=self.out.open("w"),
            stderr=self.err.open("w"),
        )
        self.socket = folder / "gateway.sock"

    def go(self) -> Remote:
        return Remote(self.socket, timeout=30)

    def wait_for(self, text: str, where: str = "err", seconds: float = 30) -> str:
        path = self.err if where == "err" else self.out
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            content = path.read_text()
            if text in content:
                return content
            assert self.proc.poll() is None, f"exited {self.proc.returncode}: {self.output()}"
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} in {self.output()}")

    def exit_code(self, seconds: float = 30) -> int:
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"still running after {seconds} s: {self.output()}") from None

    def output(self) -> str:
        return f"stdout:\n{self.out.read_text()[-2000:]}\nstderr:\n{self.err.read_text()[-2000:]}"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_a_stop_while_a_qr_code_is_on_show_returns_at_once(tmp_path, sig):
    run = Pairing(tmp_path, "gateway")
    run.wait_for("scan with WhatsApp")
    started = time.monotonic()
    run.proc.send_signal(sig)
    assert run.exit_code(SHUTDOWN_TIMEOUT_S + 5) == 130
    assert time.monotonic() - started < SHUTDOWN_TIMEOUT_S
    err = run.err.read_text()
    assert "interrupted: session gateway was not paired" in err
    assert "Traceback" not in err


def test_pairing_by_qr(tmp_path):
    run = Pairing(tmp_path, "gateway")
    drawn = run.wait_for("scan with WhatsApp")
    assert "█" in drawn  # segno's half blocks
    run.go().scan(run.store)
    assert run.exit_code() == 0, run.output()
    assert "session gateway is paired and ready (62*******0009@s.whatsapp.net)" in run.out.read_text()


def test_pairing_by_code_for_a_number_in_any_format(tmp_path):
    run = Pairing(tmp_path, "gateway", "--phone", "+62 813-0000-0001")
    out = run.wait_for("Pair code for 62*******0001:", where="out")
    code = re.search(r"Pair code for \S+: (\S{4}-\S{4})", out).group(1)  # type: ignore[union-attr]
    assert "█" not in run.err.read_text()  # no QR drawn when pairing by code
    run.go().type_pair_code(run.store, code)
    assert run.exit_code() == 0, run.output()
    assert "paired and ready (62*******0001@s.whatsapp.net)" in run.out.read_text()


def test_expired_windows_are_followed_by_new_ones(tmp_path):
    run = Pairing(tmp_path, "gateway", qr_timeouts=[0.4, 0.2])
    run.wait_for("QR codes ran out unscanned: a new login window opens")
    go = run.go()
    deadline = time.monotonic() + 30
    while go.hanging() < 1:  # the first window's Go call, left behind
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for _ in range(100):  # scan whichever window is open now
        try:
            go.scan(run.store)
            break
        except AssertionError:  # between two windows
            time.sleep(0.05)
    assert run.exit_code() == 0, run.output()  # with a stuck call inside: os._exit, at once


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("nosuch",), "error: no session 'nosuch' in config (known: "),
        (("gateway", "--phone", "12"), "error: --phone: "),
        (("gateway", "--phone", "+44 7700 900123"), "not an Indonesian"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, line):
    run = Pairing(tmp_path, *args)
    assert run.exit_code() == 2
    err = run.err.read_text()
    assert line in err and "Traceback" not in err and len(err.strip().splitlines()) == 1

"""`cicero pair`: one line, never a traceback, for everything that stops it before WhatsApp."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from cicero import instance_lock
from cicero.cli.main import main
from cicero.cli.pair import in_words
from cicero.domain.delivery import session as machine
from cicero.domain.timezone import WIB


def test_with_simulated_whatsapp_there_is_nothing_to_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CICERO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CICERO_WHATSAPP", raising=False)
    assert main(["pair", "operator"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1
    assert "simulated" in out.err and "CICERO_WHATSAPP=neonize" in out.err


def test_pair_takes_the_data_directorys_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pairing beside a running `cicero run` would start a second client for the session."""
    monkeypatch.setenv("CICERO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CICERO_WHATSAPP", "neonize")
    with instance_lock.holding(tmp_path, "cicero run"):
        assert main(["pair", "operator"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"cicero run (pid {os.getpid()}) is already using {tmp_path}" in err


def test_a_second_holder_is_refused_and_a_released_lock_is_free(tmp_path: Path) -> None:
    with instance_lock.holding(tmp_path, "cicero run"):
        with (
            pytest.raises(instance_lock.AlreadyRunning) as err,
            instance_lock.holding(tmp_path, "cicero pair"),
        ):
            pass
        assert f"(pid {os.getpid()})" in str(err.value)
    with instance_lock.holding(tmp_path, "cicero pair"):
        assert (tmp_path / instance_lock.LOCK_NAME).read_text() == f"{os.getpid()} cicero pair\n"


def test_why_pairing_stopped_is_said_in_words() -> None:
    dial = in_words(machine.ConnectFailed("dial tcp: lookup web.whatsapp.com: no such host", True))
    assert dial.startswith("could not reach WhatsApp") and "internet connection" in dial
    assert "run the command again" in in_words(machine.LoggedOut("401"))
    ban = in_words(machine.TemporarilyBanned("503", datetime(2026, 11, 24, 9, 30, tzinfo=WIB)))
    assert "banned" in ban and "24/11 09.30 WIB" in ban
    assert all("\n" not in text for text in (dial, ban))

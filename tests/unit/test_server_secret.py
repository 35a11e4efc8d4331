"""The server secret: made once under the data directory (0600), or taken from the
environment; a racing second start reads the first one's; a bad file is one clear error."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from cicero.config import ConfigError, load_settings
from cicero.server_secret import (
    FILE_NAME,
    SecretError,
    key_bytes,
    load_or_create,
    with_server_secret,
)


def settings_in(data_dir: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings({"CICERO_DATA_DIR": str(data_dir), **env})


def test_first_start_creates_it_private_and_later_starts_read_it(tmp_path: Path) -> None:
    first = with_server_secret(settings_in(tmp_path / "data"))
    path = tmp_path / "data" / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = key_bytes(first.env)
    assert len(key) == 64 and path.read_text().strip().encode() == key
    assert key_bytes(with_server_secret(settings_in(tmp_path / "data")).env) == key
    assert key_bytes(with_server_secret(settings_in(tmp_path / "other")).env) != key
    assert "secret" not in repr(first.env.secret_key).lower().replace("secret('***')", "")


def test_the_environment_wins_and_no_file_is_made(tmp_path: Path) -> None:
    given = "x" * 40
    settings = with_server_secret(settings_in(tmp_path, CICERO_SECRET_KEY=given))
    assert key_bytes(settings.env) == given.encode()
    assert not (tmp_path / FILE_NAME).exists()


def test_a_short_secret_in_the_environment_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CICERO_SECRET_KEY: shorter than 32"):
        settings_in(tmp_path, CICERO_SECRET_KEY="short")


def test_a_file_readable_by_others_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text("k" * 64)
    os.chmod(path, 0o644)
    assert load_or_create(path) == "k" * 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_truncated_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text("abc")
    with pytest.raises(SecretError, match="shorter than 32 characters; delete the file"):
        load_or_create(path)


def _race(path: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    out.put(load_or_create(Path(path)))


def test_two_first_starts_at_once_agree(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_race, args=(str(tmp_path / FILE_NAME), out)) for _ in range(6)]
    for p in procs:
        p.start()
    keys = {out.get(timeout=20) for _ in procs}
    for p in procs:
        p.join(10)
    assert len(keys) == 1 and sorted(os.listdir(tmp_path)) == [FILE_NAME]


def test_a_runtime_without_a_secret_is_a_bug_not_a_weak_hash(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no server secret"):
        key_bytes(settings_in(tmp_path).env)

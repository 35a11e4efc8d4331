"""Every command refuses bad input the same way: exit 2, a clear line, no traceback, nothing
changed (the README's promise; import and restore exited 1, and a bad `--out` of simulate
ended in a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.runtime import ROOT


def cicero(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cicero", *args],
        cwd=ROOT,
        env={**os.environ, "CICERO_DATA_DIR": str(tmp_path / "data"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert "Traceback" not in said, said
    for word in words:
        assert word in said, said


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "no_header.csv": "NRP;NAMA\n75020099;X\n",
        "clients.csv": "CLIENT_ID,NAMA,TIPE\nPOLRES_A,POLRES A,ORG\n",
        "garbage.dump": "PGDMP this is not a dump at all",
        "bad.toml": "[scenario]\nname = 'x'\n",
    }
    out = {}
    for name, text in made.items():
        (tmp_path / name).write_text(text)
        out[name] = tmp_path / name
    return out


def test_import_refuses_a_missing_file_a_bad_header_and_an_unknown_client(
    tmp_path: Path, files: dict[str, Path], database_url: str
) -> None:
    db = {"DATABASE_URL": database_url}
    missing = cicero(tmp_path, "import", "clients", str(tmp_path / "none.csv"), **db)
    refused(missing, "file tidak ditemukan")
    refused(cicero(tmp_path, "import", "clients", str(tmp_path), **db), "bukan file biasa")
    refused(
        cicero(tmp_path, "import", "clients", str(files["no_header.csv"]), "--yes", **db),
        "kolom wajib tidak ada",
    )
    refused(
        cicero(tmp_path, "import", "staff", str(files["clients.csv"]), "--client", "NOPE", **db),
        "client 'NOPE' tidak ada",
    )
    refused(cicero(tmp_path, "import", "staff", str(files["clients.csv"])), "--client")


def test_restore_refuses_what_is_not_a_usable_dump(tmp_path: Path, files: dict[str, Path]) -> None:
    refused(cicero(tmp_path, "restore", str(tmp_path / "none.dump"), "--yes"), "no such file")
    refused(cicero(tmp_path, "restore", str(tmp_path), "--yes"), "not a regular file")
    refused(
        cicero(tmp_path, "restore", str(files["garbage.dump"]), "--yes"), "not a usable Cicero dump"
    )
    refused(cicero(tmp_path, "restore", "latest", "--yes"), "no dumps in")


def test_simulate_schedule_and_config_refuse_bad_input(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    quiet = str(ROOT / "scenarios" / "quiet-day.toml")
    refused(cicero(tmp_path, "simulate", str(files["bad.toml"]), "--out", "x"), "scenario error")
    refused(cicero(tmp_path, "simulate", quiet, "--out", str(tmp_path)), "is a directory")
    refused(cicero(tmp_path, "schedule", "--from", "garbage"), "is not a date")
    refused(cicero(tmp_path, "config", "check", CICERO_SECRET_KEY="short"), "CICERO_SECRET_KEY")
    refused(cicero(tmp_path, "frobnicate"), "invalid choice")

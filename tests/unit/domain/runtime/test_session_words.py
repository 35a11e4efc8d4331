"""A session's state in words for /status (api.md §4), from its status report."""

import pytest

from cicero.domain.runtime.session_words import words


@pytest.mark.parametrize(
    ("report", "said"),
    [
        ({"state": "starting"}, "Memulai koneksi"),
        ({"state": "pairing", "qr": "2@x"}, "Menunggu pairing"),
        ({"state": "ready", "since": "2026-02-06T01:41:00+00:00"}, "Siap sejak 08.41"),
        ({"state": "ready", "since": ""}, "Siap"),
        ({"state": "reconnecting", "attempt": 3, "reason": "dial failed"},
         "Menyambung ulang (percobaan 3, dial failed)"),
        ({"state": "logged_out"}, "Keluar: perlu pairing ulang"),
        ({"state": "replaced"}, "Digantikan koneksi lain"),
        ({"state": "banned", "until": "2026-02-06T20:00:00+07:00"}, "Diblokir sampai 20.00"),
        ({"state": "banned", "until": ""}, "Diblokir"),
        ({}, "Belum melapor"),
        ({"state": "weird"}, "Tidak diketahui (weird)"),
    ],
)
def test_words(report: dict[str, object], said: str) -> None:
    assert words(report) == said

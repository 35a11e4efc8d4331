"""The amplification link recap of one day (layouts.link_recap)."""

from datetime import datetime, timedelta

import pytest

from cicero.domain.attendance.rule import Person
from cicero.domain.layouts import posts
from cicero.domain.layouts.link_recap import LinkRecap, ReportedLinks, render
from cicero.domain.timezone import WIB

AT = datetime(2026, 2, 10, 21, 7, 0, tzinfo=WIB)
A1 = posts.ig("A1", AT.replace(hour=9))
A2 = posts.ig("A2", AT.replace(hour=7))
SARI = Person("1", "POLRES_A", "SARI", "AKP", "SAT BINMAS")
ZAKI = Person("2", "POLRES_A", "ZAKI", "BRIPDA", "SAT BINMAS")


def test_golden_per_platform_in_upload_order():
    reports = (
        ReportedLinks(A1, ZAKI, ("https://instagram.com/p/z1", None, None, None, None)),
        ReportedLinks(
            A2, SARI, ("https://instagram.com/p/s2", "https://fb.watch/s2", None, None, None)
        ),
    )
    assert (
        render(LinkRecap("POLRES A", AT, AT, (A1, A2), reports))
        == """\
Mohon ijin Komandan,

📋 *Rekap Link Amplifikasi*
*POLRES A*
Konten: Selasa, 10/2/2026
Jam: 21.07.00

*Jumlah Konten:* 2
*Daftar Link Konten:*
1. https://www.instagram.com/p/A2
2. https://www.instagram.com/p/A1

*Personil melapor:* 2 pers
*Jumlah Link:* 3

*Instagram* (2 link):
- Konten 1 · AKP SARI (SAT BINMAS): https://instagram.com/p/s2
- Konten 2 · BRIPDA ZAKI (SAT BINMAS): https://instagram.com/p/z1

*Facebook* (1 link):
- Konten 1 · AKP SARI (SAT BINMAS): https://fb.watch/s2

*Twitter/X* (0 link):
-

*TikTok* (0 link):
-

*YouTube* (0 link):
-

Terimakasih."""
    )


def test_a_day_without_posts_names_the_day():
    yesterday = AT - timedelta(days=1)
    assert render(LinkRecap("POLRES A", yesterday, AT, (), ())) == (
        "Tidak ada konten Instagram *POLRES A* pada Senin, 9/2/2026."
    )


def test_a_report_needs_all_five_fields():
    with pytest.raises(ValueError):
        ReportedLinks(A1, SARI, ("x",))

"""Attendance per content (layouts.per_content): each post with who did and did not engage."""

from datetime import datetime

from cicero.domain.layouts import posts
from cicero.domain.layouts.per_content import PerContent, render
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB

from .people import row

AT = datetime(2026, 2, 10, 15, 20, 4, tzinfo=WIB)
A1, A2 = (
    posts.ig("A1", AT.replace(hour=9, minute=0)),
    posts.ig("A2", AT.replace(hour=11, minute=30)),
)


def people():
    budi = row("1", "AKP", "BUDI", "SAT BINMAS", "budi", 2, 2)  # done p0, p1
    andi = row("2", "BRIPKA", "ANDI", "POLSEK KOTA", "andi", 1, 2)  # done p0
    dedi = row("3", "BRIPTU", "DEDI", "SAT BINMAS", None, 0, 2)
    fajar = row("4", "BRIPTU", "FAJAR", "SAT BINMAS", "fajar", 0, 2, exception=True)
    return (budi, andi, dedi, fajar)


def test_golden_semua():
    r = PerContent("POLRES A", AT, Platform.INSTAGRAM, (("p0", A1), ("p1", A2)), people())
    assert (
        render(r)
        == """\
Mohon ijin Komandan,

📋 *Absensi Likes Instagram per Konten*
*POLRES A*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 2
*Jumlah user:* 4 user

*1. https://www.instagram.com/p/A1* (upload 09:00 WIB)
✅ Sudah (3 user):
- AKP BUDI (SAT BINMAS)
- BRIPTU FAJAR (SAT BINMAS) (pengecualian)
- BRIPKA ANDI (POLSEK KOTA)
❌ Belum (1 user):
- BRIPTU DEDI (SAT BINMAS) : belum mengisi username

*2. https://www.instagram.com/p/A2* (upload 11:30 WIB)
✅ Sudah (2 user):
- AKP BUDI (SAT BINMAS)
- BRIPTU FAJAR (SAT BINMAS) (pengecualian)
❌ Belum (2 user):
- BRIPTU DEDI (SAT BINMAS) : belum mengisi username
- BRIPKA ANDI (POLSEK KOTA)

Terimakasih."""
    )


def test_modes_show_one_half_and_no_posts_says_so():
    base = PerContent(
        "POLRES A", AT, Platform.TIKTOK, (("p0", posts.tiktok("polres_a", "9")),), people()
    )
    belum = render(PerContent(**{**base.__dict__, "show_done": False}))
    assert "❌ Belum (1 user):" in belum and "✅ Sudah" not in belum
    assert "📋 *Absensi Komentar TikTok per Konten*" in belum
    sudah = render(PerContent(**{**base.__dict__, "show_missing": False}))
    assert "✅ Sudah (3 user):" in sudah and "❌ Belum" not in sudah
    empty = PerContent("POLRES A", AT, Platform.TIKTOK, (), people())
    assert render(empty) == "Tidak ada konten pada akun Official Tiktok *POLRES A* hari ini."

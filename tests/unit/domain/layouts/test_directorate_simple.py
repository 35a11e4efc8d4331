from datetime import UTC, datetime
from fractions import Fraction

from cicero.domain.layouts import posts
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.layouts.directorate_simple import render
from cicero.domain.people.usernames import Platform

from .people import example_b, row

AT = datetime(2026, 2, 10, 13, 15, 7, tzinfo=UTC)  # 20.15.07 WIB

EXAMPLE_2 = """\
Mohon ijin Komandan,

📋 Rekap Akumulasi Likes Instagram (Simple)
*BID HUMAS POLDA CONTOH*
Selasa, 10/2/2026
Jam: 20.15.07

*Jumlah Konten:* 2
*Daftar Link Konten:*
https://www.instagram.com/p/C1aaa
https://www.instagram.com/p/C2bbb

*Jumlah Total Personil:* 4 pers
✅ *Melaksanakan Lengkap :* 2 pers
⚠️ *Melaksanakan Kurang :* 1 pers
❌ *Belum Melaksanakan :* 0 pers
⚠️❌ *Belum Update Username Instagram :* 1 pers

✅ *Melaksanakan Lengkap (2 pers):*
- AKBP Hendra Gunawan
- BRIPKA Eko Saputra

⚠️ *Melaksanakan Kurang (1 pers):*
- IPTU Maya Anggraini

❌ *Belum Melaksanakan (0 pers):*
-

⚠️❌ *Belum Update Username Instagram (1 pers):*
- BRIPTU Fajar Nugroho"""


def test_worked_example_2_of_jobs_md():
    people = (
        row("4", "BRIPTU", "Fajar Nugroho", "SUBBID PID", None, 0, 2, client="BIDHUMAS"),
        row("2", "BRIPKA", "Eko Saputra", "SUBBID PID", "eko", 2, 2, client="BIDHUMAS"),
        row("3", "IPTU", "Maya Anggraini", "SUBBID PID", "maya", 1, 2, client="BIDHUMAS"),
        row("1", "AKBP", "Hendra Gunawan", "SUBBID PID", "hendra", 2, 2, client="BIDHUMAS"),
    )
    recap = DirectorateRecap(
        directorate="BIDHUMAS",
        name="BID HUMAS POLDA CONTOH",
        platform=Platform.INSTAGRAM,
        at=AT,
        posts=(posts.ig("C1aaa"), posts.ig("C2bbb")),
        people=people,
    )
    assert render(recap) == EXAMPLE_2


def test_tiktok_variant_in_directorate_order():
    tt = tuple(posts.tiktok("ditbinmas", f"74680{i}") for i in range(1, 5))
    recap = DirectorateRecap(
        "DITBINMAS", "DIT BINMAS", Platform.TIKTOK, AT, tt, example_b(), done_ratio=Fraction(1, 2)
    )
    assert (
        render(recap)
        == """\
Mohon ijin Komandan,

📋 Rekap Komentar TikTok (Simple)
*DIT BINMAS*
Selasa, 10/2/2026
Jam: 20.15.07

*Jumlah Konten:* 4
*Batas Lengkap:* 2/4 konten
*Daftar Link Konten:*
https://www.tiktok.com/@ditbinmas/video/746801
https://www.tiktok.com/@ditbinmas/video/746802
https://www.tiktok.com/@ditbinmas/video/746803
https://www.tiktok.com/@ditbinmas/video/746804

*Jumlah Total Personil:* 8 pers
✅ *Melaksanakan Lengkap :* 4 pers
⚠️ *Melaksanakan Kurang :* 2 pers
❌ *Belum :* 1 pers
⚠️❌ *Belum Input Username TikTok :* 1 pers

✅ *Melaksanakan Lengkap (4 pers):*
- AKBP ANDI
- AKP SARI
- AIPTU BAYU
- BRIPDA ZAKI

⚠️ *Melaksanakan Kurang (2 pers):*
- KBP RUDI
- BRIPTU ADI

❌ *Belum Melaksanakan (1 pers):*
- IPDA JOKO

⚠️❌ *Belum Input Username TikTok (1 pers):*
- BRIPKA ALIF"""
    )


def test_no_posts():
    ig = DirectorateRecap("D", "DIT X", Platform.INSTAGRAM, AT, (), ())
    tt = DirectorateRecap("D", "DIT X", Platform.TIKTOK, AT, (), ())
    assert (
        render(ig) == "*Belum ada konten Instagram terbaru pada akun official DIT X pada hari ini.*"
    )
    assert render(tt) == "Tidak ada konten TikTok pada akun Official DIT X hari ini."


def test_directorate_without_members():
    text = render(DirectorateRecap("D", "DIT X", Platform.INSTAGRAM, AT, (posts.ig("a"),), ()))
    assert "*Jumlah Total Personil:* 0 pers" in text
    assert text.endswith("⚠️❌ *Belum Update Username Instagram (0 pers):*\n-")

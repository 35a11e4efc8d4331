from datetime import UTC, datetime
from fractions import Fraction

from cicero.domain.layouts import posts
from cicero.domain.layouts.blocks import Grouping
from cicero.domain.layouts.directorate_full import render
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.people.usernames import Platform

from .people import example_b, row

AT = datetime(2026, 2, 10, 11, 24, tzinfo=UTC)  # 18.24.00 WIB
NAMES = {"DITBINMAS": "DIT BINMAS", "POLRES_A": "POLRES A", "POLRES_B": "POLRES B"}


def test_golden_tiktok_example_b():
    """data.md §4.8 B in the TikTok full recap's own wording (issue 20): numbered satkers, the
    directorate's first, the rest by accumulated comments; an exception's zero adds nothing."""
    tt = tuple(posts.tiktok("ditbinmas", f"74680{i}") for i in range(1, 5))
    recap = DirectorateRecap(
        "DITBINMAS", "DIT BINMAS", Platform.TIKTOK, AT, tt, example_b(), NAMES,
        done_ratio=Fraction(1, 2),
    )  # fmt: skip
    assert (
        render(recap)
        == """\
Mohon ijin Komandan,

📋 *Rekap Akumulasi Komentar TikTok*
*Polres*: *DIT BINMAS*
Selasa, 10/2/2026
Jam: 18.24.00

*Jumlah Konten:* 4
*Batas Lengkap:* 2/4 konten
*Daftar Link Konten:*
https://www.tiktok.com/@ditbinmas/video/746801
https://www.tiktok.com/@ditbinmas/video/746802
https://www.tiktok.com/@ditbinmas/video/746803
https://www.tiktok.com/@ditbinmas/video/746804

*Jumlah Total Personil:* 8 pers
✅ *Sudah Melaksanakan* : *6 pers*
- ✅ *Melaksanakan Lengkap* : *4 pers*
- ⚠️ *Melaksanakan kurang lengkap* : *2 pers*
❌ *Belum melaksanakan* : *2 pers*
⚠️❌ *Belum Update Username TikTok* : *1 pers*

*1. DIT BINMAS*
*Jumlah Personil* : 3 pers
*Akumulasi Pelaksanaan* : 5/12
✅ Melaksanakan Lengkap (1 pers):
- AKBP ANDI, Pelaksanaan: 4/4
⚠️ Melaksanakan Kurang Lengkap (1 pers):
- KBP RUDI, Pelaksanaan: 1/4
⚠️ Belum Update Username TikTok (1 pers):
- BRIPKA ALIF, Pelaksanaan: 0/4 (Tiktok Kosong)

*2. POLRES B*
*Jumlah Personil* : 2 pers
*Akumulasi Pelaksanaan* : 4/8
✅ Melaksanakan Lengkap (1 pers):
- BRIPDA ZAKI, Pelaksanaan: 3/4
⚠️ Melaksanakan Kurang Lengkap (1 pers):
- BRIPTU ADI, Pelaksanaan: 1/4

*3. POLRES A*
*Jumlah Personil* : 3 pers
*Akumulasi Pelaksanaan* : 2/12
✅ Melaksanakan Lengkap (2 pers):
- AKP SARI, Pelaksanaan: 2/4
- AIPTU BAYU, Pelaksanaan: 0/4 (pengecualian)
❌ Belum melaksanakan (1 pers):
- IPDA JOKO, Pelaksanaan: 0/4

Terimakasih."""
    )


def test_instagram_divisions_by_unit_with_ties():
    ig = (posts.ig("A"), posts.ig("B"))
    people = (
        # SAT A and SAT B both accumulate 2; SAT B has the larger share taking part.
        row("1", "AKP", "X", "SAT A", "x", 2, 2),
        row("2", "AKP", "Y", "SAT A", "y", 0, 2),
        row("3", "AKP", "Z", "SAT B", "z", 1, 2),
        row("4", "AKP", "W", "SAT B", "w", 1, 2),
        row("5", "IPDA", "V", "SAT C", None, 0, 2),
    )
    recap = DirectorateRecap(
        "D", "DIT X", Platform.INSTAGRAM, AT, ig, people, grouping=Grouping.UNIT
    )
    text = render(recap)
    assert text.index("*SAT B*") < text.index("*SAT A*") < text.index("*SAT C*")
    assert "📋 Rekap Akumulasi Likes Instagram\n*DIT X*" in text
    assert "\n⚠️❌ *Belum Update Username Instagram :* 1 pers\n" in text
    assert (
        "*SAT C*\nAkumulasi Pelaksanaan: 0 (dari 2 konten)\nJumlah Personil: 1 pers\n\n"
        "✅ Melaksanakan Lengkap (0 pers):\n-\n"
        "⚠️ Belum Update Username Instagram (1 pers):\n- IPDA V, Pelaksanaan: 0/2 (IG Kosong, Tiktok Kosong)\n"
    ) in text


def test_no_posts():
    assert render(DirectorateRecap("D", "DIT X", Platform.TIKTOK, AT, (), ())) == (
        "Tidak ada konten TikTok pada akun Official DIT X hari ini."
    )


def test_the_directorate_leads_and_exceptions_add_nothing():
    """data.md §4.3/§4.5: the directorate's block first whatever its engagement; §4.4: an
    exception's count is shown, marked, and left out of the block's accumulated count."""
    ig = (posts.ig("A"), posts.ig("B"))
    people = (
        row("1", "AKP", "DIREKTUR", "SUBDIT", "d", 0, 2, client="D"),
        row("2", "AKP", "SATU", "SAT BINMAS", "s", 1, 2, client="P1"),
        row("3", "AKP", "LIBUR", "SAT BINMAS", "l", 2, 2, client="P2", exception=True),
        row("4", "AKP", "DUA", "SAT BINMAS", "x", 0, 2, client="P2"),
    )
    names = {"D": "DIT X", "P1": "POLRES SATU", "P2": "POLRES DUA"}
    text = render(DirectorateRecap("D", "DIT X", Platform.INSTAGRAM, AT, ig, people, names))
    headings = [line for line in text.splitlines()[9:] if line.startswith("*") and ":" not in line]
    assert headings == ["*DIT X*", "*POLRES SATU*", "*POLRES DUA*"]
    assert "*POLRES DUA*\nAkumulasi Pelaksanaan: 0 (dari 2 konten)" in text
    assert "- AKP LIBUR, Pelaksanaan: 2/2 (pengecualian)" in text

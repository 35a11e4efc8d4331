"""The Kasat Binmas reports beyond the previous system's tests (those are in test_v2_golden)."""

from datetime import datetime

from cicero.domain.layouts.kasat_binmas import KasatBinmasRecap, is_kasat_binmas, render
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from tests.unit.domain.layouts.people import row

AT = datetime(2026, 2, 10, 15, 20, 4, tzinfo=WIB)
IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
POSTS = (PostRef(IG, "W1", "", AT), PostRef(IG, "D1", "", AT))
NAMES = {"A": "POLRES A", "B": "POLRES B", "C": "POLRES C"}


def kasat(nrp, client, rank, name, done, handle="h", exception=False, position="KASAT BINMAS"):
    return row(nrp, rank, name, "SAT BINMAS", handle and f"{handle}{nrp}", done, 2,
               client=client, position=position, exception=exception)  # fmt: skip


def test_a_menu_period_is_named_in_v2s_words() -> None:
    people = (kasat("1", "A", "AKP", "BUDI", 1),)
    weekly = render(KasatBinmasRecap("D", "DIT X", IG, AT, POSTS, people, ("A",), NAMES, "weekly"))
    assert weekly.splitlines()[1] == (
        "🗓️ Periode: Senin, 09 Februari 2026 s.d. Minggu, 15 Februari 2026"
    )
    monthly = render(KasatBinmasRecap("D", "DIT X", TT, AT, POSTS, people, (), NAMES, "monthly"))
    assert monthly.splitlines()[1] == "🗓️ Periode: Bulan Februari 2026"
    today = render(KasatBinmasRecap("D", "DIT X", IG, AT, (), people, (), NAMES))
    assert today.splitlines()[1] == "Periode: Selasa, 10 Februari 2026"


def test_most_posts_first_then_people_order_and_exceptions_marked() -> None:
    people = (
        kasat("1", "A", "IPTU", "ALPHA", 1),
        kasat("2", "B", "AKP", "BRAVO", 1),
        kasat("3", "C", "AKP", "ZULU", 2, exception=True),
        kasat("4", "C", "AKP", "YANKEE", 2),
    )
    text = render(KasatBinmasRecap("D", "DIT X", IG, AT, POSTS, people, ("A", "B", "C"), NAMES))
    assert (
        "✅ *Melaksanakan Lengkap (2 pers)*\n"
        "  1. AKP YANKEE (POLRES C) — 2/2 konten\n"
        "  2. AKP ZULU (POLRES C) — 2/2 konten (pengecualian)\n\n"
        "⚠️ *Melaksanakan Sebagian (2 pers)*\n"
        "  1. AKP BRAVO (POLRES B) — 1/2 konten\n"
        "  2. IPTU ALPHA (POLRES A) — 1/2 konten\n"
    ) in text
    assert text.endswith(
        "🚧 Polres tanpa Kasat Binmas terdeteksi:\n"
        "- Tidak ada; semua Polres ORG sudah memiliki Kasat Binmas terdata."
    )


def test_tiktok_lines_and_a_directorate_without_satkers() -> None:
    people = (
        kasat("1", "A", "AKP", "ALPHA", 2),
        kasat("2", "A", "AKP", "BRAVO", 1),
        kasat("3", "A", "AKP", "CHARLIE", 0),
        kasat("4", "A", "AKP", "DELTA", 0, handle=None),
    )
    text = render(KasatBinmasRecap("D", "DIT X", TT, AT, POSTS, people, (), NAMES))
    assert (
        "✅ *Lengkap (sesuai target) (1 pers)*\n   1. AKP ALPHA (POLRES A) — Lengkap (2/2 konten)\n\n"
        "🟡 *Sebagian (belum semua konten) (1 pers)*\n   1. AKP BRAVO (POLRES A) — 1/2 konten\n\n"
        "❌ *Belum komentar (1 pers)*\n   1. AKP CHARLIE (POLRES A) — 0/2 konten\n\n"
        "⚠️❌ *Belum update akun TikTok (1 pers)*\n"
        "   1. AKP DELTA (POLRES A) — Username TikTok belum tersedia\n\n"
        "🚧 Polres tanpa Kasat Binmas terdeteksi:\n"
        "- Data client ORG tidak tersedia untuk pembanding."
    ) in text
    assert "- Lengkap: 1/4 pers\n- Sebagian: 1/4 pers\n- Belum komentar: 1/4 pers\n" in text


def test_who_is_a_kasat_binmas() -> None:
    """data.md §4.6: the position starts "KASAT BINMAS", case and punctuation aside."""
    assert is_kasat_binmas("Kasat Binmas Polres A")
    assert is_kasat_binmas("KASAT. BINMAS")
    assert not is_kasat_binmas("WA Kasat Binmas")
    assert not is_kasat_binmas("PS. KASAT BINMAS")  # acting: V2 did not count them either
    assert not is_kasat_binmas("Kasat Intel")

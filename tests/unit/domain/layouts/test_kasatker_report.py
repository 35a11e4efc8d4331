"""The Kasatker compliance letter (layouts.kasatker_report): bands, percentages, bad input."""

from datetime import datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.layouts.kasatker_report import (
    Band,
    KasatkerReport,
    Letter,
    SatkerCompliance,
    Thresholds,
    band,
    compliance,
    percent_label,
    render,
)
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB

from .people import row

AT = datetime(2026, 2, 10, 18, 23, 4, tzinfo=WIB)
NAMES = {
    "POLRES_A": "POLRES A",
    "POLRES_B": "POLRES B",
    "POLRES_C": "POLRES C",
    "POLRES_E": "POLRES E",
}
IG, TT = Platform.INSTAGRAM, Platform.TIKTOK


def sat(client, took, staff=4):
    return SatkerCompliance(client, NAMES.get(client, client), staff, Fraction(took))


def test_bands_at_their_edges():
    t = Thresholds()
    assert band(Fraction(9, 10), t) is Band.AKTIF
    assert band(Fraction(8999, 10000), t) is Band.SEDANG
    assert band(Fraction(1, 2), t) is Band.SEDANG
    assert band(Fraction(4999, 10000), t) is Band.RENDAH
    assert band(Fraction(0), t) is Band.RENDAH
    assert band(Fraction(7, 10), Thresholds(Fraction(7, 10), Fraction(3, 10))) is Band.AKTIF


def test_percent_labels_round_down_to_a_tenth():
    assert [percent_label(Fraction(n, d)) for n, d in ((1, 1), (7, 8), (2, 3), (0, 1))] == [
        "100%", "87.5%", "66.6%", "0%"
    ]  # fmt: skip
    assert percent_label(Fraction(8995, 10000)) == "89.9%"  # still SEDANG, never shown as 90%


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="sedang <= aktif"):
        Thresholds(Fraction(1, 2), Fraction(9, 10))


def test_compliance_averages_the_platforms_with_posts_and_skips_the_directorate():
    ig = (
        row("1", "AKP", "A", "SAT BINMAS", "a", 2, 2, client="POLRES_A"),
        row("2", "BRIPDA", "B", "SAT BINMAS", "b", 0, 2, client="POLRES_A"),
        row("3", "AKBP", "D", "SUBDIT", "d", 2, 2, client="DITBINMAS"),
        row("4", "AKP", "C", "SAT BINMAS", None, 0, 2, client="POLRES_B"),
    )
    tt = (
        row("1", "AKP", "A", "SAT BINMAS", "a", 1, 1, client="POLRES_A", platform="tiktok"),
        row("2", "BRIPDA", "B", "SAT BINMAS", "b", 1, 1, client="POLRES_A", platform="tiktok"),
        row("3", "AKBP", "D", "SUBDIT", "d", 0, 1, client="DITBINMAS", platform="tiktok"),
        row("4", "AKP", "C", "SAT BINMAS", "c", 1, 1, client="POLRES_B", platform="tiktok"),
    )
    got = compliance([ig, tt], ["POLRES_C", "POLRES_A"], NAMES, "DITBINMAS")
    assert [(s.client, s.staff, s.took_part) for s in got] == [
        ("POLRES_C", 0, 0),  # linked, nobody counted
        ("POLRES_A", 2, Fraction(3, 4)),  # IG 1/2, TikTok 2/2
        ("POLRES_B", 1, Fraction(1, 2)),  # no IG username: 0/1; TikTok 1/1
    ]
    only_ig = compliance([ig], [], NAMES, "DITBINMAS")
    assert [(s.client, s.took_part) for s in only_ig] == [("POLRES_A", Fraction(1, 2)),
                                                            ("POLRES_B", 0)]  # fmt: skip


LETTER = Letter(("*KEPADA YTH.*", "KASAT BINMAS POLRES JAJARAN"), "https://chat.example/inv")


def test_golden():
    report = KasatkerReport(
        "DIREKTORAT BINMAS", AT, (IG, TT),
        (sat("POLRES_B", Fraction(1, 2)), sat("POLRES_A", 1), sat("POLRES_C", 0),
         SatkerCompliance("POLRES_D", "POLRES D", 0, Fraction(0)),
         sat("POLRES_E", Fraction(9, 10))),
        LETTER,
    )  # fmt: skip
    assert (
        render(report)
        == """\
*KEPADA YTH.*
KASAT BINMAS POLRES JAJARAN

*Laporan kepatuhan pelaksanaan _Likes_ dan _Komentar_ Media Sosial.*
Periode Selasa, 10 Februari 2026, pukul 18.23.04 WIB.

Dalam rangka monitoring kepatuhan pelaksanaan tugas likes dan komentar terhadap konten akun \
resmi DIREKTORAT BINMAS melalui aplikasi Cicero, berikut disampaikan hasil rekapitulasi tingkat \
kepatuhan personel per Polres.

*KRITERIA KEPATUHAN* - Persentase personel yang melaksanakan tugas _Likes_ dan _Komentar_

• *AKTIF* : Personil yang sudah melaksanakan ≥ 90%
• *SEDANG* : Personil yang sudah melaksanakan 50% - 89.9%
• *RENDAH* : Personil yang sudah melaksanakan < 50%

*REKAP KEPATUHAN PER KATEGORI*

*KEPATUHAN AKTIF* (2 Satker)
1. POLRES A : 100%
2. POLRES E : 90%

*KEPATUHAN SEDANG* (1 Satker)
1. POLRES B : 50%

*KEPATUHAN RENDAH* (2 Satker)
1. POLRES C : 0% (Belum ada pelaksanaan)
2. POLRES D : 0% (Belum ada personil terdaftar)

*ARAHAN TINDAK LANJUT*
✅ Kepada Kasat Binmas dengan kategori Aktif.
Disampaikan terima kasih dan apresiasi atas kinerja yang konsisten dalam memastikan seluruh \
personel melaksanakan tugas likes dan komentar. Diharapkan tingkat kepatuhan tersebut \
dipertahankan dan menjadi contoh bagi satuan lainnya.

⚠️ Kepada Kasat Binmas dengan kategori Rendah.
Diharapkan segera melakukan langkah-langkah perbaikan sebagai berikut:
- Meminta operator atau staf pengelola media sosial aktif mengikuti arahan sistem Cicero \
melalui grup WhatsApp manajemen sosial media DIREKTORAT BINMAS, tautan: https://chat.example/inv
- Menginstruksikan operator agar setiap hari membagikan daftar konten yang wajib di-like dan \
di-comment oleh jajaran Binmas.
- Mendorong seluruh staf Binmas dan personel Bhabinkamtibmas untuk aktif memberi like dan \
komentar pada setiap konten resmi DIREKTORAT BINMAS.

Terima kasih atas perhatian dan kerja samanya."""
    )


def test_one_platform_empty_band_no_header_no_link():
    text = render(KasatkerReport("DIT X", AT, (TT,), (sat("POLRES_A", 1),)))
    assert text.startswith("*Laporan kepatuhan")
    assert "Hari ini hanya ada konten TikTok (komentar); kepatuhan dihitung" in text
    assert "*KEPATUHAN SEDANG* (0 Satker)\n-\n" in text
    assert "manajemen sosial media DIT X\n" in text  # no ", tautan:" without a link


def test_no_posts_and_no_satkers():
    assert render(KasatkerReport("DIT X", AT, (), (sat("POLRES_A", 1),))) == (
        "Tidak ada konten Instagram maupun TikTok pada akun official DIT X hari ini; "
        "laporan kepatuhan Kasatker tidak disusun."
    )
    assert render(KasatkerReport("DIT X", AT, (IG,), ())) == (
        "Tidak ada satker DIT X untuk laporan kepatuhan Kasatker."
    )


def test_a_menu_period_is_named_instead_of_the_day():
    period = "1–10 Februari 2026"
    text = render(KasatkerReport("DIT X", AT, (TT,), (sat("POLRES_A", 1),), period=period))
    assert (
        "Periode: 1–10 Februari 2026 (data per Selasa, 10 Februari 2026, pukul 18.23.04 WIB)."
        in text
    )
    assert "Pada periode ini hanya ada konten TikTok (komentar)" in text
    assert "Hari ini" not in text
    assert render(KasatkerReport("DIT X", AT, (), (), period=period)).startswith(
        "Tidak ada konten Instagram maupun TikTok pada akun official DIT X pada periode "
        "1–10 Februari 2026;"
    )


@given(st.lists(st.fractions(0, 1), min_size=1, max_size=15))
def test_every_satker_lands_in_exactly_one_band_in_descending_order(values):
    satkers = tuple(sat(f"S{i:02}", v) for i, v in enumerate(values))
    lines = render(KasatkerReport("D", AT, (IG,), satkers)).splitlines()
    listed = [line for line in lines if line[:1].isdigit() and " : " in line]
    assert len(listed) == len(values)
    for b in Band:
        mine = sorted(
            (s for s in satkers if band(s.took_part) is b), key=lambda s: (-s.took_part, s.name)
        )
        start = lines.index(f"*KEPATUHAN {b}* ({len(mine)} Satker)")
        assert lines[start + 1 : start + 1 + len(mine)] == [
            f"{i}. {s.name} : {percent_label(s.took_part)}{s.note}"
            for i, s in enumerate(mine, start=1)
        ]

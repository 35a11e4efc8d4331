from datetime import datetime
from fractions import Fraction

import pytest

from cicero.domain.layouts import posts
from cicero.domain.layouts.daily_engagement import (
    DailyEngagement,
    Progress,
    SatkerScore,
    Thresholds,
    penutup,
    render,
    top_and_bottom,
)
from cicero.domain.timezone import WIB

AT = datetime(2026, 2, 10, 15, 20, 4, tzinfo=WIB)
GOOD = Progress(Fraction(96, 100), False, 0, 3, Fraction(85, 100), 2)
IG_SCORES = tuple(
    SatkerScore(n, c)
    for n, c in [("POLRES A", 1200), ("POLRES B", 90), ("POLRES C", 90), ("POLRES D", 5),
                 ("POLRES E", 300), ("POLRES F", 0), ("POLRES G", 40)]
)  # fmt: skip


def test_golden():
    d = DailyEngagement(
        name="DIREKTORAT BINMAS",
        at=AT,
        instagram_posts=(
            posts.ig("B2", datetime(2026, 2, 10, 13, 0, tzinfo=WIB)),
            posts.ig("A1", datetime(2026, 2, 10, 8, 5, tzinfo=WIB)),
        ),
        tiktok_posts=(posts.tiktok("ditbinmas", "7001", datetime(2026, 2, 10, 9, 30, tzinfo=WIB)),),
        instagram_ranking=IG_SCORES,
        tiktok_ranking=(SatkerScore("POLRES A", 12), SatkerScore("POLRES B", 3)),
        progress=GOOD,
    )
    assert (
        render(d)
        == """\
*Laporan Harian Engagement – Selasa, 10 Februari 2026*
*DIREKTORAT BINMAS*
List Link Tugas Instagram dan Tiktok Hari ini :
- IG 1. https://www.instagram.com/p/A1 — 08:05 WIB
- IG 2. https://www.instagram.com/p/B2 — 13:00 WIB
- TikTok 1. https://www.tiktok.com/@ditbinmas/video/7001 — 09:30 WIB
1. 📸 *Instagram*
   Mohon Ijin Komandan, rekap singkat likes Instagram hari Selasa, 10/2/2026 pukul 15.20.04 WIB.
   Top 5 Likes:
   - 1. POLRES A — 1.200 likes
   - 2. POLRES E — 300 likes
   - 3. POLRES B — 90 likes
   - 4. POLRES C — 90 likes
   - 5. POLRES G — 40 likes
   Bottom 5 Likes:
   - 1. POLRES F — 0 likes
   - 2. POLRES D — 5 likes
   - 3. POLRES G — 40 likes
   - 4. POLRES C — 90 likes
   - 5. POLRES B — 90 likes
2. 🎵 *TikTok*
   🎵 TikTok (DIREKTORAT BINMAS)

   Top 5 Komentar:
   - 1. POLRES A — 12 komentar
   - 2. POLRES B — 3 komentar
   Bottom 5 Komentar:
   - 1. POLRES B — 3 komentar
   - 2. POLRES A — 12 komentar
Capaian IG & TikTok sudah sesuai target; terima kasih atas sinergi hangat seluruh pembina di jajaran DIREKTORAT BINMAS."""  # noqa: E501
    )


def test_no_tiktok_ranking_and_empty_ig_ranking():
    d = DailyEngagement(
        "DIT X", AT, (posts.ig("A1"),), (), (), (), Progress(Fraction(1, 2), False, 10, 4)
    )
    assert (
        render(d)
        == """\
*Laporan Harian Engagement – Selasa, 10 Februari 2026*
*DIT X*
List Link Tugas Instagram dan Tiktok Hari ini :
- IG 1. https://www.instagram.com/p/A1 — waktu tidak diketahui
1. 📸 *Instagram*
   Mohon Ijin Komandan, rekap singkat likes Instagram hari Selasa, 10/2/2026 pukul 15.20.04 WIB.
   Top 5 Likes:
   -
   Bottom 5 Likes:
   -
2. 🎵 *TikTok*
   Tidak ada data peringkat komentar TikTok.
Target harian belum sepenuhnya terpenuhi; kolaborasi halus antar satker akan membantu menutup gap likes dan komentar."""
    )


def test_no_posts():
    d = DailyEngagement("DIT X", AT, (), (), (), (), GOOD)
    assert render(d) == "Tidak ada tugas hari ini."


def test_bottom_is_top_reversed():
    top, bottom = top_and_bottom(IG_SCORES, k=len(IG_SCORES))
    assert bottom == top[::-1]


def P(ig=Fraction(1), met=False, gap=0, ig_backlog=0, tt=Fraction(1), tt_backlog=0):
    return Progress(ig, met, gap, ig_backlog, tt, tt_backlog)


@pytest.mark.parametrize(
    ("progress", "has_tiktok", "starts"),
    [
        (P(ig=Fraction(95, 100), tt=Fraction(80, 100), ig_backlog=10), True, "Capaian IG & TikTok"),
        (P(ig=Fraction(1, 2), met=True), True, "Capaian IG & TikTok"),
        (P(tt=Fraction(0)), False, "Capaian IG sudah"),
        (P(ig_backlog=11), False, "Progres bergerak"),
        (P(tt_backlog=31), True, "Backlog personel"),
        (P(tt_backlog=31), False, "Capaian IG sudah"),  # TikTok backlog ignored without ranking
        (P(ig=Fraction(94, 100), ig_backlog=31, gap=5), True, "Backlog personel"),
        (P(ig=Fraction(94, 100), gap=5), True, "Target harian"),
        (P(tt=Fraction(79, 100)), True, "Target harian"),
        (P(ig=Fraction(94, 100)), True, "Progres bergerak"),
        (P(ig_backlog=20), True, "Progres bergerak"),
    ],
)
def test_penutup_rules_in_order(progress, has_tiktok, starts):
    assert penutup(progress, has_tiktok, "DIT X").startswith(starts)


def test_thresholds_are_parameters():
    strict = Thresholds(ig_good=Fraction(1), tiktok_good=Fraction(1), backlog_moderate=0)
    assert penutup(P(ig=Fraction(99, 100)), True, "X", strict).startswith("Progres")
    assert penutup(P(), True, "X", strict).startswith("Capaian IG & TikTok")
    assert penutup(P(), True, "X").endswith("di jajaran X.")
    assert penutup(P(ig=Fraction(0)), True, "DIT X").endswith("ritme nyaman ala DIT X.")

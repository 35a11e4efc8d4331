from datetime import datetime

from cicero.domain.layouts import posts
from cicero.domain.layouts.reminder import MISSING_TIKTOK, Reminder, render
from cicero.domain.timezone import WIB

AT = datetime(2026, 2, 10, 17, 5, tzinfo=WIB)


def test_golden_both_platforms():
    r = Reminder(
        "BRIPKA BUDI SANTOSO",
        AT,
        posts_today=3,
        instagram_todo=(
            posts.ig("B2", datetime(2026, 2, 10, 13, tzinfo=WIB)),
            posts.ig("A1", datetime(2026, 2, 10, 8, tzinfo=WIB)),
        ),
        tiktok_todo=(posts.tiktok("polres_a", "7001"),),
    )
    assert (
        render(r)
        == """\
Selamat Sore, Bapak/Ibu BRIPKA BUDI SANTOSO

👋 Pengingat engagement harian

Konten Instagram yang perlu diselesaikan:
1. https://www.instagram.com/p/A1
2. https://www.instagram.com/p/B2

Konten TikTok yang perlu diselesaikan:
1. https://www.tiktok.com/@polres_a/video/7001

1️⃣ Pastikan setiap unggahan mendapat dukungan likes sesuai target.
2️⃣ Tambahkan komentar positif dan relevan pada konten terbaru.

Balas *notifwa#off* jika ingin berhenti menerima pengingat otomatis."""
    )


def test_only_tiktok_block_and_missing_handle_prompt():
    r = Reminder("AKP X", AT, 1, tiktok_missing=True)
    text = render(r)
    assert "Konten Instagram" not in text and "Konten TikTok" not in text
    assert f"👋 Pengingat engagement harian\n\n{MISSING_TIKTOK}\n\n1️⃣" in text


def test_all_done():
    assert render(Reminder("AKP X", datetime(2026, 2, 10, 9, tzinfo=WIB), 2)) == (
        "Selamat Pagi, Bapak/Ibu AKP X\n\n"
        "Terimakasih, Tugas Likes dan komentar hari ini sudah dilaksanakan semua"
    )


def test_no_all_done_on_a_day_without_posts():
    assert render(Reminder("AKP X", AT, 0)) is None

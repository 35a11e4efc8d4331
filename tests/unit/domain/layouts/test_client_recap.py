from datetime import UTC, datetime

from cicero.domain.layouts import posts
from cicero.domain.layouts.client_recap import ClientRecap, render_comments, render_likes

from .people import row

AT = datetime(2026, 2, 10, 8, 20, 4, tzinfo=UTC)  # 15.20.04 WIB

EXAMPLE_1 = """\
Mohon ijin Komandan,

📋 *Rekap Akumulasi Likes Instagram*
*Polres*: *POLRES SUKAMAJU*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 2
*Daftar Link Konten:*
https://www.instagram.com/p/DAbc123
https://www.instagram.com/p/DXyz789

*Jumlah user:* 3 user
✅ *Melaksanakan lengkap* : *1 user*
⚠️ *Melaksanakan kurang lengkap* : *1 user*
❌ *Belum melaksanakan* : *1 user*

✅ *Melaksanakan lengkap* (1 user)
⚠️ *Melaksanakan kurang lengkap* (1 user)
❌ *Belum melaksanakan* (1 user)

*SAT BINMAS* (2 user):
✅ Lengkap (1 user):
- AKP Budi Santoso : @budi.s (2/2 konten)
⚠️ Kurang (0 user):
-
❌ Belum (1 user):
- BRIPTU Dedi Kurniawan : - (0/2 konten)

*POLSEK KOTA* (1 user):
✅ Lengkap (0 user):
-
⚠️ Kurang (1 user):
- BRIPKA Andi Wijaya : @andiwjy (1/2 konten)
❌ Belum (0 user):
-

Terimakasih."""

POSTS = (posts.ig("DAbc123"), posts.ig("DXyz789"))


def test_worked_example_1_of_jobs_md():
    people = (  # deliberately out of order
        row("3", "BRIPKA", "Andi Wijaya", "POLSEK KOTA", "andiwjy", 1, 2),
        row("2", "BRIPTU", "Dedi Kurniawan", "SAT BINMAS", None, 0, 2),
        row("1", "AKP", "Budi Santoso", "SAT BINMAS", "budi.s", 2, 2),
    )
    assert render_likes(ClientRecap("POLRES SUKAMAJU", AT, POSTS, people)) == EXAMPLE_1


def test_comments_recap():
    tt = (posts.tiktok("polres_a", "7468000000000000001"),)
    people = (
        row("1", "AKP", "SARI", "SAT BINMAS", "sari", 1, 1, platform="tiktok"),
        row("2", "BRIPDA", "ZAKI", "SAT BINMAS", None, 0, 1, platform="tiktok"),
        row("3", "IPDA", "JOKO", "SAT BINMAS", "joko", 0, 1, platform="tiktok", exception=True),
    )
    text = render_comments(
        ClientRecap("POLRES A", AT, tt, people, failed_posts=("7468000000000000001",))
    )
    assert (
        text
        == """\
Mohon ijin Komandan,

📋 *Rekap Akumulasi Komentar TikTok*
*POLRES A*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 1
*Daftar Link Konten:*
https://www.tiktok.com/@polres_a/video/7468000000000000001

*Jumlah user:* 3 user
✅ *Melaksanakan lengkap* : *2 user*
⚠️ *Melaksanakan kurang lengkap* : *0 user*
❌ *Belum melaksanakan* : *1 user*

✅ *Melaksanakan lengkap* (2 user)
⚠️ *Melaksanakan kurang lengkap* (0 user)
❌ *Belum melaksanakan* (1 user)

*SAT BINMAS* (3 user):
✅ Lengkap (2 user):
- AKP SARI : sari (1/1 konten)
- IPDA JOKO : joko (0/1 konten) (pengecualian)
⚠️ Kurang (0 user):
-
❌ Belum (1 user):
- BRIPDA ZAKI : belum mengisi data tiktok (0/1 konten)

⚠️ Data komentar gagal diambil untuk konten: 7468000000000000001

Terimakasih."""
    )


def test_ratio_other_than_one_is_printed():
    people = (row("1", "AKP", "A", "SAT X", "a", 1, 2, ratio=0.5),)
    text = render_likes(ClientRecap("P", AT, POSTS, people, done_ratio=0.5))
    assert "*Jumlah Konten:* 2\n*Batas Lengkap:* 1/2 konten\n*Daftar Link Konten:*" in text
    assert "✅ Lengkap (1 user):\n- AKP A : @a (1/2 konten)" in text


def test_no_posts():
    r = ClientRecap("POLRES A", AT, (), ())
    assert render_likes(r) == "Tidak ada konten pada akun Official Instagram *POLRES A* hari ini."
    assert render_comments(r) == "Tidak ada konten pada akun Official Tiktok *POLRES A* hari ini."


def test_no_people_prints_a_dash():
    text = render_likes(ClientRecap("P", AT, POSTS, ()))
    assert text.endswith("❌ *Belum melaksanakan* (0 user)\n\n-\n\nTerimakasih.")

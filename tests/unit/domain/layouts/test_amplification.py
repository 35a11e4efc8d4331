from datetime import datetime

from cicero.domain.layouts import posts
from cicero.domain.layouts.amplification import AmplifyPerson, AmplifyRecap, render
from cicero.domain.timezone import WIB

from .people import row

AT = datetime(2026, 2, 10, 15, 5, 0, tzinfo=WIB)
POSTS = (posts.ig("A1"), posts.ig("B2"))


def amp(nrp, rank, name, unit, done, links, exception=False):
    return AmplifyPerson(row(nrp, rank, name, unit, "h", done, 2, exception=exception), links)


def test_golden():
    people = (
        amp("1", "BRIPDA", "ZAKI", "SAT BINMAS", 2, 4),
        amp("2", "AKP", "SARI", "SAT BINMAS", 2, 9),
        amp("3", "IPDA", "JOKO", "BAG OPS", 1, 3),
        amp("4", "AIPTU", "BAYU", "SAT BINMAS", 0, 0, exception=True),
        amp("5", "BRIPTU", "ADI", "POLSEK KOTA", 0, 0),
    )
    assert (
        render(AmplifyRecap("POLRES A", AT, POSTS, people))
        == """\
Selamat sore,

Mohon ijin melaporkan Pelaksanaan Tugas Amplifikasi *POLRES A* pada hari:

Hari: Selasa

Tanggal: 10/2/2026

Pukul: 15.05.00

Jumlah Konten Resmi Hari ini: 2

https://www.instagram.com/p/A1

https://www.instagram.com/p/B2

Jumlah Personil yang melaksanakan: 4
Jumlah Total Link dari 5 Platform Sosial Media: 16

✅ Sudah Melaksanakan (3 user)
Urut berdasarkan total link terbanyak

SAT BINMAS – AKP SARI (Sudah: 2 Tugas / Belum: 0 Tugas / Total Link: 9 Link)

SAT BINMAS – BRIPDA ZAKI (Sudah: 2 Tugas / Belum: 0 Tugas / Total Link: 4 Link)

SAT BINMAS – AIPTU BAYU (Sudah: 0 Tugas / Belum: 2 Tugas / Total Link: 0 Link)

⚠️ Belum Lengkap (1 user)
BAG OPS – IPDA JOKO (Sudah: 1 Tugas / Belum: 1 Tugas / Total Link: 3 Link)

❌ Belum Melaksanakan (1 user)
POLSEK KOTA – BRIPTU ADI (Sudah: 0 Tugas / Belum: 2 Tugas / Total Link: 0 Link)

Terima kasih."""
    )


def test_empty_groups_print_a_dash():
    text = render(AmplifyRecap("P", AT, POSTS, ()))
    assert (
        "⚠️ Belum Lengkap (0 user)\n-\n\n❌ Belum Melaksanakan (0 user)\n-\n\nTerima kasih." in text
    )


def test_no_posts():
    assert render(AmplifyRecap("POLRES A", AT, (), ())) == (
        "Tidak ada konten IG untuk *POLRES A* hari ini."
    )

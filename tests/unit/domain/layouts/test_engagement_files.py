"""The daily engagement report's .txt attachments (layouts.engagement_files)."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.attendance.rule import Status
from cicero.domain.layouts import posts
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.layouts.engagement_files import all_users, not_yet_done
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB

from .people import example_b, row

AT = datetime(2026, 2, 10, 15, 20, 4, tzinfo=WIB)
NAMES = {"DITBINMAS": "DIT BINMAS", "POLRES_A": "POLRES A", "POLRES_B": "POLRES B"}
TT_POSTS = tuple(posts.tiktok("ditbinmas", f"70{i}") for i in range(4))


def recap(people, platform=Platform.TIKTOK, refs=TT_POSTS):
    return DirectorateRecap("DITBINMAS", "DIT BINMAS", platform, AT, refs, tuple(people), NAMES)


def test_all_users_golden():
    f = all_users(recap(example_b()))
    assert f.filename == "Absensi_All_Engagement_TikTok_DITBINMAS_Selasa_10-02-2026_15-20-04.txt"
    assert (
        f.text
        == """\
Absensi Engagement TikTok – semua personil
DIT BINMAS
Selasa, 10/2/2026
Jam: 15.20.04

Jumlah Konten: 4
Daftar Link Konten:
- https://www.tiktok.com/@ditbinmas/video/700
- https://www.tiktok.com/@ditbinmas/video/701
- https://www.tiktok.com/@ditbinmas/video/702
- https://www.tiktok.com/@ditbinmas/video/703

Jumlah Total Personil: 8 pers
Sudah Komentar: 4 pers
Kurang Komentar: 2 pers
Belum Komentar: 1 pers
Belum Input Username TikTok: 1 pers

Satker: Jumlah Personil / Sudah / Kurang / Belum / Belum Input Username

DIT BINMAS: 3 / 1 / 1 / 0 / 1
Sudah Komentar (1):
- AKBP ANDI – SAT BINMAS : andi.bm (4/4)
Kurang Komentar (1):
- KBP RUDI – SAT BINMAS : rudi (1/4)
Belum Komentar (0):
-
Belum Input Username TikTok (1):
- BRIPKA ALIF – SAT BINMAS : TikTok Kosong

POLRES A: 3 / 2 / 0 / 1 / 0
Sudah Komentar (2):
- AKP SARI – SAT BINMAS : sari (2/4)
- AIPTU BAYU – SAT BINMAS : bayu (0/4) (pengecualian)
Kurang Komentar (0):
-
Belum Komentar (1):
- IPDA JOKO – SAT BINMAS : joko (0/4)
Belum Input Username TikTok (0):
-

POLRES B: 2 / 1 / 1 / 0 / 0
Sudah Komentar (1):
- BRIPDA ZAKI – SAT BINMAS : zaki (3/4)
Kurang Komentar (1):
- BRIPTU ADI – SAT BINMAS : adi (1/4)
Belum Komentar (0):
-
Belum Input Username TikTok (0):
-
"""
    )


def test_not_yet_done_golden():
    f = not_yet_done(recap(example_b()))
    assert f.filename.startswith("Absensi_Belum_Engagement_TikTok_DITBINMAS_Selasa_")
    body = f.text.split("\n\n", 2)[2]  # after the header and the list of links
    assert body == (
        "DIT BINMAS: 1 pers\n"
        "Belum Input Username TikTok (1):\n"
        "- BRIPKA ALIF – SAT BINMAS : TikTok Kosong\n"
        "\n"
        "POLRES A: 1 pers\n"
        "Belum Komentar (1):\n"
        "- IPDA JOKO – SAT BINMAS : joko (0/4)\n"
    )


def test_everyone_done_says_so():
    people = [row("1", "AKP", "A", "SAT X", "a", 1, 1, client="POLRES_A")]
    f = not_yet_done(recap(people, Platform.INSTAGRAM, (posts.ig("S1"),)))
    assert f.filename.startswith("Absensi_Belum_Engagement_Instagram_")
    assert f.text.startswith("Belum melaksanakan Likes atau belum input username Instagram\n")
    assert f.text.endswith("\n\nSemua personil sudah melaksanakan.\n")


statuses = st.builds(
    lambda nrp, client, handle, done: row(nrp, "AKP", f"N{nrp}", "SAT X", handle, done, 3,
                                          client=client),
    st.text("0123456789", min_size=1, max_size=5),
    st.sampled_from(["DITBINMAS", "POLRES_A", "POLRES_B", "POLRES_C"]),
    st.none() | st.just("h"),
    st.integers(0, 3),
)  # fmt: skip


@given(st.lists(statuses, max_size=20, unique_by=lambda a: a.nrp))
def test_each_person_is_in_the_all_file_once_and_in_the_belum_file_when_not_done(people):
    refs = tuple(posts.ig(f"S{i}") for i in range(3))
    r = recap(people, Platform.INSTAGRAM, refs)
    lines = all_users(r).text.splitlines()
    for a in people:
        assert sum(line.startswith(f"- AKP N{a.nrp} – ") for line in lines) == 1
    pending = not_yet_done(r).text.splitlines()
    for a in people:
        owed = a.status in (Status.BELUM, Status.TANPA_USERNAME)
        assert sum(line.startswith(f"- AKP N{a.nrp} – ") for line in pending) == owed

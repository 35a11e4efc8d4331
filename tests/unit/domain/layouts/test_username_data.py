"""Username completeness and incomplete-data recaps (layouts.username_data)."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.attendance.rule import Person
from cicero.domain.layouts.username_data import (
    Completeness,
    StaffData,
    completeness,
    render_completeness,
    render_incomplete,
)
from cicero.domain.timezone import WIB

AT = datetime(2026, 2, 10, 6, 45, 0, tzinfo=WIB)  # Selasa, pagi


def person(nrp, rank, name, unit, ig=None, tt=None, client="POLRES_A", position=""):
    return Person(nrp, client, name, rank, unit, position, ig, tt)


POLRES = (
    person("3", "BRIPDA", "ZAKI", "SAT BINMAS", "zaki", "zaki"),
    person("1", "BRIPTU", "DEDI", "SAT BINMAS", None, None),
    person("2", "AKP", "SARI", "SAT BINMAS", "sari", None, position="KASAT BINMAS"),
    person("4", "IPDA", "JOKO", "POLSEK KOTA", None, "joko"),
    person("5", "BRIPKA", "ANDI", "BAG OPS", "andi", "andi"),
)


def test_completeness_golden():
    assert (
        render_completeness(StaffData("POLRES_A", "POLRES A", AT, POLRES))
        == """\
Selamat pagi,

Mohon ijin Komandan, melaporkan absensi update data username Instagram dan TikTok personil \
POLRES A pada hari Selasa, 10 Februari 2026, pukul 06.45.00 WIB, sebagai berikut:

Jumlah Total Personil : 5
Jumlah Personil Lengkap : 2
Jumlah Personil Kurang : 2
Jumlah Personil Belum : 1

*BAG OPS*
Lengkap (1):
- BRIPKA ANDI - IG: andi, TikTok: andi

Kurang (0):
-

Belum (0):
-

*SAT BINMAS*
Lengkap (1):
- BRIPDA ZAKI - IG: zaki, TikTok: zaki

Kurang (1):
- AKP SARI - IG: sari, TikTok: -

Belum (1):
- BRIPTU DEDI - IG: -, TikTok: -

*POLSEK KOTA*
Lengkap (0):
-

Kurang (1):
- IPDA JOKO - IG: -, TikTok: joko

Belum (0):
-"""
    )


def test_incomplete_golden_lists_satker_staff_under_the_satker():
    people = (
        person("1", "AKBP", "HENDRA", "SUBDIT BINPOLMAS", None, "hendra", client="DITBINMAS"),
        person("2", "AKP", "SARI", "SAT BINMAS", "sari", None),
        person("3", "BRIPKA", "EKO", "SAT BINMAS", "eko", "eko", client="POLRES_B"),
        person("4", "BRIPTU", "DEDI", "SAT BINMAS", None, None),
    )
    names = {"POLRES_A": "POLRES A", "POLRES_B": "POLRES B"}
    data = StaffData("DITBINMAS", "DIREKTORAT BINMAS", AT, people, names)
    assert (
        render_incomplete(data)
        == """\
Selamat pagi,

Mohon ijin Komandan, melaporkan personil DIREKTORAT BINMAS yang belum melengkapi data \
Instagram/TikTok pada hari Selasa, 10 Februari 2026, pukul 06.45.00 WIB, sebagai berikut:

*SUBDIT BINPOLMAS* (1)
- AKBP HENDRA, Instagram kosong

*POLRES A* (2)
- AKP SARI, TikTok kosong
- BRIPTU DEDI, Instagram kosong, TikTok kosong"""
    )


def test_incomplete_is_silent_when_everyone_registered_both_or_nobody_is_counted():
    complete = tuple(p for p in POLRES if completeness(p) is Completeness.LENGKAP)
    assert render_incomplete(StaffData("POLRES_A", "POLRES A", AT, complete)) is None
    assert render_incomplete(StaffData("POLRES_A", "POLRES A", AT, ())) is None


def test_completeness_with_nobody_counted_still_reads():
    text = render_completeness(StaffData("POLRES_A", "POLRES A", AT, ()))
    assert text.endswith("Jumlah Total Personil : 0\nJumlah Personil Lengkap : 0\n"
                         "Jumlah Personil Kurang : 0\nJumlah Personil Belum : 0")  # fmt: skip


people = st.lists(
    st.builds(
        person,
        st.text("0123456789", min_size=1, max_size=6),
        st.sampled_from(["AKP", "BRIPDA", "PHL", ""]),
        st.text("ABC ", min_size=1, max_size=5),
        st.sampled_from(["SAT BINMAS", "POLSEK KOTA", "BAG OPS", ""]),
        st.none() | st.just("ig"),
        st.none() | st.just("tt"),
        client=st.sampled_from(["D", "A", "B"]),
    ),
    max_size=25,
    unique_by=lambda p: p.nrp,
)


@given(people)
def test_everyone_is_listed_once_and_the_totals_add_up(staff):
    data = StaffData("D", "D", AT, tuple(staff), {"A": "SATKER A", "B": "SATKER B"})
    text = render_completeness(data)
    listed = [line for line in text.splitlines() if line.startswith("- ") and " - IG: " in line]
    assert len(listed) == len(staff)
    for c in Completeness:
        n = sum(completeness(p) is c for p in staff)
        assert f"Jumlah Personil {c} : {n}\n" in text + "\n"
    lacking = render_incomplete(data)
    short = [p for p in staff if completeness(p) is not Completeness.LENGKAP]
    if not short:
        assert lacking is None
    else:
        assert lacking is not None
        assert sum(line.startswith("- ") for line in lacking.splitlines()) == len(short)

"""The monthly amplification workbook (layouts.amplify_monthly)."""

from datetime import UTC, datetime

import pytest

from cicero.domain.attendance.rule import Person
from cicero.domain.layouts import posts
from cicero.domain.layouts.amplify_monthly import (
    LINK_HEAD,
    PERSON_HEAD,
    AmplifyMonth,
    MonthlyLink,
    caption,
    month_label,
    no_reports,
    workbook,
)
from cicero.domain.timezone import WIB

AT = datetime(2026, 11, 30, 23, 0, 4, tzinfo=WIB)
SARI = Person("2", "POLRES_A", "SARI", "AKP", "SAT BINMAS", "KASAT BINMAS")
ZAKI = Person("1", "POLRES_A", "ZAKI", "BRIPDA", "SAT BINMAS", "BA")
JOKO = Person("3", "POLRES_A", "JOKO", "IPDA", "POLSEK KOTA", "KANIT")
GONE = Person("4", "POLRES_A", "LAMA", "AIPDA", "BAG OPS", "")  # reported, no longer counted
A1, B2 = posts.ig("A1"), posts.ig("B2")


def link(person, post, day, hh, *links):
    return MonthlyLink(person, post, datetime(2026, 11, day, hh, tzinfo=WIB), tuple(links))


def test_two_sheets_per_person_then_each_link():
    month = AmplifyMonth(
        "POLRES_A", "POLRES A", AT, (ZAKI, SARI, JOKO),
        (
            link(ZAKI, B2, 12, 9, None, "https://fb.watch/x", None, None, None),
            link(ZAKI, A1, 3, 10, "https://www.instagram.com/p/z1", None, None,
                 "https://www.tiktok.com/@z/video/1", None),
            link(GONE, A1, 3, 23, "https://www.instagram.com/p/g1", None, None, None, None),
            link(SARI, A1, 3, 8, None, None, "https://x.com/s/1", None, "https://youtu.be/s"),
        ),
    )  # fmt: skip
    wb = workbook(month)
    assert wb.filename == "Rekap_Link_Amplifikasi_Bulanan_POLRES_A_Senin_30-11-2026_23-00-04.xlsx"
    people, links = wb.sheets
    assert (people.title, people.header, links.title, links.header) == (
        "Rekap per Personil", PERSON_HEAD, "Daftar Link", LINK_HEAD
    )  # fmt: skip
    assert people.rows == (
        (1, "4", "AIPDA", "LAMA", "BAG OPS", "", 1, 1, 1, 0, 0, 0, 0),
        (2, "2", "AKP", "SARI", "SAT BINMAS", "KASAT BINMAS", 1, 2, 0, 0, 1, 0, 1),
        (3, "1", "BRIPDA", "ZAKI", "SAT BINMAS", "BA", 2, 3, 1, 1, 0, 1, 0),
        (4, "3", "IPDA", "JOKO", "POLSEK KOTA", "KANIT", 0, 0, 0, 0, 0, 0, 0),
    )
    assert [row[:2] + row[5:6] for row in links.rows] == [
        ("03/11/2026", "4", "https://www.instagram.com/p/A1"),
        ("03/11/2026", "2", "https://www.instagram.com/p/A1"),
        ("03/11/2026", "1", "https://www.instagram.com/p/A1"),
        ("12/11/2026", "1", "https://www.instagram.com/p/B2"),
    ]
    assert links.rows[2][6:] == (
        "https://www.instagram.com/p/z1", "", "", "https://www.tiktok.com/@z/video/1", ""
    )  # fmt: skip


def test_texts():
    month = AmplifyMonth("POLRES_A", "POLRES A", AT, (), ())
    assert month_label(AT) == "November 2026"
    assert (
        caption(month) == "✅ File Excel rekap link amplifikasi November 2026 (POLRES A) dikirim."
    )
    assert no_reports(month) == (
        "Tidak ada laporan link amplifikasi *POLRES A* pada bulan November 2026."
    )
    # the month is the WIB one: 31 October 17:30 UTC is already 1 November in Jakarta
    assert month_label(datetime(2026, 10, 31, 17, 30, tzinfo=UTC)) == "November 2026"


def test_a_report_needs_five_link_fields():
    with pytest.raises(ValueError, match="expected 5"):
        MonthlyLink(ZAKI, A1, AT, ("a", None))

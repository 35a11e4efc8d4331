from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.layouts import posts
from cicero.domain.layouts.sheets import (
    PER_CONTENT_HEAD,
    RANKING_HEAD,
    per_content_workbook,
    ranking_workbook,
    sheet_titles,
    workbook_filename,
)

from .people import example_b, row

AT = datetime(2026, 2, 10, 8, 20, 4, tzinfo=UTC)  # Selasa 15:20:04 WIB
NAMES = {"DITBINMAS": "DIT BINMAS", "POLRES_A": "POLRES A", "POLRES_B": "POLRES B"}


def test_filename():
    assert workbook_filename("Rekap_Likes", "BIDHUMAS", AT) == (
        "Rekap_Likes_BIDHUMAS_Selasa_10-02-2026_15-20-04.xlsx"
    )


def test_per_content_sheet_per_satker():
    refs = [(f"p{i}", posts.ig(f"S{i}")) for i in range(2)]
    people = (
        row("2", "BRIPDA", "B", "SAT X", "b", 1, 2, client="POLRES_A"),
        row("1", "AKP", "A", "SAT X", "a", 2, 2, client="POLRES_A"),
        row("3", "AKP", "C", "SAT Y", None, 0, 2, client="POLRES_B"),
    )
    wb = per_content_workbook("Rekap", "BIDHUMAS", AT, refs, people, NAMES)
    assert wb.filename.startswith("Rekap_BIDHUMAS_Selasa_")
    assert [s.title for s in wb.sheets] == ["POLRES A", "POLRES B"]
    a = wb.sheets[0]
    assert a.header == (
        *PER_CONTENT_HEAD,
        "https://www.instagram.com/p/S0",
        "https://www.instagram.com/p/S1",
        "Jumlah",
        "Status",
    )
    assert a.rows == (
        (1, "1", "AKP", "A", "SAT X", "", "a", 1, 1, 2, "Sudah"),
        (2, "2", "BRIPDA", "B", "SAT X", "", "b", 1, 0, 1, "Kurang"),
    )
    assert wb.sheets[1].rows == ((1, "3", "AKP", "C", "SAT Y", "", "-", 0, 0, 0, "Tanpa Username"),)


def test_ranking_in_satker_order():
    wb = ranking_workbook("Ranking", "DITBINMAS", AT, [("TikTok", example_b())], NAMES, "DITBINMAS")
    (sheet,) = wb.sheets
    assert sheet.title == "TikTok" and sheet.header == RANKING_HEAD
    assert sheet.rows == (
        (1, "DIT BINMAS", 3, 1, 1, 0, 1, 33.3),
        (2, "POLRES A", 3, 2, 0, 1, 0, 66.7),
        (3, "POLRES B", 2, 1, 1, 0, 0, 50.0),
    )


def test_sheet_titles_are_legal_and_unique():
    titles = sheet_titles(["A/B", "a b", "x" * 40, "x" * 40, "[]", "polres a", "POLRES A"])
    assert titles[0] == "A B"
    assert titles[2] == "x" * 31 and titles[3] == "x" * 27 + " (2)"
    assert titles[4] == "Sheet"
    assert titles[6] == "POLRES A (2)"


@settings(max_examples=100)
@given(st.lists(st.text(max_size=40), max_size=12))
def test_sheet_titles_property(names):
    titles = sheet_titles(names)
    assert len(titles) == len(names)
    assert len({t.casefold() for t in titles}) == len(titles)
    assert all(0 < len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)

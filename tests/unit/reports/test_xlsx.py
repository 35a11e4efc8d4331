"""The .xlsx writer against openpyxl (the writer it replaced, kept here as the oracle): what a
reader gets back from our bytes is what it got back from openpyxl's."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from cicero.domain.layouts.sheets import Sheet, Workbook, sheet_titles
from cicero.reports.xlsx import MAX_TEXT, WorkbookError, attachment, column_name, xlsx_bytes

# Text a cell can hold: no surrogates, none of the control characters XML 1.0 refuses.
_CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_CONTROL))
cell = st.one_of(
    text,
    st.sampled_from(["=SUM(A1)", "#N/A", " padded ", "a & b < c > d \"q\" 'q'", "0123"]),
    st.integers(-(2**53), 2**53),
    # openpyxl wrote "%.16g"; a float of up to 15 digits reads back the same from both
    st.floats(-1e300, 1e300).map(lambda f: float(f"{f:.15g}")),
    st.booleans(),
    st.none(),
)
sheet = st.tuples(
    text,
    st.lists(text, max_size=6),
    st.lists(st.lists(cell, max_size=8), max_size=6),
)


def read_back(data: bytes) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Each sheet's title and rows of values, trailing empty cells and rows dropped."""
    return [(t, [tuple(typed(v) for v in r) for r in rows]) for t, rows in values(data)]


def typed(v: object) -> object:
    """A value with its type: a reader tells 0 from 0.0, though both are equal."""
    return (type(v).__name__, v)


def values(data: bytes) -> list[tuple[str, list[tuple[object, ...]]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in book.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        for r in rows:
            while r and r[-1] is None:
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        out.append((ws.title, [tuple(r) for r in rows]))
    return out


def openpyxl_bytes(book: Workbook) -> bytes:
    """The earlier writer: openpyxl appending the header, then the rows."""
    xlsx = openpyxl.Workbook()
    xlsx.remove(xlsx.active)
    for s in book.sheets:
        ws = xlsx.create_sheet(s.title)
        ws.append(list(s.header))
        for r in s.rows:
            ws.append(list(r))
    if not book.sheets:
        xlsx.create_sheet("Kosong")
    out = io.BytesIO()
    xlsx.save(out)
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(st.lists(sheet, max_size=4))
def test_reads_back_as_openpyxls_did(sheets):
    titles = sheet_titles(t for t, _, _ in sheets)
    book = Workbook(
        "x.xlsx",
        tuple(
            Sheet(title, tuple(head), tuple(tuple(r) for r in rows))
            for title, (_, head, rows) in zip(titles, sheets, strict=True)
        ),
    )
    assert read_back(xlsx_bytes(book)) == read_back(openpyxl_bytes(book))


def test_a_recap_shaped_sheet_keeps_types_and_order():
    rows = ((1, "75020031", "AKP", "MAYA", "SAT BINMAS", "BA", "maya", 1, 0, 1, "Kurang"),)
    book = Workbook("Rekap.xlsx", (Sheet("POLRES A & B", ("No", "NRP"), rows),))
    ((title, got),) = values(attachment(book).data)
    assert title == "POLRES A & B"
    assert got == [("No", "NRP"), rows[0]]
    assert isinstance(got[1][1], str)  # an NRP stays text, leading digits and all


def test_the_same_rows_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch):
    book = Workbook("Rekap.xlsx", (Sheet("A", ("No",), ((1,),)),))
    first = xlsx_bytes(book)
    clock = iter(range(10**9, 10**9 + 10**6, 3600))  # every call to time.time() an hour later
    monkeypatch.setattr("time.time", lambda: next(clock))
    assert xlsx_bytes(book) == first  # a rebuilt attachment keeps its sha256


def test_floats_keep_every_digit():
    row = (0.1 + 0.2, 66.7, 1.2471587912240278e16, 0.0, 12.0)
    ((_, rows),) = read_back(xlsx_bytes(Workbook("x.xlsx", (Sheet("S", ("h",), (row,)),))))
    # a whole float reads back as an int, as from openpyxl's "%.16g" (Excel has one number)
    assert rows[1] == tuple(map(typed, (0.1 + 0.2, 66.7, 1.2471587912240278e16, 0, 12)))


def test_empty_workbook_has_one_empty_sheet():
    assert values(xlsx_bytes(Workbook("x.xlsx", ()))) == [("Kosong", [])]


def test_long_text_is_cut_at_excels_limit():
    book = Workbook("x.xlsx", (Sheet("S", ("h",), (("y" * (MAX_TEXT + 10),),)),))
    ((_, rows),) = values(xlsx_bytes(book))
    assert rows[1] == ("y" * MAX_TEXT,)


@pytest.mark.parametrize(
    "bad",
    [
        Sheet("S", ("h",), (("MAYA\x01",),)),
        Sheet("S\x02", ("h",), ()),
        Sheet("S", ("h",), ((float("nan"),),)),
        Sheet("S", ("h",), ((object(),),)),  # type: ignore[arg-type]
        Sheet("S", ("h",), (("\ud800",),)),  # a lone surrogate is not UTF-8
    ],
)
def test_bad_values_are_a_workbook_error_naming_the_file(bad):
    with pytest.raises(WorkbookError, match=r"^Rekap\.xlsx: "):
        xlsx_bytes(Workbook("Rekap.xlsx", (bad,)))


@given(st.integers(0, 16_383))
def test_column_names_are_excels(index):
    assert column_name(index) == get_column_letter(index + 1)


def test_package_parts():
    data = xlsx_bytes(Workbook("x.xlsx", (Sheet("A", ("h",), ()), Sheet("B", ("h",), ()))))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [
        "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
        "xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    ]  # fmt: skip

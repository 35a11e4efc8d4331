"""Excel attachments: a `layouts.sheets.Workbook` written as an .xlsx package, in memory.

Written directly as SpreadsheetML (the parts of ECMA-376 a plain table needs: content
types, workbook, one worksheet per sheet, shared strings, a default style) rather than with
openpyxl: a directorate's per-content workbook is ~237,000 cells, and openpyxl's cell
objects and element tree cost ~10 µs a cell (2.3 s for that workbook, its write-only mode
10 % less); as strings joined here a cell costs ~0.5 µs. The values read back are those openpyxl
wrote: text as text (also text that starts with `=` or looks like an error code), numbers
as numbers, a text cell cut at Excel's 32,767 characters, control characters refused.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from cicero.domain.layouts.sheets import Cell, Workbook
from cicero.reports.batch import Attachment

MAX_TEXT = 32_767  # Excel's limit for one cell
_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0 cannot carry these
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EMPTY_TITLE = "Kosong"  # a workbook needs one sheet


class WorkbookError(Exception):
    """The workbook could not be built; the recap sends a short notice instead."""


def legal(text: str) -> str:
    if _ILLEGAL.search(text):
        raise WorkbookError(f"text {text[:40]!r} holds a control character")
    return text


def column_name(index: int) -> str:
    """Excel's name of the 0-based column `index`: A..Z, AA..ZZ, AAA.."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class _Strings(dict[str, int]):
    """The shared string table: each distinct text once, cells refer to it by index
    (`strings[text]`; a new text is checked and added on its first use)."""

    def __missing__(self, text: str) -> int:
        cut = text[:MAX_TEXT]  # as openpyxl did: the rest is silently lost
        if cut in self:
            return self[cut]
        index = self[legal(cut)] = len(self)
        return index

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in self)
        return f'{_HEAD}<sst xmlns="{_MAIN}" uniqueCount="{len(self)}">{items}</sst>'


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(int(value))  # an IntEnum's str() may be its name
    if not math.isfinite(value):
        raise WorkbookError(f"number {value} cannot be stored in a cell")
    if isinstance(value, Decimal):
        return str(value)
    # The shortest text that reads back as this float; a whole one without ".0", as openpyxl
    # wrote it (a reader then sees 0, not 0.0: Excel itself knows only one kind of number).
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _cell(ref: str, value: Cell | None, strings: _Strings) -> str:
    """One cell's XML; an empty one (None or "", as openpyxl wrote it) is left out."""
    kind = type(value)
    if type(value) is str and value:  # type(), not `kind`: mypy narrows `value` by it
        return f'<c r="{ref}" t="s"><v>{strings[value]}</v></c>'
    if kind is int:
        return f'<c r="{ref}"><v>{value}</v></c>'
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, str):
        return _cell(ref, str(value), strings)
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{_number(value)}</v></c>'
    raise WorkbookError(f"a cell cannot hold {kind.__name__} {value!r}")


def _sheet_xml(rows: Sequence[Sequence[Cell | None]], strings: _Strings) -> str:
    width = max((len(r) for r in rows), default=0)
    columns = [column_name(i) for i in range(width)]
    body = []
    for n, row in enumerate(rows, start=1):
        # whole numbers and text inline: most of a recap's cells (a call per cell costs more)
        cells = "".join(
            [
                f'<c r="{col}{n}"><v>{v}</v></c>'
                if type(v) is int
                else f'<c r="{col}{n}" t="s"><v>{strings[v]}</v></c>'
                if type(v) is str and v
                else _cell(f"{col}{n}", v, strings)
                for col, v in zip(columns, row, strict=False)
            ]
        )
        body.append(f'<row r="{n}">{cells}</row>')
    extent = f"A1:{columns[-1]}{len(rows)}" if width else "A1"
    return (
        f'{_HEAD}<worksheet xmlns="{_MAIN}"><dimension ref="{extent}"/>'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )


def xlsx_bytes(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes: each sheet its header row then its rows."""
    try:
        return _package(book)
    except (ValueError, TypeError) as err:  # e.g. a lone surrogate cannot be UTF-8
        raise WorkbookError(f"{book.filename}: {type(err).__name__}: {err}") from err
    except WorkbookError as err:
        raise WorkbookError(f"{book.filename}: {err}") from err


def _package(book: Workbook) -> bytes:
    strings = _Strings()
    sheets = [(s.title, _sheet_xml([s.header, *s.rows], strings)) for s in book.sheets]
    sheets = sheets or [(_EMPTY_TITLE, _sheet_xml([], strings))]
    n = len(sheets)
    worksheet_ct = f"{_CT}.worksheet+xml"
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{worksheet_ct}"/>'
        for i in range(1, n + 1)
    )
    content_types = (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        f"{types}</Types>"
    )
    listed = "".join(
        f'<sheet name={quoteattr(legal(title))} sheetId="{i}" r:id="rId{i}"/>'
        for i, (title, _) in enumerate(sheets, start=1)
    )
    workbook = (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{listed}</sheets></workbook>'
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    workbook_rels = (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
        f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", _STYLES),
        ("xl/sharedStrings.xml", strings.xml()),
        *((f"xl/worksheets/sheet{i}.xml", xml) for i, (_, xml) in enumerate(sheets, start=1)),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts:
            # A fixed entry time (writestr with a bare name stamps the wall clock): the same
            # rows give the same bytes, so a rebuilt attachment has the same sha256.
            z.writestr(zipfile.ZipInfo(name, _ENTRY_TIME), text, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def attachment(book: Workbook) -> Attachment:
    return Attachment(book.filename, xlsx_bytes(book))

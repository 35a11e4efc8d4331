"""Read an import file into a `Sheet`: the first sheet of an .xlsx, or a UTF-8 CSV (`,` or `;`).

The same reader serves `cicero import` (a path) and the dashboard's upload (bytes). Bounded:
a file over MAX_BYTES, an .xlsx whose parts unpack past MAX_UNPACKED (a zip bomb), or more
rows than an import takes are refused or cut before they cost memory. Formulas are read as
the text they are (`=…`), never evaluated; the rules refuse them."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePath

from cicero.domain.people.staff_import import MAX_ROWS, Cell, Sheet, is_blank
from cicero.domain.text.storable import storable

MAX_BYTES = 8 * 1024 * 1024  # 10,000 rows of a dozen columns fit well within this
MAX_UNPACKED = 64 * 1024 * 1024
XLSX = (".xlsx", ".xlsm")
CSV = (".csv", ".txt")
# C0 controls other than tab and line breaks: invisible junk no cell, name or XML should hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FileUnreadable(ValueError):
    """The file cannot be read as a spreadsheet; the message says why (Indonesian)."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_sheet(path: Path) -> Sheet:
    if not path.is_file():
        raise FileUnreadable(
            f"{path}: " + ("bukan file biasa" if path.exists() else "file tidak ditemukan")
        )
    if path.stat().st_size > MAX_BYTES:
        raise FileUnreadable(f"{path.name}: {too_big()}")
    return read_bytes(path.name, path.read_bytes())


def too_big() -> str:
    return f"file lebih dari {MAX_BYTES // (1024 * 1024)} MB"


def read_bytes(name: str, data: bytes) -> Sheet:
    """The sheet in `data`, judged by the file name's extension and then by its content."""
    if len(data) > MAX_BYTES:
        raise FileUnreadable(f"{name}: {too_big()}")
    suffix = PurePath(name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary .xls (OLE2)
        raise FileUnreadable(f"{name}: format .xls lama tidak didukung; simpan ulang sebagai .xlsx")
    if suffix in XLSX:
        return _xlsx(name, data)
    if suffix in CSV:
        if data.startswith(b"PK\x03\x04"):
            raise FileUnreadable(f"{name}: isinya file .xlsx, bukan CSV; beri nama .xlsx")
        return _csv(name, data)
    shown = suffix or "tanpa ekstensi"
    raise FileUnreadable(f"{name}: gunakan file .xlsx atau .csv (bukan {shown})")


def _xlsx(name: str, data: bytes) -> Sheet:
    import openpyxl  # only imports need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(i.file_size for i in package.infolist()) > MAX_UNPACKED:
                raise FileUnreadable(f"{name}: isi file .xlsx terlalu besar setelah dibuka")
        # data_only=False: a formula cell reads as its formula text, not a cached result.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileUnreadable:
        raise
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, IndexError) as e:
        raise FileUnreadable(f"{name}: bukan file .xlsx yang dapat dibaca ({type(e).__name__})") from None
    try:
        if not book.worksheets:
            raise FileUnreadable(f"{name}: tidak ada lembar kerja")
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileUnreadable(f"{name}: lembar pertama kosong")
        body = _bounded((n, tuple(_cell(c) for c in r)) for n, r in enumerate(rows, start=2))
    except FileUnreadable:
        raise
    except (KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile) as e:
        raise FileUnreadable(f"{name}: bukan file .xlsx yang dapat dibaca ({type(e).__name__})") from None
    finally:
        book.close()
    return Sheet(tuple(_cell(c) for c in header), body)


Numbered = tuple[int, tuple[Cell, ...]]  # (the row's number in the file, its cells)


def _bounded(rows: Iterable[Numbered]) -> tuple[Numbered, ...]:
    """Non-blank rows, at most one past MAX_ROWS (enough to say the file has too many)."""
    out: list[Numbered] = []
    for number, cells in rows:
        if is_blank(cells):
            continue
        out.append((number, cells))
        if len(out) > MAX_ROWS:
            break
    return tuple(out)


def _cell(value: object) -> Cell:
    """A cell as the rules read it: text without NUL or other control characters (which
    cannot be stored or written back to an .xlsx)."""
    if isinstance(value, str):
        return _CONTROL.sub("", storable(value))
    if value is None or isinstance(value, int | float | bool):
        return value
    formula = getattr(value, "text", None)  # openpyxl's ArrayFormula: its `=…` text
    shown = formula if isinstance(formula, str) else str(value)
    return _CONTROL.sub("", storable(shown))


def _csv(name: str, data: bytes) -> Sheet:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable(f"{name}: bukan teks UTF-8; simpan CSV sebagai UTF-8") from None
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise FileUnreadable(f"{name}: file kosong")
        body = _bounded((n, tuple(_cell(c) for c in r)) for n, r in enumerate(reader, start=2))
    except csv.Error as e:
        raise FileUnreadable(f"{name}: CSV tidak dapat dibaca ({e})") from None
    return Sheet(tuple(_cell(c) for c in header), body)

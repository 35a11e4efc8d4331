"""Read an import file into a `Sheet`: the first sheet of an .xlsx, or a UTF-8 CSV (`,` or `;`)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

from cicero.domain.people.staff_import import Cell, Sheet
from cicero.domain.text.storable import storable


class FileUnreadable(ValueError):
    """The file cannot be read as a spreadsheet; the message says why."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_sheet(path: Path) -> Sheet:
    if not path.is_file():
        raise FileUnreadable(
            f"{path}: " + ("not a regular file" if path.exists() else "no such file")
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return _csv(path)
    raise FileUnreadable(f"{path}: use .xlsx or .csv (got {path.suffix or 'no extension'})")


def _xlsx(path: Path) -> Sheet:
    import openpyxl  # only the import commands need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise FileUnreadable(f"{path}: not a readable .xlsx ({e})") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileUnreadable(f"{path}: the first sheet is empty")
        body = tuple((n, tuple(_cell(c) for c in r)) for n, r in enumerate(rows, start=2))
    finally:
        book.close()
    return Sheet(tuple(_cell(c) for c in header), body)


def _cell(value: object) -> Cell:
    """A cell as the rules read it; text without NUL characters, which cannot be stored."""
    if isinstance(value, str):
        return storable(value)
    return value if value is None or isinstance(value, int | float | bool) else storable(str(value))


def _csv(path: Path) -> Sheet:
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
    if not rows:
        raise FileUnreadable(f"{path}: empty file")
    body = tuple((n, tuple(_cell(c) for c in r)) for n, r in enumerate(rows[1:], start=2))
    return Sheet(tuple(_cell(c) for c in rows[0]), body)

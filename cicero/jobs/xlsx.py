"""Excel attachments: a `layouts.sheets.Workbook` written with openpyxl, in memory."""

from __future__ import annotations

import io

from openpyxl import Workbook as XlsxBook
from openpyxl.utils.exceptions import IllegalCharacterError

from cicero.domain.layouts.sheets import Workbook
from cicero.jobs.messages import Attachment


class WorkbookError(Exception):
    """The workbook could not be built; the recap sends a short notice instead."""


def xlsx_bytes(book: Workbook) -> bytes:
    xlsx = XlsxBook()
    xlsx.remove(xlsx.active)
    try:
        for sheet in book.sheets:
            ws = xlsx.create_sheet(sheet.title)
            ws.append(list(sheet.header))
            for row in sheet.rows:
                ws.append(list(row))
        if not book.sheets:
            xlsx.create_sheet("Kosong")  # a workbook needs one sheet
        out = io.BytesIO()
        xlsx.save(out)
    except (IllegalCharacterError, ValueError, TypeError) as err:
        raise WorkbookError(f"{book.filename}: {type(err).__name__}: {err}") from err
    return out.getvalue()


def attachment(book: Workbook) -> Attachment:
    return Attachment(book.filename, xlsx_bytes(book))

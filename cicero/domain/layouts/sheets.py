"""Table shapes of the Excel attachments (jobs.md §2.2, §3.6): per-content and ranking workbooks.

Pure: a `Workbook` is a file name plus sheets of header and rows; an adapter writes it with
openpyxl. Sheet titles are already legal for Excel (<= 31 chars, no `[]:*?/\\`, unique).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cicero.domain.attendance.ordering import (
    DEFAULT_RANK_TABLE,
    RankTable,
    person_key,
    satker_key,
    unit_key,
)
from cicero.domain.attendance.rule import Attendance, PostId, Status
from cicero.domain.layouts.blocks import group, satker_tallies
from cicero.domain.layouts.posts import PostRef
from cicero.domain.text.calendar_id import file_stamp

Cell = str | int | float

STATUS_LABEL = {
    Status.SUDAH: "Sudah",
    Status.KURANG: "Kurang",
    Status.BELUM: "Belum",
    Status.TANPA_USERNAME: "Tanpa Username",
    Status.NO_POSTS: "Tidak Ada Konten",
}
PER_CONTENT_HEAD = ("No", "NRP", "Pangkat", "Nama", "Satfung", "Jabatan", "Username")
RANKING_HEAD = (
    "Peringkat",
    "Satker",
    "Jumlah Personil",
    "Sudah",
    "Kurang",
    "Belum",
    "Tanpa Username",
    "Capaian (%)",
)
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Workbook:
    filename: str
    sheets: tuple[Sheet, ...]


def workbook_filename(prefix: str, client: str, at: datetime) -> str:
    """`{Prefix}_{CLIENT}_{Hari}_{dd-mm-yyyy}_{hh-mm-ss}.xlsx` (jobs.md §1), time in WIB."""
    return f"{prefix}_{client}_{file_stamp(at)}.xlsx"


def sheet_titles(names: Iterable[str]) -> list[str]:
    """Excel-legal, unique titles in the given order (a clash gets ` (2)`, ` (3)`...)."""
    titles: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = _BAD_TITLE.sub(" ", name).strip()[:31] or "Sheet"
        title, k = base, 2
        while title.casefold() in taken:  # Excel compares titles case-insensitively
            suffix = f" ({k})"
            title, k = base[: 31 - len(suffix)] + suffix, k + 1
        taken.add(title.casefold())
        titles.append(title)
    return titles


def per_content_workbook(
    prefix: str,
    client: str,
    at: datetime,
    posts: Sequence[tuple[PostId, PostRef]],
    people: Iterable[Attendance],
    client_names: Mapping[str, str],
    directorate: str = "",
    ranks: RankTable = DEFAULT_RANK_TABLE,
) -> Workbook:
    """A sheet per satker: each person with 1/0 per post (columns = links), total and status."""
    people = list(people)
    tallies = sorted(satker_tallies(people, directorate, client_names), key=satker_key)
    by_client = group(people, lambda a: a.client)
    header = (*PER_CONTENT_HEAD, *(ref.link for _, ref in posts), "Jumlah", "Status")
    sheets = []
    for title, tally in zip(sheet_titles(t.name for t in tallies), tallies, strict=True):
        members = sorted(
            by_client[tally.client], key=lambda a: (unit_key(a.unit), person_key(a, ranks))
        )
        rows: tuple[tuple[Cell, ...], ...] = tuple(
            (
                i,
                a.nrp,
                a.rank,
                a.name,
                a.unit,
                a.position,
                a.handle or "-",
                *(int(pid in a.done_posts) for pid, _ in posts),
                a.count,
                STATUS_LABEL[a.status],
            )
            for i, a in enumerate(members, start=1)
        )
        sheets.append(Sheet(title, header, rows))
    return Workbook(workbook_filename(prefix, client, at), tuple(sheets))


def ranking_sheet(
    title: str, people: Iterable[Attendance], client_names: Mapping[str, str], directorate: str = ""
) -> Sheet:
    """Satkers in recap order (data.md §4.5) with their counts and completion."""
    people = list(people)
    by_client = group(people, lambda a: a.client)
    rows = []
    tallies = sorted(satker_tallies(people, directorate, client_names), key=satker_key)
    for rank, t in enumerate(tallies, start=1):
        statuses = [a.status for a in by_client[t.client]]
        rows.append(
            (
                rank,
                t.name,
                t.staff,
                t.sudah,
                statuses.count(Status.KURANG),
                statuses.count(Status.BELUM),
                statuses.count(Status.TANPA_USERNAME),
                round(float(t.ratio * 100), 1),
            )
        )
    return Sheet(title, RANKING_HEAD, tuple(rows))


def ranking_workbook(
    prefix: str,
    client: str,
    at: datetime,
    platforms: Sequence[tuple[str, Sequence[Attendance]]],
    client_names: Mapping[str, str],
    directorate: str = "",
) -> Workbook:
    """One ranking sheet per platform label, e.g. (("Instagram", ig), ("TikTok", tt))."""
    titles = sheet_titles(label for label, _ in platforms)
    sheets = tuple(
        ranking_sheet(title, people, client_names, directorate)
        for title, (_, people) in zip(titles, platforms, strict=True)
    )
    return Workbook(workbook_filename(prefix, client, at), sheets)

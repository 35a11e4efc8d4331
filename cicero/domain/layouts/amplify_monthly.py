"""amplify_monthly_excel (jobs.md §2): the month's amplification links of one ORG client, per
person, as a workbook for its operator, with a text after it.

Two sheets: a row per person (the client's counted staff, listed even with nothing reported,
and anyone else who reported on its posts) with their counts per platform, then every reported
link, person by person in date order. An empty month sends a short text instead of a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key, unit_key
from cicero.domain.attendance.rule import Person
from cicero.domain.layouts.blocks import group
from cicero.domain.layouts.link_recap import PLATFORMS  # link_report's fields, in order
from cicero.domain.layouts.posts import PostRef
from cicero.domain.layouts.sheets import Cell, Sheet, Workbook, workbook_filename
from cicero.domain.text.calendar_id import BULAN
from cicero.domain.timezone import to_wib

PREFIX = "Rekap_Link_Amplifikasi_Bulanan"
PERSON_HEAD = (
    "No", "NRP", "Pangkat", "Nama", "Satfung", "Jabatan", "Jumlah Laporan", "Jumlah Link",
    *PLATFORMS,
)  # fmt: skip
LINK_HEAD = (
    "Tanggal",
    "NRP",
    "Pangkat",
    "Nama",
    "Satfung",
    "Konten",
    *(f"Link {p}" for p in PLATFORMS),
)


@dataclass(frozen=True)
class MonthlyLink:
    """One `link_report` row: who, for which post, when, the links in PLATFORMS order."""

    person: Person
    post: PostRef
    reported_at: datetime
    links: tuple[str | None, ...]

    def __post_init__(self) -> None:
        if len(self.links) != len(PLATFORMS):
            raise ValueError(f"{len(self.links)} link fields, expected {len(PLATFORMS)}")


@dataclass(frozen=True)
class AmplifyMonth:
    client: str  # client id, for the file name
    name: str  # `{NAMA}`
    at: datetime  # render time; its WIB month is the one reported
    staff: tuple[Person, ...]  # the client's counted staff
    reports: tuple[MonthlyLink, ...]


def month_label(at: datetime) -> str:
    """`November 2026`."""
    w = to_wib(at)
    return f"{BULAN[w.month - 1]} {w.year}"


def caption(m: AmplifyMonth) -> str:
    return f"✅ File Excel rekap link amplifikasi {month_label(m.at)} ({m.name}) dikirim."


def no_reports(m: AmplifyMonth) -> str:
    return f"Tidak ada laporan link amplifikasi *{m.name}* pada bulan {month_label(m.at)}."


def _people(m: AmplifyMonth, ranks: RankTable) -> list[Person]:
    by_nrp = {p.nrp: p for p in m.staff}
    for x in m.reports:
        by_nrp.setdefault(x.person.nrp, x.person)
    return sorted(by_nrp.values(), key=lambda p: (unit_key(p.unit), person_key(p, ranks)))


def workbook(m: AmplifyMonth, ranks: RankTable = DEFAULT_RANK_TABLE) -> Workbook:
    people = _people(m, ranks)
    place = {p.nrp: i for i, p in enumerate(people)}
    by_person = group(m.reports, lambda x: x.person.nrp)
    per_person: list[tuple[Cell, ...]] = []
    for i, p in enumerate(people, start=1):
        mine = by_person.get(p.nrp, [])
        counts = [sum(bool(x.links[k]) for x in mine) for k in range(len(PLATFORMS))]
        per_person.append(
            (i, p.nrp, p.rank, p.name, p.unit, p.position, len(mine), sum(counts), *counts)
        )

    def link_row(x: MonthlyLink) -> tuple[str, ...]:
        p = x.person
        date = f"{to_wib(x.reported_at):%d/%m/%Y}"
        return (date, p.nrp, p.rank, p.name, p.unit, x.post.link, *(u or "" for u in x.links))

    ordered = sorted(
        m.reports, key=lambda x: (place[x.person.nrp], x.reported_at, x.post.external_id)
    )
    links = [link_row(x) for x in ordered]
    return Workbook(
        workbook_filename(PREFIX, m.client, m.at),
        (
            Sheet("Rekap per Personil", PERSON_HEAD, tuple(per_person)),
            Sheet("Daftar Link", LINK_HEAD, tuple(links)),
        ),
    )

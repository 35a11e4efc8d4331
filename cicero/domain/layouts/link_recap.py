"""The amplification link recap of one day (menus.md §3.1 2.2.1 today, 2.2.2 yesterday; §3.3 2).

Which links were reported for the scope's official IG posts of that day, per platform
(jobs.md §2 `amplify_daily_report`: "links reported ... per platform"). Who still owes a
report is the amplification attendance (§3.8), a separate item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key, unit_key
from cicero.domain.attendance.rule import Person
from cicero.domain.layouts.blocks import dash_list
from cicero.domain.layouts.posts import PostRef, upload_key
from cicero.domain.text.calendar_id import angka, hari, jam, tgl

PLATFORMS = ("Instagram", "Facebook", "Twitter/X", "TikTok", "YouTube")


@dataclass(frozen=True)
class ReportedLinks:
    """One `link_report` row: who, for which post, the links in PLATFORMS order (None: empty)."""

    post: PostRef
    person: Person
    links: tuple[str | None, ...]

    def __post_init__(self) -> None:
        if len(self.links) != len(PLATFORMS):
            raise ValueError(f"{len(self.links)} link fields, expected {len(PLATFORMS)}")


@dataclass(frozen=True)
class LinkRecap:
    name: str
    day: datetime  # an instant of the recap's WIB day (its {HARI}, {TGL})
    at: datetime  # render time
    posts: tuple[PostRef, ...]
    reports: tuple[ReportedLinks, ...]


def render(r: LinkRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    if not r.posts:
        return f"Tidak ada konten Instagram *{r.name}* pada {hari(r.day)}, {tgl(r.day)}."
    posts = sorted(r.posts, key=upload_key)
    number = {p.external_id: i for i, p in enumerate(posts, start=1)}
    reporters = {x.person.nrp for x in r.reports if any(x.links)}
    total = sum(link is not None for x in r.reports for link in x.links)
    lines = [
        "Mohon ijin Komandan,",
        "",
        "📋 *Rekap Link Amplifikasi*",
        f"*{r.name}*",
        f"Konten: {hari(r.day)}, {tgl(r.day)}",
        f"Jam: {jam(r.at)}",
        "",
        f"*Jumlah Konten:* {angka(len(posts))}",
        "*Daftar Link Konten:*",
        *(f"{i}. {p.link}" for i, p in enumerate(posts, start=1)),
        "",
        f"*Personil melapor:* {angka(len(reporters))} pers",
        f"*Jumlah Link:* {angka(total)}",
    ]
    ordered = sorted(
        r.reports,
        key=lambda x: (
            number.get(x.post.external_id, 0),
            unit_key(x.person.unit),
            person_key(x.person, ranks),
        ),
    )
    for i, platform in enumerate(PLATFORMS):
        rows = [
            f"- Konten {number.get(x.post.external_id, '?')} · {x.person.pers} ({x.person.unit}): {x.links[i]}"
            for x in ordered
            if x.links[i]
        ]
        lines += ["", f"*{platform}* ({angka(len(rows))} link):", *dash_list(rows)]
    return "\n".join([*lines, "", "Terimakasih."])

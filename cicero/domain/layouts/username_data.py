"""Staff data recaps (jobs.md §2): who has registered their Instagram and TikTok usernames.

- `username_completeness_recap`: every counted person of an ORG client, per division, as
  Lengkap (both usernames), Kurang (one) or Belum (none); to the client's group.
- `incomplete_data_recap`: only those lacking one or both, per division; nothing when nobody
  does (`render_incomplete` returns None).

A division is the person's unit (satfung); in a directorate's scope, staff of a linked satker
are listed under the satker's name instead, so that units of different polres never merge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key, unit_key
from cicero.domain.attendance.rule import Person
from cicero.domain.layouts.blocks import dash_list, group
from cicero.domain.text.calendar_id import angka, hari, jam, salam, tgl_panjang


class Completeness(StrEnum):
    LENGKAP = "Lengkap"
    KURANG = "Kurang"
    BELUM = "Belum"


def completeness(p: Person) -> Completeness:
    have = bool(p.instagram) + bool(p.tiktok)
    return (Completeness.BELUM, Completeness.KURANG, Completeness.LENGKAP)[have]


def missing(p: Person) -> list[str]:
    return [w for w, h in (("Instagram", p.instagram), ("TikTok", p.tiktok)) if not h]


@dataclass(frozen=True)
class StaffData:
    scope: str  # client id whose staff these are
    name: str  # its `{NAMA}`
    at: datetime
    people: tuple[Person, ...]  # the scope's counted staff (data.md §4.3)
    client_names: Mapping[str, str] = field(default_factory=dict)


def _divisions(
    r: StaffData, people: Sequence[Person], ranks: RankTable
) -> list[tuple[str, list[Person]]]:
    """(label, people in order): the scope's own units first in unit order, then satkers."""

    def division(p: Person) -> tuple[bool, str]:
        if p.client == r.scope:
            return False, p.unit
        return True, r.client_names.get(p.client, p.client)

    groups = group(people, division)
    return [
        (label, sorted(groups[satker, label], key=lambda p: person_key(p, ranks)))
        for satker, label in sorted(groups, key=lambda k: (k[0], unit_key(k[1])))
    ]


def _opening(r: StaffData, what: str) -> list[str]:
    return [
        f"{salam(r.at)},",
        "",
        f"Mohon ijin Komandan, melaporkan {what} pada hari {hari(r.at)}, "
        f"{tgl_panjang(r.at)}, pukul {jam(r.at)} WIB, sebagai berikut:",
    ]


def _handles(p: Person) -> str:
    return f"IG: {p.instagram or '-'}, TikTok: {p.tiktok or '-'}"


def render_completeness(r: StaffData, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    counts = {c: 0 for c in Completeness}
    for p in r.people:
        counts[completeness(p)] += 1
    lines = _opening(r, f"absensi update data username Instagram dan TikTok personil {r.name}")
    lines += [
        "",
        f"Jumlah Total Personil : {angka(len(r.people))}",
        *(f"Jumlah Personil {c} : {angka(n)}" for c, n in counts.items()),
    ]
    for label, members in _divisions(r, r.people, ranks):
        lines += ["", f"*{label}*"]
        for i, c in enumerate(Completeness):
            chosen = [p for p in members if completeness(p) is c]
            lines += [""] if i else []
            lines.append(f"{c} ({angka(len(chosen))}):")
            lines += dash_list(f"- {p.pers} - {_handles(p)}" for p in chosen)
    return "\n".join(lines)


def render_incomplete(r: StaffData, ranks: RankTable = DEFAULT_RANK_TABLE) -> str | None:
    lacking = [p for p in r.people if missing(p)]
    if not lacking:
        return None
    lines = _opening(r, f"personil {r.name} yang belum melengkapi data Instagram/TikTok")
    for label, members in _divisions(r, lacking, ranks):
        lines += ["", f"*{label}* ({angka(len(members))})"]
        lines += [f"- {p.pers}, {', '.join(f'{w} kosong' for w in missing(p))}" for p in members]
    return "\n".join(lines)

"""Registration recaps asked from the menus: menus.md §3.2 item 1 (staff data completeness per
satker) and §3.1 1.5 (WhatsApp registration per satfung).

A polres is shown per satfung, a directorate per satker (data.md §4.3 decides who counts,
§4.5 the order). Who lacks which username is `username_data` (the scheduled recaps' layouts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cicero.domain.attendance.ordering import (
    DEFAULT_RANK_TABLE,
    RankTable,
    SatkerTally,
    person_key,
    satker_key,
    unit_key,
)
from cicero.domain.attendance.rule import Person
from cicero.domain.layouts import username_data
from cicero.domain.layouts.blocks import dash_list, group
from cicero.domain.text.calendar_id import angka, hari, jam, tgl


@dataclass(frozen=True)
class StaffRecord:
    """A counted member of staff with the WhatsApp number bound to them."""

    person: Person
    whatsapp: str | None = None

    # The fields people are ordered by (ordering.Staffish).
    @property
    def nrp(self) -> str:
        return self.person.nrp

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def rank(self) -> str:
        return self.person.rank

    @property
    def position(self) -> str:
        return self.person.position

    @property
    def complete(self) -> bool:
        return bool(self.person.instagram and self.person.tiktok)


@dataclass(frozen=True)
class Registrations:
    """The counted staff of one scope at one instant."""

    scope: str  # client id
    name: str
    at: datetime
    people: tuple[StaffRecord, ...]
    directorate: bool = False
    client_names: Mapping[str, str] = field(default_factory=dict)


def pct(part: int, whole: int) -> str:
    """One decimal, Indonesian comma, rounded half up: 85,7%."""
    tenths = (2000 * part + whole) // (2 * whole) if whole else 0
    return f"{tenths // 10},{tenths % 10}%"


def _groups(
    d: Registrations, done: Callable[[StaffRecord], bool], ranks: RankTable
) -> list[tuple[str, list[StaffRecord]]]:
    """Per satker for a directorate (its own staff first, then the most done), else per
    satfung in unit order; people in person order within each."""
    if d.directorate:
        by_client = group(d.people, lambda r: r.person.client)
        tallies = [
            SatkerTally(
                client=c,
                name=d.client_names.get(c, c),
                is_directorate=c == d.scope,
                sudah=sum(done(r) for r in members),
                staff=len(members),
            )
            for c, members in by_client.items()
        ]
        order = [(t.name, by_client[t.client]) for t in sorted(tallies, key=satker_key)]
    else:
        by_unit = group(d.people, lambda r: r.person.unit or "-")
        order = [(u, by_unit[u]) for u in sorted(by_unit, key=unit_key)]
    return [(label, sorted(rows, key=lambda r: person_key(r, ranks))) for label, rows in order]


def _header(title: str, d: Registrations) -> list[str]:
    return [
        "Mohon ijin Komandan,",
        "",
        title,
        f"*{d.name}*",
        f"{hari(d.at)}, {tgl(d.at)}",
        f"Jam: {jam(d.at)}",
        "",
    ]


def _nobody(d: Registrations) -> str:
    return f"Belum ada data personil yang dihitung untuk *{d.name}*."


def _unit(r: StaffRecord, d: Registrations) -> str:
    """A directorate groups by satker: the satfung goes on the person's line."""
    return f" ({r.person.unit})" if d.directorate and r.person.unit else ""


def render_completeness(d: Registrations, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    """§3.2 item 1: per satker (or satfung), how many filled Instagram, TikTok and both."""
    if not d.people:
        return _nobody(d)

    def tally(rows: list[StaffRecord]) -> tuple[int, int, int]:
        ig = sum(bool(r.person.instagram) for r in rows)
        tt = sum(bool(r.person.tiktok) for r in rows)
        return ig, tt, sum(r.complete for r in rows)

    total = len(d.people)
    ig, tt, both = tally(list(d.people))
    lines = [
        *_header("📋 *Kelengkapan Data Personil*", d),
        f"*Jumlah Total Personil:* {angka(total)} pers",
        f"✅ *Instagram terisi:* {angka(ig)} pers",
        f"✅ *TikTok terisi:* {angka(tt)} pers",
        f"✅ *Lengkap (IG & TikTok):* {angka(both)} pers ({pct(both, total)})",
        f"❌ *Belum lengkap:* {angka(total - both)} pers",
    ]
    for i, (label, rows) in enumerate(_groups(d, lambda r: r.complete, ranks), start=1):
        n = len(rows)
        g_ig, g_tt, g_both = tally(rows)
        lines += [
            "",
            f"{i}. *{label}* ({angka(n)} pers)",
            f"Instagram: {angka(g_ig)}/{angka(n)} · TikTok: {angka(g_tt)}/{angka(n)} · "
            f"Lengkap: {angka(g_both)}/{angka(n)} ({pct(g_both, n)})",
        ]
    return "\n".join([*lines, "", "Terimakasih."])


def render_whatsapp(d: Registrations, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    """§3.1 1.5: who has bound a WhatsApp number, per satfung (or satker); the rest by name."""
    if not d.people:
        return _nobody(d)
    bound = sum(bool(r.whatsapp) for r in d.people)
    lines = [
        *_header("📋 *Absensi Registrasi WhatsApp*", d),
        f"*Jumlah Total Personil:* {angka(len(d.people))} pers",
        f"✅ *Sudah terdaftar:* {angka(bound)} pers ({pct(bound, len(d.people))})",
        f"❌ *Belum terdaftar:* {angka(len(d.people) - bound)} pers",
    ]
    if bound == len(d.people):
        return "\n".join(
            [*lines, "", "Seluruh personil sudah mendaftarkan nomor WhatsApp.", "", "Terimakasih."]
        )
    for label, rows in _groups(d, lambda r: bool(r.whatsapp), ranks):
        done = sum(bool(r.whatsapp) for r in rows)
        lines += [
            "",
            f"*{label}* ({angka(len(rows))} pers): ✅ {angka(done)} · ❌ {angka(len(rows) - done)}",
            *dash_list(f"- {r.person.pers}{_unit(r, d)}" for r in rows if not r.whatsapp),
        ]
    return "\n".join([*lines, "", "Terimakasih."])


def render_for(report: str, d: Registrations) -> str:
    """The recap a menu's report key names (on_demand.STAFF_DATA)."""
    if report == "staff_completeness":
        return render_completeness(d)
    if report == "wa_registration_attendance":
        return render_whatsapp(d)
    names = username_data.StaffData(
        d.scope, d.name, d.at, tuple(r.person for r in d.people), d.client_names
    )
    if report == "username_completeness":
        return username_data.render_completeness(names) if d.people else _nobody(d)
    if report == "staff_missing_handles":
        lacking = username_data.render_incomplete(names)
        if lacking is None:
            return f"✅ Seluruh personil *{d.name}* sudah mengisi Instagram dan TikTok."
        return lacking
    raise ValueError(f"not a staff data report: {report!r}")

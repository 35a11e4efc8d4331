"""The `.txt` attachments of the daily engagement report (jobs.md §3.6): per platform, one with
every counted person and one with those not done yet (belum or no username, data.md §4.2).

Plain text, no WhatsApp markup: the files are read in an editor or printed. Satkers follow the
directorate recap order (data.md §4.5), people their unit then person order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cicero.domain.attendance.ordering import (
    DEFAULT_RANK_TABLE,
    RankTable,
    person_key,
    satker_key,
    unit_key,
)
from cicero.domain.attendance.rule import Attendance, Status, summarize
from cicero.domain.layouts.blocks import dash_list, group, mark, satker_tallies
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.text.calendar_id import angka, file_stamp, hari, jam, tgl

TEXT_MIME = "text/plain"


@dataclass(frozen=True)
class TextFile:
    filename: str
    text: str


def _words(r: DirectorateRecap) -> tuple[str, str]:
    """(platform name, what people do there)."""
    return ("Instagram", "Likes") if r.is_instagram else ("TikTok", "Komentar")


def _filename(kind: str, r: DirectorateRecap) -> str:
    platform, _ = _words(r)
    return f"Absensi_{kind}_Engagement_{platform}_{r.directorate}_{file_stamp(r.at)}.txt"


def _empty_handles(a: Attendance) -> str:
    empty = [w for w, h in (("IG", a.person.instagram), ("TikTok", a.person.tiktok)) if not h]
    return ", ".join(f"{w} Kosong" for w in empty)


def _person(a: Attendance, n: int) -> str:
    where = f"- {a.person.pers} – {a.unit}"
    if a.status is Status.TANPA_USERNAME:
        return f"{where} : {_empty_handles(a)}"
    return f"{where} : {a.handle} ({a.count}/{n}){mark(a)}"


def _header(title: str, r: DirectorateRecap) -> list[str]:
    return [
        title,
        r.name,
        f"{hari(r.at)}, {tgl(r.at)}",
        f"Jam: {jam(r.at)}",
        "",
        f"Jumlah Konten: {angka(len(r.posts))}",
        "Daftar Link Konten:",
        *dash_list(f"- {p.link}" for p in r.posts),
    ]


def _satkers(
    r: DirectorateRecap, keep: Callable[[Attendance], bool], ranks: RankTable
) -> list[tuple[str, list[Attendance]]]:
    """(satker name, its people kept, in order) in directorate recap order; empty ones dropped."""
    by_client = group(r.people, lambda a: a.client)
    tallies = sorted(satker_tallies(r.people, r.directorate, r.client_names), key=satker_key)
    out = []
    for t in tallies:
        kept = [a for a in by_client[t.client] if keep(a)]
        kept.sort(key=lambda a: (unit_key(a.unit), person_key(a, ranks)))
        if kept:
            out.append((t.name, kept))
    return out


def all_users(r: DirectorateRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> TextFile:
    platform, act = _words(r)
    n, s = len(r.posts), summarize(r.people)
    lines = _header(f"Absensi Engagement {platform} – semua personil", r)
    lines += [
        "",
        f"Jumlah Total Personil: {angka(s.total)} pers",
        f"Sudah {act}: {angka(s.sudah)} pers",
        f"Kurang {act}: {angka(s.kurang)} pers",
        f"Belum {act}: {angka(s.belum)} pers",
        f"Belum Input Username {platform}: {angka(s.tanpa_username)} pers",
        "",
        "Satker: Jumlah Personil / Sudah / Kurang / Belum / Belum Input Username",
    ]
    blocks = (
        (f"Sudah {act}", Status.SUDAH),
        (f"Kurang {act}", Status.KURANG),
        (f"Belum {act}", Status.BELUM),
        (f"Belum Input Username {platform}", Status.TANPA_USERNAME),
    )
    for name, members in _satkers(r, lambda a: True, ranks):
        counts = [sum(a.status is status for a in members) for _, status in blocks]
        lines += ["", f"{name}: {' / '.join(angka(c) for c in (len(members), *counts))}"]
        for (label, status), count in zip(blocks, counts, strict=True):
            lines.append(f"{label} ({angka(count)}):")
            lines += dash_list(_person(a, n) for a in members if a.status is status)
    return TextFile(_filename("All", r), "\n".join(lines) + "\n")


def not_yet_done(r: DirectorateRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> TextFile:
    platform, act = _words(r)
    n = len(r.posts)
    lines = _header(f"Belum melaksanakan {act} atau belum input username {platform}", r)
    pending = _satkers(r, lambda a: a.status in (Status.BELUM, Status.TANPA_USERNAME), ranks)
    if not pending:
        lines += ["", "Semua personil sudah melaksanakan."]
    for name, members in pending:
        belum = [a for a in members if a.status is Status.BELUM]
        tanpa = [a for a in members if a.status is Status.TANPA_USERNAME]
        lines += ["", f"{name}: {angka(len(members))} pers"]
        if belum:
            lines.append(f"Belum {act} ({angka(len(belum))}):")
            lines += [_person(a, n) for a in belum]
        if tanpa:
            lines.append(f"Belum Input Username {platform} ({angka(len(tanpa))}):")
            lines += [_person(a, n) for a in tanpa]
    return TextFile(_filename("Belum", r), "\n".join(lines) + "\n")

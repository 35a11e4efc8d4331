"""jobs.md §3.8: the amplification recap (links reported per official IG post).

Statuses come from `attendance.assess` with done = posts reported (data.md §4.7); exception
staff are `sudah` with their real links (V2 invented 5 per post).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key, unit_key
from cicero.domain.attendance.rule import Attendance, Status
from cicero.domain.layouts.blocks import dash_list
from cicero.domain.layouts.posts import PostRef
from cicero.domain.text.calendar_id import angka, hari, jam, salam, tgl
from cicero.domain.text.wa_format import inline


@dataclass(frozen=True)
class AmplifyPerson:
    attendance: Attendance  # done_posts = posts with at least one valid link
    links: int  # valid links over today's posts (0-5 per post)


@dataclass(frozen=True)
class AmplifyRecap:
    client_name: str
    at: datetime
    posts: tuple[PostRef, ...]
    people: tuple[AmplifyPerson, ...]


def _line(p: AmplifyPerson) -> str:
    a = p.attendance
    return (
        f"{inline(a.unit)} – {inline(a.person.pers)} (Sudah: {a.count} Tugas / Belum: {a.total - a.count} Tugas"
        f" / Total Link: {angka(p.links)} Link)"
    )


def render(r: AmplifyRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    if not r.posts:
        return f"Tidak ada konten IG untuk *{inline(r.client_name)}* hari ini."

    def place(p: AmplifyPerson) -> tuple[tuple[int, str, str], tuple[int, int, str, str, str]]:
        return unit_key(p.attendance.unit), person_key(p.attendance, ranks)

    sudah = sorted(
        (p for p in r.people if p.attendance.status is Status.SUDAH),
        key=lambda p: (-p.links, *place(p)),
    )
    kurang = sorted((p for p in r.people if p.attendance.status is Status.KURANG), key=place)
    belum = sorted(
        (p for p in r.people if p.attendance.status not in (Status.SUDAH, Status.KURANG)),
        key=place,
    )
    lines = [
        f"{salam(r.at)},",
        "",
        f"Mohon ijin melaporkan Pelaksanaan Tugas Amplifikasi *{inline(r.client_name)}* pada hari:",
        "",
        f"Hari: {hari(r.at)}",
        "",
        f"Tanggal: {tgl(r.at)}",
        "",
        f"Pukul: {jam(r.at)}",
        "",
        f"Jumlah Konten Resmi Hari ini: {angka(len(r.posts))}",
    ]
    for post in r.posts:
        lines += ["", post.link]
    lines += [
        "",
        f"Jumlah Personil yang melaksanakan: {angka(len(sudah) + len(kurang))}",
        f"Jumlah Total Link dari 5 Platform Sosial Media: {angka(sum(p.links for p in r.people))}",
        "",
        f"✅ Sudah Melaksanakan ({angka(len(sudah))} user)",
        "Urut berdasarkan total link terbanyak",
    ]
    # V2's spacing: a blank line before each header and between people; the sudah list is
    # also set off from its "Urut …" line, the other two follow their header directly.
    for header, group in (
        (None, sudah),
        (f"⚠️ Belum Lengkap ({angka(len(kurang))} user)", kurang),
        (f"❌ Belum Melaksanakan ({angka(len(belum))} user)", belum),
    ):
        entries = dash_list(_line(p) for p in group)
        lines += ["", header] if header else [""]
        lines.append(entries[0])
        for entry in entries[1:]:
            lines += ["", entry]
    lines += ["", "Terima kasih."]
    return "\n".join(lines)

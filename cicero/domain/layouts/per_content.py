"""Attendance per content (menus.md §3.4 2.1/2.2, "per content × all/sudah/belum"): for each
counted post, who engaged with it and who did not, instead of the accumulated §3.2 recap.

An exception with a handle is done on every post (data.md §4.4, marked); a person without a
handle is not done on any and shows as such.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key, unit_key
from cicero.domain.attendance.rule import Attendance
from cicero.domain.layouts.blocks import EXCEPTION_MARK, dash_list
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from cicero.domain.text.calendar_id import angka, hari, jam, jam_upload, tgl


@dataclass(frozen=True)
class PerContent:
    name: str
    at: datetime
    platform: Platform
    posts: tuple[tuple[Hashable, PostRef], ...]  # (post id as in `done_posts`, ref), P's order
    people: tuple[Attendance, ...]
    show_done: bool = True
    show_missing: bool = True


def _done(a: Attendance, post: Hashable) -> bool:
    return a.handle is not None and (a.exception or post in a.done_posts)


def _who(a: Attendance) -> str:
    if a.handle is None:
        return f"- {a.person.pers} ({a.unit}) : belum mengisi username"
    return f"- {a.person.pers} ({a.unit}){EXCEPTION_MARK if a.exception else ''}"


def render(r: PerContent, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    likes = r.platform is Platform.INSTAGRAM
    if not r.posts:
        where = "Instagram" if likes else "Tiktok"
        return f"Tidak ada konten pada akun Official {where} *{r.name}* hari ini."
    title = (
        "📋 *Absensi Likes Instagram per Konten*"
        if likes
        else ("📋 *Absensi Komentar TikTok per Konten*")
    )
    people = sorted(r.people, key=lambda a: (unit_key(a.unit), person_key(a, ranks)))
    lines = [
        "Mohon ijin Komandan,",
        "",
        title,
        f"*{r.name}*",
        f"{hari(r.at)}, {tgl(r.at)}",
        f"Jam: {jam(r.at)}",
        "",
        f"*Jumlah Konten:* {angka(len(r.posts))}",
        f"*Jumlah user:* {angka(len(people))} user",
    ]
    for i, (post, ref) in enumerate(r.posts, start=1):
        when = f" (upload {jam_upload(ref.posted_at)} WIB)" if ref.posted_at else ""
        done = [a for a in people if _done(a, post)]
        missing = [a for a in people if not _done(a, post)]
        lines += ["", f"*{i}. {ref.link}*{when}"]
        if r.show_done:
            lines += [f"✅ Sudah ({angka(len(done))} user):", *dash_list(_who(a) for a in done)]
        if r.show_missing:
            lines += [
                f"❌ Belum ({angka(len(missing))} user):",
                *dash_list(_who(a) for a in missing),
            ]
    return "\n".join([*lines, "", "Terimakasih."])

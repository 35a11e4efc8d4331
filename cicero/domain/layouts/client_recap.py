"""jobs.md §3.2 and §3.3: a client's likes (Instagram) and comments (TikTok) recaps.

Counted are the client's active operators (data.md §4.3); a person without a handle shows `-`
(or `belum mengisi data tiktok`) and counts as Belum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable
from cicero.domain.attendance.rule import FULL, Attendance, Ratio, Status
from cicero.domain.layouts.blocks import dash_list, mark, recap_header, sorted_units
from cicero.domain.layouts.posts import PostRef
from cicero.domain.text.calendar_id import angka
from cicero.domain.text.wa_format import inline


@dataclass(frozen=True)
class ClientRecap:
    client_name: str
    at: datetime
    posts: tuple[PostRef, ...]
    people: tuple[Attendance, ...]
    done_ratio: Ratio = FULL
    failed_posts: tuple[str, ...] = ()  # TikTok ids whose comments could not be fetched


def _bucket(a: Attendance) -> Status:
    return Status.BELUM if a.status is Status.TANPA_USERNAME else a.status


def _counts(people: tuple[Attendance, ...]) -> tuple[int, int, int]:
    buckets = [_bucket(a) for a in people]
    return (
        buckets.count(Status.SUDAH),
        buckets.count(Status.KURANG),
        buckets.count(Status.BELUM),
    )


def _body(r: ClientRecap, handle_text: Callable[[str | None], str], ranks: RankTable) -> list[str]:
    n = len(r.posts)
    lengkap, kurang, belum = _counts(r.people)
    lines = [
        "",
        f"*Jumlah user:* {angka(len(r.people))} user",
        f"✅ *Melaksanakan lengkap* : *{angka(lengkap)} user*",
        f"⚠️ *Melaksanakan kurang lengkap* : *{angka(kurang)} user*",
        f"❌ *Belum melaksanakan* : *{angka(belum)} user*",
        "",
        f"✅ *Melaksanakan lengkap* ({angka(lengkap)} user)",
        f"⚠️ *Melaksanakan kurang lengkap* ({angka(kurang)} user)",
        f"❌ *Belum melaksanakan* ({angka(belum)} user)",
    ]
    divisions = sorted_units(r.people, ranks)
    for unit, members in divisions:
        lines += ["", f"*{inline(unit)}* ({angka(len(members))} user):"]
        for label, status in (
            ("✅ Lengkap", Status.SUDAH),
            ("⚠️ Kurang", Status.KURANG),
            ("❌ Belum", Status.BELUM),
        ):
            chosen = [a for a in members if _bucket(a) is status]
            lines.append(f"{label} ({angka(len(chosen))} user):")
            lines += dash_list(
                f"- {inline(a.person.pers)} : {handle_text(a.handle)} ({a.count}/{n} konten){mark(a)}"
                for a in chosen
            )
    if not divisions:
        lines += ["", "-"]
    if r.failed_posts:
        lines += ["", f"⚠️ Data komentar gagal diambil untuk konten: {', '.join(r.failed_posts)}"]
    lines += ["", "Terimakasih."]
    return lines


def render_likes(r: ClientRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    """§3.2, or its no-posts line."""
    if not r.posts:
        return f"Tidak ada konten pada akun Official Instagram *{inline(r.client_name)}* hari ini."
    head = recap_header(
        "📋 *Rekap Akumulasi Likes Instagram*",
        f"*Polres*: *{inline(r.client_name)}*",
        r.at,
        r.posts,
        r.done_ratio,
    )
    return "\n".join(head + _body(r, lambda h: f"@{h}" if h else "-", ranks))


def render_comments(r: ClientRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    """§3.3, or its no-posts line."""
    if not r.posts:
        return f"Tidak ada konten pada akun Official Tiktok *{inline(r.client_name)}* hari ini."
    head = recap_header(
        "📋 *Rekap Akumulasi Komentar TikTok*",
        f"*{inline(r.client_name)}*",
        r.at,
        r.posts,
        r.done_ratio,
    )
    return "\n".join(head + _body(r, lambda h: h or "belum mengisi data tiktok", ranks))

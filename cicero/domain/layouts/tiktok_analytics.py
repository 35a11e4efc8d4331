"""The TikTok "Rekap Analitik" of one ORG client: what an admin gets for
`absensikomentar#C#akumulasi` and `clientrequest` 2.2 (TikTok, accumulated), as the previous
system answered them (its operators' own menu and the scheduled recap use jobs.md §3.3).

A summary (target per person, people who reached it, comments against the target, distinct
commenters), the best and worst post, the top three contributors, a note on usernames, the
links, then the people who reached the target and those who did not, per unit. The target is
`required(N, done_ratio)`, ⌈N/2⌉ by default (jobs.md §4: the TikTok comment recaps). An
exception is counted as reaching it with its real count marked, and adds nothing to the
comment totals or to the contributors (data.md §4.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key
from cicero.domain.attendance.rule import Attendance, Ratio, Status, required
from cicero.domain.layouts.blocks import mark, sorted_units
from cicero.domain.layouts.posts import PostRef
from cicero.domain.text.calendar_id import angka, hari, jam, persen, tgl
from cicero.domain.text.wa_format import inline

HALF = Fraction(1, 2)
CAPTION_CHARS = 60  # a longer caption is cut to 57 characters and "…"
TOP_CONTRIBUTORS = 3


@dataclass(frozen=True)
class ContentStat:
    """One counted post: its caption and how many distinct accounts commented so far."""

    ref: PostRef
    caption: str = ""
    commenters: int = 0


@dataclass(frozen=True)
class TiktokAnalytics:
    client_name: str
    at: datetime
    posts: tuple[ContentStat, ...]  # P in its order
    people: tuple[Attendance, ...]  # counted staff, assessed with `done_ratio`
    unique_commenters: int = 0  # distinct accounts commenting on any of the posts
    done_ratio: Ratio = HALF
    show_reached: bool = True  # mode semua / sudah
    show_missing: bool = True  # mode semua / belum
    failed_posts: tuple[str, ...] = ()  # video ids whose comments could not be fetched


def _snippet(stat: ContentStat) -> str:
    text = inline(stat.caption, empty="")
    if not text:
        return stat.ref.external_id
    return f"{text[: CAPTION_CHARS - 3]}…" if len(text) > CAPTION_CHARS else text


def _highlight(stat: ContentStat) -> str:
    return f"{_snippet(stat)} – {angka(stat.commenters)} akun ({stat.ref.link})"


def _attachment(title: str, people: list[Attendance], n: int, ranks: RankTable) -> list[str]:
    lines = [f"{title} ({angka(len(people))} user)"]
    units = sorted_units(people, ranks)
    for i, (unit, members) in enumerate(units):
        if i:
            lines.append("")
        lines.append(f"*{inline(unit)}* ({angka(len(members))} user):")
        lines += [
            f"- {inline(a.person.pers)} : {a.handle or 'belum mengisi data tiktok'}"
            f" ({a.count}/{n} konten){mark(a)}"
            for a in members
        ]
    return lines if units else [*lines, "-"]


def render(r: TiktokAnalytics, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    name = inline(r.client_name)
    if not r.posts:
        return f"Tidak ada konten pada akun Official Tiktok *{name}* hari ini."
    n = len(r.posts)
    target = required(n, r.done_ratio)
    reached = [a for a in r.people if a.status is Status.SUDAH]
    missing = [a for a in r.people if a.status is not Status.SUDAH]
    with_handle = [a for a in r.people if a.handle]
    working = [a for a in with_handle if not a.exception]  # exceptions add nothing (§4.4)
    done = sum(a.count for a in working)
    possible = len(working) * target
    ranked = sorted(r.posts, key=lambda s: (-s.commenters, s.ref.external_id))
    top = sorted(working, key=lambda a: (-a.count, person_key(a, ranks)))[:TOP_CONTRIBUTORS]
    below = sum(a.status is not Status.SUDAH for a in with_handle)
    lines = [
        "Mohon ijin Komandan,",
        "",
        "📊 *Rekap Analitik Komentar TikTok*",
        f"*{name}* | {hari(r.at)}, {tgl(r.at)} | Jam {jam(r.at)} WIB",
        "",
        "*Ringkasan Capaian*",
        f"• Konten dipantau : {angka(n)}",
        f"• Target minimal per personel : {angka(target)} konten",
        f"• Personel mencapai target : {angka(len(reached))}/{angka(len(with_handle))}"
        f" ({_share(len(reached), len(with_handle))}%)",
        f"• Interaksi aktual : {angka(done)}/{angka(possible)} ({_share(done, possible)}%)",
        f"• Partisipan unik : {angka(r.unique_commenters)} akun",
        "",
        "*Sorotan Konten*",
        f"• Performa tertinggi : {_highlight(ranked[0])}",
        f"• Performa terendah : {_highlight(ranked[-1])}",
        "",
        "*Kontributor Utama*",
        *(
            [f"{i}. {inline(a.person.pers)} – {a.count}/{n} konten" for i, a in enumerate(top, 1)]
            or ["-"]
        ),
        "",
        f"*Catatan personel:* {angka(len(r.people))} tercatat ({angka(len(with_handle))} memiliki"
        f" username, {angka(len(r.people) - len(with_handle))} belum)."
        f" {angka(below)} belum mencapai target minimal.",
        "",
        "*Daftar Link Konten:*",
        *(s.ref.link for s in r.posts),
    ]
    if r.show_reached:
        title = "📎 ✅ *Lampiran – Personel mencapai target*"
        lines += ["", *_attachment(title, reached, n, ranks)]
    if r.show_missing:
        title = "📎 ❌ *Lampiran – Personel belum mencapai target*"
        lines += ["", *_attachment(title, missing, n, ranks)]
    if r.failed_posts:
        lines += ["", f"⚠️ Data komentar gagal diambil untuk konten: {', '.join(r.failed_posts)}"]
    lines += ["", "Terimakasih."]
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return persen(Fraction(100 * part, whole) if whole else Fraction(0))

"""jobs.md §3.5: a directorate's full recap, per division with each person's count.

Divisions are satkers or satfungs (`DirectorateRecap.grouping`). The directorate's own block
comes first (data.md §4.3, §4.5); the others sort by accumulated engagement, then the share of
people who took part, then size, then name. Instagram keeps §3.5's wording; TikTok has the
wording directorates read in the previous system (`comments_full`: numbered divisions, the
accumulated count out of what was possible, `*Polres*:` before the name).
"""

from __future__ import annotations

from fractions import Fraction

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable
from cicero.domain.attendance.rule import Attendance, Status, summarize
from cicero.domain.layouts.blocks import (
    Grouping,
    dash_list,
    group,
    mark,
    people_key,
    percent,
    recap_header,
)
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.text.calendar_id import angka
from cicero.domain.text.wa_format import inline

_BLOCKS = (
    # (label, status, printed even when empty)
    ("✅ Melaksanakan Lengkap", Status.SUDAH, True),
    ("⚠️ Melaksanakan Kurang Lengkap", Status.KURANG, False),
    ("❌ Belum melaksanakan", Status.BELUM, False),
)


def _engagement(members: list[Attendance]) -> int:
    """Σc of a division; data.md §4.4: an exception's count adds nothing to totals."""
    return sum(a.count for a in members if not a.exception)


def _division_key(
    label: str, members: list[Attendance], first: bool
) -> tuple[bool, int, Fraction, int, str]:
    took_part = sum(a.status in (Status.SUDAH, Status.KURANG) for a in members)
    return (
        not first,
        -_engagement(members),
        -percent(took_part, len(members)),
        -len(members),
        label,
    )


def _empty_handles(a: Attendance) -> str:
    empty = [w for w, h in (("IG", a.person.instagram), ("Tiktok", a.person.tiktok)) if not h]
    return f"({', '.join(f'{w} Kosong' for w in empty)})"


def _divisions(r: DirectorateRecap, ranks: RankTable) -> list[tuple[str, list[Attendance]]]:
    """(label, members in unit and people order), the directorate's own block first."""
    by_client = r.grouping is Grouping.CLIENT
    divisions = group(r.people, lambda a: a.person.client if by_client else a.person.unit)

    def label(key: str) -> str:
        return inline(r.client_names.get(key, key) if by_client else key)

    order = sorted(
        divisions,
        key=lambda k: _division_key(label(k), divisions[k], by_client and k == r.directorate),
    )
    key = people_key(r.people, ranks)  # unit place, then person_key
    return [(label(k), sorted(divisions[k], key=key)) for k in order]


def _person_line(a: Attendance, n: int) -> str:
    if a.status is Status.TANPA_USERNAME:
        return f"- {inline(a.person.pers)}, Pelaksanaan: 0/{n} {_empty_handles(a)}"
    return f"- {inline(a.person.pers)}, Pelaksanaan: {a.count}/{n}{mark(a)}"


def _status_blocks(members: list[Attendance], n: int, username: str) -> list[str]:
    lines: list[str] = []
    for label, status, always in (*_BLOCKS, (f"⚠️ {username}", Status.TANPA_USERNAME, False)):
        chosen = [a for a in members if a.status is status]
        if chosen or always:
            lines.append(f"{label} ({angka(len(chosen))} pers):")
            lines += dash_list(_person_line(a, n) for a in chosen)
    return lines


def _no_posts(r: DirectorateRecap) -> str:
    if r.is_instagram:
        return f"*Belum ada konten Instagram terbaru pada akun official {inline(r.name)} pada hari ini.*"
    return f"Tidak ada konten TikTok pada akun Official {inline(r.name)} hari ini."


def render(r: DirectorateRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    if not r.posts:
        return _no_posts(r)
    if not r.is_instagram:
        return _render_tiktok(r, ranks)
    n = len(r.posts)
    username = "Belum Update Username Instagram"
    s = summarize(r.people)
    lines = recap_header(
        "📋 Rekap Akumulasi Likes Instagram", f"*{inline(r.name)}*", r.at, r.posts, r.done_ratio
    )
    lines += [
        "",
        f"*Jumlah Total Personil :* {angka(s.total)} pers",
        f"✅ *Sudah Melaksanakan :* {angka(s.took_part)} pers",
        f"- ✅ *Melaksanakan Lengkap :* {angka(s.sudah)} pers",
        f"- ⚠️ *Melaksanakan kurang lengkap :* {angka(s.kurang)} pers",
        f"❌ *Belum melaksanakan :* {angka(s.not_done)} pers",
        f"⚠️❌ *{username} :* {angka(s.tanpa_username)} pers",
    ]
    for name, members in _divisions(r, ranks):
        lines += [
            "",
            f"*{name}*",
            f"Akumulasi Pelaksanaan: {angka(_engagement(members))} (dari {n} konten)",
            f"Jumlah Personil: {angka(len(members))} pers",
            "",
            *_status_blocks(members, n, username),
        ]
    lines += ["", "Terimakasih."]
    return "\n".join(lines)


def _render_tiktok(r: DirectorateRecap, ranks: RankTable) -> str:
    n = len(r.posts)
    username = "Belum Update Username TikTok"
    s = summarize(r.people)
    lines = recap_header(
        "📋 *Rekap Akumulasi Komentar TikTok*", f"*Polres*: *{inline(r.name)}*", r.at, r.posts,
        r.done_ratio,
    )  # fmt: skip
    lines += [
        "",
        f"*Jumlah Total Personil:* {angka(s.total)} pers",
        f"✅ *Sudah Melaksanakan* : *{angka(s.took_part)} pers*",
        f"- ✅ *Melaksanakan Lengkap* : *{angka(s.sudah)} pers*",
        f"- ⚠️ *Melaksanakan kurang lengkap* : *{angka(s.kurang)} pers*",
        f"❌ *Belum melaksanakan* : *{angka(s.not_done)} pers*",
        f"⚠️❌ *{username}* : *{angka(s.tanpa_username)} pers*",
    ]
    for i, (name, members) in enumerate(_divisions(r, ranks), 1):
        lines += [
            "",
            f"*{i}. {name}*",
            f"*Jumlah Personil* : {angka(len(members))} pers",
            f"*Akumulasi Pelaksanaan* : {angka(_engagement(members))}/{angka(len(members) * n)}",
            *_status_blocks(members, n, username),
        ]
    lines += ["", "Terimakasih."]
    return "\n".join(lines)

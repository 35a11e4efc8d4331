"""jobs.md §3.5: a directorate's full recap, per division with each person's count.

Divisions are satkers or satfungs (`DirectorateRecap.grouping`) and sort by accumulated
engagement, then the share of people who took part, then size, then name.
"""

from __future__ import annotations

from fractions import Fraction

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable, person_key
from cicero.domain.attendance.rule import Attendance, Status, summarize
from cicero.domain.layouts.blocks import (
    Grouping,
    group,
    mark,
    percent,
    recap_header,
    unit_places,
)
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.text.calendar_id import angka


def _division_key(label: str, members: list[Attendance]) -> tuple[int, Fraction, int, str]:
    took_part = sum(a.status in (Status.SUDAH, Status.KURANG) for a in members)
    return (
        -sum(a.count for a in members),
        -percent(took_part, len(members)),
        -len(members),
        label,
    )


def _empty_handles(a: Attendance) -> str:
    empty = [w for w, h in (("IG", a.person.instagram), ("Tiktok", a.person.tiktok)) if not h]
    return f"({', '.join(f'{w} Kosong' for w in empty)})"


def render(r: DirectorateRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    if not r.posts:
        if r.is_instagram:
            return (
                f"*Belum ada konten Instagram terbaru pada akun official {r.name} pada hari ini.*"
            )
        return f"Tidak ada konten TikTok pada akun Official {r.name} hari ini."
    n = len(r.posts)
    platform_word = "Instagram" if r.is_instagram else "TikTok"
    title = "📋 Rekap Akumulasi Likes Instagram" if r.is_instagram else "📋 Rekap Komentar TikTok"
    username = f"Belum Update Username {platform_word}"
    s = summarize(r.people)
    lines = recap_header(title, f"*{r.name}*", r.at, r.posts, r.done_ratio)
    lines += [
        "",
        f"*Jumlah Total Personil :* {angka(s.total)} pers",
        f"✅ *Sudah Melaksanakan :* {angka(s.took_part)} pers",
        f"- ✅ *Melaksanakan Lengkap :* {angka(s.sudah)} pers",
        f"- ⚠️ *Melaksanakan kurang lengkap :* {angka(s.kurang)} pers",
        f"❌ *Belum melaksanakan :* {angka(s.not_done)} pers",
        f"⚠️❌ *{username} :* {angka(s.tanpa_username)} pers",
    ]

    if r.grouping is Grouping.UNIT:
        divisions = group(r.people, lambda a: a.person.unit)
    else:
        divisions = group(r.people, lambda a: r.client_names.get(a.person.client, a.person.client))
    unit = unit_places(r.people)
    for name in sorted(divisions, key=lambda d: _division_key(d, divisions[d])):
        members = sorted(
            divisions[name], key=lambda a: (unit[a.person.unit], person_key(a.person, ranks))
        )
        lines += [
            "",
            f"*{name}*",
            f"Akumulasi Pelaksanaan: {angka(sum(a.count for a in members))} (dari {n} konten)",
            f"Jumlah Personil: {angka(len(members))} pers",
            "",
        ]
        for icon_label, status, always in (
            ("✅ Melaksanakan Lengkap", Status.SUDAH, True),
            ("⚠️ Melaksanakan Kurang Lengkap", Status.KURANG, False),
            ("❌ Belum melaksanakan", Status.BELUM, False),
            (f"⚠️ {username}", Status.TANPA_USERNAME, False),
        ):
            chosen = [a for a in members if a.status is status]
            if not chosen and not always:
                continue
            lines.append(f"{icon_label} ({angka(len(chosen))} pers):")
            if status is Status.TANPA_USERNAME:
                lines += [f"- {a.person.pers} {_empty_handles(a)}" for a in chosen]
            else:
                lines += [
                    f"- {a.person.pers}, Pelaksanaan: {a.count}/{n}{mark(a)}" for a in chosen
                ] or ["-"]
    lines += ["", "Terimakasih."]
    return "\n".join(lines)

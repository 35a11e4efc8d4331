"""jobs.md §3.4: a directorate's simple recap, Instagram and TikTok variants.

People without a handle have their own block and are not part of Belum; there is no closing line.
TikTok's summary says `❌ *Belum :*` but its block `❌ *Belum Melaksanakan (n pers):*`, as the
previous system printed them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable
from cicero.domain.attendance.rule import Status
from cicero.domain.layouts.blocks import dash_list, directorate_order, recap_header
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.text.calendar_id import angka
from cicero.domain.text.wa_format import inline


@dataclass(frozen=True)
class _Words:
    title: str
    belum: str  # the summary's label; the block is always "Belum Melaksanakan"
    username: str


_INSTAGRAM = _Words(
    "📋 Rekap Akumulasi Likes Instagram (Simple)",
    "Belum Melaksanakan",
    "Belum Update Username Instagram",
)
_TIKTOK = _Words("📋 Rekap Komentar TikTok (Simple)", "Belum", "Belum Input Username TikTok")


def render(r: DirectorateRecap, ranks: RankTable = DEFAULT_RANK_TABLE) -> str:
    name = inline(r.name)
    if not r.posts:
        if r.is_instagram:
            return f"*Belum ada konten Instagram terbaru pada akun official {name} pada hari ini.*"
        return f"Tidak ada konten TikTok pada akun Official {name} hari ini."
    words = _INSTAGRAM if r.is_instagram else _TIKTOK
    ordered = directorate_order(r.people, r.directorate, r.client_names, ranks)
    blocks = (
        ("✅", "Melaksanakan Lengkap", Status.SUDAH),
        ("⚠️", "Melaksanakan Kurang", Status.KURANG),
        ("❌", words.belum, Status.BELUM),
        ("⚠️❌", words.username, Status.TANPA_USERNAME),
    )
    chosen: dict[Status, list[str]] = {status: [] for _, _, status in blocks}
    for a in ordered:  # one pass over the thousands of people, each line made once
        chosen[a.status].append(f"- {inline(a.person.pers)}")
    lines = recap_header(words.title, f"*{name}*", r.at, r.posts, r.done_ratio)
    lines += ["", f"*Jumlah Total Personil:* {angka(len(ordered))} pers"]
    lines += [f"{icon} *{label} :* {angka(len(chosen[s]))} pers" for icon, label, s in blocks]
    for icon, label, status in blocks:
        label = "Belum Melaksanakan" if status is Status.BELUM else label
        lines += ["", f"{icon} *{label} ({angka(len(chosen[status]))} pers):*"]
        lines += dash_list(chosen[status])
    return "\n".join(lines)

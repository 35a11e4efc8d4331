"""kasat_binmas_likes / kasat_binmas_comments (jobs.md §2.2, data.md §4.6): the Kasat Binmas
of each satker, registered or not, and the satkers that have none.

jobs.md gives no text for this report; it follows the simple recap's blocks (§3.4), each
line naming the satker, and closes with the satkers lacking a Kasat Binmas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cicero.domain.attendance.rule import Attendance, Status
from cicero.domain.layouts.blocks import dash_list, directorate_order, recap_header
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from cicero.domain.text.calendar_id import angka

POSITION = "KASAT BINMAS"
_PUNCT = re.compile(r"[^\w\s]|_")


def is_kasat_binmas(position: str) -> bool:
    """data.md §4.6: the position starts "KASAT BINMAS" (case and punctuation ignored)."""
    return " ".join(_PUNCT.sub(" ", position.upper()).split()).startswith(POSITION)


@dataclass(frozen=True)
class KasatBinmasRecap:
    directorate: str
    name: str
    platform: Platform
    at: datetime
    posts: tuple[PostRef, ...]
    people: tuple[Attendance, ...]  # the directorate's counted staff; filtered here
    satkers: tuple[str, ...] = ()  # client ids of the directorate's satkers
    client_names: Mapping[str, str] = field(default_factory=dict)
    period: str = ""  # a menu's period in words (periods.DateRange.label); "" is today

    def kasat(self) -> list[Attendance]:
        return [a for a in self.people if is_kasat_binmas(a.position)]

    def lacking(self) -> list[str]:
        have = {a.client for a in self.kasat()}
        return sorted(self.client_names.get(c, c) for c in self.satkers if c not in have)


def render(r: KasatBinmasRecap) -> str:
    ig = Platform(r.platform) is Platform.INSTAGRAM
    if not r.posts:
        word = "Instagram" if ig else "TikTok"
        when = f"pada periode {r.period}" if r.period else "hari ini"
        return f"Tidak ada konten {word} pada akun Official {r.name} {when}."
    title = (
        "📋 Rekap Kasat Binmas – Likes Instagram"
        if ig
        else "📋 Rekap Kasat Binmas – Komentar TikTok"
    )
    n = len(r.posts)
    ordered = directorate_order(r.kasat(), r.directorate, r.client_names)
    blocks = (
        ("✅", "Melaksanakan Lengkap", Status.SUDAH),
        ("⚠️", "Melaksanakan Kurang", Status.KURANG),
        ("❌", "Belum Melaksanakan", Status.BELUM),
        ("⚠️❌", f"Belum Update Username {'Instagram' if ig else 'TikTok'}", Status.TANPA_USERNAME),
    )
    chosen = {s: [a for a in ordered if a.status is s] for _, _, s in blocks}
    lines = recap_header(title, f"*{r.name}*", r.at, r.posts)
    if r.period:  # under the name, before the request's own date and time
        lines.insert(lines.index(f"*{r.name}*") + 1, f"*Periode:* {r.period}")
    lines += ["", f"*Jumlah Kasat Binmas:* {angka(len(ordered))} pers"]
    lines += [f"{icon} *{label} :* {angka(len(chosen[s]))} pers" for icon, label, s in blocks]
    for icon, label, status in blocks:
        lines += ["", f"{icon} *{label} ({angka(len(chosen[status]))} pers):*"]
        lines += dash_list(_line(a, r.client_names, n) for a in chosen[status])
    missing = r.lacking()
    lines += ["", f"*Satker tanpa Kasat Binmas ({angka(len(missing))}):*"]
    lines += dash_list(f"- {name}" for name in missing)
    return "\n".join(lines)


def _line(a: Attendance, names: Mapping[str, str], n: int) -> str:
    where = names.get(a.client, a.client)
    if a.status is Status.TANPA_USERNAME:
        return f"- {a.person.pers} ({where})"
    return f"- {a.person.pers} ({where}) : {a.count}/{n}"


def kasat_people(people: Iterable[Attendance]) -> tuple[Attendance, ...]:
    return tuple(a for a in people if is_kasat_binmas(a.position))

"""kasat_binmas_likes / kasat_binmas_comments (jobs.md §2.2, data.md §4.6): the Kasat Binmas
among the directorate's counted staff, registered or not, and the satkers that have none.

jobs.md gives no text; these are the previous system's (its Kasat Binmas likes and TikTok
comment services), numbered per status, best count first. Its likes report printed no blank
line inside the summary (they were filtered out with the empty strings); neither does this.
What Cicero adds: the satkers lacking a Kasat Binmas (data.md §4.6, in the words of the old
Kasatker attendance report), and an exception's count marked as in every recap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cicero.domain.attendance.ordering import person_key
from cicero.domain.attendance.periods import THIS_MONTH, THIS_WEEK
from cicero.domain.attendance.rule import Attendance, Status
from cicero.domain.layouts.blocks import mark
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from cicero.domain.text.calendar_id import BULAN, angka, hari_tanggal
from cicero.domain.text.wa_format import inline
from cicero.domain.timezone import to_wib

POSITION = "KASAT BINMAS"
LIKES_TITLE = "📋 *Absensi Likes Kasat Binmas*"
COMMENTS_TITLE = "📋 *Absensi Komentar TikTok Kasat Binmas*"
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
    period: str | None = None  # menus.md §3.2 item 34/35: daily (None), weekly or monthly

    def kasat(self) -> list[Attendance]:
        return [a for a in self.people if is_kasat_binmas(a.position)]

    def lacking(self) -> list[str]:
        have = {a.client for a in self.kasat()}
        return sorted(self.client_names.get(c, c) for c in self.satkers if c not in have)


def period_label(period: str | None, at: datetime) -> str:
    """The previous system's period words: `Selasa, 10 Februari 2026`, the Monday–Sunday week
    `Senin, 09 Februari 2026 s.d. Minggu, 15 Februari 2026`, `Bulan Februari 2026`."""
    today = to_wib(at).date()
    if period in THIS_WEEK:
        monday = today - timedelta(days=today.weekday())
        return f"{hari_tanggal(monday)} s.d. {hari_tanggal(monday + timedelta(days=6))}"
    if period in THIS_MONTH:
        return f"Bulan {BULAN[today.month - 1]} {today.year}"
    return hari_tanggal(today)


def render(r: KasatBinmasRecap) -> str:
    ig = Platform(r.platform) is Platform.INSTAGRAM
    label = period_label(r.period, r.at)
    if not r.posts:  # nobody is assessed without posts, so this comes before "no Kasat"
        return _no_posts(r, label, ig)
    kasat = r.kasat()
    if not kasat:
        return "\n".join(
            [
                f"Dari {angka(len(r.people))} user aktif {inline(r.directorate)} "
                f"({inline(r.directorate.lower())}), tidak ditemukan data Kasat Binmas.",
                *_lacking(r),
            ]
        )
    return _likes(r, kasat, label) if ig else _comments(r, kasat, label)


def _no_posts(r: KasatBinmasRecap, label: str, ig: bool) -> str:
    if ig:
        return "\n".join(
            [LIKES_TITLE, f"Periode: {label}",
             f"Belum ada konten Instagram {inline(r.name)} pada periode ini untuk diabsen."]
        )  # fmt: skip
    return "\n".join(
        [COMMENTS_TITLE, f"🗓️ Periode: {label}",
         "Tidak ada konten yang perlu dikomentari pada periode ini."]
    )  # fmt: skip


def _ranked(kasat: Iterable[Attendance], status: Status) -> list[Attendance]:
    """The people of one status, most posts first, then in people order."""
    return sorted((a for a in kasat if a.status is status), key=lambda a: (-a.count, person_key(a)))


def _who(a: Attendance, names: Mapping[str, str]) -> str:
    return f"{inline(a.person.pers)} ({inline(names.get(a.client, a.client).upper())})"


def _lacking(r: KasatBinmasRecap) -> list[str]:
    lines = ["🚧 Polres tanpa Kasat Binmas terdeteksi:"]
    if not r.satkers:
        return [*lines, "- Data client ORG tidak tersedia untuk pembanding."]
    missing = r.lacking()
    if not missing:
        return [*lines, "- Tidak ada; semua Polres ORG sudah memiliki Kasat Binmas terdata."]
    return lines + [f"- {inline(name)}" for name in missing]


_LIKES_SECTIONS = (
    (Status.SUDAH, "✅", "Melaksanakan Lengkap"),
    (Status.KURANG, "⚠️", "Melaksanakan Sebagian"),
    (Status.BELUM, "❌", "Belum Melaksanakan"),
    (Status.TANPA_USERNAME, "⚠️❌", "Belum Update Username Instagram"),
)


def _likes(r: KasatBinmasRecap, kasat: list[Attendance], label: str) -> str:
    n = len(r.posts)
    counts = {s: sum(a.status is s for a in kasat) for s, _, _ in _LIKES_SECTIONS}
    lines = [
        LIKES_TITLE,
        f"🗓️ Periode: {label}",
        f"📈 Total konten periode ini: {angka(n)}",
        f"👥 Total Kasat Binmas: {angka(len(kasat))} pers",
        "📊 Distribusi Status:",
        f"  ✅ Lengkap: {angka(counts[Status.SUDAH])} pers",
        f"  ⚠️ Sebagian: {angka(counts[Status.KURANG])} pers",
        f"  ❌ Belum: {angka(counts[Status.BELUM])} pers",
        f"  ⚠️❌ Belum update username IG: {angka(counts[Status.TANPA_USERNAME])} pers",
    ]
    sections = []
    for status, icon, name in _LIKES_SECTIONS:
        chosen = _ranked(kasat, status)
        entries = [
            f"  {i}. {_who(a, r.client_names)} — "
            + ("Username IG belum tersedia" if status is Status.TANPA_USERNAME
               else f"{a.count}/{n} konten{mark(a)}")
            for i, a in enumerate(chosen, 1)
        ]  # fmt: skip
        header = f"{icon} *{name} ({angka(len(chosen))} pers)*"
        sections.append([header, *(entries or ["  - Tidak ada data"])])
    lines += _joined(sections)
    lines += ["", *_lacking(r)]
    return "\n".join(lines)


_COMMENT_SECTIONS = (
    (Status.SUDAH, "✅", "Lengkap (sesuai target)"),
    (Status.KURANG, "🟡", "Sebagian (belum semua konten)"),
    (Status.BELUM, "❌", "Belum komentar"),
    (Status.TANPA_USERNAME, "⚠️❌", "Belum update akun TikTok"),
)


def _comment_entry(a: Attendance, n: int) -> str:
    if a.status is Status.TANPA_USERNAME:
        return "Username TikTok belum tersedia"
    if a.status is Status.SUDAH:
        return f"Lengkap ({a.count}/{n} konten){mark(a)}"
    return f"{a.count}/{n} konten"


def _comments(r: KasatBinmasRecap, kasat: list[Attendance], label: str) -> str:
    n, total = len(r.posts), angka(len(kasat))
    counts = {s: sum(a.status is s for a in kasat) for s, _, _ in _COMMENT_SECTIONS}
    lines = [
        COMMENTS_TITLE,
        f"🗓️ Periode: {label}",
        "*Ringkasan:*",
        f"- Total konten periode: {angka(n)} video",
        f"- Total Kasat Binmas: {total} pers",
        f"- Lengkap: {angka(counts[Status.SUDAH])}/{total} pers",
        f"- Sebagian: {angka(counts[Status.KURANG])}/{total} pers",
        f"- Belum komentar: {angka(counts[Status.BELUM])}/{total} pers",
        f"- Belum update akun TikTok: {angka(counts[Status.TANPA_USERNAME])} pers",
        "",
        "*Rincian per status:*",
    ]
    sections = []
    for status, icon, name in _COMMENT_SECTIONS:
        chosen = _ranked(kasat, status)
        sections.append(
            [f"{icon} *{name} ({angka(len(chosen))} pers)*"]
            + [f"   {i}. {_who(a, r.client_names)} — {_comment_entry(a, n)}"
               for i, a in enumerate(chosen, 1)]
        )  # fmt: skip
    lines += _joined(sections)
    lines += ["", *_lacking(r)]
    return "\n".join(lines)


def _joined(sections: list[list[str]]) -> list[str]:
    """Sections with a blank line between them."""
    out: list[str] = []
    for section in sections:
        out += ([""] if out else []) + section
    return out


def kasat_people(people: Iterable[Attendance]) -> tuple[Attendance, ...]:
    return tuple(a for a in people if is_kasat_binmas(a.position))

"""`dirrequest` items 7 and 8 (menus.md §3.2): a directorate's attendance in numbers per satker.

The previous system's own reports, kept apart from the full recap (§3.5) because directorates
read them as a ranking of their satkers: the directorate first, then Instagram by people done
in full (then staff, name), TikTok the same except that satkers of `LARGE_SATKER` or more staff
come first, ranked by their share done in full. Counted are the directorate's staff of
data.md §4.3; a linked satker nobody is counted in still gets its line, with zeros.

Instagram counts people without a username in Belum (and tells them apart); TikTok keeps them
out of Belum. Lengkap defaults to half the posts (jobs.md §4), and the header says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from cicero.domain.attendance.rule import Attendance, Ratio, Status
from cicero.domain.layouts.blocks import recap_header
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from cicero.domain.text.calendar_id import angka
from cicero.domain.text.wa_format import inline

HALF = Fraction(1, 2)
LARGE_SATKER = 100  # staff from which the TikTok ranking goes by share first (V2's rule)


@dataclass(frozen=True)
class SatkerSummary:
    directorate: str  # client id of the directorate
    name: str  # `{NAMA}` as printed
    platform: Platform
    at: datetime
    posts: tuple[PostRef, ...]
    people: tuple[Attendance, ...]  # the directorate's counted staff, with their attendance
    satkers: tuple[str, ...] = ()  # client ids of the linked satkers
    client_names: Mapping[str, str] = field(default_factory=dict)
    done_ratio: Ratio = HALF

    @property
    def is_instagram(self) -> bool:
        return Platform(self.platform) is Platform.INSTAGRAM


@dataclass(frozen=True)
class Tally:
    """One satker's (or the directorate's own) counts."""

    client: str
    name: str
    is_directorate: bool
    staff: int = 0
    sudah: int = 0
    kurang: int = 0
    belum: int = 0
    tanpa_username: int = 0

    @property
    def share(self) -> Fraction:
        return Fraction(self.sudah, self.staff) if self.staff else Fraction(0)

    @property
    def large(self) -> bool:
        return self.staff >= LARGE_SATKER


def tallies(s: SatkerSummary) -> list[Tally]:
    """Every client with counted staff, and every linked satker, in no particular order."""
    counts: dict[str, dict[Status, int]] = {c: {} for c in s.satkers}
    for a in s.people:
        per = counts.setdefault(a.client, {})
        per[a.status] = per.get(a.status, 0) + 1
    return [
        Tally(
            client=c,
            name=s.client_names.get(c, c),
            is_directorate=c == s.directorate,
            staff=sum(per.values()),
            sudah=per.get(Status.SUDAH, 0),
            kurang=per.get(Status.KURANG, 0),
            belum=per.get(Status.BELUM, 0),
            tanpa_username=per.get(Status.TANPA_USERNAME, 0),
        )
        for c, per in counts.items()
    ]


def instagram_key(t: Tally) -> tuple[bool, int, int, str, str]:
    return not t.is_directorate, -t.sudah, -t.staff, t.name.upper(), t.client


def tiktok_key(t: Tally) -> tuple[bool, bool, Fraction, int, int, str, str]:
    share = t.share if t.large else Fraction(0)  # only large satkers are ranked by share
    return not t.is_directorate, not t.large, -share, -t.sudah, -t.staff, t.name.upper(), t.client


def _sum(ts: Iterable[Tally]) -> Tally:
    ts = list(ts)
    return Tally(
        "", "", False,
        staff=sum(t.staff for t in ts), sudah=sum(t.sudah for t in ts),
        kurang=sum(t.kurang for t in ts), belum=sum(t.belum for t in ts),
        tanpa_username=sum(t.tanpa_username for t in ts),
    )  # fmt: skip


def render(s: SatkerSummary) -> str:
    name = inline(s.name)
    if s.is_instagram:
        if not s.posts:
            return f"Tidak ada konten pada akun Official Instagram *{name}* hari ini."
        return _instagram(s, name)
    if not s.posts:
        return f"Tidak ada konten pada akun Official Tiktok *{name}* hari ini."
    return _tiktok(s, name)


def _instagram(s: SatkerSummary, name: str) -> str:
    ts = sorted(tallies(s), key=instagram_key)
    total = _sum(ts)
    lines = recap_header("📋 Rekap Akumulasi Likes Instagram", f"*{name}*", s.at, s.posts,
                         s.done_ratio)  # fmt: skip
    # The previous system's spacing: `*Jumlah Konten :*`, `*Daftar Link Konten :*`.
    lines = [_spaced(line) for line in lines]
    lines += [
        "",
        f"*Jumlah Total Personil :* {angka(total.staff)} pers",
        f"✅ *Sudah melaksanakan :* {angka(total.sudah + total.kurang)} pers",
        f"- ✅ Melaksanakan lengkap : {angka(total.sudah)} pers",
        f"- ⚠️ Melaksanakan kurang lengkap : {angka(total.kurang)} pers",
        f"❌ *Belum melaksanakan :* {angka(total.belum + total.tanpa_username)} pers",
        f"⚠️❌ *Belum Update Username Instagram :* {angka(total.tanpa_username)} pers",
    ]
    for i, t in enumerate(ts, 1):
        lines += [
            "",
            f"{i}. {inline(t.name)}",
            f"*Jumlah Personil :* {angka(t.staff)} pers",
            f"*Sudah Melaksanakan :* {angka(t.sudah + t.kurang)} pers",
            f"- Melaksanakan lengkap : {angka(t.sudah)} pers",
            f"- Melaksanakan kurang lengkap : {angka(t.kurang)} pers",
            f"*Belum melaksanakan :* {angka(t.belum + t.tanpa_username)} pers",
            f"*Belum Update Username Instagram :* {angka(t.tanpa_username)} pers",
        ]
    if not ts:
        lines += ["", "-"]
    return "\n".join(lines)


def _tiktok(s: SatkerSummary, name: str) -> str:
    ts = sorted(tallies(s), key=tiktok_key)
    total = _sum(ts)
    lines = recap_header("📋 *Rekap Akumulasi Komentar TikTok*", f"*Direktorat*: *{name}*", s.at,
                         s.posts, s.done_ratio)  # fmt: skip
    lines += [
        "",
        f"*Total Personel:* {angka(total.staff)}",
        f"✅ *Sudah Melaksanakan* : *{angka(total.sudah + total.kurang)} user*",
        f"- ✅ Melaksanakan Lengkap : {angka(total.sudah)} user",
        f"- ⚠️ Melaksanakan Kurang Lengkap : {angka(total.kurang)} user",
        f"❌ *Belum Melaksanakan* : *{angka(total.belum)} user*",
        f"⚠️❌ *Belum Input Username Tiktok* : *{angka(total.tanpa_username)} user*",
    ]
    for i, t in enumerate(ts, 1):
        lines += [
            "",
            f"*{i}. {inline(t.name)}*",
            f"*Jumlah user:* {angka(t.staff)}",
            f"*Sudah Melaksanakan* : *{angka(t.sudah + t.kurang)} user*",
            f"- Melaksanakan Lengkap : {angka(t.sudah)} user",
        ]
        # The previous system left out the lines that would say zero.
        if t.kurang:
            lines.append(f"- Melaksanakan Kurang Lengkap : {angka(t.kurang)} user")
        if t.belum:
            lines.append(f"*Belum Melaksanakan* : *{angka(t.belum)} user*")
        if t.tanpa_username:
            lines.append(f"*Belum Input Username Tiktok* : *{angka(t.tanpa_username)} user*")
    if not ts:
        lines += ["", "-"]
    lines += ["", "Terimakasih."]
    return "\n".join(lines)


def _spaced(line: str) -> str:
    """`*Label:*` → `*Label :*` for the header lines the Instagram summary spaced so."""
    for label in ("Jumlah Konten", "Batas Lengkap", "Daftar Link Konten"):
        if line.startswith(f"*{label}:*"):
            return f"*{label} :*" + line[len(label) + 3 :]
    return line

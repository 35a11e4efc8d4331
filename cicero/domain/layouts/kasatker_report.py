"""kasatker_report (jobs.md §2.1, §2.2 no. 30): a directorate's satkers banded by compliance,
AKTIF from 90 %, SEDANG from 50 % (up to 89.9 %), RENDAH below, as a letter to the Kasat Binmas.

A satker's compliance is the share of its counted staff who took part (sudah or kurang) in
today's posts, averaged over the platforms that have posts today. V2 averaged both platforms
always, so a day without TikTok capped every satker at 50 %. The directorate's own staff are
not a satker. The letter header, the group invite link and the two thresholds are config.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from cicero.domain.attendance.rule import Attendance, Status
from cicero.domain.layouts.blocks import dash_list
from cicero.domain.people.usernames import Platform
from cicero.domain.text.calendar_id import hari, jam, tgl_panjang


class Band(StrEnum):
    AKTIF = "AKTIF"
    SEDANG = "SEDANG"
    RENDAH = "RENDAH"


@dataclass(frozen=True)
class Thresholds:
    """jobs.md §4: Kasatker 90/50 %. A satker at or above `aktif` is AKTIF, and so on."""

    aktif: Fraction = Fraction(9, 10)
    sedang: Fraction = Fraction(1, 2)

    def __post_init__(self) -> None:
        if not 0 <= self.sedang <= self.aktif <= 1:
            raise ValueError(
                f"kasatker thresholds need 0 <= sedang <= aktif <= 1, got "
                f"sedang={float(self.sedang)}, aktif={float(self.aktif)}"
            )


def band(compliance: Fraction, t: Thresholds = Thresholds()) -> Band:
    if compliance >= t.aktif:
        return Band.AKTIF
    if compliance >= t.sedang:
        return Band.SEDANG
    return Band.RENDAH


def percent_label(value: Fraction) -> str:
    """`87.5%`, `100%`: rounded down to a tenth so a label never shows a higher band's number
    (89.95 % reads 89.9 %, as SEDANG does)."""
    tenths = math.floor(value * 1000)
    whole, tenth = divmod(tenths, 10)
    return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"


@dataclass(frozen=True)
class SatkerCompliance:
    client: str
    name: str
    staff: int
    took_part: Fraction  # mean over the counted platforms of (sudah + kurang) / staff

    @property
    def note(self) -> str:
        if self.staff == 0:
            return " (Belum ada personil terdaftar)"
        return " (Belum ada pelaksanaan)" if self.took_part == 0 else ""


def compliance(
    platforms: Sequence[Sequence[Attendance]],
    satkers: Iterable[str],
    client_names: Mapping[str, str],
    directorate: str,
) -> tuple[SatkerCompliance, ...]:
    """Each satker's compliance over `platforms` (one attendance list per platform with posts).
    `satkers` are the linked satkers; one with nobody counted is listed at 0 %."""
    clients = list(dict.fromkeys(satkers))
    clients += [a.client for people in platforms for a in people if a.client not in clients]
    out = []
    for client in dict.fromkeys(c for c in clients if c != directorate):
        shares, staff = [], 0
        for people in platforms:
            members = [a for a in people if a.client == client]
            staff = max(staff, len(members))
            took = sum(a.status in (Status.SUDAH, Status.KURANG) for a in members)
            shares.append(Fraction(took, len(members)) if members else Fraction(0))
        value = sum(shares, Fraction(0)) / len(shares) if shares else Fraction(0)
        out.append(SatkerCompliance(client, client_names.get(client, client), staff, value))
    return tuple(out)


@dataclass(frozen=True)
class Letter:
    """The configured parts: header lines (addressee, sender, copies) and the invite link of
    the group where operators follow Cicero's instructions."""

    header: tuple[str, ...] = ()
    invite_link: str = ""
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class KasatkerReport:
    name: str  # the directorate's `{NAMA}`
    at: datetime
    platforms: tuple[Platform, ...]  # those with posts today, whose attendance was counted
    satkers: tuple[SatkerCompliance, ...]
    letter: Letter = field(default_factory=Letter)
    period: str = ""  # a menu's period in words (periods.DateRange.label); "" is today


_BAND_TITLE = {b: f"*KEPATUHAN {b}*" for b in Band}


def _criteria(t: Thresholds) -> list[str]:
    below_aktif = percent_label(t.aktif - Fraction(1, 1000))
    return [
        "*KRITERIA KEPATUHAN* - Persentase personel yang melaksanakan tugas _Likes_ dan _Komentar_",
        "",
        f"• *AKTIF* : Personil yang sudah melaksanakan ≥ {percent_label(t.aktif)}",
        f"• *SEDANG* : Personil yang sudah melaksanakan {percent_label(t.sedang)} - {below_aktif}",
        f"• *RENDAH* : Personil yang sudah melaksanakan < {percent_label(t.sedang)}",
    ]


def _sections(r: KasatkerReport) -> list[str]:
    banded: dict[Band, list[SatkerCompliance]] = {b: [] for b in Band}
    for s in r.satkers:
        banded[band(s.took_part, r.letter.thresholds)].append(s)
    lines = []
    for b, members in banded.items():
        members.sort(key=lambda s: (-s.took_part, s.name.upper(), s.client))
        lines += ["", f"{_BAND_TITLE[b]} ({len(members)} Satker)"]
        lines += dash_list(
            f"{i}. {s.name} : {percent_label(s.took_part)}{s.note}"
            for i, s in enumerate(members, start=1)
        )
    return lines


def _follow_up(r: KasatkerReport) -> list[str]:
    where = f"grup WhatsApp manajemen sosial media {r.name}"
    if r.letter.invite_link:
        where += f", tautan: {r.letter.invite_link}"
    return [
        "",
        "*ARAHAN TINDAK LANJUT*",
        "✅ Kepada Kasat Binmas dengan kategori Aktif.",
        "Disampaikan terima kasih dan apresiasi atas kinerja yang konsisten dalam memastikan "
        "seluruh personel melaksanakan tugas likes dan komentar. Diharapkan tingkat kepatuhan "
        "tersebut dipertahankan dan menjadi contoh bagi satuan lainnya.",
        "",
        "⚠️ Kepada Kasat Binmas dengan kategori Rendah.",
        "Diharapkan segera melakukan langkah-langkah perbaikan sebagai berikut:",
        f"- Meminta operator atau staf pengelola media sosial aktif mengikuti arahan sistem "
        f"Cicero melalui {where}",
        "- Menginstruksikan operator agar setiap hari membagikan daftar konten yang wajib di-like "
        "dan di-comment oleh jajaran Binmas.",
        "- Mendorong seluruh staf Binmas dan personel Bhabinkamtibmas untuk aktif memberi like "
        f"dan komentar pada setiap konten resmi {r.name}.",
        "",
        "Terima kasih atas perhatian dan kerja samanya.",
    ]


def render(r: KasatkerReport) -> str:
    if not r.platforms:
        when = f"pada periode {r.period}" if r.period else "hari ini"
        return (
            f"Tidak ada konten Instagram maupun TikTok pada akun official {r.name} {when}; "
            "laporan kepatuhan Kasatker tidak disusun."
        )
    if not r.satkers:
        return f"Tidak ada satker {r.name} untuk laporan kepatuhan Kasatker."
    lines = [*r.letter.header, ""] if r.letter.header else []
    lines += [
        "*Laporan kepatuhan pelaksanaan _Likes_ dan _Komentar_ Media Sosial.*",
        f"Periode: {r.period} (data per {hari(r.at)}, {tgl_panjang(r.at)}, pukul {jam(r.at)} WIB)."
        if r.period
        else f"Periode {hari(r.at)}, {tgl_panjang(r.at)}, pukul {jam(r.at)} WIB.",
        "",
        "Dalam rangka monitoring kepatuhan pelaksanaan tugas likes dan komentar terhadap konten "
        f"akun resmi {r.name} melalui aplikasi Cicero, berikut disampaikan hasil rekapitulasi "
        "tingkat kepatuhan personel per Polres.",
    ]
    if len(r.platforms) == 1:
        only = "Instagram (likes)" if r.platforms[0] is Platform.INSTAGRAM else "TikTok (komentar)"
        when = "Pada periode ini" if r.period else "Hari ini"
        lines.append(f"{when} hanya ada konten {only}; kepatuhan dihitung dari platform itu saja.")
    lines += ["", *_criteria(r.letter.thresholds), "", "*REKAP KEPATUHAN PER KATEGORI*"]
    lines += _sections(r)
    lines += _follow_up(r)
    return "\n".join(lines)

"""Staff fields people may type, with every validation rule of menus.md §4.

Each parser returns the stored value or a `Rejected` with the short Indonesian reason.
Uniqueness (usernames, WhatsApp numbers) is not knowable here: `uniqueness_query` names the
`Lookup` the machine must ask before saving; the unique indexes stay the last guard.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import assert_never

from cicero.domain.menus.model import (
    Context,
    FindHandleOwner,
    FindPhoneOwner,
    Query,
    StaffView,
    UpdateStaff,
)
from cicero.domain.people.phones import JidError, normalize_phone
from cicero.domain.people.usernames import (
    REASON_TEXT,
    RESERVED,
    Invalid,
    Platform,
    Reason,
    parse_username,
)
from cicero.domain.text import numbers

NRP_MIN, NRP_MAX = 6, 18
TEXT_MAX = 100


class Field(StrEnum):
    NAME = "name"
    RANK = "rank"
    UNIT = "unit"
    POSITION = "position"
    VILLAGE = "village"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    WHATSAPP = "whatsapp"


LABEL = {
    Field.NAME: "Nama",
    Field.RANK: "Pangkat",
    Field.UNIT: "Satfung",
    Field.POSITION: "Jabatan",
    Field.VILLAGE: "Desa Binaan",
    Field.INSTAGRAM: "Instagram",
    Field.TIKTOK: "TikTok",
    Field.WHATSAPP: "WhatsApp",
}


@dataclass(frozen=True)
class Rejected:
    reason: str


def parse_nrp(text: str) -> str | Rejected:
    """Digits kept (`8905-0123` → `89050123`); 6–18 of them."""
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    if not digits:
        return Rejected("❌ NRP/NIP harus berupa angka.")
    if not NRP_MIN <= len(digits) <= NRP_MAX:
        return Rejected(f"❌ NRP/NIP harus {NRP_MIN}-{NRP_MAX} digit.")
    return digits


def parse_text(text: str, label: str) -> str | Rejected:
    value = " ".join(text.split()).upper()
    if not value:
        return Rejected(f"❌ {label} tidak boleh kosong.")
    if len(value) > TEXT_MAX:
        return Rejected(f"❌ {label} maksimal {TEXT_MAX} karakter.")
    if any(unicodedata.category(c) == "Cc" for c in value):
        # control characters: invisible in a card, refused by Excel files and XML
        return Rejected(f"❌ {label} memuat karakter kontrol yang tidak diizinkan.")
    return value


def numbered(options: tuple[str, ...]) -> str:
    return "\n".join(f"{i}. {o}" for i, o in enumerate(options, 1))


def parse_choice(text: str, options: tuple[str, ...], label: str) -> str | Rejected:
    """A list number or the exact label (case and spacing aside)."""
    t = " ".join(text.split())
    n = numbers.choice(t, len(options))
    if n is not None:
        return options[n - 1]
    for o in options:
        if t.upper() == o.upper():
            return o
    return Rejected(
        f"❌ {label} tidak valid! Pilih nomor atau ketik sesuai daftar:\n{numbered(options)}"
    )


def parse_handle(text: str, platform: Platform, reserved: frozenset[str]) -> str | Rejected:
    label = LABEL[Field(platform.value)]
    got = parse_username(text, platform)
    if isinstance(got, Invalid):
        if got.reason is Reason.RESERVED:
            return Rejected(
                f"❌ Username tersebut milik Super Admin dan tidak dapat digunakan untuk {label}."
            )
        return Rejected(f"❌ Username {label} tidak valid: {REASON_TEXT[got.reason]}.")
    if got in reserved or got in RESERVED:
        return Rejected(
            f"❌ Username tersebut milik Super Admin dan tidak dapat digunakan untuk {label}."
        )
    return got


def parse_whatsapp(text: str) -> str | Rejected:
    try:
        return normalize_phone(text)
    except JidError:
        return Rejected("❌ Nomor WhatsApp tidak valid. Contoh: 081234567890.")


def units_for(staff: StaffView, ctx: Context) -> tuple[str, ...]:
    base = staff.units or next((c.units for c in ctx.clients if c.client_id == staff.client_id), ())
    return tuple(dict.fromkeys((*base, *ctx.config.extra_units)))


def prompt(field: Field, staff: StaffView, ctx: Context) -> str:
    match field:
        case Field.RANK:
            return f"Pilih *Pangkat* (nomor atau nama):\n{numbered(ctx.config.ranks)}"
        case Field.UNIT:
            return f"Pilih *Satfung* (nomor atau nama):\n{numbered(units_for(staff, ctx))}"
        case Field.INSTAGRAM:
            return "Ketik username atau tautan profil *Instagram* Anda (contoh: @nama.akun)."
        case Field.TIKTOK:
            return "Ketik username atau tautan profil *TikTok* (contoh: @nama.akun)."
        case Field.WHATSAPP:
            return "Ketik nomor *WhatsApp* baru (contoh: 081234567890)."
    return f"Ketik *{LABEL[field]}* baru:"


def parse(field: Field, text: str, staff: StaffView, ctx: Context) -> str | Rejected:
    match field:
        case Field.RANK:
            return parse_choice(text, ctx.config.ranks, "Pangkat")
        case Field.UNIT:
            return parse_choice(text, units_for(staff, ctx), "Satfung")
        case Field.INSTAGRAM:
            return parse_handle(text, Platform.INSTAGRAM, ctx.config.reserved_names)
        case Field.TIKTOK:
            return parse_handle(text, Platform.TIKTOK, ctx.config.reserved_names)
        case Field.WHATSAPP:
            return parse_whatsapp(text)
    return parse_text(text, LABEL[field])


def uniqueness_query(field: Field, value: str, staff: StaffView) -> Query | None:
    """The lookup to ask before saving, or None when the value cannot collide."""
    if getattr(staff, field.value, None) == value:
        return None  # unchanged: already ours
    if field in (Field.INSTAGRAM, Field.TIKTOK):
        return FindHandleOwner(field.value, value)
    if field is Field.WHATSAPP:
        return FindPhoneOwner(value)
    return None


def taken_text(field: Field, value: str) -> str:
    if field is Field.WHATSAPP:
        return f"❌ Nomor *{value}* sudah terhubung dengan NRP/NIP lain. Ketik nomor lain."
    shown = f"@{value}"
    return f"❌ Username *{shown}* sudah terdaftar pada pengguna lain. Ketik username lain."


def save(staff: StaffView, field: Field, value: str | None) -> tuple[StaffView, UpdateStaff, str]:
    """The updated view, the write, and the success line."""
    label = LABEL[field]
    shown = value if value is not None else "-"
    text = f"✅ Data *{label}* untuk NRP {staff.nrp} berhasil diupdate menjadi *{shown}*."
    return _with(staff, field, value), UpdateStaff(staff.nrp, field.value, value), text


def _with(staff: StaffView, field: Field, value: str | None) -> StaffView:
    """`staff` with `field` set to `value`; only the contact fields can be cleared."""
    match field:
        case Field.INSTAGRAM:
            return replace(staff, instagram=value)
        case Field.TIKTOK:
            return replace(staff, tiktok=value)
        case Field.WHATSAPP:
            return replace(staff, whatsapp=value)
    if value is None:
        raise ValueError(f"{field} cannot be cleared")
    match field:
        case Field.NAME:
            return replace(staff, name=value)
        case Field.RANK:
            return replace(staff, rank=value)
        case Field.UNIT:
            return replace(staff, unit=value)
        case Field.POSITION:
            return replace(staff, position=value)
        case Field.VILLAGE:
            return replace(staff, village=value)
    assert_never(field)


_SPACE = re.compile(r"\s+")


def word(text: str) -> str:
    """A reply reduced for keyword matching: lowercased, spaces collapsed, ends trimmed."""
    return _SPACE.sub(" ", text).strip().lower()


YES = frozenset({"ya", "y", "iya", "yes", "ok", "oke", "benar"})
NO = frozenset({"tidak", "tdk", "t", "no", "n", "bukan", "salah"})

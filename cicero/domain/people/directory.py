"""The staff directory's rules (api.md §3 `/personil`, `/api/users…`), pure.

An edit from the dashboard is read field by field with the WhatsApp menus' own validators
(cicero.domain.menus.fields: menus.md §4 and the canonical usernames of data.md §3.5), so a
value the operator menu refuses is refused here with the same reason. Besides: which roles a
dashboard account may give or take, the directory's query words, the version a request
names in `If-Match`, and a unit's completeness.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from cicero.domain.auth.access import Who
from cicero.domain.menus import fields
from cicero.domain.menus.fields import Field, Rejected
from cicero.domain.menus.model import Context, StaffView

# The request's names (the app's A2 names, which the directory's items carry) → the menus' fields.
TEXT_FIELDS: Mapping[str, Field] = {
    "nama": Field.NAME,
    "title": Field.RANK,
    "divisi": Field.UNIT,
    "jabatan": Field.POSITION,
    "desa": Field.VILLAGE,
    "insta": Field.INSTAGRAM,
    "tiktok": Field.TIKTOK,
    "whatsapp": Field.WHATSAPP,
}
# Fields an empty value clears (the menus' "Hapus WhatsApp"; a wrong handle or village).
CLEARABLE = frozenset({Field.INSTAGRAM, Field.TIKTOK, Field.WHATSAPP, Field.VILLAGE})
FLAGS: Mapping[str, str] = {"status": "active", "exception": "exception"}
HANDLES = (Field.INSTAGRAM, Field.TIKTOK)

SEARCH_MAX = 100  # characters of `q`
PER_PAGE, PER_PAGE_MAX = 50, 500
PAGE_MAX = 100_000


@dataclass(frozen=True)
class Edit:
    """Staff columns and their new values (only what the request names)."""

    values: Mapping[str, str | bool | None]

    @property
    def deactivates(self) -> bool:
        return self.values.get("active") is False


@dataclass(frozen=True)
class Problems:
    """Request name → the reason it is refused (Indonesian, one line)."""

    fields: Mapping[str, str]


def web_reason(rejected: Rejected) -> str:
    """A menu's refusal as one line for a form: no emoji, no WhatsApp list after it.
    `❌ Pangkat tidak valid! Pilih nomor…\\n1. KBP…` → `Pangkat tidak valid.`"""
    line = rejected.reason.removeprefix("❌").strip().split("\n", 1)[0]
    line = line.split("! ", 1)[0].rstrip("!:. ")
    return f"{line}."


def read_edit(
    body: Mapping[str, Any], staff: StaffView, ctx: Context, reserved_phones: frozenset[str]
) -> Edit | Problems:
    """The body's fields through the menus' validators. Text fields are strings (an empty one
    clears where the menus can clear), `status` and `exception` booleans; `reserved_phones`
    (the client's operator and super admin numbers) cannot be a member's WhatsApp."""
    values: dict[str, str | bool | None] = {}
    problems: dict[str, str] = {}
    for name, raw in body.items():
        if name in FLAGS:
            if not isinstance(raw, bool):
                problems[name] = "harus true atau false"
            else:
                values[FLAGS[name]] = raw
            continue
        field = TEXT_FIELDS.get(name)
        if field is None:
            continue  # the caller's own words (reason): the body's schema refused strangers
        if not isinstance(raw, str):
            problems[name] = "harus berupa teks"
            continue
        if not raw.strip() and field in CLEARABLE:
            values[field.value] = None
            continue
        parsed = fields.parse(field, raw, staff, ctx)
        if isinstance(parsed, Rejected):
            problems[name] = web_reason(parsed)
        elif field is Field.WHATSAPP and parsed in reserved_phones:
            problems[name] = "Nomor operator satker tidak boleh dipakai untuk personil."
        else:
            values[field.value] = parsed
    if problems:
        return Problems(problems)
    return Edit(values)


def request_name(column: str) -> str:
    """The request's name of a staff column (for a refusal naming the field)."""
    for name, field in TEXT_FIELDS.items():
        if field.value == column:
            return name
    return next((n for n, c in FLAGS.items() if c == column), column)


# ---------------------------------------------------------------- versions


_VERSION = re.compile(r'(?:W/)?"?([0-9]{1,18})"?')


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(header: str | None) -> int | None:
    """The version an `If-Match` header names (`"7"` or `7`); None when absent or not one."""
    if header is None:
        return None
    found = _VERSION.fullmatch(header.strip())
    return int(found.group(1)) if found else None


# ---------------------------------------------------------------- roles


def grantable_roles(
    who: Who, account_role: str, linked_directorates: frozenset[str], known: frozenset[str]
) -> frozenset[str]:
    """The roles a dashboard account may give or take on one person: an admin any; an operator
    `operator` and the roles of the directorates its satker is linked to; a directorate its
    own role."""
    if who is Who.ADMIN:
        return known
    if who is Who.OPERATOR:
        return (frozenset({"operator"}) | {d.lower() for d in linked_directorates}) & known
    if who is Who.DIRECTORATE:
        return frozenset({account_role}) & known
    return frozenset()


def check_roles(
    current: frozenset[str], wanted: frozenset[str], grantable: frozenset[str],
    known: frozenset[str],
) -> str | None:  # fmt: skip
    """Why `wanted` cannot replace `current`, or None."""
    unknown = sorted(wanted - known)
    if unknown:
        return f"Role tidak dikenal: {', '.join(unknown)}."
    touched = sorted((wanted ^ current) - grantable)
    if touched:
        return f"Akun Anda tidak dapat mengubah role {', '.join(touched)}."
    return None


# ---------------------------------------------------------------- the directory's query


class Missing(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    USERNAME = "username"  # either handle
    WHATSAPP = "whatsapp"


class Active(StrEnum):
    YES = "true"
    NO = "false"
    ALL = "all"


@dataclass(frozen=True)
class Query:
    q: str = ""
    unit: str = ""
    active: Active = Active.YES
    missing: Missing | None = None
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def read_query(args: Mapping[str, str]) -> Query | Problems:
    """The directory's query words (api.md §3, §5 pagination); anything out of range is named."""
    problems: dict[str, str] = {}
    q = " ".join(printable(args.get("q", "")).split())
    if len(q) > SEARCH_MAX:
        problems["q"] = f"maksimal {SEARCH_MAX} karakter"
    unit = " ".join(printable(args.get("unit", "")).split()).upper()
    if len(unit) > fields.TEXT_MAX:
        problems["unit"] = f"maksimal {fields.TEXT_MAX} karakter"
    try:
        active = Active(args.get("active") or Active.YES)
    except ValueError:
        problems["active"] = "true, false atau all"
        active = Active.YES
    missing = None
    if args.get("missing"):
        try:
            missing = Missing(args["missing"])
        except ValueError:
            problems["missing"] = "instagram, tiktok, username atau whatsapp"
    page = _number(args.get("page"), 1, PAGE_MAX, "page", problems)
    per_page = _number(args.get("per_page"), PER_PAGE, PER_PAGE_MAX, "per_page", problems)
    if problems:
        return Problems(problems)
    return Query(q, unit, active, missing, page, per_page)


def _number(raw: str | None, default: int, top: int, name: str, problems: dict[str, str]) -> int:
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= top):
        problems[name] = f"bilangan 1–{top}"
        return default
    return int(raw)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """`text` without control characters (a NUL cannot even reach PostgreSQL)."""
    return _CONTROL.sub("", text)


def like_pattern(q: str) -> str:
    """`q` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---------------------------------------------------------------- completeness


@dataclass(frozen=True)
class UnitCompleteness:
    """Active staff of one unit of one client and how many have each piece of data."""

    client_id: str
    client_name: str
    unit: str
    staff: int
    instagram: int
    tiktok: int
    whatsapp: int
    complete: int  # both handles and a bound number

    @property
    def ratio(self) -> Fraction:
        return Fraction(self.complete, self.staff) if self.staff else Fraction(1)

    @property
    def percent(self) -> int:
        """Rounded down: 99 % until the last person is complete."""
        return int(self.ratio * 100)

    def as_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id, "client_name": self.client_name, "unit": self.unit,
            "staff": self.staff, "instagram": self.instagram, "tiktok": self.tiktok,
            "whatsapp": self.whatsapp, "complete": self.complete, "percent": self.percent,
        }  # fmt: skip

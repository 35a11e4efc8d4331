"""Bulk deactivation requests (menus.md §3.4 item 1.5): the template, and what to do per entry.

The template is "Permohonan Penghapusan Data Personil – <SATKER>" followed by lines
"N. NAMA – NRP – alasan" (any dash; a bare 6+-digit number is taken as the NRP), deduplicated
by NRP. Lines the bot itself wrote (its summaries, pasted back) are ignored. Per entry: one
role → that role is dropped, and with none left the person is inactive and unbound; several
roles → the admin picks which one goes. Pure: the menu machine asks the staff rows, this
module decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cicero.domain.menus.model import DropStaffRole, Effect, SetStaffActive, StaffView, UpdateStaff

_HEADER = re.compile(r"^\s*\W*\s*permohonan\s+penghapusan\s+data\s+personil\b(.*)$", re.I)
_DASHES = re.compile(r"\s*[-–—−‒―]+\s*")
_MARKER = re.compile(r"^\s*(?:\d{1,4}\s*[.)]|[•●*])\s*")
_NRP = re.compile(r"(?<!\d)\d{6,18}(?!\d)")
# Lines of the bot's own messages (summaries, previews) pasted back with the request.
_BOT_LINE = re.compile(r"^\s*(?:[✅❌⚠️📋🔎ℹ️⏳]|ringkasan\b|balas\b)", re.I)
MAX_ENTRIES = 200


@dataclass(frozen=True)
class Entry:
    nrp: str
    name: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Request:
    satker: str  # as written after the title, upper case ("" if none)
    entries: tuple[Entry, ...]


def is_request(text: str) -> bool:
    return any(_HEADER.match(line) for line in text.splitlines())


def parse(text: str) -> Request | None:
    """The request in `text`, or None when it has no template title."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _HEADER.match(line)), None)
    if start is None:
        return None
    title = _HEADER.match(lines[start])
    satker = _DASHES.sub(" ", title.group(1) if title else "").strip(" :").upper()
    entries: dict[str, Entry] = {}
    for line in lines[start + 1 :]:
        entry = _entry(line)
        if entry is not None and entry.nrp not in entries and len(entries) < MAX_ENTRIES:
            entries[entry.nrp] = entry
    return Request(" ".join(satker.split())[:60], tuple(entries.values()))


def _entry(line: str) -> Entry | None:
    if not line.strip() or _BOT_LINE.match(line):
        return None
    body = _MARKER.sub("", line.strip())
    parts = [p.strip() for p in _DASHES.split(body) if p.strip()]
    for i, part in enumerate(parts):
        digits = part.replace(" ", "").replace(".", "")
        if digits.isascii() and digits.isdigit() and 6 <= len(digits) <= 18:
            return Entry(
                digits, " ".join(parts[:i]).upper()[:100], " - ".join(parts[i + 1 :])[:200]
            )
    found = _NRP.search(body)
    return Entry(found.group()) if found else None


@dataclass(frozen=True)
class Checked:
    """An entry against the stored staff row: `problem` is why it cannot be processed."""

    entry: Entry
    staff: StaffView | None
    problem: str = ""

    @property
    def roles(self) -> tuple[str, ...]:
        return self.staff.roles if self.staff else ()


def check(
    req: Request, found: dict[str, StaffView], in_scope: set[str] | None
) -> tuple[Checked, ...]:
    """Each entry with its staff row; `in_scope` (client ids; None = all) rejects the rest,
    and so does a satker named in the title that the row does not belong to."""
    out = []
    for e in req.entries:
        s = found.get(e.nrp)
        if s is None:
            out.append(Checked(e, None, "NRP/NIP tidak ditemukan"))
        elif in_scope is not None and s.client_id not in in_scope:
            out.append(Checked(e, s, "di luar cakupan Anda"))
        elif req.satker and not _names(req.satker, s):
            out.append(Checked(e, s, f"bukan personil {req.satker}"))
        elif not s.active:
            out.append(Checked(e, s, "sudah nonaktif"))
        elif not s.roles:
            out.append(Checked(e, s, "tidak memiliki role"))
        else:
            out.append(Checked(e, s))
    return tuple(out)


def _names(satker: str, s: StaffView) -> bool:
    """Whether the title's satker is the row's client (by id or name, either way round)."""
    words = satker.replace("_", " ")
    name = s.client_name.upper()
    return s.client_id.replace("_", " ") in words or (
        bool(name) and (name in words or words in name)
    )


def drop(staff: StaffView, role: str, reason: str = "") -> tuple[list[Effect], str]:
    """Drop one role; with none left the person is also made inactive and unbound. `reason`
    (the request's "alasan") goes with each change into the audit log."""
    effects: list[Effect] = [DropStaffRole(staff.nrp, role, reason)]
    if set(staff.roles) <= {role}:
        effects += [SetStaffActive(staff.nrp, False, reason),
                    UpdateStaff(staff.nrp, "whatsapp", None, reason)]  # fmt: skip
        return effects, f"{staff.name} – {staff.nrp}: dinonaktifkan, nomor WhatsApp dilepas"
    return effects, f"{staff.name} – {staff.nrp}: role *{role}* dilepas"

"""Staff import rules (data.md §5): header mapping, cell cleaning, validation, the plan.

Pure: the caller reads the sheet and the stored staff, this module decides what
each row means (new / changed / unchanged / error, with field diffs and warnings).
Rows are spreadsheet rows: the header is row 1. Empty cells never erase a value;
staff absent from the file stay as they are (V2 overwrote every column).
The header/cell primitives here are shared with `client_import`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import ParamSpec, Protocol, TypeVar

from cicero.domain.attendance.ordering import DEFAULT_RANK_TABLE, RankTable
from cicero.domain.people.phones import JidError, normalize_phone, split_values
from cicero.domain.people.usernames import REASON_TEXT, Invalid, Platform, parse_username

Cell = str | int | float | bool | date | datetime | None
_T = TypeVar("_T")
_P = ParamSpec("_P")  # the arguments of a parser wrapped by a row's error collector

MAX_ROWS = 10_000
HEADER_ROW = 1

# ---------------------------------------------------------------- sheets and headers


@dataclass(frozen=True)
class Sheet:
    header: tuple[Cell, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]  # (spreadsheet row number, cells)


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]  # accepted header spellings, compared case-insensitively
    required: bool = False


@dataclass(frozen=True)
class Issue:
    row: int
    message: str


def header_key(cell: Cell) -> str:
    """`No. WA`, `no_wa`, ` NO  WA ` → `NO WA`."""
    return " ".join(re.sub(r"[_./\-]+", " ", text(cell)).upper().split())


def map_header(
    header: Sequence[Cell], columns: Sequence[Column]
) -> tuple[dict[str, int], list[Issue]]:
    """Column key → index; a missing required column or a column given twice is a file error."""
    spelled = {header_key(a): c.key for c in columns for a in (c.key, *c.aliases)}
    found: dict[str, int] = {}
    problems: list[Issue] = []
    for i, cell in enumerate(header):
        key = spelled.get(header_key(cell))
        if key is None:
            continue
        if key in found:
            problems.append(
                Issue(
                    HEADER_ROW,
                    f"kolom {key} muncul dua kali (kolom ke-{found[key] + 1} dan ke-{i + 1})",
                )
            )
        found.setdefault(key, i)
    missing = [c.key for c in columns if c.required and c.key not in found]
    if missing:
        problems.append(Issue(HEADER_ROW, f"kolom wajib tidak ada: {', '.join(missing)}"))
    return found, problems


def text(cell: Cell) -> str:
    """A cell as trimmed text; whole floats lose their `.0` (Excel stores numbers as floats)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell).strip()


def collapse_upper(cell: Cell) -> str:
    return " ".join(text(cell).split()).upper()


def is_blank(cells: Sequence[Cell]) -> bool:
    return all(text(c) == "" for c in cells)


class CellError(ValueError):
    """A cell that cannot be used; the message names the column and the value."""


def formulas(cells: Sequence[Cell], columns: Mapping[str, int]) -> list[str]:
    """A refusal per mapped cell holding a formula (`=cmd|' /C calc'!A0`): read as what it
    is, never evaluated, never stored (it would go back out in an export)."""
    found = []
    for key, i in columns.items():
        value = cells[i] if i < len(cells) else None
        if isinstance(value, str) and value.lstrip().startswith("="):
            shown = value.strip()[:20] + ("…" if len(value.strip()) > 20 else "")
            found.append(f"{key} berisi rumus ({shown}); isi nilainya saja")
    return found


def handle(cell: Cell, platform: Platform, column: str) -> str | None:
    raw = text(cell)
    if not raw:
        return None
    name = parse_username(raw, platform)
    if isinstance(name, Invalid):
        raise CellError(
            f"{column} '{raw}' bukan username {LABEL[platform]} yang valid "
            f"({REASON_TEXT[name.reason]})"
        )
    return name


def phone(cell: Cell, column: str) -> str | None:
    raw = text(cell)
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except JidError:
        raise CellError(f"{column} '{raw}' bukan nomor telepon yang valid") from None


LABEL = {Platform.INSTAGRAM: "Instagram", Platform.TIKTOK: "TikTok"}

_TRUE = frozenset({"AKTIF", "TRUE", "1", "YA", "Y", "YES"})
_FALSE = frozenset({"NONAKTIF", "TIDAK AKTIF", "FALSE", "0", "TIDAK", "T", "N", "NO"})


def flag(cell: Cell, column: str) -> bool | None:
    raw = collapse_upper(cell)
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(f"{column} '{text(cell)}' bukan AKTIF/NONAKTIF, true/false atau 1/0")


# ---------------------------------------------------------------- staff columns and records

STAFF_COLUMNS = (
    Column("NRP", ("NIP", "NRP NIP", "NRP/NIP"), required=True),
    Column("NAMA", ("NAME", "NAMA LENGKAP"), required=True),
    Column("PANGKAT", ("RANK", "PANGKAT GOLONGAN"), required=True),
    Column("SATFUNG", ("DIVISI", "UNIT", "SATKER SATFUNG"), required=True),
    Column("JABATAN", ("POSITION",)),
    Column("INSTAGRAM", ("IG", "USERNAME INSTAGRAM")),
    Column("TIKTOK", ("TT", "USERNAME TIKTOK")),
    Column("WHATSAPP", ("WA", "NO WA", "NO HP", "HP", "TELEPON")),
    Column("EMAIL", ("E MAIL", "SUREL")),
    Column("STATUS", ("AKTIF", "ACTIVE")),
    Column("EXCEPTION", ("PENGECUALIAN", "KHUSUS")),
    Column("ROLES", ("ROLE", "PERAN")),
)
# Fields compared and written, in the order diffs are shown.
STAFF_FIELDS = ("name", "rank", "unit", "position", "instagram", "tiktok", "whatsapp", "email",
                "active", "exception")  # fmt: skip
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NRP_NOISE = re.compile(r"[\s.]")


@dataclass(frozen=True)
class StaffRecord:
    """A person as a row gives it: None = the cell was empty (keep the stored value)."""

    nrp: str
    name: str | None = None
    rank: str | None = None
    unit: str | None = None
    position: str | None = None
    instagram: str | None = None
    tiktok: str | None = None
    whatsapp: str | None = None
    email: str | None = None
    active: bool | None = None
    exception: bool | None = None
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StoredStaff:
    record: StaffRecord  # every field filled as stored
    client_id: str
    unit: str  # for clash messages: the holder's unit, never the person


def parse_nrp(cell: Cell) -> tuple[str, str | None]:
    """(nrp, warning). A numeric cell under 8 digits lost its leading zeros: pad it."""
    raw = text(cell)
    nrp = _NRP_NOISE.sub("", raw)
    if not nrp.isascii() or not nrp.isdigit() or not 6 <= len(nrp) <= 18:
        raise CellError(f"NRP '{raw}' harus 6–18 digit angka")
    if isinstance(cell, int | float) and not isinstance(cell, bool) and len(nrp) < 8:
        padded = nrp.zfill(8)
        return padded, f"NRP {raw} tersimpan sebagai angka; dibaca {padded}"
    return nrp, None


def parse_staff_row(
    cells: Sequence[Cell], columns: Mapping[str, int], known_roles: frozenset[str],
    ranks: RankTable = DEFAULT_RANK_TABLE,
) -> tuple[StaffRecord, list[str]]:  # fmt: skip
    """One row → (record, warnings); raises CellError listing every problem of the row."""

    def cell(key: str) -> Cell:
        i = columns.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    errors: list[str] = formulas(cells, columns)
    if errors:
        raise CellError("; ".join(errors))
    warnings: list[str] = []

    def attempt(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T | None:
        try:
            return fn(*args, **kwargs)
        except CellError as e:
            errors.append(str(e))
            return None

    nrp_warning = attempt(parse_nrp, cell("NRP"))
    nrp, warning = nrp_warning if nrp_warning else ("", None)
    if warning:
        warnings.append(warning)

    def required(key: str) -> str | None:
        value = collapse_upper(cell(key)) or None
        if value is None:
            errors.append(f"{key} kosong")
        return value

    name, rank, unit = required("NAMA"), required("PANGKAT"), required("SATFUNG")
    if rank and ranks.index(rank) == len(ranks.ranks):
        warnings.append(f"pangkat '{rank}' tidak dikenal (diurutkan terakhir)")
    position = collapse_upper(cell("JABATAN")) or None
    instagram = attempt(handle, cell("INSTAGRAM"), Platform.INSTAGRAM, "INSTAGRAM")
    tiktok = attempt(handle, cell("TIKTOK"), Platform.TIKTOK, "TIKTOK")
    whatsapp = attempt(phone, cell("WHATSAPP"), "WHATSAPP")
    email = text(cell("EMAIL")).lower() or None
    if email is not None and not _EMAIL.fullmatch(email):
        errors.append(f"EMAIL '{email}' bukan alamat e-mail")
    active = attempt(flag, cell("STATUS"), "STATUS")
    exception = attempt(flag, cell("EXCEPTION"), "EXCEPTION")
    roles = frozenset(r.lower() for r in split_values(text(cell("ROLES"))))
    unknown = sorted(roles - known_roles)
    if unknown:
        errors.append(f"ROLES: role tidak dikenal: {', '.join(unknown)}")
    if errors:
        raise CellError("; ".join(errors))
    record = StaffRecord(
        nrp=nrp, name=name, rank=rank, unit=unit, position=position, instagram=instagram,
        tiktok=tiktok, whatsapp=whatsapp, email=email, active=active, exception=exception,
        roles=roles,
    )  # fmt: skip
    return record, warnings


# ---------------------------------------------------------------- the plan


class Action(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class PlanRow:
    row: int
    nrp: str | None
    action: Action
    record: StaffRecord | None = None  # what to write: the stored person with the row applied
    changes: tuple[Change, ...] = ()
    new_roles: frozenset[str] = frozenset()
    messages: tuple[str, ...] = ()  # the errors of an error row, else warnings


@dataclass(frozen=True)
class Plan:
    rows: tuple[PlanRow, ...]
    file_errors: tuple[Issue, ...] = ()

    def count(self, action: Action) -> int:
        return sum(r.action is action for r in self.rows)

    @property
    def warnings(self) -> int:
        return sum(len(r.messages) for r in self.rows if r.action is not Action.ERROR)

    @property
    def to_write(self) -> tuple[PlanRow, ...]:
        return tuple(r for r in self.rows if r.action in (Action.NEW, Action.CHANGED))


@dataclass(frozen=True)
class StaffContext:
    """What the stored data says, for one client's import."""

    client_id: str
    default_role: str  # `operator`, or the directorate's role for a directorate client
    known_roles: frozenset[str]
    stored: Mapping[str, StoredStaff] = field(default_factory=dict)  # every client's, by nrp
    operator_wa: str | None = None


def plan_staff(sheet: Sheet, ctx: StaffContext, ranks: RankTable = DEFAULT_RANK_TABLE) -> Plan:
    columns, problems = map_header(sheet.header, STAFF_COLUMNS)
    if len(sheet.rows) > MAX_ROWS:
        problems.append(Issue(HEADER_ROW, too_many_rows()))
    if problems:
        return Plan((), tuple(problems))
    holders = _holders(ctx.stored.values())
    seen_nrp: dict[str, int] = {}
    seen_handle: dict[tuple[str, str], int] = {}
    seen_phone: dict[str, int] = {}
    out: list[PlanRow] = []
    for number, cells in sheet.rows:
        if is_blank(cells):
            continue
        try:
            record, warnings = parse_staff_row(cells, columns, ctx.known_roles, ranks)
        except CellError as e:
            out.append(
                PlanRow(number, _nrp_or_none(cells, columns), Action.ERROR, messages=(str(e),))
            )
            continue
        errors: list[str] = []
        if record.nrp in seen_nrp:
            errors.append(f"NRP {record.nrp} juga ada di baris {seen_nrp[record.nrp]}")
        seen_nrp.setdefault(record.nrp, number)
        stored = ctx.stored.get(record.nrp)
        if stored is not None and stored.client_id != ctx.client_id:
            errors.append(f"NRP {record.nrp} milik client {stored.client_id}; tidak dipindahkan")
        for column in ("instagram", "tiktok"):
            value = getattr(record, column)
            if value is None:
                continue
            holder = holders.get((column, value))
            if holder is not None and holder.record.nrp != record.nrp:
                errors.append(
                    f"{column.upper()} '{value}' dipakai personil aktif di {holder.unit} "
                    f"({holder.client_id})"
                )
            elif (column, value) in seen_handle:
                errors.append(
                    f"{column.upper()} '{value}' juga ada di baris {seen_handle[column, value]}"
                )
            seen_handle.setdefault((column, value), number)
        if errors:
            out.append(PlanRow(number, record.nrp, Action.ERROR, messages=tuple(errors)))
            continue
        record, dropped = _check_phone(record, ctx, holders, seen_phone, number)
        out.append(_diff(number, record, stored, ctx, (*warnings, *dropped)))
    return Plan(tuple(out))


def _holders(stored: Iterable[StoredStaff]) -> dict[tuple[str, str], StoredStaff]:
    """(field, value) → holder: handles of active staff, WhatsApp numbers of anyone."""
    out: dict[tuple[str, str], StoredStaff] = {}
    for s in stored:
        for column in ("instagram", "tiktok"):
            value = getattr(s.record, column)
            if value is not None and s.record.active:
                out[column, value] = s
        if s.record.whatsapp is not None:
            out["whatsapp", s.record.whatsapp] = s
    return out


def _check_phone(
    record: StaffRecord, ctx: StaffContext, holders: Mapping[tuple[str, str], StoredStaff],
    seen: dict[str, int], number: int,
) -> tuple[StaffRecord, list[str]]:  # fmt: skip
    """A number duplicated in the file, held by another person or the operator's own is
    dropped with a warning (the rest of the row still applies)."""
    wa = record.whatsapp
    if wa is None:
        return record, []
    holder = holders.get(("whatsapp", wa))
    reason = None
    if wa == ctx.operator_wa:
        reason = "adalah nomor operator satker"
    elif holder is not None and holder.record.nrp != record.nrp:
        reason = f"milik personil lain ({holder.unit}, {holder.client_id})"
    elif wa in seen:
        reason = f"juga ada di baris {seen[wa]}"
    seen.setdefault(wa, number)
    if reason is None:
        return record, []
    return replace(record, whatsapp=None), [f"WHATSAPP {wa} {reason}: tidak disimpan"]


def _diff(
    number: int, row: StaffRecord, stored: StoredStaff | None, ctx: StaffContext,
    warnings: Sequence[str],
) -> PlanRow:  # fmt: skip
    if stored is None:
        record = replace(
            row,
            position=row.position or "",
            active=True if row.active is None else row.active,
            exception=bool(row.exception),
            roles=row.roles or frozenset({ctx.default_role}),
        )
        return PlanRow(number, row.nrp, Action.NEW, record, (), record.roles, tuple(warnings))
    old = stored.record
    given = {f: getattr(row, f) for f in STAFF_FIELDS if getattr(row, f) is not None}
    changes = tuple(Change(f, getattr(old, f), v) for f, v in given.items() if getattr(old, f) != v)
    new_roles = row.roles - old.roles
    record = replace(old, **given, roles=old.roles | row.roles)
    action = Action.CHANGED if changes or new_roles else Action.UNCHANGED
    return PlanRow(number, row.nrp, action, record, changes, new_roles, tuple(warnings))


def _nrp_or_none(cells: Sequence[Cell], columns: Mapping[str, int]) -> str | None:
    i = columns.get("NRP")
    value = text(cells[i]) if i is not None and i < len(cells) else ""
    return value or None


# ---------------------------------------------------------------- the preview


class ClientPlanLike(Protocol):
    def count(self, action: Action) -> int: ...


class ClientRowLike(Protocol):
    @property
    def row(self) -> int: ...
    @property
    def action(self) -> Action: ...
    @property
    def changes(self) -> tuple[Change, ...]: ...
    @property
    def messages(self) -> tuple[str, ...]: ...


def show(value: object) -> str:
    if value is None or value == "":
        return "(kosong)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list | frozenset):
        return ", ".join(sorted(str(v) for v in value)) or "(kosong)"
    return str(value)


ACTION_LABEL = {Action.NEW: "baru", Action.CHANGED: "berubah", Action.UNCHANGED: "tetap",
                Action.ERROR: "ditolak"}  # fmt: skip
ADDED_LABEL = (("roles", "role"), ("directorates", "direktorat"))


def row_detail(r: PlanRow | ClientRowLike) -> str:
    """What a row does: its errors, `baru`, or each field's change (`rank BRIPDA → BRIPTU`)."""
    if r.action is Action.ERROR:
        return "; ".join(r.messages)
    if r.action is Action.NEW:
        return "personil baru" if isinstance(r, PlanRow) else "client baru"
    parts = [f"{c.field} {show(c.old)} → {show(c.new)}" for c in r.changes]
    for attr, word in ADDED_LABEL:
        added = getattr(r, f"new_{'links' if attr == 'directorates' else attr}", ())
        if added:
            parts.append(f"{word} +" + ", +".join(sorted(added)))
    return "; ".join(parts) or "tidak ada perubahan"


def describe_row(r: PlanRow | ClientRowLike, label: str | None) -> str:
    """One preview line: `baris     3  berubah    75020002: rank BRIPDA → BRIPTU; role +ditbinmas`."""
    who = label or "?"
    line = f"baris {r.row:>5}  {ACTION_LABEL[r.action]:<9}  {who}: {row_detail(r)}"
    notes = [] if r.action is Action.ERROR else list(r.messages)
    return "\n".join([line, *(f"{'':>11}  peringatan {m}" for m in notes)])


def counts_line(plan: Plan | ClientPlanLike) -> str:
    """`5 baru, 0 berubah, 0 tetap, 7 ditolak`."""
    return ", ".join(f"{plan.count(a)} {ACTION_LABEL[a]}" for a in Action)


def too_many_rows() -> str:
    return f"lebih dari {MAX_ROWS:,} baris; paling banyak {MAX_ROWS:,} per file".replace(",", ".")

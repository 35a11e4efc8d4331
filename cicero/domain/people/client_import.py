"""Client import rules (issue 6 item 2): `CLIENT_ID, NAMA, TIPE` required, then
`INSTAGRAM, TIKTOK, GROUP, OPERATOR, SUPER, DIREKTORAT`. Same conventions as the
staff import: header = row 1, empty cells never erase, re-importing changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ParamSpec, TypeVar

from cicero.domain.people.phones import JidError, group_jid, split_values
from cicero.domain.people.staff_import import (
    HEADER_ROW,
    MAX_ROWS,
    Action,
    Cell,
    CellError,
    Change,
    Column,
    Issue,
    Sheet,
    collapse_upper,
    formulas,
    handle,
    is_blank,
    map_header,
    phone,
    text,
    too_many_rows,
)
from cicero.domain.people.usernames import Platform

CLIENT_COLUMNS = (
    Column("CLIENT_ID", ("ID", "CLIENT", "KODE"), required=True),
    Column("NAMA", ("NAME", "NAMA CLIENT"), required=True),
    Column("TIPE", ("TYPE", "JENIS"), required=True),
    Column("INSTAGRAM", ("IG",)),
    Column("TIKTOK", ("TT",)),
    Column("GROUP", ("GRUP", "GROUP JID", "GROUP_JID")),
    Column("OPERATOR", ("OPERATOR WA", "OPERATOR_WA")),
    Column("SUPER", ("SUPER WA", "SUPER_WA", "SUPER ADMIN")),
    Column("DIREKTORAT", ("DIRECTORATE", "DIREKTORAT INDUK")),
)
CLIENT_FIELDS = ("name", "type", "instagram", "tiktok", "group_jid", "operator_wa", "super_wa")
TYPES = {"ORG": "ORG", "DIREKTORAT": "DIREKTORAT", "DIRECTORATE": "DIREKTORAT"}
_CLIENT_ID = re.compile(r"[A-Z0-9_]+")
_T = TypeVar("_T")
_P = ParamSpec("_P")  # the arguments of a parser wrapped by a row's error collector


@dataclass(frozen=True)
class ClientRecord:
    client_id: str
    name: str | None = None
    type: str | None = None
    instagram: str | None = None
    tiktok: str | None = None
    group_jid: str | None = None
    operator_wa: str | None = None
    super_wa: tuple[str, ...] | None = None
    directorates: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClientRow:
    row: int
    client_id: str | None
    action: Action
    record: ClientRecord | None = None
    changes: tuple[Change, ...] = ()
    new_links: frozenset[str] = frozenset()  # directorates to link
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientPlan:
    rows: tuple[ClientRow, ...]
    file_errors: tuple[Issue, ...] = ()

    def count(self, action: Action) -> int:
        return sum(r.action is action for r in self.rows)

    @property
    def to_write(self) -> tuple[ClientRow, ...]:
        return tuple(r for r in self.rows if r.action in (Action.NEW, Action.CHANGED))


def parse_client_row(cells: Sequence[Cell], columns: Mapping[str, int]) -> ClientRecord:
    def cell(key: str) -> Cell:
        i = columns.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    errors: list[str] = formulas(cells, columns)
    if errors:
        raise CellError("; ".join(errors))

    def attempt(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T | None:
        try:
            return fn(*args, **kwargs)
        except CellError as e:
            errors.append(str(e))
            return None

    client_id = collapse_upper(cell("CLIENT_ID"))
    if not _CLIENT_ID.fullmatch(client_id):
        errors.append(f"CLIENT_ID '{text(cell('CLIENT_ID'))}' hanya boleh huruf, angka dan _")
    name = " ".join(text(cell("NAMA")).split()) or None
    if name is None:
        errors.append("NAMA kosong")
    kind = TYPES.get(collapse_upper(cell("TIPE")))
    if kind is None:
        errors.append(f"TIPE '{text(cell('TIPE'))}' harus ORG atau DIREKTORAT")
    group = None
    if text(cell("GROUP")):
        try:
            group = str(group_jid(text(cell("GROUP"))))
        except JidError as e:
            errors.append(f"GROUP: {e}")
    supers = None
    if text(cell("SUPER")):
        supers = tuple(dict.fromkeys(
            p for piece in split_values(text(cell("SUPER")))
            if (p := attempt(phone, piece, "SUPER")) is not None
        ))  # fmt: skip
    record = ClientRecord(
        client_id=client_id,
        name=name,
        type=kind,
        instagram=attempt(handle, cell("INSTAGRAM"), Platform.INSTAGRAM, "INSTAGRAM"),
        tiktok=attempt(handle, cell("TIKTOK"), Platform.TIKTOK, "TIKTOK"),
        group_jid=group,
        operator_wa=attempt(phone, cell("OPERATOR"), "OPERATOR"),
        super_wa=supers,
        directorates=frozenset(d.upper() for d in split_values(text(cell("DIREKTORAT")))),
    )
    if errors:
        raise CellError("; ".join(errors))
    return record


def plan_clients(
    sheet: Sheet,
    stored: Mapping[str, ClientRecord],  # every field filled as stored; links in directorates
) -> ClientPlan:
    columns, problems = map_header(sheet.header, CLIENT_COLUMNS)
    if len(sheet.rows) > MAX_ROWS:
        problems.append(Issue(HEADER_ROW, too_many_rows()))
    if problems:
        return ClientPlan((), tuple(problems))
    parsed: list[tuple[int, ClientRecord | str, str | None]] = []
    for number, cells in sheet.rows:
        if is_blank(cells):
            continue
        try:
            parsed.append((number, parse_client_row(cells, columns), None))
        except CellError as e:
            i = columns["CLIENT_ID"]
            raw = collapse_upper(cells[i]) if i < len(cells) else ""
            parsed.append((number, str(e), raw or None))
    # A directorate may be named by a satker above or below its own row.
    directorates = {c for c, r in stored.items() if r.type == "DIREKTORAT"} | {
        r.client_id for _, r, _ in parsed if isinstance(r, ClientRecord) and r.type == "DIREKTORAT"
    }
    seen: dict[str, int] = {}
    out: list[ClientRow] = []
    for number, record, raw_id in parsed:
        if isinstance(record, str):
            out.append(ClientRow(number, raw_id, Action.ERROR, messages=(record,)))
            continue
        errors = []
        if record.client_id in seen:
            errors.append(f"CLIENT_ID {record.client_id} juga ada di baris {seen[record.client_id]}")
        seen.setdefault(record.client_id, number)
        unknown = sorted(record.directorates - directorates)
        if unknown:
            errors.append(f"DIREKTORAT: {', '.join(unknown)} bukan client direktorat")
        if errors:
            out.append(ClientRow(number, record.client_id, Action.ERROR, messages=tuple(errors)))
            continue
        out.append(_diff(number, record, stored.get(record.client_id)))
    return ClientPlan(tuple(out))


def _diff(number: int, row: ClientRecord, old: ClientRecord | None) -> ClientRow:
    if old is None:
        record = replace(row, super_wa=row.super_wa or ())
        return ClientRow(number, row.client_id, Action.NEW, record, (), row.directorates)
    given = {f: getattr(row, f) for f in CLIENT_FIELDS if getattr(row, f) is not None}
    changes = tuple(Change(f, getattr(old, f), v) for f, v in given.items() if getattr(old, f) != v)
    links = row.directorates - old.directorates
    record = replace(old, **given, directorates=old.directorates | row.directorates)
    action = Action.CHANGED if changes or links else Action.UNCHANGED
    return ClientRow(number, row.client_id, action, record, changes, links)

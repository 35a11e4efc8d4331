"""The staff directory's service (api.md §3 `/personil`): read people in the caller's scope,
edit them with the WhatsApp menus' validators, give and take roles, send the "Password
aplikasi" link, add a person. Each change is one transaction with its audit entry
(cicero.db.staff); a refusal is a `Refused` the web layer turns into the §5 envelope."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from cicero.config import Settings
from cicero.conversations import password_links
from cicero.conversations.facts import menu_config, staff_view
from cicero.dashboard.accounts import first_session
from cicero.db import audit
from cicero.db import staff as db
from cicero.domain.auth.access import Principal
from cicero.domain.delivery.outbox import MessageKind
from cicero.domain.menus import fields
from cicero.domain.menus.fields import Field, Rejected
from cicero.domain.menus.model import ClientInfo, Context, StaffView
from cicero.domain.people import directory
from cicero.domain.people.phones import JidError, mask_phone, normalize_phone
from cicero.domain.people.roles import UNKNOWN
from cicero.domain.people.usernames import Platform, parse_username


@dataclass
class Refused(Exception):
    """A request the directory will not carry out: HTTP status, §5 code, words, fields."""

    status: int
    code: str
    message: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


CLIENT_ID = re.compile(r"[A-Z0-9_]{1,64}")
NOT_FOUND = Refused(404, "not_found", "Personil tidak ditemukan dalam kewenangan Anda.")


def person_json(p: db.Person) -> dict[str, Any]:
    """A directory item: the app's A2 fields (api.md §2), the number masked, and what the
    dashboard needs besides (exception, has_password, version)."""
    return {
        "user_id": p.nrp, "nama": p.name, "title": p.rank, "divisi": p.unit,
        "jabatan": p.position, "insta": p.instagram or "", "tiktok": p.tiktok or "",
        "client_id": p.client_id, "client_name": p.client_name, "desa": p.village or "",
        "roles": list(p.roles), "status": p.active,
        "whatsapp": mask_phone(p.whatsapp) if p.whatsapp else "",
        "exception": p.exception, "has_password": p.has_password, "version": p.version,
    }  # fmt: skip


async def in_scope(
    conn: asyncpg.Connection, who: Principal, nrp: str, *, lock: bool = False
) -> db.Person:
    """The person, if the caller's scope covers their client; else 404 (an NRP outside the
    scope is not told apart from an unknown one)."""
    if not (nrp.isascii() and nrp.isdigit() and len(nrp) <= 18):
        raise NOT_FOUND
    found = await db.person(conn, nrp, lock=lock)
    if found is None or not who.covers_client(found.client_id):
        raise NOT_FOUND
    return found


async def menu_context(conn: asyncpg.Connection, settings: Settings, client_id: str) -> Context:
    """What the menus' validators read: the configured ranks, units and reserved names, and
    the client's own units (as the operator menu has them)."""
    row = await conn.fetchrow("SELECT client_id, name, type FROM client WHERE client_id = $1",
                              client_id)  # fmt: skip
    units = tuple(await db.units(conn, [client_id]))
    client = ClientInfo(client_id, row["name"] if row else client_id,
                        row["type"] if row else "ORG", units=units)  # fmt: skip
    return Context(identity=UNKNOWN, clients=(client,), config=menu_config(settings))


async def _reserved_phones(conn: asyncpg.Connection, client_id: str) -> frozenset[str]:
    row = await conn.fetchrow("SELECT operator_wa, super_wa FROM client WHERE client_id = $1",
                              client_id)  # fmt: skip
    if row is None:
        return frozenset()
    return frozenset(p for p in (row["operator_wa"], *row["super_wa"]) if p)


async def _check_holders(
    conn: asyncpg.Connection, values: Mapping[str, Any], nrp: str
) -> None:
    """A handle an active colleague holds: 409 handle_taken naming their unit, never them."""
    for column in ("instagram", "tiktok"):
        value = values.get(column)
        if value is None:
            continue
        holder = await db.handle_owner(conn, column, value)
        if holder is not None and holder.nrp != nrp:
            label = fields.LABEL[Field(column)]
            raise Refused(
                409, "handle_taken",
                f"Username {label} @{value} sudah dipakai personil aktif di {holder.unit or '-'} "
                f"({holder.client_name}).",
                {directory.request_name(column): f"dipakai personil aktif di {holder.unit or '-'} "
                                                 f"({holder.client_name})"},
                {"holder": {"unit": holder.unit, "client_id": holder.client_id}},
            )  # fmt: skip
    phone = values.get("whatsapp")
    if phone is not None:
        holder = await db.phone_owner(conn, phone)
        if holder is not None and holder.nrp != nrp:
            raise Refused(
                409, "conflict",
                f"Nomor WhatsApp tersebut sudah terhubung dengan personil lain di "
                f"{holder.unit or '-'} ({holder.client_name}).",
                {"whatsapp": "sudah terhubung dengan personil lain"},
            )  # fmt: skip


async def edit(
    conn: asyncpg.Connection, settings: Settings, who: Principal, nrp: str,
    body: Mapping[str, Any], version: int, entry: audit.Entry, now: datetime,
) -> db.Person:  # fmt: skip
    """PATCH: the body through the menus' validators, the version it was prepared on, one
    transaction with the audit entry. A deactivation needs a reason and ends app logins."""
    try:
        async with conn.transaction():
            return await _edit(conn, settings, who, nrp, body, version, entry, now)
    except asyncpg.UniqueViolationError:
        # A colleague took the handle or number between our check and the write: say who
        # (by unit), from a fresh look; the write is rolled back whole.
        await _check_holders(conn, _read_only(body), nrp)
        raise Refused(409, "conflict") from None


def _read_only(body: Mapping[str, Any]) -> dict[str, Any]:
    """The handle and number a body names, canonical (for the race's 409 only)."""
    out: dict[str, Any] = {}
    for name, platform in (("insta", Platform.INSTAGRAM), ("tiktok", Platform.TIKTOK)):
        if isinstance(body.get(name), str):
            got = parse_username(body[name], platform)
            if isinstance(got, str):
                out[platform.value] = got
    if isinstance(body.get("whatsapp"), str):
        with contextlib.suppress(JidError):
            out["whatsapp"] = normalize_phone(body["whatsapp"])
    return out


async def _edit(
    conn: asyncpg.Connection, settings: Settings, who: Principal, nrp: str,
    body: Mapping[str, Any], version: int, entry: audit.Entry, now: datetime,
) -> db.Person:  # fmt: skip
    person = await in_scope(conn, who, nrp, lock=True)
    if person.version != version:
        raise _stale(person.version)
    view = await staff_view(conn, nrp)
    assert view is not None  # locked above
    ctx = await menu_context(conn, settings, person.client_id)
    read = directory.read_edit(body, view, ctx, await _reserved_phones(conn, person.client_id))
    if isinstance(read, directory.Problems):
        raise Refused(422, "invalid", fields=read.fields)
    if read.deactivates and person.active and not entry.reason.strip():
        raise Refused(422, "invalid", "Tulis alasan menonaktifkan personil.",
                      {"reason": "wajib diisi untuk menonaktifkan"})  # fmt: skip
    changed = {k: v for k, v in read.values.items() if getattr(person, k) != v}
    # Handles are unique among active people: checked when the person is or becomes active
    # (an activation re-checks handles a colleague took meanwhile); numbers always.
    check = {**(_handles(person) if changed.get("active") is True else {}), **changed}
    if not changed.get("active", person.active):
        check.pop("instagram", None)
        check.pop("tiktok", None)
    await _check_holders(conn, check, nrp)
    updated = await db.change(conn, nrp, changed, entry, now, version=version)
    assert updated is not None
    return updated


def _handles(p: db.Person) -> dict[str, Any]:
    """What an activation re-checks: a handle someone else took while this person was away."""
    return {"instagram": p.instagram, "tiktok": p.tiktok}


def _stale(current: int) -> Refused:
    return Refused(412, "stale_version", extra={"current_version": current})


@dataclass(frozen=True)
class NewRequest:
    nrp: str
    client_id: str
    body: Mapping[str, Any]


async def create(
    conn: asyncpg.Connection, settings: Settings, who: Principal, req: NewRequest,
    entry: audit.Entry, now: datetime,
) -> db.Person:  # fmt: skip
    """POST /api/users: a new person of a client in scope, read like the operator menu's
    "Tambah user" (NRP, nama, pangkat, satfung, jabatan) plus optional handles and number;
    role `operator`, or the directorate's own for a directorate's staff."""
    nrp = fields.parse_nrp(req.nrp)
    if isinstance(nrp, Rejected):
        raise Refused(422, "invalid", fields={"user_id": directory.web_reason(nrp)})
    client_id = req.client_id.strip().upper()
    if not CLIENT_ID.fullmatch(client_id):
        raise Refused(404, "not_found", "Client tidak ditemukan atau tidak aktif.")
    if not who.covers_client(client_id):
        raise Refused(403, "out_of_scope")
    async with conn.transaction():
        client = await conn.fetchrow(
            "SELECT client_id, type FROM client WHERE client_id = $1 AND active", client_id
        )
        if client is None:
            raise Refused(404, "not_found", "Client tidak ditemukan atau tidak aktif.")
        existing = await db.person(conn, nrp)
        if existing is not None:
            where = "di satker Anda" if who.covers_client(existing.client_id) else "di satker lain"
            raise Refused(409, "conflict", f"NRP/NIP {nrp} sudah terdaftar {where}.",
                          {"user_id": "sudah terdaftar"})  # fmt: skip
        ctx = await menu_context(conn, settings, client_id)
        blank = StaffView(nrp, client_id=client_id, units=ctx.clients[0].units)
        problems: dict[str, str] = {}
        for name in ("nama", "title", "divisi", "jabatan"):
            if not str(req.body.get(name, "")).strip():
                problems[name] = "wajib diisi"
        optional = {k: v for k, v in req.body.items() if k in ("insta", "tiktok", "whatsapp")}
        wanted = {k: req.body[k] for k in ("nama", "title", "divisi", "jabatan") if k in req.body}
        read = directory.read_edit({**wanted, **optional}, blank, ctx,
                                   await _reserved_phones(conn, client_id))  # fmt: skip
        if isinstance(read, directory.Problems):
            problems = {**read.fields, **problems}
        if problems:
            raise Refused(422, "invalid", fields=problems)
        assert isinstance(read, directory.Edit)
        v = read.values
        await _check_holders(conn, v, nrp)
        role = client_id.lower() if client["type"] == "DIREKTORAT" else "operator"
        new = db.NewPerson(
            nrp, str(v["name"]), str(v["rank"]), str(v["unit"]), str(v["position"]), client_id,
            (role,), _text(v.get("instagram")), _text(v.get("tiktok")), _text(v.get("whatsapp")),
        )  # fmt: skip
        await db.create(conn, new, entry, now)
        made = await db.person(conn, nrp)
        assert made is not None
        return made


def _text(value: object) -> str | None:
    return None if value is None else str(value)


async def known_roles(conn: asyncpg.Connection) -> frozenset[str]:
    return frozenset(r["role_name"] for r in await conn.fetch("SELECT role_name FROM role"))


async def grantable(
    conn: asyncpg.Connection, who: Principal, account_role: str, client_id: str
) -> frozenset[str]:
    linked = frozenset(
        r["directorate_id"]
        for r in await conn.fetch(
            "SELECT directorate_id FROM client_directorate WHERE client_id = $1", client_id
        )
    )
    return directory.grantable_roles(who.who, account_role, linked, await known_roles(conn))


async def set_roles(
    conn: asyncpg.Connection, who: Principal, account_role: str, nrp: str, roles: list[str],
    version: int, entry: audit.Entry, now: datetime,
) -> db.Person:  # fmt: skip
    """PUT …/roles: the whole set; only roles the account may give or take may differ."""
    async with conn.transaction():
        person = await in_scope(conn, who, nrp, lock=True)
        if person.version != version:
            raise _stale(person.version)
        wanted = frozenset(r.strip().lower() for r in roles)
        problem = directory.check_roles(
            frozenset(person.roles), wanted, await grantable(conn, who, account_role, person.client_id),
            await known_roles(conn),
        )  # fmt: skip
        if problem:
            raise Refused(422, "invalid", problem, {"roles": problem})
        if not wanted and person.active and not entry.reason.strip():
            raise Refused(422, "invalid", "Tanpa role personil menjadi nonaktif: tulis alasannya.",
                          {"reason": "wajib diisi bila semua role dilepas"})  # fmt: skip
        updated = await db.set_roles(conn, nrp, wanted, entry, now, version=version)
        assert updated is not None
        return updated


async def password_link(
    conn: asyncpg.Connection, settings: Settings, who: Principal, nrp: str, username: str,
    now: datetime, request_id: str,
) -> db.Person:  # fmt: skip
    """menus.md §4 "Password aplikasi", asked from the dashboard: a single-use link to the
    member's own bound number through the outbox; the operator never sees it."""
    async with conn.transaction():
        person = await in_scope(conn, who, nrp, lock=True)
        if not person.active:
            raise Refused(422, "invalid", f"NRP/NIP {nrp} tidak aktif.")
        if not person.whatsapp:
            raise Refused(
                422, "invalid",
                f"{person.name} belum menghubungkan nomor WhatsApp. Minta yang bersangkutan "
                "mengetik userrequest di WhatsApp lebih dulu.",
            )  # fmt: skip
        sent = await password_links.issue(
            conn, nrp, person.whatsapp, f"dash:{username}",
            first_session(settings, MessageKind.OPERATOR_DIRECT), settings.config.web.public_url,
            now, request_id=request_id,
        )  # fmt: skip
        if not sent:
            raise Refused(429, "rate_limited", "Link password baru saja dikirim. Coba lagi nanti.",
                          extra={"retry_after": 60})  # fmt: skip
        return person

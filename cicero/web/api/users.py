"""The staff directory's API (api.md §3): `GET /api/users` (filters, search, pages),
`/api/users/completeness`, `POST /api/users`, `PATCH /api/users/{user_id}` (If-Match),
`PUT …/roles`, `POST …/password-link` and `GET /api/exports/users.xlsx`. The rules are
cicero.dashboard.staff's; this module reads requests and writes answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from cicero.dashboard import staff as service
from cicero.db import audit
from cicero.db import staff as db
from cicero.domain.layouts.sheets import Sheet, Workbook, workbook_filename
from cicero.domain.people import directory
from cicero.web.api.attendance import _xlsx
from cicero.web.api.scope import ScopeClient, scope_clients
from cicero.web.bodies import Field, check, read_json
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.identify import session_of
from cicero.web.request_state import principal, request_id
from cicero.web.route import Param
from cicero.web.server import json_ok

QUERY = (
    Param("client_id", description="one client in scope (default: every client in scope)"),
    Param("q", {"type": "string", "maxLength": directory.SEARCH_MAX},
          description="NRP, name, unit, position or handle (part of)"),
    Param("unit", description="satfung, exactly"),
    Param("active", {"enum": [a.value for a in directory.Active]}, description="default true"),
    Param("missing", {"enum": [m.value for m in directory.Missing]},
          description="people without this (username: either handle)"),
    Param("page", {"type": "string", "pattern": "^[0-9]+$"}, description="from 1"),
    Param("per_page", {"type": "string", "pattern": "^[0-9]+$"}, description="50, at most 500"),
)  # fmt: skip
COMPLETENESS_QUERY = (Param("client_id", description="one client in scope (default: all)"),)
TEXT = 200  # a typed value; the validators say the real limit
EDIT_FIELDS = {
    **{name: Field(str, max_length=TEXT) for name in directory.TEXT_FIELDS},
    "status": Field(bool, description="false deactivates (reason required), true activates"),
    "exception": Field(bool, description="counted as done whatever the engagement"),
    "reason": Field(str, max_length=500, description="why (kept in the audit log)"),
}
CREATE_FIELDS = {
    "user_id": Field(str, required=True, max_length=40, description="NRP/NIP"),
    "client_id": Field(str, required=True, max_length=64),
    **{name: Field(str, max_length=TEXT)
       for name in ("nama", "title", "divisi", "jabatan", "insta", "tiktok", "whatsapp")},
    "reason": Field(str, max_length=500),
}  # fmt: skip
ROLE_FIELDS = {
    "roles": Field(list, required=True, description="the whole set of roles"),
    "reason": Field(str, max_length=500),
}
NO_FIELDS: dict[str, Field] = {}
EXPORT_ROWS = 20_000


def refusal(r: service.Refused) -> ApiError:
    headers = {"Retry-After": str(r.extra["retry_after"])} if "retry_after" in r.extra else None
    extra = {k: v for k, v in r.extra.items() if k != "retry_after"}
    return ApiError(r.status, r.code, r.message, r.fields, headers, extra)


def actor(request: web.Request) -> str:
    session = session_of(request)
    return f"dash:{session.username}" if session else "dash:?"


def account_role(request: web.Request) -> str:
    session = session_of(request)
    return session.role.value if session else ""


def entry(request: web.Request, action: str, reason: str = "") -> audit.Entry:
    return audit.Entry(actor(request), audit.Channel.WEB, action,
                       reason=directory.printable(reason).strip(),
                       request_id=request_id(request))  # fmt: skip


def version_of(request: web.Request) -> int:
    """The version the change was prepared on: `If-Match: "7"` (the ETag the directory gave)."""
    version = directory.if_match(request.headers.get("If-Match"))
    if version is None:
        raise ApiError(400, "bad_request", "Sertakan versi data (header If-Match).",
                       {"If-Match": "wajib: versi data yang sedang diubah, mis. \"3\""})  # fmt: skip
    return version


def with_etag(response: web.Response, person: db.Person) -> web.Response:
    response.headers["ETag"] = directory.etag(person.version)
    return response


async def clients_asked(request: web.Request) -> tuple[list[ScopeClient], ScopeClient | None]:
    """Every active client in scope, and the one `client_id` names (None: all of them; the
    sole client when there is one)."""
    clients = await scope_clients(request)
    named = request.query.get("client_id", "").strip().upper()
    if not named:
        return clients, clients[0] if len(clients) == 1 else None
    chosen = next((c for c in clients if c.client_id == named), None)
    if chosen is None:
        raise ApiError(404, "not_found", "Client tidak ditemukan atau tidak aktif.")
    return clients, chosen


def asked_query(request: web.Request) -> directory.Query:
    read = directory.read_query(request.query)
    if isinstance(read, directory.Problems):
        raise ApiError(400, "bad_request", fields=read.fields)
    return read


async def directory_data(request: web.Request) -> dict[str, Any]:
    """One page of the directory and what its page shows around it."""
    c = ctx(request)
    query = asked_query(request)
    clients, chosen = await clients_asked(request)
    ids = [chosen.client_id] if chosen else [x.client_id for x in clients]
    async with c.db().acquire() as conn:
        people, total = await db.directory(conn, query, ids)
        units = await db.units(conn, ids)
    return {
        "items": [service.person_json(p) for p in people],
        "meta": {"page": query.page, "per_page": query.per_page, "total": total},
        "query": query, "clients": clients, "client": chosen, "units": units,
    }  # fmt: skip


async def list_users(request: web.Request) -> web.Response:
    data = await directory_data(request)
    return json_ok(data["items"], meta=data["meta"])


async def completeness_data(request: web.Request) -> list[directory.UnitCompleteness]:
    clients, chosen = await clients_asked(request)
    ids = [chosen.client_id] if chosen else [x.client_id for x in clients]
    async with ctx(request).db().acquire() as conn:
        return await db.completeness(conn, ids)


async def completeness(request: web.Request) -> web.Response:
    return json_ok([u.as_json() for u in await completeness_data(request)])


async def create_user(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), CREATE_FIELDS)
    req = service.NewRequest(body["user_id"], body["client_id"], body)
    try:
        async with c.db().acquire() as conn:
            made = await service.create(conn, c.settings, principal(request), req,
                                        entry(request, "staff.create", body.get("reason", "")),
                                        c.now())  # fmt: skip
    except service.Refused as r:
        raise refusal(r) from None
    return with_etag(json_ok(service.person_json(made), status=201), made)


async def patch_user(request: web.Request) -> web.Response:
    c = ctx(request)
    version = version_of(request)
    body = check(await read_json(request), EDIT_FIELDS)
    nrp = request.match_info["user_id"]
    reason = body.pop("reason", "")
    try:
        async with c.db().acquire() as conn:
            done = await service.edit(conn, c.settings, principal(request), nrp, body, version,
                                      entry(request, "staff.update", reason), c.now())  # fmt: skip
    except service.Refused as r:
        raise refusal(r) from None
    return with_etag(json_ok(service.person_json(done)), done)


async def put_roles(request: web.Request) -> web.Response:
    c = ctx(request)
    version = version_of(request)
    body = check(await read_json(request), ROLE_FIELDS)
    nrp = request.match_info["user_id"]
    try:
        async with c.db().acquire() as conn:
            done = await service.set_roles(
                conn, principal(request), account_role(request), nrp, body["roles"], version,
                entry(request, "staff.roles", body.get("reason", "")), c.now(),
            )  # fmt: skip
    except service.Refused as r:
        raise refusal(r) from None
    return with_etag(json_ok(service.person_json(done)), done)


async def optional_body(request: web.Request, fields: Mapping[str, Field]) -> dict[str, Any]:
    """A body that may be left out (a button's POST): nothing, or a JSON object of `fields`."""
    if not (await request.read()).strip():
        return {}
    return check(await read_json(request), fields)


async def password_link(request: web.Request) -> web.Response:
    c = ctx(request)
    await optional_body(request, NO_FIELDS)
    session = session_of(request)
    try:
        async with c.db().acquire() as conn:
            person = await service.password_link(
                conn, c.settings, principal(request), request.match_info["user_id"],
                session.username if session else "?", c.now(), request_id(request),
            )  # fmt: skip
    except service.Refused as r:
        raise refusal(r) from None
    return json_ok({"sent": True, "to": service.person_json(person)["whatsapp"]})


# ---------------------------------------------------------------- the Excel export

USERS_HEAD = ("No", "NRP/NIP", "Pangkat", "Nama", "Satfung", "Jabatan", "Client", "Instagram",
              "TikTok", "WhatsApp", "Status", "Pengecualian", "Role", "Password")  # fmt: skip


def users_workbook(people: list[db.Person], scope: str, at: Any) -> Workbook:
    """The directory as Excel, the view's filters applied. Every value is written as text or
    a number (a name typed as `=cmd|…` stays text: the writer never makes a formula)."""
    rows = tuple(
        (i, p.nrp, p.rank, p.name, p.unit, p.position, p.client_name, p.instagram or "",
         p.tiktok or "", service.person_json(p)["whatsapp"], "Aktif" if p.active else "Nonaktif",
         "Ya" if p.exception else "", ", ".join(p.roles), "Ada" if p.has_password else "Belum")
        for i, p in enumerate(people, start=1)
    )  # fmt: skip
    return Workbook(workbook_filename("Data_Personil", scope, at),
                    (Sheet("Personil", USERS_HEAD, rows),))  # fmt: skip


async def users_xlsx(request: web.Request) -> web.Response:
    c = ctx(request)
    query = asked_query(request)
    clients, chosen = await clients_asked(request)
    ids = [chosen.client_id] if chosen else [x.client_id for x in clients]
    whole = directory.Query(query.q, query.unit, query.active, query.missing, 1, EXPORT_ROWS)
    async with c.db().acquire() as conn:
        people, _ = await db.directory(conn, whole, ids)
    return _xlsx(users_workbook(people, chosen.client_id if chosen else "SEMUA", c.now()))

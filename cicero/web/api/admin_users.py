"""Admins decide on dashboard accounts (api.md §3 `/api/admin/dashboard-users`): list,
approve (fixing role and clients), reject, disable; each audited in its own transaction."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cicero.dashboard import accounts as service
from cicero.db import audit
from cicero.db import dashboard as db
from cicero.domain.auth.dashboard import ROLE_LABEL, STATUS_LABEL, DecisionRefused, Role
from cicero.domain.people.phones import mask_phone
from cicero.web.bodies import Field, check, read_json
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.identify import session_of
from cicero.web.request_state import request_id
from cicero.web.server import json_ok

APPROVE_FIELDS = {
    "role": Field(str, max_length=32),
    "client_ids": Field(list),
    "reason": Field(str, max_length=500),
}
REASON_FIELDS = {"reason": Field(str, max_length=500)}


def _actor(request: web.Request) -> str:
    session = session_of(request)
    return f"dash:{session.username}" if session else "dash:?"


def account_json(row: db.AccountRow, now: Any) -> dict[str, Any]:
    data = row.public(now)
    status = row.current(now)
    data.update(
        whatsapp_masked=mask_phone(row.whatsapp) if row.whatsapp else "–",
        role_label=ROLE_LABEL[row.role], status_label=STATUS_LABEL[status],
    )  # fmt: skip
    return data


async def accounts_data(request: web.Request) -> list[dict[str, Any]]:
    c = ctx(request)
    now = c.now()
    async with c.db().acquire() as conn:
        rows = await db.listing(conn)
    return [account_json(r, now) for r in rows]


async def list_accounts(request: web.Request) -> web.Response:
    return json_ok(await accounts_data(request))


def _account_id(request: web.Request) -> int:
    raw = request.match_info["account_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ApiError(404, "not_found")
    return int(raw)


async def _decide(request: web.Request, approve: bool) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), APPROVE_FIELDS if approve else REASON_FIELDS)
    role = None
    if body.get("role"):
        try:
            role = Role(body["role"])
        except ValueError:
            raise ApiError(422, "invalid", fields={"role": "peran tidak dikenal"}) from None
    now = c.now()
    async with c.db().acquire() as conn, conn.transaction():
        row = await db.by_id(conn, _account_id(request), lock=True)
        if row is None:
            raise ApiError(404, "not_found")
        try:
            decided = await service.decide(
                conn, c.settings, row, approve, now, actor=_actor(request),
                channel=audit.Channel.WEB, role=role, client_ids=body.get("client_ids"),
                reason=body.get("reason", ""), request_id=request_id(request),
            )  # fmt: skip
        except DecisionRefused as err:
            raise ApiError(409, "conflict", f"Tidak dapat diputuskan: {err}.") from None
        except ValueError as err:
            raise ApiError(422, "invalid", fields={"client_ids": str(err)}) from None
    return json_ok({"id": row.id, "status": decided.status.value, "role": decided.role.value,
                    "client_ids": list(decided.client_ids)})  # fmt: skip


async def approve(request: web.Request) -> web.Response:
    return await _decide(request, True)


async def reject(request: web.Request) -> web.Response:
    return await _decide(request, False)


async def disable(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), REASON_FIELDS)
    now = c.now()
    async with c.db().acquire() as conn, conn.transaction():
        row = await db.by_id(conn, _account_id(request), lock=True)
        if row is None:
            raise ApiError(404, "not_found")
        if row.role is Role.ADMIN:
            raise ApiError(403, "forbidden", "Admin dinonaktifkan lewat perintah cicero admin.")
        await service.disable(
            conn, row, now, actor=_actor(request), channel=audit.Channel.WEB,
            reason=body.get("reason", ""), request_id=request_id(request),
        )  # fmt: skip
    return json_ok({"id": row.id, "status": "disabled"})

"""Amplification in the dashboard (api.md §3): `GET /api/amplification`, its Excel export,
the `/amplifikasi` page, and the deletion of a wrong report with a reason
(`DELETE /api/link-reports/{kind}/{shortcode}/{nrp}`, audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from cicero.dashboard import amplification
from cicero.db import audit, recaps
from cicero.domain.layouts.dashboard_sheets import amplification_workbook
from cicero.domain.timezone import wib_date
from cicero.web.api.attendance import _xlsx
from cicero.web.api.scope import chosen_client
from cicero.web.bodies import Field, check, read_json
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.identify import session_of
from cicero.web.render import page
from cicero.web.request_state import principal, request_id
from cicero.web.route import Param
from cicero.web.server import json_ok

QUERY = (
    Param("client_id", description="a client in scope (default: the first in scope)"),
    Param("kind", {"enum": list(amplification.KINDS)}, description="routine (default) or special"),
    Param("date", {"type": "string", "format": "date"}, description="WIB day (default today)"),
)
DELETE_FIELDS = {"reason": Field(str, required=True, max_length=500)}
KIND_PATH = {"rutin": "routine", "routine": "routine", "khusus": "special", "special": "special"}


async def amplification_data(request: web.Request) -> dict[str, Any]:
    c = ctx(request)
    chosen, clients = await chosen_client(request)
    kind = request.query.get("kind") or "routine"
    if kind not in amplification.KINDS:
        raise ApiError(400, "bad_request", fields={"kind": "routine atau special"})
    raw = request.query.get("date")
    try:
        day = date.fromisoformat(raw) if raw else wib_date(c.now())
    except ValueError:
        raise ApiError(400, "bad_request", fields={"date": "tanggal YYYY-MM-DD"}) from None
    async with c.db().acquire() as conn:
        row = await recaps.client(conn, chosen.client_id)
        if row is None:
            raise ApiError(404, "not_found")
        found = await amplification.today(conn, row, kind, day, c.now())
    data = found.as_json()
    data["clients"] = [x.as_json() for x in clients]
    return data


async def amplification_json(request: web.Request) -> web.Response:
    data = await amplification_data(request)
    data.pop("clients")
    return json_ok(data)


async def amplification_xlsx(request: web.Request) -> web.Response:
    return _xlsx(amplification_workbook(await amplification_data(request), ctx(request).now()))


async def amplification_page(request: web.Request) -> web.Response:
    data = await amplification_data(request)
    query = f"client_id={data['client']['client_id']}&kind={data['kind']}&date={data['date']}"
    data["query"] = query
    return page(request, "amplifikasi.html", data, title="Amplifikasi")


async def delete_report(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), DELETE_FIELDS)
    reason = body["reason"].strip()
    if not reason:
        raise ApiError(422, "invalid", fields={"reason": "alasan wajib diisi"})
    info = request.match_info
    kind = KIND_PATH.get(info["kind"])
    if kind is None:
        raise ApiError(404, "not_found")
    who = principal(request)
    session = session_of(request)
    actor = f"dash:{session.username}" if session else "dash:?"
    entry = audit.Entry(actor, audit.Channel.WEB, "link_report.delete", reason=reason,
                        request_id=request_id(request))  # fmt: skip
    async with c.db().acquire() as conn, conn.transaction():
        done = await amplification.delete_report(
            conn, kind, info["shortcode"], info["nrp"], who.covers_client, c.now(), entry
        )
    if done is None:
        raise ApiError(404, "not_found", "Laporan tidak ditemukan dalam kewenangan Anda.")
    return json_ok({"deleted": True, "nrp": done.nrp, "shortcode": done.shortcode})

"""Attendance in the dashboard (api.md §3): `GET /api/attendance`, `/api/attendance/text`,
the attendance and per-content Excel exports, and the `/absensi/*` pages. All compute the
one value of cicero.dashboard.attendance for the request's scope and period and render it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from cicero.dashboard.attendance import Computed, compute, recap_text
from cicero.db import recaps
from cicero.domain.attendance.rule import Status
from cicero.domain.attendance.view import DayRange, Period
from cicero.domain.layouts import sheets
from cicero.domain.layouts.dashboard_sheets import attendance_workbook
from cicero.domain.people.usernames import Platform
from cicero.reports.xlsx import xlsx_bytes
from cicero.web.api.period import asked_days
from cicero.web.api.scope import ScopeClient, chosen_client
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.route import Param
from cicero.web.server import json_ok

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS: dict[str, frozenset[Status] | None] = {
    "semua": None,
    "sudah": frozenset({Status.SUDAH}),
    "kurang": frozenset({Status.KURANG}),
    "belum": frozenset({Status.BELUM}),
    "tanpa_username": frozenset({Status.TANPA_USERNAME}),
    "belum_lengkap": frozenset({Status.KURANG, Status.BELUM, Status.TANPA_USERNAME}),
}
QUERY = (
    Param("client_id", description="a client in scope (default: the first in scope)"),
    Param("platform", {"enum": ["instagram", "tiktok"]}, description="default instagram"),
    Param("period", {"enum": [p.value for p in Period]}, description="day (default), week, month"),
    Param("date", {"type": "string", "format": "date"}, description="WIB day (default today)"),
    Param("from", {"type": "string", "format": "date"}, description="a range instead of a period"),
    Param("to", {"type": "string", "format": "date"}, description="its last day (≤ 31 days)"),
    Param("status", {"enum": list(FILTERS)}, description="people shown (default semua)"),
)


@dataclass(frozen=True)
class Asked:
    client: ScopeClient
    clients: list[ScopeClient]
    platform: Platform
    period: Period
    days: DayRange
    status: str


async def asked(request: web.Request, platform: str | None = None) -> Asked:
    d = asked_days(request, platform)
    c, clients = await chosen_client(request)
    status = request.query.get("status") or "semua"
    if status not in FILTERS:
        raise ApiError(400, "bad_request", fields={"status": "filter tidak dikenal"})
    return Asked(c, clients, d.platform, d.period, d.days, status)


async def computed(request: web.Request, a: Asked) -> Computed:
    c = ctx(request)
    async with c.db().acquire() as conn:
        row = await recaps.client(conn, a.client.client_id)
        if row is None:
            raise ApiError(404, "not_found")
        return await compute(conn, c.settings, row, a.platform, a.period, a.days, c.now())


async def attendance(request: web.Request) -> web.Response:
    a = await asked(request)
    done = await computed(request, a)
    return json_ok(done.view.as_json(FILTERS[a.status]))


async def attendance_text(request: web.Request) -> web.Response:
    a = await asked(request)
    done = await computed(request, a)
    return web.Response(text=recap_text(done, ctx(request).now()), content_type="text/plain")


def _xlsx(book: sheets.Workbook) -> web.Response:
    return web.Response(
        body=xlsx_bytes(book), content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{book.filename}"'},
    )  # fmt: skip


async def attendance_xlsx(request: web.Request) -> web.Response:
    a = await asked(request)
    done = await computed(request, a)
    return _xlsx(attendance_workbook(done.view, ctx(request).now()))


async def per_content_xlsx(request: web.Request) -> web.Response:
    a = await asked(request)
    done = await computed(request, a)
    v = done.view
    prefix = (
        "Rekap_Likes_Per_Konten"
        if v.platform is Platform.INSTAGRAM
        else "Rekap_Komentar_Per_Konten"
    )
    book = sheets.per_content_workbook(
        prefix, v.scope, ctx(request).now(), [(p.id, p.ref) for p in v.posts], v.people,
        done.names, v.scope if v.directorate else "",
    )  # fmt: skip
    return _xlsx(book)


def query_string(a: Asked, **changes: Any) -> str:
    from urllib.parse import urlencode

    params = {"client_id": a.client.client_id, "platform": a.platform.value,
              "period": a.period.value, "date": a.days.start.isoformat(), "status": a.status}  # fmt: skip
    params.update({k: v for k, v in changes.items() if v is not None})
    return urlencode(params)

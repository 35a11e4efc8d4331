"""Analytics in the dashboard (api.md §3, issue 17): `GET /api/analytics` and its Excel export;
the `/analitik/*` pages render the same value (cicero.web.pages.analytics). Every call
computes the one value of cicero.dashboard.analytics for the request's scope and period,
from what ingestion stored: no upstream request per view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from aiohttp import web

from cicero.dashboard.analytics import answer_json, compute
from cicero.domain.analytics.figures import Analytics
from cicero.domain.attendance.view import DayRange, Period
from cicero.domain.layouts.analytics_sheets import analytics_workbook
from cicero.domain.people.usernames import Platform
from cicero.reports.xlsx import xlsx_bytes
from cicero.web.api import schemas as s
from cicero.web.api.period import asked_days
from cicero.web.api.scope import ScopeClient, chosen_client
from cicero.web.context import ctx
from cicero.web.request_state import principal
from cicero.web.route import Param

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = {"type": "string", "format": "date"}
QUERY = (
    Param("client_id", description="a client in scope (default: the first in scope)"),
    Param("platform", {"enum": ["instagram", "tiktok"]}, description="default instagram"),
    Param("period", {"enum": [p.value for p in Period]}, description="day (default), week, month"),
    Param("date", DATE, description="WIB day in the period (default today)"),
    Param("from", DATE, description="a range instead of a period: its first WIB day"),
    Param("to", DATE, description="its last day (≤ 31 days; over → 422)"),
)

# The answer's shape, for the OpenAPI document and the tests that check every response.
_KNOWN = {"type": ["integer", "null"], "minimum": 0, "description": "null: unknown"}
_RATE = {"type": ["number", "null"], "minimum": 0,
         "description": "(likes + comments + shares) / followers; null: followers unknown"}  # fmt: skip
_COUNTS = {"likes": _KNOWN, "comments": _KNOWN, "views": _KNOWN, "shares": _KNOWN,
           "interactions": s.COUNT}  # fmt: skip
_FIGURES = {"posts": s.COUNT, **_COUNTS}
_POST = s.obj({"client_id": s.TEXT, "shortcode": s.TEXT, "posted_at": s.INSTANT,
               "caption": s.TEXT, "url": s.TEXT, **_COUNTS, "followers": _KNOWN,
               "engagement_rate": _RATE})  # fmt: skip
_POSTS = {"type": "array", "items": _POST}
ANSWER = s.obj({
    "client": s.obj({"client_id": s.TEXT, "name": s.TEXT, "type": {"enum": ["ORG", "DIREKTORAT"]}}),
    "platform": {"enum": [p.value for p in Platform]},
    "period": s.obj({"kind": {"enum": [p.value for p in Period]}, "from": DATE, "to": DATE}),
    "totals": s.obj({**_FIGURES, "followers": _KNOWN, "engagement_rate": _RATE}),
    "accounts": {"type": "array", "items": s.obj({
        "client_id": s.TEXT, "name": s.TEXT, "handle": s.TEXT, "followers": _KNOWN, **_FIGURES,
        "engagement_rate": _RATE, "rate_per_post": _RATE})},
    "days": {"type": "array", "items": s.obj({"date": DATE, **_FIGURES})},
    "posts": _POSTS, "top": _POSTS, "bottom": _POSTS,
    "followers_missing": {"type": "array", "items": s.TEXT},
})  # fmt: skip


@dataclass(frozen=True)
class Asked:
    client: ScopeClient
    clients: list[ScopeClient]
    platform: Platform
    period: Period
    days: DayRange
    ranged: bool  # `from`/`to` rather than a period around `date`

    def query(self, **changes: str) -> str:
        """This request's query words, with `changes` (the pages' links and forms)."""
        params = {"client_id": self.client.client_id}
        if self.ranged:
            params |= {"from": self.days.start.isoformat(), "to": self.days.end.isoformat()}
        else:
            params |= {"period": self.period.value, "date": self.days.start.isoformat()}
        return urlencode(params | changes)


async def asked(request: web.Request, platform: str | None = None) -> Asked:
    d = asked_days(request, platform)
    c, clients = await chosen_client(request)
    return Asked(c, clients, d.platform, d.period, d.days, d.ranged)


async def computed(request: web.Request, a: Asked) -> Analytics:
    who = principal(request)
    async with ctx(request).db().acquire() as conn:
        return await compute(conn, a.client.client_id, a.client.is_directorate, a.platform,
                             a.period, a.days, who.covers_client)  # fmt: skip


async def analytics_json(request: web.Request) -> web.Response:
    """The envelope of json_ok around the value's JSON, its post lists written by PostgreSQL
    (cicero.dashboard.analytics.answer_json: the bytes `computed(...).as_json()` encodes to)."""
    a = await asked(request)
    async with ctx(request).db().acquire() as conn:
        data = await answer_json(conn, a.client.client_id, a.client.is_directorate, a.platform,
                                 a.period, a.days, principal(request).covers_client)  # fmt: skip
    body = orjson.dumps({"success": True, "data": data})
    return web.Response(body=body, content_type="application/json", charset="utf-8")


async def analytics_xlsx(request: web.Request) -> web.Response:
    a = await asked(request)
    book = analytics_workbook(await computed(request, a), ctx(request).now())
    return web.Response(
        body=xlsx_bytes(book), content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{book.filename}"'},
    )  # fmt: skip


def page_links(a: Asked) -> dict[str, Any]:
    return {"xlsx_url": f"/api/exports/analytics.xlsx?{a.query(platform=a.platform.value)}",
            "json_url": f"/api/analytics?{a.query(platform=a.platform.value)}"}  # fmt: skip

"""`/` (api.md §3): today's counts in the caller's scope and the last ingestion; with
`GET /api/clients` and `GET /api/summary`, which return the same data as JSON."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cicero.dashboard import summary as home_summary
from cicero.web.api.scope import chosen_client, clients_in_scope
from cicero.web.context import ctx
from cicero.web.render import page
from cicero.web.server import json_ok


async def summary_data(request: web.Request) -> dict[str, Any]:
    c = ctx(request)
    chosen, clients = await chosen_client(request)
    async with c.db().acquire() as conn:
        data = await home_summary.today(conn, c.settings, chosen.client_id, c.now())
    data["clients"] = [x.as_json() for x in clients]
    return data


async def summary(request: web.Request) -> web.Response:
    return json_ok(await summary_data(request))


async def clients(request: web.Request) -> web.Response:
    return json_ok(await clients_in_scope(request))


async def home_page(request: web.Request) -> web.Response:
    return page(request, "home.html", await summary_data(request), title="Beranda")

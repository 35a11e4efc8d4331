"""Which clients a dashboard request reads (api.md §3 "Query words"): those in the caller's
scope (the route's `authorize` already refused a named client outside it), and the one a
request means: `client_id` as named, else the sole client in scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.request_state import principal


@dataclass(frozen=True)
class ScopeClient:
    client_id: str
    name: str
    type: str  # ORG / DIREKTORAT

    @property
    def is_directorate(self) -> bool:
        return self.type == "DIREKTORAT"

    def as_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "name": self.name, "type": self.type}


async def scope_clients(request: web.Request) -> list[ScopeClient]:
    """Active clients the caller may read: directorates first, then by name."""
    who = principal(request)
    async with ctx(request).db().acquire() as conn:
        rows = await conn.fetch(
            """SELECT client_id, name, type FROM client WHERE active
                ORDER BY type DESC, name, client_id"""
        )
    return [
        ScopeClient(r["client_id"], r["name"], r["type"])
        for r in rows
        if who.covers_client(r["client_id"])
    ]


async def clients_in_scope(request: web.Request) -> list[dict[str, Any]]:
    return [c.as_json() for c in await scope_clients(request)]


async def chosen_client(request: web.Request) -> tuple[ScopeClient, list[ScopeClient]]:
    """The client a request means, and every client in scope (for the page's picker)."""
    clients = await scope_clients(request)
    named = request.query.get("client_id", "").strip().upper()
    if named:
        for c in clients:
            if c.client_id == named:
                return c, clients
        raise ApiError(404, "not_found", "Client tidak ditemukan atau tidak aktif.")
    if not clients:
        raise ApiError(404, "not_found", "Tidak ada client dalam kewenangan Anda.")
    return clients[0], clients  # the sole one, else the first (directorates lead)

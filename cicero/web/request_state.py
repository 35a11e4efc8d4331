"""What the server's middleware learns of a request and keeps on it for handlers and pages:
its id, its declared route and its caller."""

from __future__ import annotations

from aiohttp import web

from cicero.domain.auth.access import ANONYMOUS, Principal
from cicero.web.route import Route

REQUEST_ID = web.RequestKey("request_id", str)
PRINCIPAL = web.RequestKey("principal", Principal)
ROUTE = web.RequestKey("route", Route)


def principal(request: web.Request) -> Principal:
    return request.get(PRINCIPAL, ANONYMOUS)


def request_id(request: web.Request) -> str:
    return request[REQUEST_ID]

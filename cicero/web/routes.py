"""Every route the web server answers, in one table (STYLE §6). The router, the OpenAPI
document (`GET /api/openapi.json`) and the authorization matrix are built from it; a path
not listed here is a 404 in the error envelope.

To add a route: write the handler, add one `Route` with its identities and scope (the
tests refuse a route that declares none), its documented answers, and its query or body.
"""

from __future__ import annotations

from aiohttp import web

from cicero.domain.auth.access import Scope, Who, access
from cicero.web import bodies
from cicero.web.api import auth
from cicero.web.api import schemas as s
from cicero.web.route import Reply, Route

STAFF = access(Who.STAFF)
ANYONE = access(Who.ANONYMOUS)
SCRAPE = access(Who.SCRAPER, Who.ADMIN)
OPS_PAGE = access(Who.OPS, Who.ADMIN, Who.SCRAPER)

DENIED = Reply("refused", s.ERROR)


async def openapi_json(request: web.Request) -> web.Response:
    from cicero.web.openapi import document

    return web.json_response(document(ROUTES))


ROUTES: tuple[Route, ...] = (
    # ---- ops (handlers supplied by cicero.web.app) ----
    Route("GET", "/healthz", "healthz", ANYONE, "Health in words", tag="ops",
          replies={200: Reply("ok or degraded", {"type": "object"}),
                   503: Reply("down", {"type": "object"})}),
    Route("GET", "/metrics", "metrics", SCRAPE, "Prometheus metrics", tag="ops",
          replies={200: Reply("exposition format", media="text/plain")}),
    Route("GET", "/", "status_page", OPS_PAGE, "Status page (pairing QR)", tag="ops",
          replies={200: Reply("page", media="text/html")}),
    Route("GET", "/api/openapi.json", openapi_json, ANYONE, "This document", tag="ops",
          replies={200: Reply("OpenAPI 3.1", {"type": "object"})}),
    # ---- the app: authentication (A1) ----
    Route("POST", "/api/auth/user-login", auth.login, ANYONE, "A1: staff login",
          body=bodies.schema(auth.LOGIN_FIELDS),
          replies={200: Reply("logged in", s.LOGIN), 401: DENIED, 403: DENIED,
                   429: Reply("locked (Retry-After)", s.ERROR)}),
    Route("POST", "/api/auth/refresh", auth.refresh, ANYONE, "Rotate a refresh token",
          body=bodies.schema(auth.REFRESH_FIELDS),
          replies={200: Reply("a new pair", s.LOGIN), 401: DENIED}),
    Route("POST", "/api/auth/logout", auth.logout, STAFF, "Revoke this login",
          replies={200: Reply("revoked", s.REVOKED)}),
)  # fmt: skip

__all__ = ["ROUTES", "Scope"]

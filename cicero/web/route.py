"""A route of the web server, declared once (STYLE §6): from the table of these the aiohttp
router, the OpenAPI document and the authorization matrix are built."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from aiohttp import web

from cicero.db.auth import TokenRow
from cicero.domain.auth.access import Access

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# (connection, the bearer token's digest, the request, now) -> (the token's row or None, what
# the handler reads): a staff route's first query run with the token check (Route.with_token).
TokenQuery = Callable[
    [asyncpg.Connection, bytes, web.Request, datetime], Awaitable[tuple[TokenRow | None, Any]]
]
Schema = Mapping[str, Any]  # a JSON Schema (2020-12, as OpenAPI 3.1 uses it)


@dataclass(frozen=True)
class Param:
    name: str
    schema: Schema = field(default_factory=lambda: {"type": "string"})
    required: bool = False
    description: str = ""
    repeated: bool = False  # `links[]=a&links[]=b`


@dataclass(frozen=True)
class Reply:
    """One documented answer: a JSON schema, or a media type for pages and text."""

    description: str
    schema: Schema | None = None
    media: str = "application/json"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # aiohttp template: /api/users/{user_id}
    handler: Handler | str  # a str names a handler the app supplies (the ops pages)
    access: Access
    summary: str
    replies: Mapping[int, Reply]
    tag: str = "app"
    query: tuple[Param, ...] = ()
    body: Schema | None = None  # JSON body (schema); None: none read
    form: bool = False  # an HTML form post (application/x-www-form-urlencoded)
    upload: bool = False  # the body is a file (.xlsx or .csv), read by the handler
    budget: str | None = None  # per-person rate limit: "get" or "post"
    page: bool = False  # an HTML page: CSP, never cached
    secret_url: bool = False  # the URL carries a single-use token: no Referer leaves the page
    # A form posted before any session (login, registration, reset): CSRF by the
    # double-submit cookie (api.md §5) instead of the session's token.
    double_submit: bool = False
    # A staff route's first query, run in the statement that looks up the bearer token (one
    # round trip instead of two on the app's busiest calls); the handler reads what it found
    # with `cicero.web.identify.with_token(request)`, only once the token and the route's
    # access rule have passed.
    with_token: TokenQuery | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

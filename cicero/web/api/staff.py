"""A2–A4: the caller's own profile and today's task posts (api.md §2)."""

from __future__ import annotations

from aiohttp import web

from cicero.db import app_api
from cicero.domain.timezone import wib_date
from cicero.web.api.items import post_item, profile_item
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.server import json_ok, principal


async def profile(request: web.Request) -> web.Response:
    """A2: only the caller's own record (the route's SELF scope refused anyone else's)."""
    who = principal(request)
    async with ctx(request).db().acquire() as conn:
        row = await app_api.profile(conn, who.subject)
    if row is None:
        raise ApiError(404, "not_found")
    return json_ok(profile_item(row))


async def _posts(request: web.Request, kind: str) -> web.Response:
    c, who = ctx(request), principal(request)
    async with c.db().acquire() as conn:
        rows = await app_api.task_posts(
            conn, who.client_id or "", sorted(who.roles), kind, wib_date(c.now())
        )
    return json_ok([post_item(r) for r in rows])


async def routine_posts(request: web.Request) -> web.Response:
    """A3: today's routine posts of the caller's client and their directorates."""
    return await _posts(request, "routine")


async def special_posts(request: web.Request) -> web.Response:
    """A4: today's special tasks."""
    return await _posts(request, "special")

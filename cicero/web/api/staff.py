"""A2–A4: the caller's own profile and today's task posts (api.md §2). Each is read in the
statement that checks the caller's token (Route.with_token): one round trip a request."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from aiohttp import web

from cicero.db import app_api
from cicero.db.auth import TokenRow
from cicero.domain.timezone import wib_date
from cicero.web.api.items import post_item, profile_item
from cicero.web.errors import ApiError
from cicero.web.identify import with_token
from cicero.web.server import json_ok


async def profile_with_token(
    conn: asyncpg.Connection, token_hash: bytes, request: web.Request, now: datetime
) -> tuple[TokenRow | None, asyncpg.Record | None]:
    return await app_api.caller_profile(conn, token_hash)


async def profile(request: web.Request) -> web.Response:
    """A2: only the caller's own record (the route's SELF scope refused anyone else's)."""
    row = with_token(request)
    if row is None:
        raise ApiError(404, "not_found")
    return json_ok(profile_item(row))


async def routine_with_token(
    conn: asyncpg.Connection, token_hash: bytes, request: web.Request, now: datetime
) -> tuple[TokenRow | None, list[asyncpg.Record]]:
    return await app_api.caller_task_posts(conn, token_hash, "routine", wib_date(now))


async def special_with_token(
    conn: asyncpg.Connection, token_hash: bytes, request: web.Request, now: datetime
) -> tuple[TokenRow | None, list[asyncpg.Record]]:
    return await app_api.caller_task_posts(conn, token_hash, "special", wib_date(now))


async def task_posts(request: web.Request) -> web.Response:
    """A3 (routine) and A4 (special): today's task posts of the caller's client and their
    directorates, read with the token by the route's `with_token`."""
    return json_ok([post_item(r) for r in with_token(request)])

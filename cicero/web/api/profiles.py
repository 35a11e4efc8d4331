"""A7, A8: the caller's own Instagram profile, from the `ig_profile` cache; A8 refreshes it
through the upstream client when it is over a day old, at most 3 times a person a WIB day
(RapidAPI quota is money)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from aiohttp import web

from cicero.db import app_api
from cicero.domain.people.usernames import Invalid, Platform, parse_username
from cicero.domain.timezone import WIB, wib_date
from cicero.web.api.items import ig_profile_item
from cicero.web.context import WebContext, ctx
from cicero.web.errors import ApiError
from cicero.web.request_state import principal
from cicero.web.server import json_ok

FRESH = timedelta(hours=24)


async def _own_handle(request: web.Request, c: WebContext) -> str:
    who = principal(request)
    asked = parse_username(request.query.get("username", ""), Platform.INSTAGRAM)
    async with c.db().acquire() as conn:
        own = await conn.fetchval("SELECT instagram FROM staff WHERE nrp = $1", who.subject)
    if isinstance(asked, Invalid) or own is None or asked != own:
        raise ApiError(403, "not_self", "Hanya profil Instagram Anda sendiri.")
    return own


async def cached_profile(request: web.Request) -> web.Response:
    c = ctx(request)
    handle = await _own_handle(request, c)
    async with c.db().acquire() as conn:
        row = await app_api.ig_profile(conn, handle)
    if row is None:
        raise ApiError(404, "not_found", "Profil belum pernah diambil.")
    return json_ok(ig_profile_item(row))


async def refreshed_profile(request: web.Request) -> web.Response:
    c, who = ctx(request), principal(request)
    handle = await _own_handle(request, c)
    now = c.now()
    async with c.db().acquire() as conn:
        row = await app_api.ig_profile(conn, handle)
        if row is not None and now - row["fetched_at"] < FRESH:
            return json_ok(ig_profile_item(row))
        midnight = datetime.combine(wib_date(now), time(0), tzinfo=WIB)
        used = await app_api.refreshes_since(conn, who.subject, midnight)
        if used >= c.settings.config.web.rapid_profile_per_day:
            retry = int((midnight + timedelta(days=1) - now).total_seconds()) + 1
            raise ApiError(429, "rate_limited", headers={"Retry-After": str(retry)})
        await app_api.record_refresh(conn, who.subject, now)
    if c.fetch_profile is None:
        raise ApiError(502, "upstream")
    try:
        fetched = await c.fetch_profile(handle)
    except Exception as err:  # any upstream failure is the same answer to the app
        raise ApiError(502, "upstream") from err
    fresh = {
        "username": handle,
        "full_name": fetched.full_name or "",
        "post_count": fetched.media_count,
        "follower_count": fetched.follower_count,
        "following_count": fetched.following_count,
        "profile_pic_url": fetched.profile_pic_url or "",
        "is_private": bool(fetched.is_private),
        "fetched_at": now,
    }
    async with c.db().acquire() as conn:
        await app_api.save_ig_profile(conn, fresh)
    return json_ok(ig_profile_item(fresh))

"""The analytics of one scope and period (api.md §3 `/analitik/*`, issue 17), computed once:
the one data function behind `GET /api/analytics`, the analytics pages, their charts and the
Excel export (STYLE §6). Reads what ingestion stored; never calls the upstream."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import orjson

from cicero.db import analytics as db
from cicero.domain.analytics.figures import Account, Analytics, FollowerBook, PostRow, build, summed
from cicero.domain.attendance.view import DayRange, Period
from cicero.domain.people.usernames import Platform


async def _accounts(
    conn: asyncpg.Connection, client_id: str, directorate: bool, platform: Platform,
    readable: Callable[[str], bool],
) -> tuple[Account, list[Account]]:
    """The scope's client and the accounts side by side (those the caller may read)."""
    accounts = [
        a for a in await db.scope_accounts(conn, client_id, platform, directorate)
        if a.client_id == client_id or readable(a.client_id)
    ]  # fmt: skip
    scope = next((a for a in accounts if a.client_id == client_id), None)
    if scope is None:
        raise LookupError(f"no client {client_id}")
    return scope, accounts


async def compute(
    conn: asyncpg.Connection,
    client_id: str,
    directorate: bool,
    platform: Platform,
    period: Period,
    days: DayRange,
    readable: Callable[[str], bool] = lambda _: True,
) -> Analytics:
    """Analytics of client `client_id` (a directorate: itself and its active satkers side by
    side, those the caller may read) on `platform` over `days`."""
    scope, accounts = await _accounts(conn, client_id, directorate, platform, readable)
    ids = [a.client_id for a in accounts]
    book = FollowerBook.of(
        await db.known_followers(conn, ids, platform, days.start, days.end), days
    )
    on = book.on
    posts = [PostRow._make((*r, on(r[0], r[3])))
             for r in await db.period_posts(conn, ids, platform, days.start, days.end)]  # fmt: skip
    return build(scope, directorate, platform, period, days, accounts, posts, book)


async def answer_json(
    conn: asyncpg.Connection,
    client_id: str,
    directorate: bool,
    platform: Platform,
    period: Period,
    days: DayRange,
    readable: Callable[[str], bool] = lambda _: True,
) -> dict[str, Any]:
    """`compute(...).as_json()` for `GET /api/analytics`, the same bytes once encoded by orjson:
    PostgreSQL sums the posts and writes their lists (a month of a directorate is ~1,200
    posts, 470 KiB: Python would spend 4x the SQL's time on them), the figures' rules the rest."""
    scope, accounts = await _accounts(conn, client_id, directorate, platform, readable)
    got = await db.answer(conn, [a.client_id for a in accounts], platform, days.start, days.end)
    value = summed(scope, directorate, platform, period, days, accounts, got.followers,
                   got.by_client, got.by_day, got.totals)  # fmt: skip
    return value.json_with(orjson.Fragment(got.posts), orjson.Fragment(got.top),
                           orjson.Fragment(got.bottom))  # fmt: skip

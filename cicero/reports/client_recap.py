"""An ORG client's recap input (jobs.md §3.2-3.3) from the database: its posts of a WIB day
and who engaged, for the scheduled org_engagement_recap and the menus' on-demand reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from cicero.db.attendance import ENGAGEMENT_KIND, ScopePost, org_attendance, org_posts
from cicero.db.recaps import (
    ClientRow,
    failed_fetches,
)
from cicero.domain.attendance.rule import FULL, Ratio
from cicero.domain.layouts.client_recap import ClientRecap, render_comments, render_likes
from cicero.domain.people.usernames import Platform

RENDER = {Platform.INSTAGRAM: render_likes, Platform.TIKTOK: render_comments}


async def client_recaps(
    conn: asyncpg.Connection,
    clients: Sequence[ClientRow],
    platform: Platform,
    day: date,
    now: datetime,
    ratio: Ratio = FULL,
) -> dict[str, tuple[list[ScopePost], ClientRecap]]:
    """Each ORG client's §3.2/§3.3 recap input for WIB day `day`, counted up to `now`: a few
    queries for all clients (a query per client and kind cost ~200 round trips a run)."""
    if not clients:
        return {}
    ids = [c.client_id for c in clients]
    posts = await org_posts(conn, ids, platform, day, now)
    # A client without posts lists nobody: only the others' people are counted (in bench/day.py's
    # world 24 of 28 clients post nothing of their own on a platform).
    people = await org_attendance(
        conn, {c: ps for c, ps in posts.items() if ps}, platform, now, ratio
    )
    failed = (
        await failed_fetches(conn, [p.id for ps in posts.values() for p in ps],
                             ENGAGEMENT_KIND[platform])
        if platform is Platform.TIKTOK
        else set()
    )  # fmt: skip
    out = {}
    for c in clients:
        mine = posts[c.client_id]
        out[c.client_id] = (
            mine,
            ClientRecap(
                client_name=c.name,
                at=now,
                posts=tuple(p.ref for p in mine),
                people=tuple(people[c.client_id]) if mine else (),
                done_ratio=ratio,
                failed_posts=tuple(p.ref.external_id for p in mine if p.id in failed),
            ),
        )
    return out


async def client_recap(
    conn: asyncpg.Connection,
    c: ClientRow,
    platform: Platform,
    day: date,
    now: datetime,
    ratio: Ratio = FULL,
) -> tuple[list[ScopePost], ClientRecap]:
    """One ORG client's recap input (the on-demand menu reports)."""
    return (await client_recaps(conn, [c], platform, day, now, ratio))[c.client_id]

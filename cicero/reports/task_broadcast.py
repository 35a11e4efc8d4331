"""A client's task message (jobs.md §3.1) from the database: today's posts of each platform it
runs, new ones marked, for task_broadcast and the directorate menu's task message."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from cicero.db.attendance import ScopePost, scope_posts
from cicero.db.recaps import ClientRow
from cicero.domain.layouts.task_broadcast import TaskBroadcast, TaskPost
from cicero.domain.people.usernames import Platform


async def task_posts(
    conn: asyncpg.Connection, c: ClientRow, day: date, now: datetime
) -> dict[Platform, list[ScopePost]]:
    """Today's posts of each platform the client runs, with their engager counts (shared with
    the directorate menu's task message)."""
    return {
        platform: await scope_posts(conn, c.client_id, platform, day, now, c.is_directorate, True)
        if enabled
        else []
        for platform, enabled in (
            (Platform.INSTAGRAM, c.has_instagram),
            (Platform.TIKTOK, c.has_tiktok),
        )
    }


def task_message(
    c: ClientRow, posts: dict[Platform, list[ScopePost]], seen: set[int]
) -> TaskBroadcast:
    """§3.1 of those posts; a post missing from `seen` (the last broadcast's set) is [BARU]."""
    ig, tt = (
        tuple(TaskPost(p.ref, p.engagers, new=p.id not in seen) for p in posts[platform])
        for platform in (Platform.INSTAGRAM, Platform.TIKTOK)
    )
    return TaskBroadcast(c.name, ig, tt)

"""The home page's numbers (api.md §3 `/`): today's attendance of the chosen client on each
platform it counts (the same data function as `/absensi`), its posts and link reports today,
and the last ingestion of each platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from cicero.config import Settings
from cicero.dashboard.attendance import compute, today_range
from cicero.db import recaps
from cicero.domain.attendance.view import Period
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date
from cicero.web.errors import ApiError


async def today(
    conn: asyncpg.Connection, settings: Settings, client_id: str, now: datetime
) -> dict[str, Any]:
    c = await recaps.client(conn, client_id)
    if c is None:
        raise ApiError(404, "not_found")
    days = today_range(now)
    platforms = []
    for platform, on in ((Platform.INSTAGRAM, c.has_instagram), (Platform.TIKTOK, c.has_tiktok)):
        if not on:
            continue
        v = (await compute(conn, settings, c, platform, Period.DAY, days, now)).view
        platforms.append(
            {"platform": platform.value, "posts": len(v.posts), "required": v.required,
             "summary": v.summary(), "data_incomplete": v.data_incomplete}
        )  # fmt: skip
    reports = await conn.fetchval(
        """SELECT count(*) FROM link_report r JOIN post p ON p.id = r.post_id
            WHERE (p.client_id = $1 OR EXISTS (SELECT 1 FROM post_tag t WHERE t.post_id = p.id
                                                AND t.role_name = lower($1)))
              AND p.wib_date = $2 AND (r.reported_at AT TIME ZONE 'Asia/Jakarta')::date = $2""",
        c.client_id, wib_date(now),
    )  # fmt: skip
    runs = await conn.fetch(
        """SELECT DISTINCT ON (platform) platform, stage, outcome, finished_at, error_class
             FROM ingest_run WHERE client_id = $1 AND finished_at IS NOT NULL
            ORDER BY platform, finished_at DESC""",
        c.client_id,
    )
    return {
        "client": {"client_id": c.client_id, "name": c.name, "type": c.type},
        "date": wib_date(now).isoformat(),
        "at": now,
        "platforms": platforms,
        "link_reports_today": reports,
        "last_ingestion": [
            {"platform": r["platform"], "stage": r["stage"], "outcome": r["outcome"],
             "finished_at": r["finished_at"], "error": r["error_class"] or ""}
            for r in runs
        ],
    }  # fmt: skip

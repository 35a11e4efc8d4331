"""/healthz shows each upstream host from `upstream_host`, over real HTTP and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.db.upstream_hosts import save_host
from cicero.domain.ingestion.limits import HostState
from cicero.domain.timezone import wib_date
from cicero.web.app import build_app
from tests.conftest import fresh_database

GOOD = {
    "escalated": "",
    "actors": {"clock": {"state": "running", "restarts": 0, "restart_type": "permanent"}},
    "reports": {},
}


def test_healthz_shows_a_paused_host_its_calls_and_budget(pg_server: object) -> None:
    url = fresh_database(pg_server)
    now = datetime.now(UTC)

    async def go() -> tuple[int, dict[str, Any]]:
        conn = await connect(url)
        try:
            paused = HostState(
                calls_day=wib_date(now), calls=41, paused_until=now + timedelta(minutes=3),
                last_success_at=now - timedelta(minutes=10), last_error_at=now,
                last_error="rate_limited: GET /api/post/comments: HTTP 429 (after 3 attempts)",
            )  # fmt: skip
            await save_host(conn, "tiktok", "tiktok-api23.p.rapidapi.com", paused, 40, now)
            fine = HostState(calls_day=wib_date(now), calls=7, saved=19, last_success_at=now)
            await save_host(conn, "instagram", "social-api4.p.rapidapi.com", fine, None, now)
        finally:
            await conn.close()
        trusted = load_settings({}, {"web": {"trusted_networks": ["127.0.0.0/8"]}})
        app = build_app(lambda: (GOOD, 0.5), url, [], trusted)  # the full body: an allowed network
        async with TestClient(TestServer(app)) as client:
            resp = await client.get("/healthz")
            return resp.status, await resp.json()

    status, body = asyncio.run(go())
    assert status == 200 and body["ok"] is True  # a pause is waited out, not a fault
    tiktok, instagram = body["upstream"]["tiktok"], body["upstream"]["instagram"]
    assert tiktok["status"] == "rate_limited" and tiktok["host"] == "tiktok-api23.p.rapidapi.com"
    assert (tiktok["calls_today"], tiktok["daily_budget"]) == (41, 40)
    assert datetime.fromisoformat(tiktok["paused_until"]) == (now + timedelta(minutes=3))
    assert tiktok["last_error"].startswith("rate_limited: GET /api/post/comments")
    assert instagram["status"] == "ok" and instagram["calls_today"] == 7
    assert (instagram["saved_today"], tiktok["saved_today"]) == (19, 0)
    assert instagram["daily_budget"] is None and instagram["paused_until"] is None

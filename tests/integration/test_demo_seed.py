"""The embedded default's demo (issue 16 item 5): the demo day squeezed into today so far,
seeded on a database without clients with an ingestion owed at start; nothing where a
database URL, an upstream key or real WhatsApp is configured, or where clients exist."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from cicero.config import Secret, load_settings
from cicero.db.connect import connect
from cicero.domain.timezone import WIB, wib_date
from cicero.sim import demo

NOW = datetime(2026, 12, 8, 9, 30, tzinfo=WIB)


def test_the_demo_day_is_squeezed_into_today_so_far() -> None:
    day, world = demo.demo_world(NOW)
    assert day.posts and all(wib_date(p.at) == NOW.date() and p.at < NOW for p in day.posts)
    assert all(e.at < NOW for e in day.engagements)
    assert {p.id for p in world.posts} == {p.id for p in day.posts}
    # Order is kept: the squeeze is monotone.
    original = demo.load_scenario(demo.SCENARIO)
    assert [p.id for p in sorted(day.posts, key=lambda p: p.at)] == [
        p.id for p in sorted(original.posts, key=lambda p: p.at)
    ]


def test_only_the_embedded_default_gets_the_demo() -> None:
    base = load_settings({})
    assert demo.wanted(base)
    for env in ({"database_url": Secret("postgresql://x")}, {"rapidapi_key": Secret("k")},
                {"whatsapp": "neonize"}):  # fmt: skip
        assert not demo.wanted(replace(base, env=replace(base.env, **env))), env


def test_seeded_once_on_a_database_without_clients(empty_database_url: str) -> None:
    async def go() -> None:
        from cicero.db.migrate import migrate

        conn = await connect(empty_database_url)
        try:
            await migrate(conn)
            day, _ = demo.demo_world(NOW)
            settings = load_settings({})
            assert await demo.seed_if_empty(conn, settings, day, NOW)
            assert await conn.fetchval("SELECT count(*) FROM client") == len(day.clients)
            assert await conn.fetchval("SELECT count(*) FROM staff") == len(day.users)
            owed = await conn.fetch("SELECT job_key, fire_time, status FROM job_run")
            assert [(r["job_key"], r["status"]) for r in owed] == [("ingest_social", "queued")]
            assert not await demo.seed_if_empty(conn, settings, day, NOW)  # clients exist now
            assert await conn.fetchval("SELECT count(*) FROM job_run") == 1
        finally:
            await conn.close()

    asyncio.run(go())

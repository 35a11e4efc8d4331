"""The embedded default shows a live service (issue 16 item 5): `cicero run` in simulator mode
on a database without clients seeds the demo day's clients and staff (scenarios/demo-day.toml),
serves the demo day's posts and engagement from the fake upstream as today's, and owes an
ingestion at start, so today's attendance is on the dashboard within a minute.

The demo day is squeezed into today so far: its 00:00–24:00 maps onto today's 00:00 until a
minute ago, so whenever the service starts there is a day's worth of posts, all dated today.
Nothing is seeded where a database URL, an upstream key or real WhatsApp is configured.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import asyncpg

from cicero.config import Settings
from cicero.db import ledger
from cicero.domain.timezone import WIB, to_wib
from cicero.sim.parse import load_scenario
from cicero.sim.scenario import Scenario
from cicero.sim.seed import seed
from cicero.sim.upstream.world import UpstreamWorld

log = logging.getLogger("cicero.demo")
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "demo-day.toml"
INGEST_JOB = "ingest_social"
MARGIN = timedelta(minutes=1)  # the squeezed day ends this long before start-up


def available() -> bool:
    """The demo day ships with the repository (a package without it shows no demo). Whether
    a runtime gets the demo is the bootstrap's choice: the embedded default only."""
    return SCENARIO.is_file()


def squeeze(scenario: Scenario, now: datetime) -> Scenario:
    """The scenario's day (its start's WIB date) mapped onto today from 00:00 to a minute ago."""
    day0 = datetime.combine(to_wib(scenario.start).date(), time(0), tzinfo=WIB)
    today = datetime.combine(to_wib(now).date(), time(0), tzinfo=WIB)
    room = max(now - MARGIN - today, timedelta(seconds=1))

    def at(t: datetime) -> datetime:
        return today + (to_wib(t) - day0) * (room / timedelta(days=1))

    return replace(
        scenario,
        posts=tuple(
            replace(p, at=at(p.at), removed_at=None if p.removed_at is None else at(p.removed_at))
            for p in scenario.posts
        ),
        engagements=tuple(replace(e, at=at(e.at)) for e in scenario.engagements),
    )


def demo_world(now: datetime) -> tuple[Scenario, UpstreamWorld]:
    from cicero.sim.upstream.embedded import world_from_scenario

    day = squeeze(load_scenario(SCENARIO), now)
    return day, world_from_scenario(day)


async def seed_database(url: str, settings: Settings, day: Scenario, now: datetime) -> bool:
    """`seed_if_empty` on the database at `url`."""
    from cicero.db.connect import connect

    conn = await connect(url)
    try:
        return await seed_if_empty(conn, settings, day, now)
    finally:
        await conn.close()


async def seed_if_empty(
    conn: asyncpg.Connection, settings: Settings, day: Scenario, now: datetime
) -> bool:
    """Seed the demo's clients and staff and owe an ingestion now, on a database without
    clients; False (and nothing written) on one that has any."""
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM client)"):
        return False
    await seed(conn, day, settings.config)
    await ledger.enqueue(conn, INGEST_JOB, now)  # the clock runs it at start (within grace)
    log.info(
        "demo data seeded: %d clients, %d staff; an ingestion runs now",
        len(day.clients),
        len(day.users),
    )
    return True

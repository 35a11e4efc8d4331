"""A rig for the ingest job: the real fake upstream on loopback, a real database, a clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import asyncpg

from cicero.config import Secret, Settings, load_settings
from cicero.db.connect import create_pool
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from cicero.jobs.ingest import IngestOptions, run_ingest
from cicero.jobs.registry import JobContext
from cicero.sim.upstream.embedded import FALLBACK_KEY, KEY, KEYS
from cicero.sim.upstream.server import FakeUpstream
from cicero.sim.upstream.world import UpstreamWorld

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
LOG = logging.getLogger("test.ingest")


def at(h: int, m: int = 0, day: int = 6) -> datetime:
    return datetime(2026, 2, day, h, m, tzinfo=WIB)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.t = now

    def __call__(self) -> datetime:
        return self.t


CLIENTS = (
    # client_id, instagram, tiktok
    ("POLRES_A", "polres_a", "polres_a"),
    ("POLRES_B", "polres_b", "polres_b"),
)


@dataclass
class Rig:
    fake: FakeUpstream
    clock: Clock
    settings: Settings
    pool: asyncpg.Pool
    sleeps: list[float] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)  # backoff and comment gaps are recorded, never slept

    async def ingest(self, when: datetime, readers: frozenset[str] = frozenset()) -> str:
        """One fire time; `readers`: the jobs reading engagement (the registry's flag)."""
        self.clock.t = when
        ctx = JobContext("ingest_social", when, when, self.pool, self.settings, LOG,
                         readers=readers)  # fmt: skip
        return await run_ingest(ctx, IngestOptions(sleep=self.sleep, jitter=lambda: 0.0))

    async def runs(self, fire_time: datetime) -> dict[tuple[str, str, str], asyncpg.Record]:
        rows = await self.pool.fetch("SELECT * FROM ingest_run WHERE fire_time = $1", fire_time)
        return {(r["platform"], r["client_id"], r["stage"]): r for r in rows}

    async def engagement(self) -> set[tuple[str, str, str]]:
        rows = await self.pool.fetch(
            "SELECT p.external_id, e.kind, e.username FROM engagement e JOIN post p ON p.id = e.post_id"
        )
        return {(r["external_id"], r["kind"], r["username"]) for r in rows}

    async def posts(self) -> dict[str, asyncpg.Record]:
        rows = await self.pool.fetch("SELECT * FROM post")
        return {r["external_id"]: r for r in rows}


async def seed(conn: asyncpg.Connection) -> None:
    for client_id, ig, tt in CLIENTS:
        await conn.execute(
            "INSERT INTO client (client_id, name, type, instagram, tiktok) VALUES ($1, $1, 'ORG', $2, $3)",
            client_id,
            ig,
            tt,
        )
    # fajar is an exception: never written into engagement (§3.6).
    await conn.execute(
        """INSERT INTO staff (nrp, name, client_id, instagram, tiktok, exception)
           VALUES ('75020005', 'FAJAR', 'POLRES_A', 'fajar', 'fajar', true),
                  ('75020001', 'BUDI', 'POLRES_A', 'budi.s', NULL, false)"""
    )
    await conn.execute(
        "INSERT INTO staff_role VALUES ('75020005', 'operator'), ('75020001', 'operator')"
    )


@asynccontextmanager
async def rig(
    url: str,
    world: UpstreamWorld,
    *,
    fallback: bool = True,
    total_timeout: float = 5.0,
    concurrency: int = 1,
    pool_init: Any = None,
    upstream_config: dict[str, Any] | None = None,  # more [upstream] keys (pacing, budgets)
    extra_config: dict[str, Any] | None = None,  # other tables (jobs)
    **fake_kw: Any,
) -> AsyncIterator[Rig]:
    clock = Clock(at(10))
    async with FakeUpstream(world, now=clock, **{"keys": KEYS, **fake_kw}) as fake:
        upstream: dict[str, Any] = {
            "instagram_url": fake.base_url(IG),
            "tiktok_url": fake.base_url(TT),
            "connect_timeout_s": 2.0,
            "total_timeout_s": total_timeout,
            "concurrency": concurrency,
            **(upstream_config or {}),
        }
        if fallback:
            upstream["instagram_fallback_url"] = fake.base_url(IG, fallback=True)
            upstream["tiktok_fallback_url"] = fake.base_url(TT, fallback=True)
        settings = load_settings({}, {**(extra_config or {}), "upstream": upstream})
        keys = {"rapidapi_key": Secret(KEY), "rapidapi_key_fallback": Secret(FALLBACK_KEY)}
        settings = replace(settings, env=replace(settings.env, **keys))
        if pool_init is None:
            pool = await create_pool(url, size=4)
        else:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=4, init=pool_init)
        try:
            async with pool.acquire() as conn:
                await seed(conn)
            yield Rig(fake, clock, settings, pool)
        finally:
            await pool.close()

"""What the upstream host limits cost per request (issue 6).

REQUESTS `post_info` calls to the fake upstream on loopback, one at a time, with the
Instagram client as the ingestor builds it:
  none          no host limits (the client alone);
  memory        UpstreamHosts without a database (pacing, pause check, count);
  stored/20     UpstreamHosts on the embedded PostgreSQL, written every 20 calls (as shipped);
  stored/1      the same, written after every call (what batching saves).
Pacing is set far above the request rate, so no request waits: only the bookkeeping counts.

Run: .venv/bin/python bench/upstream_limits.py [requests]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

from bench.ingest import embedded_database
from cicero.db.connect import connect, create_pool
from cicero.db.migrate import migrate
from cicero.domain.ingestion.limits import Pace
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from cicero.sim.upstream.server import FakeUpstream
from cicero.sim.upstream.world import FakePost, UpstreamWorld
from cicero.upstream.client import InstagramClient
from cicero.upstream.limits import UpstreamHosts, run_clock

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
T0 = datetime(2026, 2, 6, 10, 0, tzinfo=WIB)
WORLD = UpstreamWorld(
    posts=(FakePost(Platform.INSTAGRAM, "polres_a", "P1", T0 - timedelta(hours=1)),)
)
ROUNDS = 4
FAST = Pace(rate_per_s=1_000_000, burst=1000)


async def timed(
    fake: FakeUpstream, session: aiohttp.ClientSession, hosts: UpstreamHosts | None
) -> float:
    client = InstagramClient(
        session, fake.endpoint(Platform.INSTAGRAM),
        hosts=hosts.platform(Platform.INSTAGRAM) if hosts else None,
    )  # fmt: skip
    await client.post_info("P1")  # warm the connection
    started = time.perf_counter()
    for _ in range(REQUESTS):
        await client.post_info("P1")
    if hosts is not None:
        await hosts.close()
    return time.perf_counter() - started


async def run(url: str) -> None:
    conn = await connect(url)
    await migrate(conn)
    await conn.close()
    pool = await create_pool(url, size=2)
    clock = run_clock(T0)  # the clock a run gets: moves with the wall clock
    results: dict[str, float] = {}

    def best(name: str, seconds: float) -> None:
        results[name] = min(seconds, results.get(name, seconds))

    try:
        async with FakeUpstream(WORLD, now=clock) as fake, aiohttp.ClientSession() as session:
            for _ in range(ROUNDS):  # interleaved; the best round of each is reported
                best("none", await timed(fake, session, None))
                best("memory", await timed(fake, session, UpstreamHosts(clock, FAST)))
                for every in (20, 1):
                    hosts = await UpstreamHosts.open(pool, clock, FAST, {})
                    hosts.flush_every = every
                    best(f"stored/{every}", await timed(fake, session, hosts))
        stored = await pool.fetchval("SELECT calls FROM upstream_host WHERE name = 'instagram'")
    finally:
        await pool.close()

    base = results["none"]
    print(f"{REQUESTS:,} sequential requests to the fake upstream on loopback "
          f"(best of {ROUNDS} interleaved rounds)")  # fmt: skip
    for name, seconds in results.items():
        extra_us = (seconds - base) / REQUESTS * 1e6
        print(f"  {name:10s} {seconds:6.2f} s  {REQUESTS / seconds:7,.0f} req/s  "
              f"{extra_us:+7.1f} µs per request vs none")  # fmt: skip
    print(f"  calls stored for the instagram host: {stored:,} (all rounds, warm-ups included)")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cicero-bench-") as tmp:
        url, server = embedded_database(Path(tmp))
        try:
            asyncio.run(run(url))
        finally:
            server.cleanup()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

"""Host limits on the real clients, the real fake upstream and a real database: the 429
pause (and what it does not stop), pacing, the daily count and budget, a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
import pytest

from cicero.db.connect import create_pool
from cicero.db.upstream_hosts import load_hosts
from cicero.domain.ingestion.limits import Pace
from cicero.domain.ingestion.rules import Outcome, TikTokSource
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from cicero.sim.upstream.server import FakeUpstream, PageSizes
from cicero.sim.upstream.world import (
    FakeAccount,
    FakeEngagement,
    FakePost,
    Fault,
    FaultKind,
    UpstreamWorld,
)
from cicero.upstream.client import InstagramClient, TikTokClient
from cicero.upstream.limits import UpstreamHosts
from cicero.upstream.transport import ErrorClass, UpstreamError
from tests.conftest import fresh_database

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
NOON = datetime(2026, 2, 6, 12, 0, tzinfo=WIB)
TODAY = NOON.date()

WORLD = UpstreamWorld(
    posts=(
        FakePost(IG, "polres_a", "P1", NOON - timedelta(hours=3), "Jumat Curhat"),
        FakePost(TT, "polres_a", "7468000000000000001", NOON - timedelta(hours=2), "Patroli"),
    ),
    engagements=(
        FakeEngagement("P1", NOON - timedelta(hours=1), ("budi.s", "citra_01", "dedi", "eko")),
        FakeEngagement("7468000000000000001", NOON - timedelta(hours=1), ("andi", "sari")),
    ),
    accounts=(FakeAccount(TT, "polres_a", sec_uid="MS4w-good"),),
)


class Clock:
    """The one clock of a test: the fake serves as of it, the hosts judge pauses by it,
    and every wait the clients make moves it on (nobody sleeps for real)."""

    def __init__(self, now: datetime) -> None:
        self.t = now
        self.waits: list[float] = []

    def __call__(self) -> datetime:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.t += timedelta(seconds=seconds)


class Rig:
    def __init__(self, fake: FakeUpstream, session: aiohttp.ClientSession, clock: Clock,
                 pool: asyncpg.Pool, hosts: UpstreamHosts) -> None:  # fmt: skip
        self.fake, self.session, self.clock, self.pool = fake, session, clock, pool
        self.connect(hosts)

    def connect(self, hosts: UpstreamHosts) -> None:
        """Clients as an ingestion run makes them, on these hosts."""
        self.hosts = hosts
        common: dict[str, Any] = {"sleep": self.clock.sleep, "jitter": lambda: 0.0}
        self.ig = InstagramClient(self.session, self.fake.endpoint(IG),
                                  self.fake.endpoint(IG, True), hosts=hosts.platform("instagram"),
                                  **common)  # fmt: skip
        self.tt = TikTokClient(self.session, self.fake.endpoint(TT), self.fake.endpoint(TT, True),
                               hosts=hosts.platform("tiktok"), **common)  # fmt: skip

    async def restart(self) -> None:
        """What a restarted ingestor sees: the hosts as stored, nothing from memory."""
        await self.hosts.close()
        self.connect(await UpstreamHosts.open(self.pool, self.clock, self.hosts.pace,
                                              self.hosts.budgets))  # fmt: skip

    def requests(self, platform: Platform, fallback: bool = False) -> int:
        return sum(1 for r in self.fake.log if r.platform is platform and r.fallback is fallback)

    async def stored(self) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            return await load_hosts(conn)


FAST = Pace(rate_per_s=100, burst=100)  # pacing out of the way unless a test is about it


def run(
    test: Callable[[Rig], Awaitable[Any]],
    pg_server: object,
    *,
    pace: Pace = FAST,
    budgets: dict[str, int] | None = None,
    faults: tuple[Fault, ...] = (),
    **fake_kw: Any,
) -> Any:
    url = fresh_database(pg_server)

    async def main() -> Any:
        clock = Clock(NOON)
        pool = await create_pool(url, size=2)
        try:
            async with (
                FakeUpstream(WORLD, now=clock, **fake_kw) as fake,
                aiohttp.ClientSession() as session,
            ):
                for fault in faults:
                    fake.add_fault(fault)
                hosts = await UpstreamHosts.open(pool, clock, pace, budgets or {})
                return await test(Rig(fake, session, clock, pool, hosts))
        finally:
            await pool.close()

    return asyncio.run(main())


STORM = Fault(IG, FaultKind.RATE_LIMITED)  # every Instagram request answers 429


def test_a_429_storm_pauses_the_host_for_five_minutes(pg_server):
    async def test(rig: Rig):
        first = await rig.ig.likers("P1")
        storm_requests = rig.requests(IG)
        during = []
        for minutes in (0, 2, 4.9):  # later calls, other endpoints too: refused unsent
            rig.clock.t = NOON + timedelta(minutes=minutes)
            during.append(await rig.ig.posts("polres_a", TODAY))
        with pytest.raises(UpstreamError) as refused:
            await rig.ig.profile("polres_a")
        after_during = rig.requests(IG)
        rig.fake.faults.clear()
        rig.clock.t = NOON + timedelta(
            minutes=5, seconds=2
        )  # the storm waited Retry-After 1 s twice
        after = await rig.ig.likers("P1")
        return first, storm_requests, during, refused.value, after_during, after, rig.requests(IG)

    first, storm, during, refused, after_during, after, total = run(
        test, pg_server, faults=(STORM,)
    )
    assert first.outcome is Outcome.FAILED and first.error_class is ErrorClass.RATE_LIMITED
    assert storm == 3  # the retries of §2.1 first
    assert all(d.outcome is Outcome.FAILED and d.error_class is ErrorClass.RATE_LIMITED
               for d in during)  # fmt: skip
    assert "paused until 12:05:02 WIB" in refused.detail and "no request sent" in refused.detail
    assert after_during == 3  # nothing reached the fake during the pause
    assert after.outcome is Outcome.COMPLETE and len(after.items) == 4 and total == 4


def test_the_pause_is_per_host_tiktok_falls_back_to_its_other_host(pg_server):
    async def test(rig: Rig):
        first = await rig.tt.posts_today("polres_a", "MS4w-good", NOON)
        counts = rig.requests(TT), rig.requests(TT, fallback=True)
        rig.fake.add_fault(Fault(TT, FaultKind.EMPTY, "videos"))  # the fallback has nothing
        second = await rig.tt.posts_today("polres_a", "MS4w-good", NOON)
        return first, counts, second, rig.requests(TT), rig.fake.log

    storm = Fault(TT, FaultKind.RATE_LIMITED, "posts")  # the primary listing only
    first, (primary, fallback), second, primary_after, log = run(test, pg_server, faults=(storm,))
    assert first.source is TikTokSource.FALLBACK_HOST and len(first.listing.items) == 1
    assert primary == 3 and fallback == 1
    # Next: the paused primary is passed over unsent, the fallback host answers empty, and
    # the username path (inside its window at noon) would use the primary: not sent either.
    assert [t.source for t in second.tried] == list(TikTokSource)
    assert second.tried[0].failed and second.tried[2].failed and primary_after == 3
    assert not [r for r in log if r.endpoint == "posts_by_username"]
    assert second.listing.items == ()


def test_the_pause_survives_a_restart_and_other_errors_do_not_pause(pg_server):
    async def test(rig: Rig):
        rig.fake.add_fault(Fault(TT, FaultKind.SERVER_ERROR, count=3))
        server_error = await rig.tt.comments("7468000000000000001")
        after_5xx = await rig.tt.comments("7468000000000000001")  # 5xx: no pause
        rig.fake.add_fault(Fault(IG, FaultKind.RATE_LIMITED, count=3))
        await rig.ig.likers("P1")
        await rig.restart()
        sent = rig.requests(IG)
        refused = await rig.ig.likers("P1")  # the fault is used up; the pause still holds
        unsent = rig.requests(IG) == sent
        rig.clock.t += timedelta(minutes=5)
        return server_error, after_5xx, refused, unsent, await rig.ig.likers("P1")

    server_error, after_5xx, refused, unsent, later = run(test, pg_server)
    assert server_error.error_class is ErrorClass.SERVER and after_5xx.outcome is Outcome.COMPLETE
    assert refused.error_class is ErrorClass.RATE_LIMITED and unsent
    assert later.outcome is Outcome.COMPLETE


def test_calls_are_counted_per_host_and_stored(pg_server):
    async def test(rig: Rig):
        await rig.ig.likers("P1")  # 4 pages of one name
        rig.fake.add_fault(Fault(IG, FaultKind.UNAUTHORIZED, count=1))
        await rig.ig.post_info("P1")  # 401 on the primary, then the fallback
        await rig.tt.comments("7468000000000000001")
        await rig.hosts.close()
        counts = rig.requests(IG), rig.requests(IG, True), rig.requests(TT)
        return await rig.stored(), counts, rig.fake.port

    stored, (ig, ig_fallback, tt), port = run(
        test, pg_server, budgets={"instagram": 50}, page_sizes=PageSizes(instagram_likers=1)
    )
    assert (ig, ig_fallback, tt) == (5, 1, 1)
    assert stored["instagram"].state.calls == 5 and stored["instagram"].daily_budget == 50
    assert stored["instagram_fallback"].state.calls == 1
    assert stored["tiktok"].state.calls == 1 and stored["tiktok"].state.calls_day == TODAY
    assert stored["instagram"].state.last_error.startswith("auth: ")
    assert stored["instagram"].host == f"127.0.0.1:{port}"  # the x-rapidapi-host called
    assert "tiktok_fallback" not in stored  # never called, never written


def test_the_budget_stops_engagement_not_post_listings_and_survives_a_restart(pg_server):
    async def test(rig: Rig):
        before = rig.hosts.engagement_refusal("instagram")
        await rig.ig.likers("P1")  # 4 pages: the budget of 4 is spent
        spent = rig.hosts.engagement_refusal("instagram")
        await rig.restart()
        still = rig.hosts.engagement_refusal("instagram")
        posts = await rig.ig.posts("polres_a", TODAY)  # listings still run
        tiktok = rig.hosts.engagement_refusal("tiktok")  # another key, no budget
        rig.clock.t += timedelta(days=1)
        return before, spent, still, posts, tiktok, rig.hosts.engagement_refusal("instagram")

    before, spent, still, posts, tiktok, next_day = run(
        test, pg_server, budgets={"instagram": 4}, page_sizes=PageSizes(instagram_likers=1)
    )
    assert before is None and tiktok is None and next_day is None
    assert (
        spent
        == still
        == ("instagram key over its daily budget (4 of 4 calls today): only post listings run")
    )
    assert posts.outcome is Outcome.COMPLETE


def test_requests_keep_the_pace_of_their_host(pg_server):
    async def test(rig: Rig):
        await rig.ig.likers("P1")  # 4 pages
        await rig.tt.comments("7468000000000000001")  # another host: its own bucket
        return rig.clock.waits

    waits = run(test, pg_server, pace=Pace(rate_per_s=2, burst=2),
                page_sizes=PageSizes(instagram_likers=1))  # fmt: skip
    assert waits == [0.5, 0.5]  # pages 3 and 4; TikTok's first request waits for nothing

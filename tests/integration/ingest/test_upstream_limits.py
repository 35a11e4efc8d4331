"""ingest_social under the upstream limits (data.md §2.1, §3.8): a 429 storm pauses the host
for every client for 5 minutes, a spent daily budget leaves only post listings, and the
hosts' counts and pauses are stored (the fake upstream counts what it really received)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from cicero.db.upstream_hosts import load_hosts
from cicero.sim.upstream.world import FakeEngagement, FakePost, Fault, FaultKind, UpstreamWorld
from tests.conftest import fresh_database
from tests.integration.ingest.harness import IG, TT, Rig, at, rig

VID_A, VID_B = "7400000000000000001", "7400000000000000002"

WORLD = UpstreamWorld(
    posts=(
        FakePost(IG, "polres_a", "A1", at(8, 0)),
        FakePost(IG, "polres_a", "A2", at(9, 0)),
        FakePost(IG, "polres_b", "B1", at(8, 0)),
        FakePost(TT, "polres_a", VID_A, at(8, 30)),
        FakePost(TT, "polres_b", VID_B, at(9, 0)),
    ),
    engagements=(
        FakeEngagement("A1", at(9), ("budi.s", "citra_01")),
        FakeEngagement("B1", at(9), ("gita",)),
        FakeEngagement(VID_A, at(9), ("sari",)),
    ),
)


@pytest.fixture
def url(pg_server: object) -> str:
    return fresh_database(pg_server)


# Every fire time an audit (data.md §3.4): each post's likers and commenters are asked for at
# every run, as the limits under test need requests to meet.
EVERY_RUN_AUDITS = {"audit_every": "1m"}


def run(url: str, test: Any, upstream_config: dict[str, Any] | None = None, **kw: Any) -> Any:
    config = {**EVERY_RUN_AUDITS, **(upstream_config or {})}

    async def main() -> Any:
        async with rig(url, WORLD, upstream_config=config, **kw) as r:
            return await test(r)

    return asyncio.run(main())


def sent(r: Rig, platform: Any, fallback: bool = False) -> int:
    return sum(1 for x in r.fake.log if x.platform is platform and x.fallback is fallback)


def outcomes(runs: dict[tuple[str, str, str], Any]) -> dict[tuple[str, str, str], tuple]:
    return {k: (v["outcome"], v["error_class"]) for k, v in runs.items()}


def test_a_429_storm_pauses_instagram_for_every_client_for_five_minutes(url: str) -> None:
    async def test(r: Rig) -> Any:
        await r.ingest(at(10))  # today's posts are known: the likers stages have work
        before = sent(r, IG)
        r.fake.add_fault(Fault(IG, FaultKind.RATE_LIMITED, until=at(10, 31)))
        await r.ingest(at(10, 30))
        storm = sent(r, IG) - before, outcomes(await r.runs(at(10, 30)))
        await r.ingest(at(10, 34))  # the fault is over, the pause is not: nothing sent
        paused = sent(r, IG) - before, await r.runs(at(10, 34))
        await r.ingest(at(10, 36))
        after = sent(r, IG) - before, outcomes(await r.runs(at(10, 36)))
        async with r.pool.acquire() as conn:
            stored = (await load_hosts(conn))["instagram"].state
        return storm, paused, after, stored, sent(r, TT)

    (storm_sent, storm), (paused_sent, paused), (after_sent, after), stored, tiktok = run(url, test)
    # POLRES_A's posts met 429 three times; everything after it on Instagram failed fast.
    assert storm_sent == 3
    assert {k: v for k, v in storm.items() if k[0] == "instagram"} == {
        (IG.value, c, s): ("failed", "rate_limited")
        for c in ("POLRES_A", "POLRES_B")
        for s in ("posts", "likers")
    }
    assert all(v == ("complete", None) for k, v in storm.items() if k[0] == "tiktok")
    assert paused_sent == 3
    assert "paused until 10:35:" in paused[IG.value, "POLRES_B", "posts"]["reason"]
    # 10:36 is no fire time of the schedule: what 10:30 fetched needs no second fetch
    assert after_sent > 3 and all(v in (("complete", None), ("unchanged", None))
                                  for v in after.values())  # fmt: skip
    assert at(10, 35) <= stored.paused_until < at(10, 35) + timedelta(seconds=5)
    assert stored.last_error.startswith("rate_limited: GET /v1/posts: HTTP 429")
    assert tiktok > 0  # TikTok's hosts were never paused


def test_a_spent_budget_leaves_only_post_listings_and_counts_are_stored(url: str) -> None:
    # The first run makes 5 Instagram calls: two listings, then likers of A1, A2 and B1.
    budgets = {"daily_budget": {"instagram": 5}}

    async def test(r: Rig) -> Any:
        await r.ingest(at(10))
        first = outcomes(await r.runs(at(10)))
        await r.ingest(at(10, 30))
        second = await r.runs(at(10, 30))
        async with r.pool.acquire() as conn:
            stored = await load_hosts(conn)
        return first, second, stored, sent(r, IG), sent(r, TT)

    first, second, stored, ig_sent, tt_sent = run(url, test, upstream_config=budgets)
    assert all(v == ("complete", None) for v in first.values())
    # Clients run one at a time: A lists its posts (call 6), B lists its posts (call 7).
    for client, used in (("POLRES_A", 6), ("POLRES_B", 7)):
        likers = second[IG.value, client, "likers"]
        assert (likers["outcome"], likers["error_class"]) == ("skipped", None)
        assert likers["reason"] == (
            f"instagram key over its daily budget ({used} of 5 calls today): only post listings run"
        )
        assert second[IG.value, client, "posts"]["outcome"] == "complete"
        assert second[TT.value, client, "comments"]["outcome"] == "complete"  # no TikTok budget
    assert ig_sent == 7  # 5, then the two listings only
    assert stored["instagram"].state.calls == ig_sent and stored["instagram"].daily_budget == 5
    assert stored["tiktok"].state.calls == tt_sent and stored["tiktok"].daily_budget is None
    assert stored["tiktok"].state.last_success_at is not None

"""The ingestion's daily profile fetch (issue 17: followers for the analytics) against the fake
upstream, which counts what it really received: one profile request per account and WIB
day, counted on the key like any other; a failing one tried again at later ingestions at
most three times a day; none once the day's budget is spent. And §3.2: a post of an earlier
day listed again gets fresh counts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cicero.db.upstream_hosts import load_hosts
from cicero.sim.upstream.world import (
    FakeAccount,
    FakeEngagement,
    FakePost,
    Fault,
    FaultKind,
    UpstreamWorld,
)
from tests.conftest import fresh_database
from tests.integration.ingest.harness import IG, TT, Rig, at, rig

VID_A = "7400000000000000001"
WORLD = UpstreamWorld(
    posts=(
        FakePost(IG, "polres_a", "A1", at(8, 0)),
        FakePost(IG, "polres_b", "B1", at(8, 0)),
        FakePost(TT, "polres_a", VID_A, at(8, 30)),
    ),
    engagements=(
        FakeEngagement("A1", at(9), ("budi.s", "citra_01")),
        FakeEngagement("A1", at(9, day=7), ("dedi", "eko", "fani")),
        FakeEngagement(VID_A, at(9), ("sari",)),
    ),
    accounts=(FakeAccount(IG, "polres_a", followers=12_345),),
)
PROFILE = {IG: "info", TT: "user_info"}


@pytest.fixture
def url(pg_server: object) -> str:
    return fresh_database(pg_server)


def run(url: str, test: Any, **kw: Any) -> Any:
    async def main() -> Any:
        async with rig(url, WORLD, **kw) as r:
            return await test(r)

    return asyncio.run(main())


def profile_requests(r: Rig, platform: Any) -> list[str]:
    return [x.params.get("username_or_id_or_url") or x.params.get("uniqueId", "")
            for x in r.fake.log if x.platform is platform and x.endpoint == PROFILE[platform]]  # fmt: skip


async def profiles(r: Rig) -> dict[tuple[str, str, Any], Any]:
    rows = await r.pool.fetch("SELECT * FROM account_profile")
    return {(x["client_id"], x["platform"], x["wib_date"]): x for x in rows}


def test_one_profile_fetch_per_account_and_day_counted_on_the_key(url: str) -> None:
    async def test(r: Rig) -> Any:
        await r.ingest(at(10))
        await r.ingest(at(10, 30))
        await r.ingest(at(21, 30))
        day6 = profile_requests(r, IG), await profiles(r)
        r.fake.log.clear()
        await r.ingest(at(6, 0, day=7))
        async with r.pool.acquire() as conn:
            stored = await load_hosts(conn)
        received = {p.value: sum(x.platform is p for x in r.fake.log) for p in (IG, TT)}
        return day6, profile_requests(r, IG), await profiles(r), (stored, received)

    (ig6, rows6), ig7, rows7, (stored, received) = run(url, test)
    assert sorted(ig6) == ["polres_a", "polres_b"]  # three ingestions, one fetch each
    a = rows6["POLRES_A", "instagram", at(10).date()]
    assert (a["handle"], a["followers"], a["attempts"], a["error_class"]) == (
        "polres_a", 12_345, 1, None,
    )  # fmt: skip
    b = rows6["POLRES_B", "instagram", at(10).date()]
    assert b["followers"] == WORLD.followers(WORLD.account(IG, "polres_b"), at(10))  # type: ignore[arg-type]
    tt = rows6["POLRES_A", "tiktok", at(10).date()]
    assert tt["followers"] is not None and tt["media_count"] == 1
    assert sorted(ig7) == ["polres_a", "polres_b"]  # a new day: again
    assert len(rows7) == 8
    # Every request, profiles included, is on the key's count of the day: what the fake got.
    assert received["instagram"] == 4  # two listings, two profiles (nothing of day 7 to like)
    assert {n: stored[n].state.calls for n in ("instagram", "tiktok")} == received


def test_a_failing_profile_is_tried_at_most_three_times_a_day(url: str) -> None:
    async def test(r: Rig) -> Any:
        r.fake.add_fault(Fault(IG, FaultKind.SERVER_ERROR, endpoint="info", until=at(23)))
        seen = []
        for hour in (10, 11, 12, 13, 14):
            await r.ingest(at(hour))
            seen.append((await profiles(r))[("POLRES_A", "instagram", at(10).date())])
        failing = profile_requests(r, IG)
        r.fake.faults.clear()
        await r.ingest(at(6, day=7))
        return seen, failing, (await profiles(r))[("POLRES_A", "instagram", at(6, day=7).date())]

    seen, requests, next_day = run(url, test)
    assert [(s["attempts"], s["error_class"], s["followers"]) for s in seen] == [
        (1, "server", None), (2, "server", None), (3, "server", None), (3, "server", None),
        (3, "server", None),
    ]  # fmt: skip
    # Each fetch tries 3 times (a 5xx is retried): 3 fetches, then nothing more that day.
    assert requests.count("polres_a") == 9 and requests.count("polres_b") == 9
    assert (next_day["attempts"], next_day["followers"]) == (1, 12_345)


def test_no_profile_once_the_days_budget_is_spent(url: str) -> None:
    # Listings (2) and A1's and B1's likers (2) take the budget of 4: nothing is left.
    async def test(r: Rig) -> Any:
        await r.ingest(at(10))
        return profile_requests(r, IG), await profiles(r)

    ig, rows = run(url, test, upstream_config={"daily_budget": {"instagram": 4}})
    assert ig == []
    assert sorted((k[0], k[1]) for k in rows) == [("POLRES_A", "tiktok"), ("POLRES_B", "tiktok")]


def test_a_post_of_an_earlier_day_listed_again_gets_fresh_counts(url: str) -> None:
    async def test(r: Rig) -> Any:
        await r.ingest(at(10))
        first = (await r.posts())["A1"]
        await r.ingest(at(10, day=7))  # A1 is yesterday's now, and three more like it
        return first, (await r.posts())["A1"]

    first, later = run(url, test)
    assert (first["like_count"], later["like_count"]) == (2, 5)
    assert later["comment_count"] is not None and later["last_seen_at"] > first["last_seen_at"]
    assert later["first_seen_at"] == first["first_seen_at"]

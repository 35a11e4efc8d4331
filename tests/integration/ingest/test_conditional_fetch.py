"""data.md §3.4 against the fake upstream: likers and commenters are fetched only when a count
moved or an audit is owed; otherwise the fetch is `unchanged`, costs no request, and the
requests it spared are counted on the key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import cicero.sim.upstream.payloads as fake_payloads
from cicero.sim.upstream.world import FakeEngagement, FakePost, UpstreamWorld
from tests.conftest import fresh_database
from tests.integration.ingest.harness import IG, TT, Rig, at, rig

VID = "7400000000000000009"
WORLD = UpstreamWorld(
    posts=(FakePost(IG, "polres_a", "M1", at(9)), FakePost(TT, "polres_b", VID, at(9))),
    engagements=(
        FakeEngagement("M1", at(9), tuple(f"u{i:03d}" for i in range(120))),  # 3 pages of 50
        FakeEngagement(VID, at(9), ("sari", "adi")),
        FakeEngagement("M1", at(10, 45), ("late.one",)),
    ),
)


@pytest.fixture
def url(pg_server: object) -> str:
    return fresh_database(pg_server)


def run(url: str, test: Any, world: UpstreamWorld = WORLD, **kw: Any) -> Any:
    async def main() -> Any:
        async with rig(url, world, **kw) as r:
            return await test(r)

    return asyncio.run(main())


def requests(r: Rig, mark: int, endpoint: str) -> int:
    return sum(1 for x in r.fake.log[mark:] if x.endpoint == endpoint)


async def outcomes(r: Rig, external_id: str) -> list[tuple[str, int | None]]:
    rows = await r.pool.fetch(
        """SELECT f.outcome, f.listed_count FROM engagement_fetch f JOIN post p ON p.id = f.post_id
            WHERE p.external_id = $1 ORDER BY f.id""",
        external_id,
    )
    return [(x["outcome"], x["listed_count"]) for x in rows]


def test_unmoved_counts_cost_no_request_and_the_spared_ones_are_counted(url: str) -> None:
    async def test(r: Rig) -> Any:
        seen = {}
        for when in (at(10), at(10, 30), at(11), at(11, 30), at(13)):
            mark = len(r.fake.log)
            await r.ingest(when)
            runs = await r.runs(when)
            seen[f"{when:%H:%M}"] = (
                requests(r, mark, "likes"), requests(r, mark, "comments"),
                runs["instagram", "POLRES_A", "likers"]["outcome"],
                runs["tiktok", "POLRES_B", "comments"]["outcome"],
            )  # fmt: skip
        hosts = {
            x["name"]: (x["calls"], x["saved"])
            for x in await r.pool.fetch("SELECT name, calls, saved FROM upstream_host")
        }
        sent = {
            p: sum(1 for x in r.fake.log if x.platform is p and not x.fallback) for p in (IG, TT)
        }
        return seen, hosts, sent, await outcomes(r, "M1"), await r.engagement()

    seen, hosts, sent, m1, eng = run(url, test)
    assert seen == {
        "10:00": (3, 1, "complete", "complete"),  # first fetch of the day
        "10:30": (0, 0, "unchanged", "unchanged"),  # nothing moved, no audit due since 09:00
        "11:00": (3, 0, "complete", "unchanged"),  # late.one moved M1's count 120 -> 121
        "11:30": (0, 0, "unchanged", "unchanged"),
        # Before 13:30 no post may be older than 3 h: the video (10:00) is fetched again, M1
        # (11:00) is not.
        "13:00": (0, 1, "unchanged", "complete"),
    }
    assert m1 == [("complete", 120), ("unchanged", 120), ("complete", 121), ("unchanged", 121),
                  ("unchanged", 121)]  # fmt: skip
    assert ("M1", "like", "late.one") in eng
    # Spent: what the fake answered on each primary key. Spared: IG 3 pages at 10:30, 11:30
    # and 13:00; TikTok 1 page at each of 10:30, 11:00 and 11:30.
    assert hosts["instagram"] == (sent[IG], 9) and hosts["tiktok"] == (sent[TT], 3)


CountShape = Callable[[Any], Any]
HIDDEN: CountShape = lambda item: item.pop("like_count")  # noqa: E731
AS_TEXT: CountShape = lambda item: item.__setitem__("like_count", "banyak")  # noqa: E731


def shown(change: dict[str, Any]) -> CountShape:
    return lambda item: item.__setitem__("like_count", change["to"])


def test_odd_counts_never_pass_for_unchanged(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A count that went down (an unlike), is missing, is a string or jumps by millions."""
    shapes: dict[str, CountShape] = {}
    real = fake_payloads.instagram_posts

    def listing(posts: Any, token: Any) -> Any:
        doc = real(posts, token)
        for item in doc["data"]["items"]:
            if shape := shapes.get(item["code"]):
                shape(item)
        return doc

    monkeypatch.setattr(fake_payloads, "instagram_posts", listing)

    async def test(r: Rig) -> Any:
        steps = [
            (at(10), None),
            (at(10, 15), HIDDEN),  # unknown: fetched
            (at(10, 20), None),  # known again, but its last fetch was made at no count: fetched
            (at(10, 25), None),  # unchanged
            (at(10, 30), AS_TEXT),  # unknown
            (at(10, 35), shown({"to": 120})),  # back at the same known count... of an unknown
            (at(10, 40), shown({"to": 5_000_120})),  # jumps by millions
            (at(10, 42), shown({"to": 119})),  # goes down
            (at(10, 43), shown({"to": 119})),  # stays: unchanged
        ]
        for when, shape in steps:
            shapes.clear()
            if shape is not None:
                shapes["M1"] = shape
            await r.ingest(when)
        return await outcomes(r, "M1")

    assert run(url, test, world=UpstreamWorld(posts=WORLD.posts, engagements=WORLD.engagements[:2])) == [
        ("complete", 120), ("complete", None), ("complete", 120), ("unchanged", 120),
        ("complete", None), ("complete", 120), ("complete", 5_000_120), ("complete", 119),
        ("unchanged", 119),
    ]  # fmt: skip


@pytest.mark.parametrize("readers", [frozenset(), frozenset({"reader"})])
def test_a_recap_reading_engagement_gets_posts_fetched_within_the_hour_before_it(
    url: str, readers: frozenset[str]
) -> None:
    """A job reading engagement at 10:45: at 10:30, the last ingestion before it, a post last
    fetched at 09:30 is fetched again although its count did not move."""

    async def test(r: Rig) -> Any:
        await r.ingest(at(9, 30), readers=readers)
        await r.ingest(at(10), readers=readers)
        mark = len(r.fake.log)
        await r.ingest(at(10, 30), readers=readers)
        return requests(r, mark, "likes"), await outcomes(r, "M1")

    config = {"jobs": {"reader": {"name": "Reader", "bucket": "always", "crons": ["45 10 * * *"]}}}
    world = UpstreamWorld(posts=WORLD.posts[:1], engagements=WORLD.engagements[:1])
    likes, m1 = run(url, test, world=world, extra_config=config)
    last = ("complete", 120) if readers else ("unchanged", 120)
    assert (likes, m1) == (3 if readers else 0, [("complete", 120), ("unchanged", 120), last])


def test_a_removed_tiktok_video_that_was_the_days_only_one_is_settled(url: str) -> None:
    """§3.7: its account's listing is empty (never complete), but its own comments fetch says
    the video is gone; two runs in a row mark it removed, and it is not fetched again."""
    world = UpstreamWorld(
        posts=(FakePost(TT, "polres_b", VID, at(9), removed_at=at(10, 50)),),
        engagements=(FakeEngagement(VID, at(9), ("sari", "adi")),),
    )

    async def test(r: Rig) -> Any:
        seen = {}
        for when in (at(10), at(10, 30), at(11), at(11, 30), at(12), at(12, 30)):
            mark = len(r.fake.log)
            await r.ingest(when)
            runs = await r.runs(when)
            post = (await r.posts())[VID]
            seen[f"{when:%H:%M}"] = (
                runs["tiktok", "POLRES_B", "posts"]["outcome"],
                runs["tiktok", "POLRES_B", "comments"]["outcome"],
                requests(r, mark, "comments"), post["missed_listings"], post["removed_at"],
            )  # fmt: skip
        return seen, await r.engagement(), await r.runs(at(11, 30))

    seen, eng, runs = run(url, test, world=world)
    assert seen == {
        "10:00": ("complete", "complete", 1, 0, None),
        "10:30": ("complete", "unchanged", 0, 0, None),
        "11:00": ("empty", "unavailable", 1, 1, None),  # gone: the listing cannot say so
        "11:30": ("empty", "unavailable", 1, 2, at(11, 30)),  # twice in a row: removed
        "12:00": ("empty", "complete", 0, 2, at(11, 30)),  # not fetched again; no fault
        "12:30": ("empty", "complete", 0, 2, at(11, 30)),
    }
    assert "removed 7400000000000000009 (gone upstream)" in runs[
        "tiktok", "POLRES_B", "comments"]["reason"]  # fmt: skip
    assert {(VID, "comment", "sari"), (VID, "comment", "adi")} <= eng  # evidence stays

"""The ingest_social handler against the fake upstream over loopback and a real database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cicero.db.ingest_runs import ingest_totals
from cicero.sim.upstream.world import FakeEngagement, FakePost, Fault, FaultKind, UpstreamWorld
from tests.conftest import fresh_database
from tests.integration.ingest.harness import IG, TT, Rig, at, rig

VID_A, VID_B = "7400000000000000001", "7400000000000000002"
# config/cicero.toml's schedule: before 13:30 no post may be older than 3 h, so a post last
# fetched at 10:00 is fetched again at 13:00 whatever its count (no recap reads before then).
AUDIT = at(13)
EVERY_RUN_AUDITS = {"audit_every": "1m"}  # shorter than the cadence: each fire time audits

WORLD = UpstreamWorld(
    posts=(
        FakePost(IG, "polres_a", "A0", at(23, 59, day=5)),  # yesterday: never stored
        FakePost(IG, "polres_a", "A1", at(0, 30), "Jumat Curhat"),
        FakePost(IG, "polres_a", "A2", at(9, 0)),
        FakePost(IG, "polres_b", "B1", at(8, 0)),
        FakePost(TT, "polres_a", VID_A, at(8, 30)),
        FakePost(TT, "polres_b", VID_B, at(9, 0)),
    ),
    engagements=(
        FakeEngagement(
            "A1", at(1), ("Budi.S", "@citra_01", "fajar", "bad name", "https://instagram.com/dedi/")
        ),
        FakeEngagement("A2", at(9, 30), ("budi.s",)),
        FakeEngagement("A1", at(10, 15), ("eko",)),  # shows up between the 10:00 and 10:30 runs
        FakeEngagement("B1", at(8, 30), ("gita",)),
        FakeEngagement(VID_A, at(9), ("Bripda.Andi", "sari", "sari")),
        FakeEngagement(VID_B, at(9, 10), ("adi",)),
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


def counts(r: Any) -> tuple[str, int, int, int, str | None]:
    return (r["outcome"], r["posts"], r["new_posts"], r["engagements"], r["error_class"])


# ---------------------------------------------------------------- a normal day


def test_two_runs_record_posts_new_posts_and_engagement(url: str) -> None:
    async def test(r: Rig) -> Any:
        first = await r.ingest(at(10))
        runs1, totals1 = await r.runs(at(10)), await ingest_totals(r.pool, at(10))
        posts1, eng1 = await r.posts(), await r.engagement()
        second = await r.ingest(at(10, 30))
        runs2, eng2 = await r.runs(at(10, 30)), await r.engagement()
        posts2 = await r.posts()
        secuid = await r.pool.fetchval(
            "SELECT tiktok_secuid FROM client WHERE client_id = 'POLRES_A'"
        )
        fetches = await r.pool.fetchval("SELECT count(*) FROM engagement_fetch")
        return first, runs1, totals1, posts1, eng1, second, runs2, eng2, posts2, secuid, fetches

    first, runs1, totals1, posts1, eng1, second, runs2, eng2, posts2, secuid, fetches = run(
        url, test
    )
    assert first == second == "instagram: 2 clients ok; tiktok: 2 clients ok"
    # Today's posts by their WIB date: A0 (23:59 WIB yesterday) is not stored.
    assert set(posts1) == {"A1", "A2", "B1", VID_A, VID_B}
    assert posts1["A1"]["first_seen_at"] == at(10) and posts1["A1"]["caption"] == "Jumat Curhat"
    assert str(posts1["A1"]["wib_date"]) == "2026-02-06" and posts1["A1"]["client_id"] == "POLRES_A"
    assert posts1["A1"]["like_count"] == 5  # the fake counts its distinct raw names
    assert secuid == "MS4w-fake-polres_a"  # resolved once, saved
    # Canonical names, one row each; the exception (fajar) and junk are not written.
    assert eng1 == {
        ("A1", "like", "budi.s"), ("A1", "like", "citra_01"), ("A1", "like", "dedi"),
        ("A2", "like", "budi.s"), ("B1", "like", "gita"),
        (VID_A, "comment", "bripda.andi"), (VID_A, "comment", "sari"), (VID_B, "comment", "adi"),
    }  # fmt: skip
    assert counts(runs1["instagram", "POLRES_A", "posts"]) == ("complete", 2, 2, 0, None)
    assert counts(runs1["instagram", "POLRES_A", "likers"]) == ("complete", 0, 0, 3 + 1, None)
    assert counts(runs1["tiktok", "POLRES_A", "posts"]) == ("complete", 1, 1, 0, None)
    assert counts(runs1["tiktok", "POLRES_A", "comments"]) == ("complete", 0, 0, 2, None)
    assert runs1["instagram", "POLRES_A", "likers"]["skipped"] == 1  # "bad name"
    assert all(r["finished_at"] == at(10) for r in runs1.values())
    # The transcript's ingest lines: one per (platform, client, fire time), summed over stages.
    assert [(t.platform, t.client_id, t.posts, t.new_posts, t.engagements) for t in totals1] == [
        ("instagram", "POLRES_A", 2, 2, 4),
        ("instagram", "POLRES_B", 1, 1, 1),
        ("tiktok", "POLRES_A", 1, 1, 2),
        ("tiktok", "POLRES_B", 1, 1, 1),
    ]
    # Second run: nothing new but eko; known posts keep first_seen_at, move last_seen_at.
    assert eng2 - eng1 == {("A1", "like", "eko")}
    assert counts(runs2["instagram", "POLRES_A", "posts"]) == ("complete", 2, 0, 0, None)
    assert counts(runs2["instagram", "POLRES_A", "likers"]) == ("complete", 0, 0, 1, None)
    # No count moved on B's video and no audit is due (the last was at 09:00): no request.
    assert counts(runs2["tiktok", "POLRES_B", "comments"]) == ("unchanged", 0, 0, 0, None)
    assert posts2["A1"]["first_seen_at"] == at(10) and posts2["A1"]["last_seen_at"] == at(10, 30)
    assert fetches == 2 * 5  # one row per post and run, `unchanged` ones included


# ---------------------------------------------------------------- faults

# (fault, platform, endpoint, count, fallback configured, expected stage, outcome, error class)
FAULTS = [
    ("429", IG, "posts", 3, True, "posts", "failed", "rate_limited"),
    ("500", IG, "posts", 3, True, "posts", "failed", "server"),
    ("401", IG, "posts", 1, False, "posts", "failed", "auth"),
    ("401", IG, "posts", 1, True, "posts", "complete", None),
    ("timeout", IG, "posts", 3, True, "posts", "failed", "timeout"),
    ("malformed", IG, "posts", 1, True, "posts", "failed", "malformed"),
    ("empty", IG, "posts", 1, True, "posts", "empty", None),
    ("500", IG, "likes", 3, True, "likers", "failed", "server"),
    ("malformed", IG, "likes", 1, True, "likers", "failed", "malformed"),
    ("empty", IG, "likes", 1, True, "likers", "complete", None),
    ("429", TT, "comments", 3, True, "comments", "failed", "rate_limited"),
    ("timeout", TT, "comments", 3, True, "comments", "failed", "timeout"),
    ("401", TT, "posts", 1, False, "posts", "failed", "auth"),
    ("500", TT, "posts", 3, True, "posts", "complete", None),  # the fallback host answers
]


@pytest.mark.parametrize(
    ("fault", "platform", "endpoint", "count", "fallback", "stage", "outcome", "error"),
    FAULTS,
    ids=[f"{f[0]}-{f[1]}-{f[2]}-{'fb' if f[4] else 'nofb'}" for f in FAULTS],
)
def test_a_fault_is_recorded_data_is_kept_and_other_clients_run(
    url: str, fault: str, platform: Any, endpoint: str, count: int, fallback: bool,
    stage: str, outcome: str, error: str | None,
) -> None:  # fmt: skip
    async def test(r: Rig) -> Any:
        await r.ingest(at(10))
        before_posts, before_eng = await r.posts(), await r.engagement()
        # Clients run one at a time (concurrency 1), POLRES_A first: it meets the fault.
        r.fake.add_fault(Fault(platform, FaultKind(fault), endpoint, count=count))
        reason = await r.ingest(at(10, 30))
        return (before_posts, before_eng, await r.posts(), await r.engagement(),
                await r.runs(at(10, 30)), reason, await ingest_totals(r.pool, at(10, 30)))  # fmt: skip

    # Every fire time an audit: each post's likers and commenters are asked for again.
    before_posts, before_eng, posts, eng, runs, reason, totals = run(
        url, test, fallback=fallback, total_timeout=0.3, upstream_config=EVERY_RUN_AUDITS
    )
    hit = runs[platform.value, "POLRES_A", stage]
    assert (hit["outcome"], hit["error_class"]) == (outcome, error), hit["reason"]
    if error is not None:
        assert f"POLRES_A: {error}" in reason
        line = next(t for t in totals if (t.platform, t.client_id) == (platform.value, "POLRES_A"))
        assert error in line.error_classes  # the transcript's fault line
    # Nothing stored is lost, nothing is marked removed, no post changed owner.
    assert set(before_posts) <= set(posts) and before_eng <= eng
    assert all(p["removed_at"] is None and p["missed_listings"] == 0 for p in posts.values())
    assert all(posts[k]["client_id"] == v["client_id"] for k, v in before_posts.items())
    # The other client is untouched by A's fault, except that a 429 pauses the host for
    # everyone (§3.8; tests/integration/ingest/test_upstream_limits.py).
    for (on, client, _), row in runs.items():
        if client == "POLRES_B" and not (fault == "429" and on == platform.value):
            assert (row["outcome"], row["error_class"]) == ("complete", None), row["reason"]
    # A's other stages still ran (a failing stage does not stop the next).
    assert len([k for k in runs if k[1] == "POLRES_A"]) == 4


def test_a_failed_likers_fetch_keeps_what_was_stored(url: str) -> None:
    world = UpstreamWorld(
        posts=(FakePost(IG, "polres_a", "M1", at(9)),),
        engagements=(FakeEngagement("M1", at(9), tuple(f"u{i:03d}" for i in range(120))),),
    )

    async def test(r: Rig) -> Any:
        await r.ingest(at(10))  # posts stage stores M1; its likers come in 3 pages of 50
        await r.ingest(at(10, 30))  # its count did not move: unchanged, no request
        r.fake.add_fault(Fault(IG, FaultKind.SERVER_ERROR, "likes", until=at(13, 15)))
        await r.ingest(AUDIT)  # the audit's fetch fails
        runs = await r.runs(AUDIT)
        await r.ingest(at(13, 30))  # a failed fetch settles no audit: fetched again
        fetches = await r.pool.fetch(
            "SELECT outcome, pages, items, error_class FROM engagement_fetch ORDER BY id"
        )
        return await r.engagement(), [tuple(f) for f in fetches], runs

    eng, fetches, runs = run(url, test, world=world)
    assert len({e for e in eng if e[0] == "M1"}) == 120
    assert fetches == [("complete", 3, 120, None), ("unchanged", 0, 0, None),
                       ("failed", 0, 0, "server"), ("complete", 3, 120, None)]  # fmt: skip
    assert counts(runs["instagram", "POLRES_A", "likers"]) == ("failed", 0, 0, 0, "server")


# ---------------------------------------------------------------- removal (§3.7)


def test_a_removed_post_keeps_its_evidence_and_reappearing_clears_it(url: str) -> None:
    world = UpstreamWorld(
        posts=(
            FakePost(IG, "polres_a", "R1", at(8), removed_at=at(11)),
            FakePost(IG, "polres_a", "K1", at(9)),
        ),
        engagements=(FakeEngagement("R1", at(8, 30), ("budi.s", "citra_01")),),
    )

    async def state(r: Rig) -> tuple[Any, ...]:
        p = (await r.posts())["R1"]
        return p["missed_listings"], p["removed_at"]

    async def test(r: Rig) -> Any:
        seen = []
        await r.ingest(at(10))
        await r.pool.execute(
            """INSERT INTO link_report (post_id, nrp, instagram_link, reported_at)
               SELECT id, '75020001', 'https://instagram.com/p/x1', $1 FROM post WHERE external_id = 'R1'""",
            at(10, 5),
        )
        seen.append(await state(r))
        await r.ingest(at(11, 30))  # first complete listing without R1
        seen.append(await state(r))
        r.fake.add_fault(Fault(IG, FaultKind.SERVER_ERROR, "posts", count=3))
        await r.ingest(at(12))  # a failed listing proves nothing
        seen.append(await state(r))
        await r.ingest(at(12, 30))  # second complete listing without it: removed
        seen.append(await state(r))
        evidence = (await r.engagement(), await r.pool.fetchval("SELECT count(*) FROM link_report"))
        runs = await r.runs(at(12, 30))
        fetched_after = await r.pool.fetchval(
            """SELECT count(*) FROM engagement_fetch f JOIN post p ON p.id = f.post_id
                WHERE p.external_id = 'R1' AND f.started_at > $1""",
            at(12),
        )
        back = (FakePost(IG, "polres_a", "R1", at(8)), world.posts[1])
        r.fake.world = UpstreamWorld(posts=back, engagements=world.engagements)
        await r.ingest(at(13))
        seen.append(await state(r))
        return seen, evidence, runs, fetched_after

    seen, (eng, reports), runs, fetched_after = run(url, test, world=world)
    assert seen == [(0, None), (1, None), (1, None), (2, at(12, 30)), (0, None)]
    assert {("R1", "like", "budi.s"), ("R1", "like", "citra_01")} <= eng and reports == 1
    assert "removed R1" in runs["instagram", "POLRES_A", "posts"]["reason"]
    assert fetched_after == 0  # a removed post's likers are not fetched


# ---------------------------------------------------------------- TikTok window (§2.3)


def test_tiktok_username_path_only_between_11_00_and_17_15(url: str) -> None:
    async def test(r: Rig) -> Any:
        r.fake.add_fault(Fault(TT, FaultKind.EMPTY, "posts"))  # the secUid listing is always empty
        out = {}
        for when in (at(10, 30), at(11), at(17, 15), at(17, 30)):
            mark = len(r.fake.log)
            await r.ingest(when)
            by_name = [
                x for x in r.fake.log[mark:]
                if x.endpoint == "posts_by_username" and x.params["uniqueId"] == "polres_a"
            ]  # fmt: skip
            row = (await r.runs(when))["tiktok", "POLRES_A", "posts"]
            out[when.strftime("%H:%M")] = (len(by_name), row["outcome"], row["posts"])
        return out

    out = run(url, test, fallback=False)
    assert out == {
        "10:30": (0, "empty", 0),
        "11:00": (1, "complete", 1),
        "17:15": (1, "complete", 1),
        "17:30": (0, "empty", 0),
    }

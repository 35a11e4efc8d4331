"""The real clients against the real fake upstream over loopback HTTP."""

import asyncio
from datetime import datetime, timedelta

import aiohttp
import pytest

from cicero.domain.ingestion.retry import RetryPolicy
from cicero.domain.ingestion.rules import Outcome, StopReason, TikTokSource
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from cicero.sim.upstream.server import FakeUpstream, FakeUpstreamThread, PageSizes
from cicero.sim.upstream.world import (
    FakeAccount,
    FakeEngagement,
    FakePost,
    Fault,
    FaultKind,
    UpstreamWorld,
)
from cicero.upstream.client import (
    InstagramClient,
    InstagramLimits,
    TikTokClient,
)
from cicero.upstream.transport import Endpoint, ErrorClass, Timeouts, UpstreamError

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
NOON = datetime(2026, 2, 6, 12, 0, tzinfo=WIB)
TODAY = NOON.date()


def at(h: int, m: int = 0, day: int = 6) -> datetime:
    return datetime(2026, 2, day, h, m, tzinfo=WIB)


WORLD = UpstreamWorld(
    posts=(
        FakePost(IG, "polres_a", "P0", at(23, 59, day=5), "yesterday"),
        FakePost(IG, "polres_a", "P1", at(0, 30), "Jumat Curhat"),
        FakePost(IG, "polres_a", "P2", at(10, 0)),
        FakePost(IG, "polres_a", "P3", at(16, 45)),  # not yet visible at noon
        FakePost(IG, "polres_a", "GONE", at(8, 0), removed_at=at(11, 0)),
        FakePost(TT, "polres_a", "7468000000000000001", at(9, 0), "Patroli"),
        FakePost(TT, "polres_a", "7468000000000000000", at(20, 0, day=4)),
    ),
    engagements=(
        FakeEngagement("P1", at(9, 0), ("budi.s", "@Citra_01", "dedi", "bad name")),
        FakeEngagement("P1", at(11, 0), ("budi.s", "eko")),
        FakeEngagement("P1", at(13, 0), ("late",)),
        FakeEngagement("7468000000000000001", at(9, 30), tuple(f"user{i}" for i in range(120))),
    ),
    accounts=(FakeAccount(TT, "polres_a", sec_uid="MS4w-good"),),
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.t = now

    def __call__(self) -> datetime:
        return self.t


class Harness:
    """A fake upstream, an aiohttp session and both clients with recorded sleeps."""

    def __init__(self, fake: FakeUpstream, session: aiohttp.ClientSession, fallback: bool,
                 timeouts: Timeouts, ig_limits: InstagramLimits) -> None:  # fmt: skip
        self.fake, self.sleeps = fake, []
        common = dict(sleep=self.sleep, jitter=lambda: 0.25, timeouts=timeouts)
        self.ig = InstagramClient(session, fake.endpoint(IG),
                                  fake.endpoint(IG, True) if fallback else None,
                                  limits=ig_limits, **common)  # fmt: skip
        self.tt = TikTokClient(session, fake.endpoint(TT),
                               fake.endpoint(TT, True) if fallback else None, **common)  # fmt: skip

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def statuses(self, endpoint: str | None = None) -> list[tuple[bool, int]]:
        return [(r.fallback, r.status) for r in self.fake.log if endpoint in (None, r.endpoint)]


TIMEOUTS = Timeouts(2, 5)
IG_LIMITS = InstagramLimits()


def scenario(test, *, now=NOON, fallback=True, faults=(), timeouts=TIMEOUTS,
             ig_limits=IG_LIMITS, world=WORLD, **fake_kw):  # fmt: skip
    async def main():
        clock = Clock(now)
        async with FakeUpstream(world, now=clock, **fake_kw) as fake, aiohttp.ClientSession() as s:
            for f in faults:
                fake.add_fault(f)
            return await test(Harness(fake, s, fallback, timeouts, ig_limits))

    return asyncio.run(main())


# ---------------------------------------------------------------- happy paths


def test_instagram_posts_visible_as_of_now_across_pages():
    async def test(h):
        return await h.ig.posts("polres_a", TODAY)

    listing = scenario(test, page_sizes=PageSizes(instagram_posts=1))
    assert [p.external_id for p in listing.items] == ["P2", "P1", "P0"]  # P3 later, GONE removed
    assert listing.outcome is Outcome.COMPLETE and listing.reason is StopReason.REACHED_PAST
    assert listing.pages == 3
    assert (
        listing.items[1].caption == "Jumat Curhat" and listing.items[1].like_count == 5
    )  # raw names


def test_instagram_likers_are_canonical_and_as_of_now():
    async def test(h):
        return await h.ig.likers("P1")

    listing = scenario(test, page_sizes=PageSizes(instagram_likers=2))
    assert listing.items == ("budi.s", "citra_01", "dedi", "eko")
    assert listing.skipped == 1 and listing.outcome is Outcome.COMPLETE and listing.pages == 3


def test_a_removed_post_is_gone_upstream():
    async def test(h):
        return await h.ig.likers("GONE")

    listing = scenario(test)
    assert listing.outcome is Outcome.FAILED and listing.error_class is ErrorClass.UNAVAILABLE


def test_tiktok_profile_posts_comments_and_detail():
    async def test(h):
        profile = await h.tt.profile("polres_a")
        posts = await h.tt.posts(TODAY, sec_uid=profile.sec_uid)
        comments = await h.tt.comments("7468000000000000001")
        detail = await h.tt.detail("7468000000000000001")
        return profile, posts, comments, detail, list(h.sleeps)

    profile, posts, comments, detail, sleeps = scenario(test)
    assert profile.sec_uid == "MS4w-good" and profile.video_count == 2
    assert [p.external_id for p in posts.items] == ["7468000000000000001", "7468000000000000000"]
    assert posts.outcome is Outcome.COMPLETE
    assert len(comments.items) == 120 and comments.pages == 3
    assert sleeps == [2.0, 2.0]  # 2 s between comment pages, never slept for real
    assert detail.comment_count == 120 and detail.caption == "Patroli"


# ---------------------------------------------------------------- faults


def test_429_then_success_honours_retry_after():
    async def test(h):
        return await h.ig.likers("P1"), h.sleeps, h.statuses("likes")

    faults = [Fault(IG, FaultKind.RATE_LIMITED, "likes", count=1)]
    listing, sleeps, statuses = scenario(test, faults=faults)
    assert listing.outcome is Outcome.COMPLETE and len(listing.items) == 4
    assert sleeps == [1.0] and statuses == [(False, 429), (False, 200)]


def test_500_exhausted_after_three_attempts_with_backoff():
    async def test(h):
        with pytest.raises(UpstreamError) as info:
            await h.ig.post_info("P1")
        return info.value, h.sleeps, h.statuses()

    error, sleeps, statuses = scenario(test, faults=[Fault(IG, FaultKind.SERVER_ERROR)])
    assert error.error_class is ErrorClass.SERVER and "3 attempts" in str(error)
    assert sleeps == [1.25, 2.25] and statuses == [(False, 500)] * 3


def test_401_goes_once_to_the_fallback():
    async def test(h):
        return await h.ig.post_info("P1"), h.statuses()

    post, statuses = scenario(test, faults=[Fault(IG, FaultKind.UNAUTHORIZED)])
    assert post.external_id == "P1" and statuses == [(False, 401), (True, 200)]


def test_401_without_fallback_is_auth():
    async def test(h):
        with pytest.raises(UpstreamError) as info:
            await h.tt.profile("polres_a")
        return info.value, h.statuses()

    faults = [Fault(TT, FaultKind.UNAUTHORIZED)]
    error, statuses = scenario(test, fallback=False, faults=faults)
    assert error.error_class is ErrorClass.AUTH and statuses == [(False, 401)]


def test_a_wrong_key_is_refused():
    async def test(h):
        client = InstagramClient(h.ig.http.session, Endpoint(h.fake.base_url(IG), "stolen"))
        with pytest.raises(UpstreamError) as info:
            await client.profile("polres_a")
        return info.value

    assert scenario(test).error_class is ErrorClass.AUTH


def test_timeout_with_a_short_timeout_retries_then_fails():
    async def test(h):
        with pytest.raises(UpstreamError) as info:
            await h.ig.profile("polres_a")
        return info.value, len(h.sleeps)

    faults = [Fault(IG, FaultKind.TIMEOUT)]
    error, sleeps = scenario(test, faults=faults, timeouts=Timeouts(1, 0.2), hang_seconds=5)
    assert error.error_class is ErrorClass.TIMEOUT and sleeps == 2


def test_one_timeout_then_success():
    async def test(h):
        return await h.ig.profile("polres_a")

    faults = [Fault(IG, FaultKind.TIMEOUT, count=1)]
    profile = scenario(test, faults=faults, timeouts=Timeouts(1, 0.2), hang_seconds=5)
    assert profile.username == "polres_a" and profile.media_count == 3


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (FaultKind.MALFORMED, "invalid JSON"),
        (FaultKind.HTML, "HTML instead of JSON"),
        (FaultKind.ERROR_BODY, "Missing required params"),
    ],
)
def test_bad_bodies_fail_the_listing_clearly_without_retrying(kind, words):
    async def test(h):
        return await h.ig.posts("polres_a", TODAY), h.statuses()

    listing, statuses = scenario(test, faults=[Fault(IG, kind, "posts")])
    assert listing.outcome is Outcome.FAILED and listing.error_class is ErrorClass.MALFORMED
    assert words in str(listing.error) and len(statuses) == 1


def test_a_failure_mid_listing_keeps_the_pages_already_fetched():
    async def test(h):
        async def sleep_then_break(seconds):
            h.sleeps.append(seconds)
            h.fake.add_fault(Fault(TT, FaultKind.SERVER_ERROR, "comments"))

        h.tt.sleep = sleep_then_break
        return await h.tt.comments("7468000000000000001")

    listing = scenario(test)
    assert listing.outcome is Outcome.FAILED and listing.error_class is ErrorClass.SERVER
    assert len(listing.items) == 50 and listing.pages == 1


def test_empty_instagram_listing_is_not_complete():
    async def test(h):
        return await h.ig.posts("polres_a", TODAY)

    listing = scenario(test, faults=[Fault(IG, FaultKind.EMPTY, "posts")])
    assert listing.items == () and listing.outcome is Outcome.EMPTY


def test_a_repeated_cursor_stops_truncated():
    async def test(h):
        return await h.ig.likers("P1"), len(h.fake.log)

    listing, calls = scenario(test, faults=[Fault(IG, FaultKind.LOOP, "likes")])
    assert listing.outcome is Outcome.TRUNCATED and listing.reason is StopReason.REPEATED_CURSOR
    assert calls == 2


def test_a_page_loop_that_never_ends_is_capped():
    async def test(h):
        return await h.ig.likers("P1"), len(h.fake.log)

    listing, calls = scenario(test, faults=[Fault(IG, FaultKind.ENDLESS, "/v1/likes")])
    assert listing.outcome is Outcome.TRUNCATED and listing.reason is StopReason.PAGE_CAP
    assert calls == listing.pages == 20


def test_a_fault_until_a_time_ends_with_the_clock():
    async def test(h):
        first = await h.ig.posts("polres_a", TODAY)
        h.fake.now.t = NOON + timedelta(minutes=31)
        second = await h.ig.posts("polres_a", TODAY)
        return first, second

    until = NOON + timedelta(minutes=30)
    first, second = scenario(test, faults=[Fault(IG, FaultKind.EMPTY, until=until)])
    assert first.outcome is Outcome.EMPTY and second.outcome is Outcome.COMPLETE


# ---------------------------------------------------------------- TikTok cascade and window


def test_tiktok_empty_primary_uses_the_fallback_host():
    async def test(h):
        return await h.tt.posts_today("polres_a", "MS4w-good", NOON)

    result = scenario(test, faults=[Fault(TT, FaultKind.EMPTY, "posts")])
    assert result.source is TikTokSource.FALLBACK_HOST
    assert result.listing.items[0].external_id == "7468000000000000001"


@pytest.mark.parametrize(("hour", "expected"), [(12, TikTokSource.USERNAME), (9, None)])
def test_tiktok_username_path_only_inside_its_window(hour, expected):
    now = at(hour)

    async def test(h):
        return await h.tt.posts_today("polres_a", "MS4w-good", now), h.fake.log

    faults = [Fault(TT, FaultKind.EMPTY, "posts")]
    result, log = scenario(test, now=now, fallback=False, faults=faults)
    by_username = [r for r in log if r.endpoint == "posts_by_username"]
    if expected is TikTokSource.USERNAME:
        assert result.source is expected and len(by_username) == 1
        assert result.listing.items[0].external_id == "7468000000000000001"
    else:
        assert by_username == [] and result.listing.items == ()


def test_stale_sec_uid_is_re_resolved_once():
    async def test(h):
        return await h.tt.posts_today("polres_a", "MS4w-stale", NOON, video_count=2)

    result = scenario(test, fallback=False)
    assert result.sec_uid == "MS4w-good" and result.source is TikTokSource.PRIMARY
    assert len(result.listing.items) == 2


# ---------------------------------------------------------------- sync runner


def test_background_thread_runner_for_sync_callers():
    clock = Clock(NOON)
    with FakeUpstreamThread(WORLD, clock) as fake:
        fake.add_fault(Fault(IG, FaultKind.RATE_LIMITED, count=1))

        async def main():
            async with aiohttp.ClientSession() as s:

                async def no_sleep(_):
                    return None

                client = InstagramClient(s, fake.endpoint(IG), sleep=no_sleep,
                                         retry=RetryPolicy(attempts=2))  # fmt: skip
                return await client.post_info("P2")

        post = asyncio.run(main())
        served = fake.fake.faults.served
    assert post.external_id == "P2" and [f.kind for f in served] == [FaultKind.RATE_LIMITED]

"""Instagram (social-api4) and TikTok (tiktok-api23) clients (data.md §2.2, §2.3).

Results are parsed domain values. Single requests raise `UpstreamError`; listings
return a `Listing` that keeps whatever pages arrived before a failure, with an
outcome (`complete`, `truncated`, `empty`, `failed`) and the error, so a broken
page never loses what was already fetched. The caller makes the aiohttp session
inside its own event loop and passes it in.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Generic, TypeVar

import aiohttp

from cicero.domain.ingestion.payloads import (
    InstagramProfile,
    Page,
    ParsedPost,
    PayloadError,
    TikTokProfile,
    parse_instagram_likers,
    parse_instagram_post_info,
    parse_instagram_posts,
    parse_instagram_profile,
    parse_tiktok_comments,
    parse_tiktok_post_detail,
    parse_tiktok_posts,
    parse_tiktok_profile,
)
from cicero.domain.ingestion.retry import RetryPolicy
from cicero.domain.ingestion.rules import (
    Limits,
    NextPage,
    Outcome,
    Pager,
    Past,
    SourceResult,
    StopReason,
    TikTokSource,
    after_page,
    listing_coverage,
    next_tiktok_source,
    page_past,
    sec_uid_stale,
    tiktok_comments_cursor,
    todays_posts,
)
from cicero.domain.runtime.tally import Tally
from cicero.domain.timezone import wib_date
from cicero.upstream.transport import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUTS,
    Endpoint,
    ErrorClass,
    HostLimits,
    Jitter,
    Sleep,
    Timeouts,
    Transport,
    UpstreamError,
)

T = TypeVar("T")

INSTAGRAM_BASE_URL = "https://social-api4.p.rapidapi.com"
TIKTOK_BASE_URL = "https://tiktok-api23.p.rapidapi.com"


@dataclass(frozen=True)
class Listing(Generic[T]):
    items: tuple[T, ...]
    outcome: Outcome
    pages: int = 0
    skipped: int = 0
    reason: StopReason | None = None  # why it stopped, unless it failed
    error: UpstreamError | None = None

    @property
    def error_class(self) -> ErrorClass | None:
        return self.error.error_class if self.error else None

    @property
    def complete(self) -> bool:
        return self.outcome is Outcome.COMPLETE

    def covered_since(self, today: date) -> datetime | None:
        """For removal reconciliation: from when every post was seen (None = whole feed)."""
        assert self.reason is not None and self.complete, "only a complete listing covers"
        return listing_coverage(self.reason, today)


@dataclass(frozen=True)
class TikTokPosts:
    listing: Listing[ParsedPost]
    source: TikTokSource | None  # which listing the posts came from
    tried: tuple[SourceResult, ...]
    sec_uid: str | None  # differs from the one passed in when it was re-resolved: save it


@dataclass(frozen=True)
class InstagramLimits:
    post_items: int = 50
    post_pages: int = 10
    liker_pages: int = 20


@dataclass(frozen=True)
class TikTokLimits:
    post_count: int = 35
    post_pages: int = 1
    comment_count: int = 50
    comment_pages: int = 40
    comment_page_gap_s: float = 2.0


async def _paginate(
    fetch: Callable[[str | None], Awaitable[Page[T]]],
    limits: Limits,
    past: Callable[[tuple[T, ...]], Past] = lambda _: Past.NONE,
    sleep: Sleep | None = None,
    gap_s: float = 0.0,
) -> Listing[T]:
    """Follow cursors under the stop rules of ingest_rules; keep pages got before a failure."""
    pager, cursor = Pager(limits), None
    items: list[T] = []
    skipped = 0
    while True:
        try:
            page = await fetch(cursor)
        except UpstreamError as e:
            return Listing(tuple(items), Outcome.FAILED, pager.pages, skipped, None, e)
        except PayloadError as e:
            err = UpstreamError(ErrorClass.MALFORMED, str(e))
            return Listing(tuple(items), Outcome.FAILED, pager.pages, skipped, None, err)
        items.extend(page.items)
        skipped += page.skipped_count
        pager, step = after_page(pager, len(page.items), page.next_cursor, past(page.items))
        if not isinstance(step, NextPage):
            return Listing(tuple(items), step.outcome, pager.pages, skipped, step.reason)
        cursor = step.cursor
        if sleep is not None and gap_s > 0:
            await sleep(gap_s)


class _Client:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        primary: Endpoint,
        fallback: Endpoint | None = None,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep | None = None,
        jitter: Jitter | None = None,
        hosts: HostLimits | None = None,  # pacing, 429 pause, call count (upstream/limits.py)
        tally: Tally | None = None,  # each request's result and time, for /metrics
    ) -> None:
        self.http = Transport(
            session, primary, fallback, timeouts=timeouts, retry=retry,
            sleep=sleep or asyncio.sleep, jitter=jitter, hosts=hosts, tally=tally,
        )  # fmt: skip
        self.sleep = self.http.sleep


class InstagramClient(_Client):
    def __init__(self, *args, limits: InstagramLimits = InstagramLimits(), **kw) -> None:
        super().__init__(*args, **kw)
        self.limits = limits

    async def profile(self, handle: str) -> InstagramProfile:
        doc = await self.http.get("/v1/info", {"username_or_id_or_url": handle}, name="ig/info")
        return _parsed(parse_instagram_profile, doc)

    async def posts(self, handle: str, today: date) -> Listing[ParsedPost]:
        """The account's recent posts, newest first, until today is covered (§2.2)."""

        async def fetch(token: str | None) -> Page[ParsedPost]:
            params = {"username_or_id_or_url": handle}
            if token:
                params["pagination_token"] = token
            return parse_instagram_posts(await self.http.get("/v1/posts", params, name="ig/posts"))

        limits = Limits(self.limits.post_pages, self.limits.post_items, posts=True)
        return await _paginate(fetch, limits, lambda items: page_past(items, today))

    async def likers(self, shortcode: str) -> Listing[str]:
        """Canonical usernames of the post's likers, ≤ 20 pages."""

        async def fetch(cursor: str | None) -> Page[str]:
            params = {"code_or_id_or_url": shortcode}
            if cursor:
                params["cursor"] = cursor
            return parse_instagram_likers(await self.http.get("/v1/likes", params, name="ig/likes"))

        return await _paginate(fetch, Limits(self.limits.liker_pages))

    async def post_info(self, shortcode: str) -> ParsedPost:
        doc = await self.http.get(
            "/v1/post_info", {"code_or_id_or_url": shortcode}, name="ig/post_info"
        )
        return _parsed(parse_instagram_post_info, doc)


class TikTokClient(_Client):
    def __init__(self, *args, limits: TikTokLimits = TikTokLimits(), **kw) -> None:
        super().__init__(*args, **kw)
        self.limits = limits

    async def profile(self, handle: str) -> TikTokProfile:
        doc = await self.http.get("/api/user/info", {"uniqueId": handle}, name="tt/info")
        return _parsed(parse_tiktok_profile, doc)

    async def posts(
        self, today: date, *, sec_uid: str | None = None, handle: str | None = None,
        via_fallback_host: bool = False,
    ) -> Listing[ParsedPost]:  # fmt: skip
        """One listing source: by secUid (primary or fallback host) or by uniqueId."""
        if (sec_uid is None) == (handle is None):
            raise ValueError("give exactly one of sec_uid and handle")
        path, endpoint, name = "/api/user/posts", None, "tt/posts"
        if via_fallback_host:
            if self.http.fallback is None:
                raise ValueError("no TikTok fallback host configured")
            path, endpoint, name = "/user/videos", self.http.fallback, "tt/videos"
        who = {"secUid": sec_uid} if sec_uid is not None else {"uniqueId": handle or ""}

        async def fetch(cursor: str | None) -> Page[ParsedPost]:
            params = {**who, "count": str(self.limits.post_count), "cursor": cursor or "0"}
            return parse_tiktok_posts(
                await self.http.get(path, params, endpoint=endpoint, name=name)
            )

        limits = Limits(self.limits.post_pages, posts=True)
        return await _paginate(fetch, limits, lambda items: page_past(items, today))

    async def posts_today(
        self, handle: str, sec_uid: str | None, now: datetime, video_count: int | None = None
    ) -> TikTokPosts:
        """The cascade of §2.3/§3.8: primary, fallback host, then by username in its window.

        A stale secUid (missing-params error, or an empty list while the account has
        videos) is re-resolved once; the new one is returned for the caller to save.
        """
        today = wib_date(now)
        tried: list[SourceResult] = []
        best: tuple[TikTokSource, Listing[ParsedPost]] | None = None
        resolved = False
        while (
            source := next_tiktok_source(tried, now, self.http.fallback is not None)
        ) is not None:
            if source is not TikTokSource.USERNAME and sec_uid is None:
                sec_uid, video_count, resolved = await self._resolve(handle, video_count)
            if sec_uid is None and source is not TikTokSource.USERNAME:
                listing: Listing[ParsedPost] = Listing((), Outcome.FAILED, error=_NO_SEC_UID)
            elif source is TikTokSource.USERNAME:
                listing = await self.posts(today, handle=handle)
            else:
                listing = await self.posts(
                    today, sec_uid=sec_uid, via_fallback_host=source is TikTokSource.FALLBACK_HOST
                )
                detail = listing.error.detail if listing.error else None
                stale = sec_uid_stale(not listing.items, video_count, detail)
                if source is TikTokSource.PRIMARY and stale and not resolved:
                    sec_uid, video_count, resolved = await self._resolve(handle, video_count)
                    if sec_uid is not None:
                        listing = await self.posts(today, sec_uid=sec_uid)
            todays = len(todays_posts(listing.items, today))
            tried.append(SourceResult(source, listing.outcome is Outcome.FAILED,
                                      len(listing.items), todays))  # fmt: skip
            if best is None or _better(listing, best[1], today):
                best = (source, listing)
        assert best is not None
        return TikTokPosts(best[1], best[0], tuple(tried), sec_uid)

    async def _resolve(
        self, handle: str, video_count: int | None
    ) -> tuple[str | None, int | None, bool]:
        try:
            profile = await self.profile(handle)
        except UpstreamError:
            return None, video_count, True
        return profile.sec_uid, profile.video_count, True

    async def comments(self, video_id: str) -> Listing[str]:
        """Canonical commenter names; cursor += 50 while pages come, 2 s apart, ≤ 40 pages."""
        step = self.limits.comment_count

        async def fetch(cursor: str | None) -> Page[str]:
            at = int(cursor or 0)
            params = {"videoId": video_id, "count": str(step), "cursor": str(at)}
            page = parse_tiktok_comments(
                await self.http.get("/api/post/comments", params, name="tt/comments")
            )
            following = _next_comment_cursor(at, page, step)
            return replace(page, next_cursor=None if following is None else str(following))

        limits = Limits(self.limits.comment_pages)
        return await _paginate(
            fetch, limits, sleep=self.sleep, gap_s=self.limits.comment_page_gap_s
        )

    async def detail(self, video_id: str) -> ParsedPost:
        doc = await self.http.get("/api/post/detail", {"videoId": video_id}, name="tt/detail")
        return _parsed(parse_tiktok_post_detail, doc)


_NO_SEC_UID = UpstreamError(ErrorClass.UNAVAILABLE, "TikTok secUid could not be resolved")


def _next_comment_cursor(cursor: int, page: Page[str], step: int) -> int | None:
    count = len(page.items) + page.skipped_count  # skipped comments still took a slot
    return tiktok_comments_cursor(cursor, count, page.total, page.next_cursor is not None, step)


def _better(new: Listing[ParsedPost], old: Listing[ParsedPost], today: date) -> bool:
    """Prefer a listing that did not fail, then more of today's posts, then more posts."""

    def key(listing: Listing[ParsedPost]) -> tuple[bool, int, int]:
        failed = listing.outcome is Outcome.FAILED
        return (not failed, len(todays_posts(listing.items, today)), len(listing.items))

    return key(new) > key(old)


def _parsed(parse: Callable[[object], T], doc: object) -> T:
    try:
        return parse(doc)
    except PayloadError as e:
        raise UpstreamError(ErrorClass.MALFORMED, str(e)) from None

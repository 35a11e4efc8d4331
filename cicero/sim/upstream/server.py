"""A fake RapidAPI upstream on loopback: the endpoint paths and payload shapes of
data.md §2, served from an `UpstreamWorld` as of the caller's `now()`, with faults.

    async with FakeUpstream(world, now=clock.now) as fake:
        client = InstagramClient(session, fake.endpoint(Platform.INSTAGRAM),
                                 fake.endpoint(Platform.INSTAGRAM, fallback=True))

Sync callers (the simulator's launcher) use `FakeUpstreamThread`, which runs the
same server on its own event loop in a thread. Each platform has a primary and a
fallback "host", told apart by a path prefix, each with its own key.
"""

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from cicero.domain.ingestion.payloads import InstagramProfile, Media, ParsedPost, TikTokProfile
from cicero.domain.people.usernames import Platform
from cicero.sim.upstream import payloads as enc
from cicero.sim.upstream.world import (
    FakePost,
    Fault,
    FaultBook,
    FaultKind,
    UpstreamWorld,
    spread,
)
from cicero.upstream.transport import Endpoint

Now = Callable[[], datetime]
_Handler = Callable[["_Request"], Awaitable[web.Response]]


@dataclass(frozen=True)
class Keys:
    instagram: str = "fake-ig-key"
    instagram_fallback: str = "fake-ig-fallback-key"
    tiktok: str = "fake-tt-key"
    tiktok_fallback: str = "fake-tt-fallback-key"

    def of(self, platform: Platform, fallback: bool) -> str:
        return getattr(self, platform.value + ("_fallback" if fallback else ""))


@dataclass(frozen=True)
class PageSizes:
    instagram_posts: int = 12
    instagram_likers: int = 50


@dataclass(frozen=True)
class Logged:
    """One request the fake received."""

    platform: Platform
    fallback: bool
    endpoint: str
    params: dict[str, str]
    status: int


@dataclass(frozen=True)
class _Request:
    platform: Platform
    fallback: bool
    endpoint: str
    query: dict[str, str]
    now: datetime


# Paths per platform → logical endpoint names (the names faults may target).
_ROUTES = {
    Platform.INSTAGRAM: {
        "/v1/posts": "posts",
        "/v1/likes": "likes",
        "/v1/post_info": "post_info",
        "/v1/info": "info",
    },
    Platform.TIKTOK: {
        "/api/user/info": "user_info",
        "/api/user/posts": "posts",
        "/user/videos": "videos",
        "/api/post/comments": "comments",
        "/api/post/detail": "detail",
    },
}
_LISTINGS = {"posts", "likes", "videos", "comments", "posts_by_username"}


@dataclass
class FakeUpstream:
    world: UpstreamWorld
    now: Now
    keys: Keys = field(default_factory=Keys)
    page_sizes: PageSizes = field(default_factory=PageSizes)
    hang_seconds: float = 60.0  # how long a `timeout` fault keeps the client waiting
    host: str = "127.0.0.1"
    port: int = 0
    faults: FaultBook = field(default_factory=FaultBook)
    log: list[Logged] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._runner: web.ServerRunner | None = None
        self._closing: asyncio.Event | None = None
        self._handlers: dict[str, _Handler] = {
            "instagram:posts": self._ig_posts,
            "instagram:likes": self._ig_likes,
            "instagram:post_info": self._ig_post_info,
            "instagram:info": self._ig_info,
            "tiktok:user_info": self._tt_user_info,
            "tiktok:posts": self._tt_posts,
            "tiktok:posts_by_username": self._tt_posts,
            "tiktok:videos": self._tt_posts,
            "tiktok:comments": self._tt_comments,
            "tiktok:detail": self._tt_detail,
        }

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> "FakeUpstream":
        # aiohttp's low-level server: one handler for every path, without an application's
        # router and middleware around each of the day's ~10,000 requests.
        server = web.Server(self._dispatch, access_log=None)
        self._closing = asyncio.Event()
        self._runner = web.ServerRunner(server, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._closing is not None:
            self._closing.set()  # release requests held by a `timeout` fault
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeUpstream":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------ driving it

    def base_url(self, platform: Platform | str, fallback: bool = False) -> str:
        platform = Platform(platform)
        suffix = "-fallback" if fallback else ""
        return f"http://{self.host}:{self.port}/{platform.value}{suffix}"

    def endpoint(self, platform: Platform | str, fallback: bool = False) -> Endpoint:
        """A client endpoint (base URL + the key this fake accepts for it)."""
        platform = Platform(platform)
        return Endpoint(self.base_url(platform, fallback), self.keys.of(platform, fallback))

    def add_fault(self, fault: Fault) -> None:
        self.faults.add(fault)

    # ------------------------------------------------------------ HTTP

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        prefix, slash, tail = request.path[1:].partition("/")
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, text="405: Method Not Allowed")
        platform_name, _, fallback_word = prefix.partition("-")
        try:
            platform = Platform(platform_name)
        except ValueError:
            return web.Response(status=404, text="404: Not Found")
        if not slash:
            return web.Response(status=404, text="404: Not Found")
        fallback = fallback_word == "fallback"
        path = "/" + tail
        endpoint = _ROUTES[platform].get(path)
        if endpoint is None or fallback_word not in ("", "fallback"):
            return self._logged(
                platform, fallback, path, request, _json({"message": "no route"}, 404)
            )
        if platform is Platform.TIKTOK and endpoint == "posts" and "uniqueId" in request.query:
            endpoint = "posts_by_username"
        key = request.headers.get("x-rapidapi-key")
        if key != self.keys.of(platform, fallback):
            body = {"message": "You are not subscribed to this API."}
            return self._logged(platform, fallback, endpoint, request, _json(body, 403))
        now = self.now()
        req = _Request(platform, fallback, endpoint, dict(request.query), now)
        fault = self.faults.take(platform, endpoint, path, now, primary_key=not fallback)
        response = await self._faulty(req, fault) if fault else None
        if response is None:
            response = await self._handlers[f"{platform.value}:{endpoint}"](req)
        return self._logged(platform, fallback, endpoint, request, response)

    def _logged(
        self, platform: Platform, fallback: bool, endpoint: str, request: web.BaseRequest,
        response: web.Response,
    ) -> web.Response:  # fmt: skip
        self.log.append(Logged(platform, fallback, endpoint, dict(request.query), response.status))
        return response

    async def _faulty(self, req: _Request, fault: FaultKind) -> web.Response | None:
        """The answer a fault gives, or None when it changes a normal answer instead."""
        match fault:
            case FaultKind.RATE_LIMITED:
                return _json({"message": "Too many requests"}, 429, {"Retry-After": "1"})
            case FaultKind.SERVER_ERROR:
                return _json({"message": "Internal Server Error"}, 500)
            case FaultKind.UNAUTHORIZED:
                return _json({"message": "Invalid API key"}, 401)
            case FaultKind.TIMEOUT:
                assert self._closing is not None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), self.hang_seconds)
                return _json({"message": "late"}, 504)
            case FaultKind.MALFORMED:
                return web.Response(
                    text='{"data": {"items": [{"code": ', content_type="application/json"
                )
            case FaultKind.HTML:
                return web.Response(text="<html><body>502 Bad Gateway</body></html>",
                                    content_type="text/html")  # fmt: skip
            case FaultKind.ERROR_BODY:
                return _json({"message": "Missing required params", "status": "error"})
            case FaultKind.EMPTY:
                return _json(_empty(req))
            case FaultKind.LOOP | FaultKind.ENDLESS if req.endpoint in _LISTINGS:
                return _json(_runaway(req, fault))
        return None

    # ------------------------------------------------------------ Instagram

    def _account(self, req: _Request, handle: str):
        return self.world.account(req.platform, handle)

    async def _ig_posts(self, req: _Request) -> web.Response:
        handle = req.query.get("username_or_id_or_url", "").lower()
        if self._account(req, handle) is None:
            return _json({"message": "User not found"}, 404)
        feed = self.world.feed(Platform.INSTAGRAM, handle, req.now)
        start = _offset(req.query.get("pagination_token"), "tok-")
        size = self.page_sizes.instagram_posts
        chunk = feed[start : start + size]
        following = f"tok-{start + size}" if start + size < len(feed) else None
        return _json(enc.instagram_posts([self._ig_post(p, req.now) for p in chunk], following))

    async def _ig_likes(self, req: _Request) -> web.Response:
        code = req.query.get("code_or_id_or_url", "")
        if self.world.post(Platform.INSTAGRAM, code, req.now) is None:
            return _json({"message": "Media not found"}, 404)
        names = self.world.engagers(code, req.now, distinct=True)
        start = _offset(req.query.get("cursor"), "cur-")
        size = self.page_sizes.instagram_likers
        following = f"cur-{start + size}" if start + size < len(names) else None
        return _json(enc.instagram_likers(names[start : start + size], following))

    async def _ig_post_info(self, req: _Request) -> web.Response:
        post = self.world.post(Platform.INSTAGRAM, req.query.get("code_or_id_or_url", ""), req.now)
        if post is None:
            return _json({"message": "Media not found"}, 404)
        return _json(enc.instagram_post_info(self._ig_post(post, req.now)))

    async def _ig_info(self, req: _Request) -> web.Response:
        handle = req.query.get("username_or_id_or_url", "").lower()
        account = self._account(req, handle)
        if account is None:
            return _json({"message": "User not found"}, 404)
        count = len(self.world.feed(Platform.INSTAGRAM, handle, req.now))
        profile = InstagramProfile(
            handle, account.private, count,
            follower_count=self.world.followers(account, req.now),
            following_count=spread(handle, 300),
        )  # fmt: skip
        return _json(enc.instagram_profile(profile))

    def _ig_post(self, post: FakePost, now: datetime) -> ParsedPost:
        # Likes are the likers the world lists (ingestion compares them); comments and a
        # video's views are made up from them, stable per post, as real posts carry them.
        likes = len(self.world.engagers(post.id, now, distinct=True))
        video = spread(post.id, 3) == 0
        return ParsedPost(
            Platform.INSTAGRAM, post.id, post.at.astimezone(UTC), post.caption, post.account,
            like_count=likes, comment_count=likes // 3 + spread(post.id, 3),
            view_count=likes * 9 + spread(post.id, 500) if video else None,
            media=Media(thumbnail=f"https://cdn.example/{post.id}.jpg",
                        video=f"https://cdn.example/{post.id}.mp4" if video else None),
        )  # fmt: skip

    # ------------------------------------------------------------ TikTok

    async def _tt_user_info(self, req: _Request) -> web.Response:
        handle = req.query.get("uniqueId", "").lower().lstrip("@")
        account = self._account(req, handle)
        if account is None:
            return _json({"message": "User not found"}, 404)
        count = len(self.world.feed(Platform.TIKTOK, handle, req.now))
        profile = TikTokProfile(handle, account.tiktok_sec_uid, account.private, count,
                                follower_count=self.world.followers(account, req.now),
                                following_count=spread(handle, 300))  # fmt: skip
        return _json(enc.tiktok_profile(profile))

    async def _tt_posts(self, req: _Request) -> web.Response:
        if "uniqueId" in req.query:
            account = self._account(req, req.query["uniqueId"].lower().lstrip("@"))
        elif "secUid" in req.query:
            account = self.world.account_by_sec_uid(req.query["secUid"])
        else:
            return _json({"message": "Missing required params: secUid", "status": "error"}, 400)
        if account is None:
            return _json({"data": {"cursor": "0", "hasMore": False, "itemList": []}})
        feed = self.world.feed(Platform.TIKTOK, account.handle, req.now)
        start = _offset(req.query.get("cursor"), "")
        count = max(1, min(_offset(req.query.get("count"), "") or 35, 35))
        chunk = [self._tt_post(p, req.now) for p in feed[start : start + count]]
        more = start + count < len(feed)
        variant = enc.FALLBACK_HOST if req.endpoint == "videos" else enc.CANONICAL
        return _json(enc.tiktok_posts(chunk, str(start + count), more, variant))

    async def _tt_comments(self, req: _Request) -> web.Response:
        video = req.query.get("videoId", "")
        if self.world.post(Platform.TIKTOK, video, req.now) is None:
            return _json({"message": "Video not found"}, 404)
        names = self.world.engagers(video, req.now, distinct=False)
        start = _offset(req.query.get("cursor"), "")
        count = max(1, _offset(req.query.get("count"), "") or 50)
        chunk = names[start : start + count]
        more = start + count < len(names)
        return _json(enc.tiktok_comments(chunk, start + count, more, len(names)))

    async def _tt_detail(self, req: _Request) -> web.Response:
        post = self.world.post(Platform.TIKTOK, req.query.get("videoId", ""), req.now)
        if post is None:
            return _json({"message": "Video not found"}, 404)
        return _json(enc.tiktok_detail(self._tt_post(post, req.now)))

    def _tt_post(self, post: FakePost, now: datetime) -> ParsedPost:
        # Comments are the commenters the world lists (ingestion compares them); likes, plays
        # and shares are made up from them, stable per video.
        comments = len(self.world.engagers(post.id, now, distinct=False))
        likes = comments * 6 + spread(post.id, 40)
        return ParsedPost(
            Platform.TIKTOK, post.id, post.at.astimezone(UTC), post.caption, post.account,
            like_count=likes, comment_count=comments, view_count=likes * 14 + spread(post.id, 900),
            share_count=comments // 4 + spread(post.id, 5),
        )  # fmt: skip


def _json(doc: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # orjson: a quarter of the standard library's time for a page of 50 names (the fake
    # answers ~10,000 pages on a simulated day); compact, as the real API sends it.
    return web.Response(
        body=orjson.dumps(doc), status=status, headers=headers, content_type="application/json"
    )


def _offset(cursor: str | None, prefix: str) -> int:
    if not cursor or not cursor.startswith(prefix):
        return 0
    tail = cursor[len(prefix) :]
    return int(tail) if tail.isdigit() else 0


def _empty(req: _Request) -> Any:
    """A well-formed answer with nothing in it, per endpoint."""
    match req.endpoint:
        case "posts" | "posts_by_username" | "videos" if req.platform is Platform.TIKTOK:
            return {"data": {"cursor": "0", "hasMore": False, "itemList": []}}
        case "posts":
            return enc.instagram_posts([], None)
        case "likes":
            return enc.instagram_likers([], None)
        case "comments":
            return enc.tiktok_comments([], 0, False, 0)
    return {"data": {}}


def _runaway(req: _Request, fault: FaultKind) -> Any:
    """A listing page that never ends: the same cursor back (LOOP) or a fresh one (ENDLESS)."""
    given = next((req.query[k] for k in ("pagination_token", "cursor") if k in req.query), "0")
    n = _offset(given, "") if given.isdigit() else len(given)
    following = given if fault is FaultKind.LOOP else f"{n + 1}"
    match req.endpoint:
        case "likes":
            return enc.instagram_likers([f"runaway.{n}"], following)
        case "comments":
            return enc.tiktok_comments([f"runaway.{n}"], n, True, 10**9)
        case _ if req.platform is Platform.INSTAGRAM:
            post = ParsedPost(Platform.INSTAGRAM, f"RUN{n}", req.now.astimezone(UTC))
            return enc.instagram_posts([post], following)
        case _:
            post = ParsedPost(Platform.TIKTOK, str(9000 + n), req.now.astimezone(UTC))
            return enc.tiktok_posts([post], following, True)


class FakeUpstreamThread:
    """The fake on its own event loop in a daemon thread, for synchronous callers."""

    def __init__(self, world: UpstreamWorld, now: Now, **options: Any) -> None:
        self.fake = FakeUpstream(world, now, **options)
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None

    def start(self) -> "FakeUpstreamThread":
        """Listen (again, after a `stop`: same port, same world, faults and records)."""
        if self._thread is not None and self._thread.is_alive():
            return self
        if self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-upstream",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.fake.start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        """Close the socket and end the thread (a process forked now inherits neither)."""
        if self._thread is None or not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.fake.close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> "FakeUpstreamThread":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base_url(self, platform: Platform | str, fallback: bool = False) -> str:
        return self.fake.base_url(platform, fallback)

    def endpoint(self, platform: Platform | str, fallback: bool = False) -> Endpoint:
        return self.fake.endpoint(platform, fallback)

    def add_fault(self, fault: Fault) -> None:
        self.fake.add_fault(fault)  # FaultBook is lock-protected

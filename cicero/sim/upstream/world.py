"""What the fake upstream knows: scenario posts and engagement, and injected faults.

Pure data and queries as of an instant supplied by the caller (a virtual clock
in simulation): a post is visible from its `at` until its `removed_at`, an
engagement row from its `at` (spec/scenario.md).
"""

import hashlib
import threading
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cicero.domain.people.usernames import Platform


@dataclass(frozen=True)
class FakeAccount:
    platform: Platform
    handle: str
    sec_uid: str | None = None  # TikTok; default derived from the handle
    private: bool = False
    followers: int | None = None  # default derived from the handle, growing as it posts

    @property
    def tiktok_sec_uid(self) -> str:
        return self.sec_uid or f"MS4w-fake-{self.handle}"


@dataclass(frozen=True)
class FakePost:
    platform: Platform
    account: str  # handle of the official account that published it
    id: str  # shortcode or video id
    at: datetime
    caption: str = ""
    removed_at: datetime | None = None

    def visible(self, now: datetime) -> bool:
        return self.at <= now and (self.removed_at is None or now < self.removed_at)


@dataclass(frozen=True)
class FakeEngagement:
    post: str  # FakePost.id
    at: datetime
    users: tuple[str, ...]  # as upstream returns them (case, '@', unknown people)


@dataclass(frozen=True)
class _PostEngagement:
    """One post's engagement rows in order of time, and the names of each prefix of them."""

    times: tuple[datetime, ...]
    users: tuple[tuple[str, ...], ...]
    names: dict[tuple[int, bool], tuple[str, ...]] = field(default_factory=dict)

    def visible(self, now: datetime, distinct: bool) -> tuple[str, ...]:
        # A page of 50 asks for the whole list again: each prefix is built once.
        key = (bisect_right(self.times, now), distinct)
        if key not in self.names:
            flat = [u for batch in self.users[: key[0]] for u in batch]
            self.names[key] = tuple(dict.fromkeys(flat) if distinct else flat)
        return self.names[key]


@dataclass(frozen=True)
class UpstreamWorld:
    posts: tuple[FakePost, ...] = ()
    engagements: tuple[FakeEngagement, ...] = ()
    accounts: tuple[FakeAccount, ...] = ()  # accounts of posts are implied; list extras here
    _by_post: dict[str, _PostEngagement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows: dict[str, list[FakeEngagement]] = defaultdict(list)
        for e in self.engagements:
            rows[e.post].append(e)
        by_post = {}
        for post, found in rows.items():
            found.sort(key=lambda e: e.at)  # stable: rows at one instant keep their order
            by_post[post] = _PostEngagement(tuple(e.at for e in found),
                                            tuple(e.users for e in found))  # fmt: skip
        object.__setattr__(self, "_by_post", by_post)

    def account(self, platform: Platform, handle: str) -> FakeAccount | None:
        handle = handle.lower().lstrip("@")
        for a in self.accounts:
            if a.platform is platform and a.handle == handle:
                return a
        if any(p.platform is platform and p.account == handle for p in self.posts):
            return FakeAccount(platform, handle)
        return None

    def account_by_sec_uid(self, sec_uid: str) -> FakeAccount | None:
        handles = {p.account for p in self.posts if p.platform is Platform.TIKTOK}
        handles |= {a.handle for a in self.accounts if a.platform is Platform.TIKTOK}
        for handle in sorted(handles):
            account = self.account(Platform.TIKTOK, handle)
            if account is not None and account.tiktok_sec_uid == sec_uid:
                return account
        return None

    def feed(self, platform: Platform, handle: str, now: datetime) -> list[FakePost]:
        """Visible posts of an account, newest first."""
        posts = [
            p
            for p in self.posts
            if p.platform is platform and p.account == handle and p.visible(now)
        ]
        return sorted(posts, key=lambda p: (p.at, p.id), reverse=True)

    def post(self, platform: Platform, post_id: str, now: datetime) -> FakePost | None:
        for p in self.posts:
            if p.platform is platform and p.id == post_id and p.visible(now):
                return p
        return None

    def followers(self, account: FakeAccount, now: datetime) -> int:
        """The profile's follower count: as listed, else a stable number per handle that
        grows by 7 with each visible post (so a day's profile fetch sees it move)."""
        if account.followers is not None:
            return account.followers
        base = 1_000 + spread(f"{account.platform}:{account.handle}", 40_000)
        return base + 7 * len(self.feed(account.platform, account.handle, now))

    def engagers(self, post_id: str, now: datetime, *, distinct: bool) -> tuple[str, ...]:
        """Names visible on a post, in order of appearance (likes are distinct, comments not)."""
        found = self._by_post.get(post_id)
        return found.visible(now, distinct) if found is not None else ()


def spread(key: str, n: int) -> int:
    """A stable number in [0, n) for `key` (the fake's made-up counts: views, shares...)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % n


class FaultKind(StrEnum):
    RATE_LIMITED = "429"
    SERVER_ERROR = "500"
    UNAUTHORIZED = "401"  # the primary key is refused; the fallback key still works
    TIMEOUT = "timeout"  # no answer until the client gives up
    MALFORMED = "malformed"  # a 200 with truncated JSON
    EMPTY = "empty"  # a well-formed answer with nothing in it
    # Extensions (docs/scenarios.md): more bad-input shapes for tests.
    HTML = "html"  # a 200 with an HTML page
    ERROR_BODY = "error_body"  # a 200 whose JSON says it failed
    LOOP = "loop"  # listings hand back the cursor they were given, forever
    ENDLESS = "endless"  # listings always claim one more page


@dataclass
class Fault:
    """Active from when it is added until `until` (exclusive) or for `count` requests."""

    platform: Platform
    kind: FaultKind
    endpoint: str | None = None  # logical name ("likes") or path ("/v1/likes"); None = all
    count: int | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        self.platform = Platform(self.platform)
        self.kind = FaultKind(self.kind)


@dataclass(frozen=True)
class Served:
    """A fault the fake served, for transcripts and assertions."""

    at: datetime
    platform: Platform
    endpoint: str
    kind: FaultKind


@dataclass
class FaultBook:
    faults: list[Fault] = field(default_factory=list)
    served: list[Served] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(
        self,
        platform: Platform,
        endpoint: str,
        path: str,
        now: datetime,
        primary_key: bool,
    ) -> FaultKind | None:
        """The fault this request meets, if any; a counted fault is used up by it."""
        names = {endpoint, path}
        with self._lock:
            self.faults = [f for f in self.faults if _alive(f, now)]
            for f in self.faults:
                if f.platform is not platform or (f.endpoint and f.endpoint not in names):
                    continue
                if f.kind is FaultKind.UNAUTHORIZED and not primary_key:
                    continue
                if f.count is not None:
                    f.count -= 1
                self.served.append(Served(now, platform, endpoint, f.kind))
                return f.kind
        return None


def _alive(f: Fault, now: datetime) -> bool:
    if f.count is not None and f.count <= 0:
        return False
    return f.until is None or now < f.until

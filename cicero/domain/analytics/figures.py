"""How official accounts performed over a period (api.md §3 `/analitik/*`, issue 17), computed
once from stored posts and follower counts: the one value behind `GET /api/analytics`, the
analytics pages, their charts and the Excel export (STYLE §6). Pure: rows in, value out.

Rules:
* A figure (likes, comments, views, shares) summed over posts is the sum of the posts that
  carry it, and unknown (None) when none does: Instagram gives no shares, a photo no views.
* Interactions = likes + comments + shares, an unknown part counting 0.
* Engagement rate = interactions / followers, to six decimals (the exact quotient rounded
  half up: integers only, so PostgreSQL's per-post figures of the API agree to the bit, see
  cicero.db.analytics): per post with its account's followers on its WIB day, per account
  with its followers at the end of the period (the latest count on or before that day, for
  both). None when the followers are unknown (or 0).
  `rate_per_post` is an account's rate divided by its posts: comparable across accounts
  that post more or less often.
* Top and bottom: the five posts with the most and the fewest interactions (ties: earlier
  first, then id); bottom never repeats a post of top, so fewer than ten posts share out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from typing import Any, NamedTuple

from cicero.domain.attendance.view import DayRange, Period
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform

TOP = 5
RATE_DIGITS = 6
_RATE_SCALE: int = 10**RATE_DIGITS
_UTC7 = timezone(timedelta(hours=7))  # WIB: one offset all year


def rate(interactions: int, followers: int | None) -> float | None:
    """(likes + comments + shares) / followers; None when the followers are unknown or 0."""
    if not followers:
        return None
    return (2 * interactions * _RATE_SCALE + followers) // (2 * followers) / _RATE_SCALE


class PostRow(NamedTuple):
    """One stored post as the analytics read it, with its account's followers of its day (a
    named tuple: a month of a directorate's posts is built on every request)."""

    client_id: str
    external_id: str
    posted_at: datetime
    day: date  # its WIB day
    owner: str  # the account's handle (TikTok links need it)
    caption: str
    likes: int | None
    comments: int | None
    views: int | None
    shares: int | None
    followers: int | None  # its account's on its day

    @property
    def interactions(self) -> int:
        return (self.likes or 0) + (self.comments or 0) + (self.shares or 0)

    @property
    def engagement_rate(self) -> float | None:
        return rate(self.interactions, self.followers)

    def link(self, platform: Platform) -> str:
        return PostRef(platform, self.external_id, owner=self.owner).link

    def rank_key(self) -> tuple[int, datetime, str]:
        """Top first: the most interactions, then earlier, then by id."""
        return -self.interactions, self.posted_at, self.external_id


def _sum(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _known_sum(values: list[int | None]) -> int | None:
    """The sum of the known values; None when none is known."""
    return None if values.count(None) == len(values) else sum(filter(None, values))


_FIGURES = tuple(itemgetter(PostRow._fields.index(f)) for f in ("likes", "comments", "views", "shares"))


@dataclass(frozen=True)
class Totals:
    posts: int = 0
    likes: int | None = None
    comments: int | None = None
    views: int | None = None
    shares: int | None = None

    @classmethod
    def of(cls, posts: Sequence[PostRow]) -> Totals:
        # Per account, per day and for the whole scope on every request: column by column
        # with C-level map and sum rather than a Python loop over the posts.
        return cls(len(posts), *(_known_sum(list(map(column, posts))) for column in _FIGURES))

    @property
    def interactions(self) -> int:
        return (self.likes or 0) + (self.comments or 0) + (self.shares or 0)

    def as_json(self) -> dict[str, Any]:
        return {"posts": self.posts, "likes": self.likes, "comments": self.comments,
                "views": self.views, "shares": self.shares, "interactions": self.interactions}  # fmt: skip


@dataclass(frozen=True)
class Account:
    """A client's official account in the scope (a directorate's clients side by side)."""

    client_id: str
    name: str
    handle: str | None


@dataclass(frozen=True)
class AccountFigures:
    account: Account
    followers: int | None  # at the end of the period
    totals: Totals

    @property
    def engagement_rate(self) -> float | None:
        return rate(self.totals.interactions, self.followers)

    @property
    def rate_per_post(self) -> float | None:
        r = self.engagement_rate
        return None if r is None or not self.totals.posts else round(r / self.totals.posts, RATE_DIGITS)

    def as_json(self) -> dict[str, Any]:
        a = self.account
        return {"client_id": a.client_id, "name": a.name, "handle": a.handle or "",
                "followers": self.followers, **self.totals.as_json(),
                "engagement_rate": self.engagement_rate, "rate_per_post": self.rate_per_post}  # fmt: skip


@dataclass(frozen=True)
class DayFigures:
    day: date
    totals: Totals

    def as_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), **self.totals.as_json()}


@dataclass(frozen=True)
class Analytics:
    scope: Account  # the client asked for (a directorate, or one client)
    directorate: bool
    platform: Platform
    period: Period
    range: DayRange
    accounts: tuple[AccountFigures, ...]
    days: tuple[DayFigures, ...]
    posts: tuple[PostRow, ...]  # by posted_at, then id
    top: tuple[PostRow, ...]
    bottom: tuple[PostRow, ...]  # the fewest interactions first
    totals: Totals
    followers_missing: tuple[str, ...] = field(default=())  # accounts with no known count

    @property
    def followers(self) -> int | None:
        """The scope's accounts' followers together (those known)."""
        return _sum(a.followers for a in self.accounts)

    @property
    def engagement_rate(self) -> float | None:
        """The scope's interactions over the followers of the accounts whose count is known;
        None unless every account with posts has a known count."""
        if any(a.followers is None and a.totals.posts for a in self.accounts):
            return None
        return rate(self.totals.interactions, self.followers)

    def posts_json(self, posts: Iterable[PostRow]) -> list[dict[str, Any]]:
        """The lists' items of the pure path (the API's come from cicero.db.analytics, built
        by PostgreSQL to the same bytes: keys in this order, the instant in WIB)."""
        url = PostRef(self.platform, "{0}", owner="{1}").link.format
        return [
            {"client_id": p.client_id, "shortcode": p.external_id,
             "posted_at": p.posted_at.astimezone(_UTC7), "caption": p.caption,
             "url": url(p.external_id, p.owner), "likes": p.likes, "comments": p.comments,
             "views": p.views, "shares": p.shares, "interactions": p.interactions,
             "followers": p.followers, "engagement_rate": p.engagement_rate}
            for p in posts
        ]  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return self.json_with(self.posts_json(self.posts), self.posts_json(self.top),
                              self.posts_json(self.bottom))  # fmt: skip

    def json_with(self, posts: Any, top: Any, bottom: Any) -> dict[str, Any]:
        """The answer of `GET /api/analytics` with its three post lists given (as items, or
        as JSON already encoded: orjson fragments)."""
        return {
            "client": {"client_id": self.scope.client_id, "name": self.scope.name,
                       "type": "DIREKTORAT" if self.directorate else "ORG"},
            "platform": self.platform.value,
            "period": {"kind": self.period.value, "from": self.range.start.isoformat(),
                       "to": self.range.end.isoformat()},
            "totals": {**self.totals.as_json(), "followers": self.followers,
                       "engagement_rate": self.engagement_rate},
            "accounts": [a.as_json() for a in self.accounts],
            "days": [d.as_json() for d in self.days],
            "posts": posts,
            "top": top,
            "bottom": bottom,
            "followers_missing": list(self.followers_missing),
        }  # fmt: skip


@dataclass(frozen=True)
class FollowerBook:
    """Each account's followers on each day of a range: the latest known count on or before
    the day (a fetch may fail or an ingestion not run; the last count stands until the next)."""

    by_client: Mapping[str, Mapping[date, int | None]]

    @classmethod
    def of(cls, counts: Iterable[tuple[str, date, int]], days: DayRange) -> FollowerBook:
        """`counts`: (client, day, followers) known in the range and the latest before it."""
        known: dict[str, dict[date, int]] = {}
        for client, day, n in counts:
            known.setdefault(client, {})[day] = n
        book: dict[str, dict[date, int | None]] = {}
        for client, found in known.items():
            before = [d for d in found if d < days.start]
            current = found[max(before)] if before else None
            carried: dict[date, int | None] = {}
            for day in days.days():
                current = found.get(day, current)
                carried[day] = current
            book[client] = carried
        return cls(book)

    def on(self, client_id: str, day: date) -> int | None:
        return self.by_client.get(client_id, {}).get(day)


def build(
    scope: Account,
    directorate: bool,
    platform: Platform,
    period: Period,
    days: DayRange,
    accounts: Sequence[Account],
    posts: Iterable[PostRow],
    book: FollowerBook,
) -> Analytics:
    """The analytics of `accounts` over `days` from their stored posts of the range (each
    with its account's followers on its day, `book.on`)."""
    joined = sorted(posts, key=itemgetter(2, 1))  # posted_at, external_id
    by_client: dict[str, list[PostRow]] = {a.client_id: [] for a in accounts}
    by_day: dict[date, list[PostRow]] = {d: [] for d in days.days()}
    for p in joined:
        by_client.setdefault(p.client_id, []).append(p)
        by_day.setdefault(p.day, []).append(p)
    keys = [p.rank_key() for p in joined]
    order = sorted(range(len(joined)), key=keys.__getitem__)
    top = tuple(joined[i] for i in order[:TOP])
    bottom = tuple(joined[i] for i in reversed(order[len(top) :][-TOP:]))
    return summed(
        scope, directorate, platform, period, days, accounts,
        {a.client_id: book.on(a.client_id, days.end) for a in accounts},
        {c: Totals.of(ps) for c, ps in by_client.items()},
        {d: Totals.of(ps) for d, ps in by_day.items()}, Totals.of(joined),
        posts=tuple(joined), top=top, bottom=bottom,
    )  # fmt: skip


def summed(
    scope: Account,
    directorate: bool,
    platform: Platform,
    period: Period,
    days: DayRange,
    accounts: Sequence[Account],
    followers: Mapping[str, int | None],
    by_client: Mapping[str, Totals],
    by_day: Mapping[date, Totals],
    totals: Totals,
    posts: tuple[PostRow, ...] = (),
    top: tuple[PostRow, ...] = (),
    bottom: tuple[PostRow, ...] = (),
) -> Analytics:
    """The value from the sums of its posts per account, per day and in all (by `build` from
    the posts, or by PostgreSQL for the API, which encodes the post lists itself), and each
    account's `followers` at the end of the period; a missing account or day has no posts."""
    none = Totals()
    figures = tuple(
        AccountFigures(a, followers.get(a.client_id), by_client.get(a.client_id, none))
        for a in accounts
    )
    return Analytics(
        scope=scope, directorate=directorate, platform=platform, period=period, range=days,
        accounts=figures,
        days=tuple(DayFigures(d, by_day.get(d, none)) for d in days.days()),
        posts=posts, top=top, bottom=bottom, totals=totals,
        followers_missing=tuple(f.account.client_id for f in figures
                                if f.followers is None and f.account.handle),
    )  # fmt: skip

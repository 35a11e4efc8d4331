"""Pure decisions of ingestion (data.md §3, §2.2–§2.4).

Which clients and platforms to fetch, which posts are today's, when a listing
stops and whether it was complete, how fetched names merge into stored
engagement, and when a post gone upstream is marked removed.
"""

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum

from cicero.domain.ingestion.payloads import ParsedPost
from cicero.domain.people.usernames import Invalid, Platform, parse_username
from cicero.domain.timezone import WIB, to_wib, wib_date


class Stage(StrEnum):
    PROFILE = "profile"
    POSTS = "posts"
    LIKERS = "likers"
    COMMENTS = "comments"


class Outcome(StrEnum):
    COMPLETE = "complete"
    TRUNCATED = "truncated"  # a cap or a repeated cursor stopped it
    EMPTY = "empty"  # a post listing whose first page was empty: never complete (§3.7)
    FAILED = "failed"
    UNCHANGED = "unchanged"  # an engagement fetch not made: nothing had moved (§3.4)


# ---------------------------------------------------------------- §3.1 cadence


@dataclass(frozen=True)
class ClientFlags:
    client_id: str
    active: bool
    instagram: str | None
    instagram_enabled: bool
    tiktok: str | None
    tiktok_enabled: bool
    amplify_enabled: bool = False


def platforms_to_fetch(client: ClientFlags) -> tuple[Platform, ...]:
    """IG: active, a handle, IG or amplification on. TikTok: active, a handle, TikTok on."""
    if not client.active:
        return ()
    out = []
    if client.instagram and (client.instagram_enabled or client.amplify_enabled):
        out.append(Platform.INSTAGRAM)
    if client.tiktok and client.tiktok_enabled:  # V2 fetched comments even with TikTok off
        out.append(Platform.TIKTOK)
    return tuple(out)


def stages(client: ClientFlags) -> tuple[tuple[Platform, Stage], ...]:
    """Per client: IG posts → TikTok posts → likers → commenters (each may fail alone)."""
    platforms = platforms_to_fetch(client)
    order = (
        (Platform.INSTAGRAM, Stage.POSTS),
        (Platform.TIKTOK, Stage.POSTS),
        (Platform.INSTAGRAM, Stage.LIKERS),
        (Platform.TIKTOK, Stage.COMMENTS),
    )
    return tuple(s for s in order if s[0] in platforms)


# ---------------------------------------------------------------- §2.4 today and windows

TIKTOK_USERNAME_WINDOW = (time(11, 0), time(17, 15))


def day_start(day: date) -> datetime:
    """00:00 WIB of `day`, aware."""
    return datetime.combine(day, time(0), tzinfo=WIB)


def todays_posts(posts: Iterable[ParsedPost], today: date) -> tuple[ParsedPost, ...]:
    return tuple(p for p in posts if wib_date(p.posted_at) == today)


def tiktok_username_window_open(now: datetime) -> bool:
    """The posts-by-username path costs quota: only 11:00–17:15 WIB."""
    start, end = TIKTOK_USERNAME_WINDOW
    return start <= to_wib(now).time().replace(tzinfo=None) <= end


class TikTokSource(StrEnum):
    PRIMARY = "primary"  # /api/user/posts?secUid=
    FALLBACK_HOST = "fallback_host"  # fallback host /user/videos?secUid=
    USERNAME = "username"  # /api/user/posts?uniqueId=, once, in its window


@dataclass(frozen=True)
class SourceResult:
    source: TikTokSource
    failed: bool
    posts: int
    todays: int


def next_tiktok_source(
    tried: Sequence[SourceResult], now: datetime, fallback_host: bool
) -> TikTokSource | None:
    """The next TikTok listing source to try, or None to keep what we have (§2.3, §3.8)."""
    if not tried:
        return TikTokSource.PRIMARY
    last = tried[-1]
    done = {r.source for r in tried}
    if (
        last.source is TikTokSource.PRIMARY
        and (last.failed or last.posts == 0)
        and fallback_host
        and TikTokSource.FALLBACK_HOST not in done
    ):
        return TikTokSource.FALLBACK_HOST
    if (
        TikTokSource.USERNAME not in done
        and (last.failed or last.posts == 0 or last.todays == 0)
        and tiktok_username_window_open(now)
    ):
        return TikTokSource.USERNAME
    return None


def sec_uid_stale(empty: bool, video_count: int | None, error_detail: str | None) -> bool:
    """A missing-params error, or an empty list from an account with videos: re-resolve once."""
    if error_detail is not None and "param" in error_detail.lower():
        return True
    return empty and (video_count or 0) > 0


# ---------------------------------------------------------------- pagination


class StopReason(StrEnum):
    END = "end"  # the upstream said no more
    REACHED_PAST = "reached_past"  # a whole page older than today
    EMPTY_PAGE = "empty_page"
    REPEATED_CURSOR = "repeated_cursor"
    PAGE_CAP = "page_cap"
    ITEM_CAP = "item_cap"


class Past(StrEnum):
    """How a page of posts relates to today's WIB start (feeds are newest first after pins)."""

    NONE = "none"  # its last item is today's
    TAIL = "tail"  # its last item predates today: everything after is older
    WHOLE = "whole"  # every item predates today


def page_past(posts: Sequence[ParsedPost], today: date) -> Past:
    start = day_start(today)
    if not posts or posts[-1].posted_at >= start:
        return Past.NONE
    return Past.WHOLE if all(p.posted_at < start for p in posts) else Past.TAIL


@dataclass(frozen=True)
class Limits:
    max_pages: int
    max_items: int | None = None
    posts: bool = False  # a post listing: an empty page is not a complete listing


@dataclass(frozen=True)
class Pager:
    limits: Limits
    pages: int = 0
    items: int = 0
    cursors: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NextPage:
    cursor: str


@dataclass(frozen=True)
class Stop:
    outcome: Outcome
    reason: StopReason


def after_page(
    pager: Pager, count: int, next_cursor: str | None, past: Past = Past.NONE
) -> tuple[Pager, NextPage | Stop]:
    """Account for one fetched page and say whether to fetch the next."""
    pager = replace(pager, pages=pager.pages + 1, items=pager.items + count)
    lim = pager.limits
    if count == 0 and lim.posts:
        if pager.pages == 1:
            return pager, Stop(Outcome.EMPTY, StopReason.EMPTY_PAGE)
        if next_cursor is not None:  # IG: an empty page ends the listing, not complete
            return pager, Stop(Outcome.TRUNCATED, StopReason.EMPTY_PAGE)
    if past is Past.WHOLE:
        return pager, Stop(Outcome.COMPLETE, StopReason.REACHED_PAST)
    if next_cursor is None:
        return pager, Stop(Outcome.COMPLETE, StopReason.END)
    if next_cursor in pager.cursors:
        return pager, Stop(Outcome.TRUNCATED, StopReason.REPEATED_CURSOR)
    # At a cap, a post listing whose page tail is older than today still covered today.
    capped = Outcome.COMPLETE if past is Past.TAIL else Outcome.TRUNCATED
    if lim.max_items is not None and pager.items >= lim.max_items:
        return pager, Stop(capped, StopReason.ITEM_CAP)
    if pager.pages >= lim.max_pages:
        return pager, Stop(capped, StopReason.PAGE_CAP)
    return replace(pager, cursors=pager.cursors | {next_cursor}), NextPage(next_cursor)


def tiktok_comments_cursor(
    cursor: int, count: int, total: int | None, has_more: bool, step: int = 50
) -> int | None:
    """TikTok comments: cursor += 50 while the page is non-empty and cursor ≤ total."""
    if count == 0:
        return None
    following = cursor + step
    if total is not None:
        return following if following <= total else None
    return following if has_more else None


# ---------------------------------------------------------------- §3.4 engagement merge


@dataclass(frozen=True)
class Engagement:
    username: str
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class Merge:
    usernames: tuple[str, ...]  # canonical, unique, sorted: the rows to upsert at `at`
    new: frozenset[str]  # not known before
    at: datetime
    invalid: int = 0  # skipped: not a username
    duplicates: int = 0  # the same person listed twice
    excluded: int = 0  # exception staff (§3.6)


def merge_engagement(
    fetched: Iterable[str],
    platform: Platform,
    at: datetime,
    known: AbstractSet[str] = frozenset(),
    excluded: AbstractSet[str] = frozenset(),
) -> Merge:
    """Canonicalise and deduplicate fetched names; nothing known is ever dropped."""
    seen: set[str] = set()
    invalid = duplicates = dropped = 0
    for raw in fetched:
        name = parse_username(raw, platform)
        if isinstance(name, Invalid):
            invalid += 1
        elif name in excluded:
            dropped += 1
        elif name in seen:
            duplicates += 1
        else:
            seen.add(name)
    return Merge(
        usernames=tuple(sorted(seen)),
        new=frozenset(seen - known),
        at=at,
        invalid=invalid,
        duplicates=duplicates,
        excluded=dropped,
    )


def apply_merge(state: Mapping[str, Engagement], merge: Merge) -> dict[str, Engagement]:
    """The stored rows after the upsert: `INSERT … ON CONFLICT DO UPDATE SET last_seen_at`."""
    out = dict(state)
    for name in merge.usernames:
        old = out.get(name)
        if old is None:
            out[name] = Engagement(name, merge.at, merge.at)
        elif merge.at > old.last_seen_at:
            out[name] = replace(old, last_seen_at=merge.at)
    return out


# ---------------------------------------------------------------- §3.7 removal


@dataclass(frozen=True)
class KnownPost:
    external_id: str
    posted_at: datetime
    removed_at: datetime | None = None
    missed_listings: int = 0


REMOVE_AFTER_MISSES = 2


def reconcile_removals(
    known: Iterable[KnownPost],
    listed: AbstractSet[str],
    outcome: Outcome,
    covered_since: datetime | None,
    now: datetime,
) -> tuple[KnownPost, ...]:
    """The posts of one client whose presence state changes after a listing.

    A listed post is present: its miss count resets and a removal clears. Absence
    only counts in a complete listing, for posts the listing covered (posted at or
    after `covered_since`; None = the whole feed was read); two in a row → removed.
    """
    changed = []
    for post in known:
        if post.external_id in listed:
            if post.missed_listings or post.removed_at is not None:
                changed.append(replace(post, missed_listings=0, removed_at=None))
            continue
        if outcome is not Outcome.COMPLETE or post.removed_at is not None:
            continue
        if covered_since is not None and post.posted_at < covered_since:
            continue
        misses = post.missed_listings + 1
        removed = now if misses >= REMOVE_AFTER_MISSES else None
        changed.append(replace(post, missed_listings=misses, removed_at=removed))
    return tuple(changed)


def gone_by_fetch(
    known: Iterable[KnownPost], listing: Outcome, now: datetime
) -> tuple[KnownPost, ...]:
    """Posts whose own likers or commenters fetch answered that the post does not exist, while
    their account's listing of the same run answered without error but could not count an
    absence (empty: a client's only post of the day deleted leaves its feed empty; or
    truncated) and did not list them. Each such run is a miss, as a complete listing lacking
    the post would be; two in a row mark it removed (§3.7). After a complete listing the
    absence was already counted; after a failed one nothing is known of the account."""
    if listing not in (Outcome.EMPTY, Outcome.TRUNCATED):
        return ()
    changed = []
    for post in known:
        if post.removed_at is not None:
            continue
        misses = post.missed_listings + 1
        removed = now if misses >= REMOVE_AFTER_MISSES else None
        changed.append(replace(post, missed_listings=misses, removed_at=removed))
    return tuple(changed)


def listing_coverage(reason: StopReason, today: date) -> datetime | None:
    """From when a complete listing saw every post: the whole feed, or today's WIB start."""
    return None if reason is StopReason.END else day_start(today)

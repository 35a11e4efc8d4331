"""Pure parsing of the upstream JSON shapes of data.md §2.2 and §2.3.

Every parser takes the decoded document (or raw bytes for `decode_json`) and
returns frozen values, or raises `PayloadError` for a payload it cannot use.
Inside a usable page a bad item (no id, no time, invalid username) is skipped
and counted, never guessed: V2 stored now() for a missing time.
"""

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from cicero.domain.people.usernames import Invalid, Platform, parse_username
from cicero.domain.text import numbers
from cicero.domain.text.storable import storable

T = TypeVar("T")

# Epoch values above this are milliseconds (data.md §2.3).
_MS_THRESHOLD = 10**12
MAX_COUNT = 2**63 - 1  # a count column is a bigint
# Sane instants: after 2005-01-01 and before 2100-01-01; anything else is garbage.
_MIN_EPOCH, _MAX_EPOCH = 1_104_537_600, 4_102_444_800
_ERROR_KEYS = ("error", "errors", "message", "detail", "status_msg", "statusMessage", "msg")


class PayloadProblem(StrEnum):
    NOT_JSON = "not_json"  # HTML, truncated text, empty body
    ERROR_BODY = "error_body"  # a 200 whose body says it failed
    WRONG_SHAPE = "wrong_shape"  # JSON, but not the expected structure
    BAD_ITEM = "bad_item"  # a single-item endpoint whose item is unusable


class PayloadError(ValueError):
    """A payload Cicero cannot use; `problem` says which kind, the message says where."""

    def __init__(self, problem: PayloadProblem, message: str) -> None:
        super().__init__(f"{problem}: {message}")
        self.problem = problem
        self.detail = message


@dataclass(frozen=True)
class Media:
    thumbnail: str | None = None
    video: str | None = None
    images: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"thumbnail": self.thumbnail, "video": self.video, "images": list(self.images)}


@dataclass(frozen=True)
class ParsedPost:
    platform: Platform
    external_id: str
    posted_at: datetime  # aware, UTC
    caption: str | None = None
    author: str | None = None  # canonical handle of the listing account, if given
    like_count: int | None = None
    comment_count: int | None = None
    view_count: int | None = None
    share_count: int | None = None
    media: Media = field(default_factory=Media)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None  # None: the upstream says there is no next page
    skipped_count: int = 0
    total: int | None = None  # TikTok comments report a total


@dataclass(frozen=True)
class InstagramProfile:
    username: str | None
    is_private: bool | None
    media_count: int | None
    full_name: str | None = None  # the app's profile screen (A7/A8) shows these
    follower_count: int | None = None
    following_count: int | None = None
    profile_pic_url: str | None = None


@dataclass(frozen=True)
class TikTokProfile:
    unique_id: str | None
    sec_uid: str
    private: bool | None
    video_count: int | None
    follower_count: int | None = None  # the analytics' engagement rate divides by it
    following_count: int | None = None


# ---------------------------------------------------------------- decoding


def decode_json(body: bytes | str) -> Any:
    """The JSON document in `body`; an HTML page or broken text is a PayloadError."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise PayloadError(PayloadProblem.NOT_JSON, "body is not UTF-8") from None
    text = body.strip()
    if not text:
        raise PayloadError(PayloadProblem.NOT_JSON, "empty body")
    if text.startswith("<"):
        raise PayloadError(PayloadProblem.NOT_JSON, f"HTML instead of JSON: {_snippet(text)}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise PayloadError(PayloadProblem.NOT_JSON, f"invalid JSON: {_snippet(text)}") from None


# ---------------------------------------------------------------- Instagram


def parse_instagram_posts(doc: Any) -> Page[ParsedPost]:
    """`GET /v1/posts`: posts in `data.items`, token in the top-level `pagination_token`."""
    data = _container(doc, "data", "Instagram posts")
    items = _list_at(data, "items", "Instagram posts: data.items")
    posts, skipped = _collect(items, _instagram_post)
    token = _str_or_none(doc.get("pagination_token"))
    more = doc.get("has_more")
    next_cursor = token if token and more is not False else None
    return Page(tuple(posts), next_cursor, skipped)


def parse_instagram_likers(doc: Any) -> Page[str]:
    """`GET /v1/likes`: `data.items[].username`; next = `next_cursor|end_cursor` while `has_more`."""
    data = _container(doc, "data", "Instagram likers")
    items = _list_at(data, "items", "Instagram likers: data.items")
    names, skipped = _collect(items, lambda it: _username(it.get("username"), Platform.INSTAGRAM))
    cursor = _str_or_none(data.get("next_cursor")) or _str_or_none(data.get("end_cursor"))
    next_cursor = cursor if _truthy(data.get("has_more")) else None
    return Page(tuple(names), next_cursor, skipped)


def parse_instagram_post_info(doc: Any) -> ParsedPost:
    """`GET /v1/post_info`: the post is `data` itself (or `data.items[0]`)."""
    data = _container(doc, "data", "Instagram post_info")
    item = data
    if "code" not in data and isinstance(data.get("items"), list) and data["items"]:
        item = data["items"][0]
    return _single(item, _instagram_post, "Instagram post_info")


def parse_instagram_profile(doc: Any) -> InstagramProfile:
    """`GET /v1/info`: `data.is_private`, `data.media_count` (field names to confirm live)."""
    data = _container(doc, "data", "Instagram profile")
    private = data.get("is_private")
    return InstagramProfile(
        username=_username_or_none(data.get("username"), Platform.INSTAGRAM),
        is_private=private if isinstance(private, bool) else None,
        media_count=_count(data.get("media_count")),
        full_name=_str_or_none(data.get("full_name")),
        follower_count=_count(data.get("follower_count")),
        following_count=_count(data.get("following_count")),
        profile_pic_url=_str_or_none(data.get("profile_pic_url_hd") or data.get("profile_pic_url")),
    )


def _instagram_post(item: Mapping[str, Any]) -> ParsedPost:
    code = _str_or_none(item.get("code"))
    if code is None:
        raise _Skip("no code")
    caption = item.get("caption")
    if isinstance(caption, Mapping):
        caption = caption.get("text")
    user = item.get("user")
    return ParsedPost(
        platform=Platform.INSTAGRAM,
        external_id=code,
        posted_at=_instant(item.get("taken_at")),
        caption=storable(caption) if isinstance(caption, str) else None,
        author=_username_or_none(user.get("username"), Platform.INSTAGRAM)
        if isinstance(user, Mapping)
        else None,
        like_count=_count(item.get("like_count")),
        comment_count=_count(item.get("comment_count")),
        view_count=_count(_first_present(item, "play_count", "view_count", "video_view_count")),
        share_count=_count(item.get("share_count")),
        media=_instagram_media(item),
    )


def _instagram_media(item: Mapping[str, Any]) -> Media:
    thumbnail = (
        _str_or_none(item.get("thumbnail_url"))
        or _str_or_none(item.get("display_url"))
        or _first_image(item)
    )
    video = _str_or_none(item.get("video_url")) or _url_at(item.get("video_versions"), 0)
    carousel = item.get("carousel_media")
    images: list[str] = []
    if isinstance(carousel, list):
        images = [url for c in carousel if isinstance(c, Mapping) and (url := _first_image(c))]
    return Media(thumbnail, video, tuple(images))


def _first_image(item: Mapping[str, Any]) -> str | None:
    versions = item.get("image_versions")
    if isinstance(versions, Mapping):
        return _url_at(versions.get("items"), 0)
    return None


def _url_at(entries: Any, index: int) -> str | None:
    if isinstance(entries, list) and len(entries) > index and isinstance(entries[index], Mapping):
        return _str_or_none(entries[index].get("url"))
    return None


# ---------------------------------------------------------------- TikTok


def parse_tiktok_profile(doc: Any) -> TikTokProfile:
    """`GET /api/user/info`: `userInfo.user.{uniqueId,secUid,privateAccount}`, `userInfo.stats`."""
    info = _container(doc, "userInfo", "TikTok profile")
    user = info.get("user")
    if not isinstance(user, Mapping):
        raise PayloadError(PayloadProblem.WRONG_SHAPE, "TikTok profile: userInfo.user missing")
    sec_uid = _str_or_none(user.get("secUid"))
    if sec_uid is None:
        raise PayloadError(PayloadProblem.WRONG_SHAPE, "TikTok profile: no secUid")
    stats = info.get("stats")
    stats = stats if isinstance(stats, Mapping) else {}
    private = user.get("privateAccount")
    return TikTokProfile(
        unique_id=_username_or_none(user.get("uniqueId"), Platform.TIKTOK),
        sec_uid=sec_uid,
        private=private if isinstance(private, bool) else None,
        video_count=_count(stats.get("videoCount")),
        follower_count=_count(stats.get("followerCount")),
        following_count=_count(stats.get("followingCount")),
    )


def parse_tiktok_posts(doc: Any) -> Page[ParsedPost]:
    """`/api/user/posts` and the fallback `/user/videos`, with the accepted variants of §2.3."""
    if not isinstance(doc, Mapping):
        raise PayloadError(PayloadProblem.WRONG_SHAPE, f"TikTok posts: {_kind(doc)}, not an object")
    data = _json_string_or_value(doc.get("data"), "TikTok posts: data")
    items: Any = None
    if isinstance(data, Mapping):
        items = _first_present(data, "itemList", "items", "videos")
    result = doc.get("result")
    if items is None and isinstance(result, Mapping):
        data, items = result, result.get("videos")
    if items is None:
        if isinstance(data, Mapping) and not _error_text(data) and not _error_text(doc):
            items = []  # TikTok omits the list on an empty feed
        else:
            raise _missing(doc, "TikTok posts: no itemList/items/videos list")
    if not isinstance(items, list):
        raise PayloadError(PayloadProblem.WRONG_SHAPE, f"TikTok posts: list is {_kind(items)}")
    posts, skipped = _collect(items, _tiktok_post)
    more = _first_present(data, "hasMore", "has_more") if isinstance(data, Mapping) else None
    cursor = _scalar_str(data.get("cursor")) if isinstance(data, Mapping) else None
    return Page(tuple(posts), cursor if _truthy(more) else None, skipped)


def parse_tiktok_post_detail(doc: Any) -> ParsedPost:
    """`GET /api/post/detail`: `itemInfo.itemStruct`."""
    info = _container(doc, "itemInfo", "TikTok post detail")
    return _single(info.get("itemStruct"), _tiktok_post, "TikTok post detail")


def parse_tiktok_comments(doc: Any) -> Page[str]:
    """`GET /api/post/comments`: commenters' `user.unique_id` (else `username`), `total`, cursor."""
    if not isinstance(doc, Mapping):
        raise PayloadError(PayloadProblem.WRONG_SHAPE, f"TikTok comments: {_kind(doc)}")
    data = _json_string_or_value(doc.get("data"), "TikTok comments: data")
    source = data if isinstance(data, Mapping) and "comments" in data else doc
    comments = source.get("comments")
    if comments is None:
        if isinstance(data, Mapping) and not _error_text(data) and not _error_text(doc):
            comments = []  # a video without comments answers `comments: null` or nothing
        else:
            raise _missing(doc, "TikTok comments: no comments list")
    if not isinstance(comments, list):
        raise PayloadError(
            PayloadProblem.WRONG_SHAPE, f"TikTok comments: list is {_kind(comments)}"
        )
    names, skipped = _collect(comments, _commenter)
    more = _first_present(source, "has_more", "hasMore")
    cursor = _scalar_str(source.get("cursor"))
    return Page(
        tuple(names),
        cursor if _truthy(more) else None,
        skipped,
        total=_count(source.get("total")),
    )


def _commenter(item: Mapping[str, Any]) -> str:
    user = item.get("user")
    raw = user.get("unique_id") if isinstance(user, Mapping) else None
    if raw is None:
        raw = item.get("username")
    return _username(raw, Platform.TIKTOK)


def _tiktok_post(item: Mapping[str, Any]) -> ParsedPost:
    video_id = _scalar_str(_first_present(item, "id", "video_id", "aweme_id"))
    if video_id is None or not video_id.isdigit():
        raise _Skip("no numeric video id")
    stats = item.get("stats")
    stats = stats if isinstance(stats, Mapping) else {}

    def stat(*names: str) -> int | None:
        return _count(_first_present(stats, *names) if stats else _first_present(item, *names))

    author = item.get("author")
    caption = _first_present(item, "desc", "caption", "title")
    video = item.get("video")
    cover = (
        _str_or_none(_first_present(video, "cover", "originCover"))
        if isinstance(video, Mapping)
        else None
    )
    return ParsedPost(
        platform=Platform.TIKTOK,
        external_id=video_id,
        posted_at=_instant(_first_present(item, "createTime", "create_time", "timestamp")),
        caption=storable(caption) if isinstance(caption, str) else None,
        author=_username_or_none(author.get("uniqueId"), Platform.TIKTOK)
        if isinstance(author, Mapping)
        else None,
        like_count=stat("diggCount", "digg_count", "like_count"),
        comment_count=stat("commentCount", "comment_count"),
        view_count=stat("playCount", "play_count"),
        share_count=stat("shareCount", "share_count"),
        media=Media(thumbnail=cover),
    )


# ---------------------------------------------------------------- shared pieces


class _Skip(Exception):
    """An item inside a page that cannot be used; the page goes on."""


def _collect(items: list[Any], parse: Callable[[Mapping[str, Any]], T]) -> tuple[list[T], int]:
    good: list[T] = []
    skipped = 0
    for item in items:
        # `type(...) is dict` first: decoded JSON objects are dicts, and the ABC check costs
        # more than the rest of a name's parsing (50 names a page, ~10,000 pages a day).
        if type(item) is not dict and not isinstance(item, Mapping):
            skipped += 1
            continue
        try:
            good.append(parse(item))
        except _Skip:
            skipped += 1
    return good, skipped


def _single(item: Any, parse: Callable[[Mapping[str, Any]], T], what: str) -> T:
    if not isinstance(item, Mapping):
        raise PayloadError(PayloadProblem.WRONG_SHAPE, f"{what}: item is {_kind(item)}")
    try:
        return parse(item)
    except _Skip as e:
        raise PayloadError(PayloadProblem.BAD_ITEM, f"{what}: {e}") from None


def _container(doc: Any, key: str, what: str) -> Mapping[str, Any]:
    if not isinstance(doc, Mapping):
        raise PayloadError(PayloadProblem.WRONG_SHAPE, f"{what}: {_kind(doc)}, not an object")
    value = doc.get(key)
    if not isinstance(value, Mapping):
        raise _missing(doc, f"{what}: no {key!r} object")
    return value


def _list_at(data: Mapping[str, Any], key: str, what: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise _missing(data, f"{what} is {_kind(value)}, not a list")
    return value


def _missing(doc: Any, message: str) -> PayloadError:
    """A missing container: an error body if the document says why, else a wrong shape."""
    text = _error_text(doc) if isinstance(doc, Mapping) else None
    if text:
        return PayloadError(PayloadProblem.ERROR_BODY, f"{message}; upstream says {text!r}")
    return PayloadError(PayloadProblem.WRONG_SHAPE, message)


def _error_text(doc: Mapping[str, Any]) -> str | None:
    for key in _ERROR_KEYS:
        value = doc.get(key)
        if value:
            return _snippet(value if isinstance(value, str) else _dump(value))
    if doc.get("status") in ("error", "fail", "failed") or doc.get("success") is False:
        return _snippet(_dump(doc))
    return None


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, default=str)[:500]
    except (ValueError, RecursionError):
        return type(value).__name__


def _json_string_or_value(value: Any, what: str) -> Any:
    """TikTok sometimes sends `data` as a JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            raise PayloadError(PayloadProblem.WRONG_SHAPE, f"{what} is a non-JSON string") from None
    return value


def _instant(value: Any) -> datetime:
    """Epoch seconds (or milliseconds above 10^12) → aware UTC; unusable → skip the item."""
    if isinstance(value, str):
        value = numbers.bounded_int(value, numbers.COUNT_DIGITS)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Skip("no usable time")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Skip("no usable time")
    if value > _MAX_EPOCH * 1000:  # also keeps huge integers away from float division
        raise _Skip(f"time {value!r} out of range")
    seconds = value / 1000 if value > _MS_THRESHOLD else value
    if not _MIN_EPOCH <= seconds < _MAX_EPOCH:
        raise _Skip(f"time {value!r} out of range")
    return datetime.fromtimestamp(seconds, tz=UTC)


def _count(value: Any) -> int | None:
    """A count if numeric, non-negative and storable (PostgreSQL's bigint), else None
    (unknown, not zero)."""
    if isinstance(value, str):
        return numbers.bounded_int(value, numbers.COUNT_DIGITS)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value) if 0 <= value <= MAX_COUNT else None


def _username(raw: Any, platform: Platform) -> str:
    if not isinstance(raw, str):
        raise _Skip("no username")
    result = parse_username(raw, platform)
    if isinstance(result, Invalid):
        raise _Skip(result.message())
    return result


def _username_or_none(raw: Any, platform: Platform) -> str | None:
    try:
        return _username(raw, platform)
    except _Skip:
        return None


def _first_present(doc: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if doc.get(key) is not None:
            return doc[key]
    return None


def _str_or_none(value: Any) -> str | None:
    return storable(value) or None if isinstance(value, str) else None


def _scalar_str(value: Any) -> str | None:
    """Ids and cursors come as strings or integers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return _str_or_none(value)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def _kind(value: Any) -> str:
    return "missing" if value is None else type(value).__name__


def _snippet(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"

"""Upstream JSON documents built from domain values: what the fake server sends.

The inverse of `cicero.domain.ingestion.payloads`, in the shapes of data.md §2.2/§2.3.
The TikTok encoders can write the accepted variants, so the fake exercises them too.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cicero.domain.ingestion.payloads import InstagramProfile, ParsedPost, TikTokProfile


@dataclass(frozen=True)
class TikTokVariant:
    """Which of the accepted TikTok spellings a document uses."""

    list_key: str = "itemList"  # itemList | items | videos | result.videos
    id_key: str = "id"  # id | video_id | aweme_id
    time_key: str = "createTime"  # createTime | create_time | timestamp
    millis: bool = False
    caption_key: str = "desc"  # desc | caption | title
    flat_stats: bool = False  # digg_count beside the item instead of stats.diggCount
    data_as_string: bool = False


CANONICAL = TikTokVariant()
FALLBACK_HOST = TikTokVariant(
    list_key="result.videos", id_key="video_id", time_key="create_time", millis=True,
    caption_key="title", flat_stats=True,
)  # fmt: skip


def _counts(**pairs: int | None) -> dict[str, int]:
    return {k: v for k, v in pairs.items() if v is not None}


# ---------------------------------------------------------------- Instagram


def instagram_post(post: ParsedPost) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": post.external_id,
        "taken_at": int(post.posted_at.timestamp()),
        "caption": {"text": post.caption} if post.caption is not None else None,
        "is_video": post.media.video is not None,
        **_counts(
            like_count=post.like_count,
            comment_count=post.comment_count,
            play_count=post.view_count,
            share_count=post.share_count,
        ),
    }
    if post.author is not None:
        item["user"] = {"username": post.author}
    if post.media.thumbnail is not None:
        item["thumbnail_url"] = post.media.thumbnail
    if post.media.video is not None:
        item["video_url"] = post.media.video
    if post.media.images:
        item["carousel_media"] = [
            {"image_versions": {"items": [{"url": url}]}} for url in post.media.images
        ]
    return item


def instagram_posts(posts: list[ParsedPost], next_token: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"data": {"items": [instagram_post(p) for p in posts]}}
    doc["has_more"] = next_token is not None
    if next_token is not None:
        doc["pagination_token"] = next_token
    return doc


def instagram_likers(names: Sequence[str], next_cursor: str | None) -> dict[str, Any]:
    items = [{"id": str(900 + i), "username": name} for i, name in enumerate(names)]
    data: dict[str, Any] = {"items": items, "has_more": next_cursor is not None}
    if next_cursor is not None:
        data["next_cursor"] = next_cursor
    return {"data": data}


def instagram_post_info(post: ParsedPost) -> dict[str, Any]:
    return {"data": instagram_post(post)}


def instagram_profile(profile: InstagramProfile) -> dict[str, Any]:
    return {
        "data": {
            "username": profile.username,
            "is_private": profile.is_private,
            "media_count": profile.media_count,
            "full_name": profile.full_name,
            "follower_count": profile.follower_count,
            "following_count": profile.following_count,
            "profile_pic_url": profile.profile_pic_url,
        }
    }


# ---------------------------------------------------------------- TikTok


def tiktok_item(post: ParsedPost, variant: TikTokVariant = CANONICAL) -> dict[str, Any]:
    seconds = int(post.posted_at.timestamp())
    stats = _counts(
        diggCount=post.like_count,
        commentCount=post.comment_count,
        playCount=post.view_count,
        shareCount=post.share_count,
    )
    item: dict[str, Any] = {
        variant.id_key: post.external_id,
        variant.time_key: seconds * 1000 if variant.millis else seconds,
    }
    if post.caption is not None:
        item[variant.caption_key] = post.caption
    if variant.flat_stats:
        item.update(
            _counts(
                digg_count=post.like_count,
                comment_count=post.comment_count,
                play_count=post.view_count,
                share_count=post.share_count,
            )
        )
    else:
        item["stats"] = stats
    if post.author is not None:
        item["author"] = {"uniqueId": post.author}
    if post.media.thumbnail is not None:
        item["video"] = {"cover": post.media.thumbnail}
    return item


def tiktok_posts(
    posts: list[ParsedPost],
    cursor: str | None,
    has_more: bool,
    variant: TikTokVariant = CANONICAL,
) -> dict[str, Any]:
    items = [tiktok_item(p, variant) for p in posts]
    body: dict[str, Any] = {"hasMore": has_more}
    if cursor is not None:
        body["cursor"] = cursor
    if variant.list_key == "result.videos":
        return {"result": {**body, "videos": items}}
    body[variant.list_key] = items
    return {"data": json.dumps(body) if variant.data_as_string else body}


def tiktok_comments(
    names: Sequence[str], cursor: int, has_more: bool, total: int, top_level: bool = False
) -> dict[str, Any]:
    comments = [
        {"cid": str(cursor + i + 1), "text": "Siap", "user": {"unique_id": name}}
        for i, name in enumerate(names)
    ]
    body = {"total": total, "has_more": int(has_more), "cursor": cursor, "comments": comments}
    return body if top_level else {"data": body}


def tiktok_detail(post: ParsedPost) -> dict[str, Any]:
    return {"itemInfo": {"itemStruct": tiktok_item(post)}}


def tiktok_profile(profile: TikTokProfile) -> dict[str, Any]:
    return {
        "userInfo": {
            "user": {
                "uniqueId": profile.unique_id,
                "secUid": profile.sec_uid,
                "privateAccount": profile.private,
            },
            "stats": _counts(
                videoCount=profile.video_count,
                followerCount=profile.follower_count,
                followingCount=profile.following_count,
            ),
        }
    }

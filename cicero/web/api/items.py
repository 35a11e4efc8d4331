"""The app's items, field by field (api.md §2, **K**): strings the app reads are never JSON
null ("" instead; Android's optString would show "null"), counts unknown are left out,
instants are RFC 3339 in WIB."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from cicero.domain.amplification.links import FIELDS
from cicero.domain.timezone import to_wib


def instant(t: datetime) -> str:
    return to_wib(t).replace(microsecond=0).isoformat()


def text(value: Any) -> str:
    return "" if value is None else str(value)


def _media(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw)  # jsonb's text: valid JSON, read on every post listed
        except orjson.JSONDecodeError:  # what orjson refuses (an integer past 64 bits)
            raw = json.loads(raw)
    return raw if isinstance(raw, Mapping) else {}


def post_item(r: Mapping[str, Any]) -> dict[str, Any]:
    media = _media(r["media"])
    images = [str(u) for u in media.get("images") or [] if u]
    thumbnail = text(media.get("thumbnail"))
    video = text(media.get("video"))
    item: dict[str, Any] = {
        "shortcode": r["external_id"],
        "caption": text(r["caption"]),
        "image_url": thumbnail or (images[0] if images else ""),
        "thumbnail_url": thumbnail,
        "images_url": images,
        "is_carousel": len(images) > 1,
        "is_video": bool(video),
        "video_url": video,
        "source_url": f"https://www.instagram.com/p/{r['external_id']}/",
        "created_at": instant(r["posted_at"]),
        "client_id": r["client_id"],
    }
    for count in ("like_count", "comment_count"):
        if r[count] is not None:
            item[count] = int(r[count])
    return item


def report_item(r: Mapping[str, Any]) -> dict[str, Any]:
    media = _media(r["media"])
    images = [str(u) for u in media.get("images") or [] if u]
    reported = instant(r["reported_at"])
    return {
        "shortcode": r["external_id"],
        "user_id": r["nrp"],
        **{f.column: text(r[f.column]) for f in FIELDS},
        "created_at": reported,
        "reported_at": reported,
        "caption": text(r["caption"]),
        "image_url": text(media.get("thumbnail")) or (images[0] if images else ""),
    }


def profile_item(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "user_id": r["nrp"],
        "nama": text(r["name"]),
        "title": text(r["rank"]),
        "divisi": text(r["unit"]),
        "jabatan": text(r["position"]),
        "insta": text(r["instagram"]),
        "tiktok": text(r["tiktok"]),
        "client_id": r["client_id"],
        "status": bool(r["active"]),
        "client_name": text(r["client_name"]),
        "desa": text(r["village"]),
        "roles": list(r["roles"]),
    }


def ig_profile_item(r: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "username": r["username"],
        "full_name": text(r["full_name"]),
        "profile_pic_url": text(r["profile_pic_url"]),
        "is_private": bool(r["is_private"]),
        "fetched_at": instant(r["fetched_at"]),
    }
    for count in ("post_count", "follower_count", "following_count"):
        if r[count] is not None:
            item[count] = int(r[count])
    return item

"""JSON Schemas of the app's answers (api.md §2), for the OpenAPI document and the tests
that check every response against it. **K** fields are the ones the app parses: strings
there are never null (org.json would read "null")."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
INSTANT: Schema = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+07:00$",
    "description": "RFC 3339 in WIB",
}
COUNT: Schema = {"type": "integer", "minimum": 0}


def obj(props: dict[str, Schema], required: list[str] | None = None, extra: bool = True) -> Schema:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
        "additionalProperties": extra,
    }


def ok(data: Schema, **siblings: Schema) -> Schema:
    return obj({"success": {"const": True}, "data": data, **siblings})


ERROR: Schema = obj(
    {
        "success": {"const": False},
        "message": TEXT,
        "error": obj(
            {
                "code": TEXT,
                "fields": {"type": "object", "additionalProperties": TEXT},
                "request_id": TEXT,
            }
        ),
    },
    required=["success", "message", "error"],
)

USER_REF: Schema = obj({"user_id": TEXT, "nama": TEXT, "role": {"const": "user"}})
LOGIN: Schema = obj(
    {
        "success": {"const": True},
        "token": {"type": "string", "pattern": "^cst_"},
        "user": USER_REF,
        "expires_in": {"type": "integer", "minimum": 1},
        "expires_at": INSTANT,
        "refresh_token": {"type": "string", "pattern": "^csr_"},
        "refresh_expires_in": {"type": "integer", "minimum": 1},
    },
    required=["success", "token", "user", "expires_in"],
)
REVOKED: Schema = ok(obj({"revoked": {"const": True}}))

PROFILE: Schema = obj(
    {
        "user_id": TEXT, "nama": TEXT, "title": TEXT, "divisi": TEXT, "jabatan": TEXT,
        "insta": TEXT, "tiktok": TEXT, "client_id": TEXT, "status": {"type": "boolean"},
        "client_name": TEXT, "desa": TEXT, "roles": {"type": "array", "items": TEXT},
    }
)  # fmt: skip

POST_ITEM: Schema = obj(
    {
        "shortcode": TEXT, "caption": TEXT, "image_url": TEXT, "thumbnail_url": TEXT,
        "images_url": {"type": "array", "items": TEXT}, "is_carousel": {"type": "boolean"},
        "is_video": {"type": "boolean"}, "video_url": TEXT, "source_url": TEXT,
        "created_at": INSTANT, "client_id": TEXT, "like_count": COUNT, "comment_count": COUNT,
    },
    required=[
        "shortcode", "caption", "image_url", "thumbnail_url", "images_url", "is_carousel",
        "is_video", "video_url", "source_url", "created_at", "client_id",
    ],
)  # fmt: skip

LINK_FIELDS = ("instagram_link", "facebook_link", "twitter_link", "tiktok_link", "youtube_link")
REPORT_ITEM: Schema = obj(
    {
        "shortcode": TEXT, "user_id": TEXT, **{f: TEXT for f in LINK_FIELDS},
        "created_at": INSTANT, "reported_at": INSTANT, "caption": TEXT, "image_url": TEXT,
    }
)  # fmt: skip
DUPLICATES: Schema = {"type": "array", "items": TEXT}

IG_PROFILE: Schema = obj(
    {
        "username": TEXT, "full_name": TEXT, "post_count": COUNT, "follower_count": COUNT,
        "following_count": COUNT, "profile_pic_url": TEXT, "is_private": {"type": "boolean"},
        "fetched_at": INSTANT,
    },
    required=["username", "full_name", "profile_pic_url", "is_private", "fetched_at"],
)  # fmt: skip

"""The daily profile fetch's rule (issue 17) and the profile counts it reads: followers from
both platforms' shapes, an absurd count unknown rather than a crash at the database."""

from __future__ import annotations

import pytest

from cicero.domain.ingestion.payloads import (
    MAX_COUNT,
    decode_json,
    parse_instagram_profile,
    parse_tiktok_profile,
)
from cicero.domain.ingestion.profiles import MAX_ATTEMPTS, ProfileDay, profile_due

OK = ProfileDay("polres_a", 1200, 1, None)


@pytest.mark.parametrize(
    ("today", "handle", "due"),
    [
        (None, "polres_a", True),
        (OK, "polres_a", False),
        (ProfileDay("polres_a", None, 1, None), "polres_a", False),  # worked, gave no count
        (OK, "polres_baru", True),  # the account changed its handle today
        (ProfileDay("polres_a", None, 1, "server"), "polres_a", True),
        (ProfileDay("polres_a", None, MAX_ATTEMPTS - 1, "timeout"), "polres_a", True),
        (ProfileDay("polres_a", None, MAX_ATTEMPTS, "server"), "polres_a", False),
        (ProfileDay("polres_a", 900, MAX_ATTEMPTS, "server"), "polres_a", False),
    ],
)
def test_profile_due(today: ProfileDay | None, handle: str, due: bool) -> None:
    assert profile_due(today, handle) is due


def test_tiktok_followers_from_stats() -> None:
    doc = decode_json(
        '{"userInfo":{"user":{"uniqueId":"polres_a","secUid":"MS4w","privateAccount":false},'
        '"stats":{"videoCount":120,"followerCount":"45210","followingCount":12}}}'
    )
    p = parse_tiktok_profile(doc)
    assert (p.video_count, p.follower_count, p.following_count) == (120, 45210, 12)


def test_tiktok_profile_without_stats_has_unknown_followers() -> None:
    doc = decode_json('{"userInfo":{"user":{"uniqueId":"a","secUid":"S"},"stats":[1]}}')
    assert parse_tiktok_profile(doc).follower_count is None


@pytest.mark.parametrize(
    ("raw", "count"),
    [("812", 812), (812.0, 812), (MAX_COUNT, MAX_COUNT), (MAX_COUNT + 1, None),
     ("9" * 25, None), (1e300, None), (-1, None), ("12a", None), (True, None), (None, None)],
)  # fmt: skip
def test_instagram_follower_counts_are_storable_or_unknown(raw: object, count: int | None) -> None:
    import json

    doc = decode_json(json.dumps({"data": {"username": "polres_a", "follower_count": raw}}))
    assert parse_instagram_profile(doc).follower_count == count

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.ingestion.payloads import (
    InstagramProfile,
    Media,
    Page,
    ParsedPost,
    PayloadError,
    PayloadProblem,
    TikTokProfile,
    decode_json,
    parse_instagram_likers,
    parse_instagram_post_info,
    parse_instagram_posts,
    parse_instagram_profile,
    parse_tiktok_comments,
    parse_tiktok_post_detail,
    parse_tiktok_posts,
    parse_tiktok_profile,
)
from cicero.domain.people.usernames import Platform
from cicero.domain.text.storable import storable
from cicero.sim.upstream import payloads as enc

# ---------------------------------------------------------------- the spec's own examples

IG_POSTS = """{"data":{"items":[{"code":"DAbCdEf01","taken_at":1770346800,"caption":{"text":"Jumat Curhat"},
 "like_count":812,"comment_count":41,"is_video":false,"image_versions":{"items":[{"url":"https://cdn.example/a1.jpg"}]},
 "carousel_media":[{"image_versions":{"items":[{"url":"https://cdn.example/c1.jpg"}]}},
  {"image_versions":{"items":[{"url":"https://cdn.example/c2.jpg"}]}}],"user":{"username":"polres_a"}}]},
 "pagination_token":"QVFE-2","has_more":true}"""
IG_LIKERS = """{"data":{"items":[{"id":"901","username":"Budi.S"},{"id":"902","username":"citra_01"}],
 "next_cursor":"QVFC-2","has_more":true}}"""
TT_PROFILE = """{"userInfo":{"user":{"uniqueId":"polres_a","secUid":"MS4w-fake","privateAccount":false},
 "stats":{"videoCount":120}}}"""
TT_POSTS = """{"data":{"cursor":"1770346000000","hasMore":false,"itemList":[{"id":"7468000000000000001",
 "createTime":1770344100, "desc":"Patroli dialogis","stats":{"diggCount":230,"commentCount":17,
 "playCount":5400,"shareCount":3}, "author":{"uniqueId":"polres_a"}}]}}"""
TT_COMMENTS = """{"data":{"total":2,"has_more":0,"cursor":50,"comments":[{"cid":"1","text":"Siap",
 "user":{"unique_id":"Bripda.Andi"}}, {"cid":"2","text":"Mantap","user":{"unique_id":"sari"}}]}}"""


def test_instagram_posts_example():
    page = parse_instagram_posts(decode_json(IG_POSTS))
    assert page == Page(
        (
            ParsedPost(
                platform=Platform.INSTAGRAM,
                external_id="DAbCdEf01",
                posted_at=datetime(2026, 2, 6, 3, 0, tzinfo=UTC),
                caption="Jumat Curhat",
                author="polres_a",
                like_count=812,
                comment_count=41,
                media=Media(
                    thumbnail="https://cdn.example/a1.jpg",
                    images=("https://cdn.example/c1.jpg", "https://cdn.example/c2.jpg"),
                ),
            ),
        ),
        next_cursor="QVFE-2",
    )


def test_a_nul_in_a_caption_or_url_is_dropped_not_stored():
    # JSON may carry "\u0000"; PostgreSQL's text and jsonb cannot.
    ig = IG_POSTS.replace("Jumat Curhat", "Jumat\\u0000 Curhat").replace("a1.jpg", "a1\\u0000.jpg")
    (post,) = parse_instagram_posts(decode_json(ig)).items
    assert (post.caption, post.media.thumbnail) == ("Jumat Curhat", "https://cdn.example/a1.jpg")
    tt = TT_POSTS.replace("Patroli dialogis", "Patroli\\u0000 dialogis")
    (video,) = parse_tiktok_posts(decode_json(tt)).items
    assert video.caption == "Patroli dialogis"


@given(st.text())
def test_storable_text_has_no_nul_and_keeps_everything_else(text: str) -> None:
    kept = storable(text)
    assert "\x00" not in kept
    assert kept == "".join(c for c in text if c != "\x00")


def test_instagram_likers_example_canonicalises():
    page = parse_instagram_likers(decode_json(IG_LIKERS))
    assert page == Page(("budi.s", "citra_01"), "QVFC-2", 0)


def test_tiktok_examples():
    assert parse_tiktok_profile(decode_json(TT_PROFILE)) == TikTokProfile(
        "polres_a", "MS4w-fake", False, 120
    )
    posts = parse_tiktok_posts(decode_json(TT_POSTS))
    assert posts.next_cursor is None and posts.skipped_count == 0
    (post,) = posts.items
    assert post.external_id == "7468000000000000001"
    assert post.posted_at == datetime.fromtimestamp(1770344100, UTC)
    assert (post.like_count, post.comment_count, post.view_count, post.share_count) == (
        230,
        17,
        5400,
        3,
    )
    comments = parse_tiktok_comments(decode_json(TT_COMMENTS))
    assert comments == Page(("bripda.andi", "sari"), None, 0, total=2)


def test_likers_end_cursor_and_has_more_false():
    doc = {"data": {"items": [], "end_cursor": "E", "has_more": True}}
    assert parse_instagram_likers(doc).next_cursor == "E"
    doc["data"]["has_more"] = False
    assert parse_instagram_likers(doc).next_cursor is None


def test_instagram_posts_without_has_more_follow_the_token():
    doc = {"data": {"items": []}, "pagination_token": "T"}
    assert parse_instagram_posts(doc).next_cursor == "T"
    assert parse_instagram_posts({"data": {"items": []}}).next_cursor is None


# ---------------------------------------------------------------- bad payloads


def test_html_instead_of_json():
    with pytest.raises(PayloadError) as info:
        decode_json(b"<html><body>502 Bad Gateway</body></html>")
    assert info.value.problem is PayloadProblem.NOT_JSON
    assert "HTML" in str(info.value)


@pytest.mark.parametrize("body", [b"", b"   ", b'{"data": {', b"\xff\xfe", b"null garbage"])
def test_broken_bodies(body):
    with pytest.raises(PayloadError) as info:
        decode_json(body)
    assert info.value.problem is PayloadProblem.NOT_JSON


@pytest.mark.parametrize(
    "parse",
    [parse_instagram_posts, parse_instagram_likers, parse_tiktok_posts, parse_tiktok_comments],
)
def test_a_200_with_an_error_body(parse):
    with pytest.raises(PayloadError) as info:
        parse({"message": "You are not subscribed to this API.", "status": "error"})
    assert info.value.problem is PayloadProblem.ERROR_BODY
    assert "not subscribed" in str(info.value)


def test_wrong_shape_names_the_place():
    with pytest.raises(PayloadError) as info:
        parse_instagram_posts({"data": {"items": {"code": "x"}}})
    assert info.value.problem is PayloadProblem.WRONG_SHAPE
    assert "data.items" in str(info.value)


def test_post_without_timestamp_is_skipped_in_a_page_and_an_error_alone():
    good = {"code": "A1", "taken_at": 1770346800}
    page = parse_instagram_posts(
        {"data": {"items": [good, {"code": "B2"}, {"code": "C3", "taken_at": "soon"}, "x"]}}
    )
    assert [p.external_id for p in page.items] == ["A1"]
    assert page.skipped_count == 3
    with pytest.raises(PayloadError) as info:
        parse_instagram_post_info({"data": {"code": "B2"}})
    assert info.value.problem is PayloadProblem.BAD_ITEM
    assert "time" in str(info.value)


def test_invalid_usernames_are_skipped_and_counted():
    doc = {"data": {"items": [{"username": "ok_1"}, {"username": "bad name"}, {"id": "3"}]}}
    page = parse_instagram_likers(doc)
    assert page.items == ("ok_1",) and page.skipped_count == 2


def test_tiktok_variants_and_milliseconds():
    doc = {
        "data": json.dumps(
            {
                "videos": [
                    {"aweme_id": 7468000000000000002, "timestamp": 1770344100000, "title": "t"},
                    {"video_id": "7468000000000000003", "desc": "no time"},
                ],
                "hasMore": True,
                "cursor": 123,
            }
        )
    }
    page = parse_tiktok_posts(doc)
    assert [p.external_id for p in page.items] == ["7468000000000000002"]
    assert page.items[0].posted_at == datetime.fromtimestamp(1770344100, UTC)
    assert page.items[0].caption == "t"
    assert page.skipped_count == 1 and page.next_cursor == "123"


def test_tiktok_commenter_username_fallback_and_top_level_comments():
    doc = {"comments": [{"username": "@Sari"}, {"user": {}}], "total": 2, "has_more": False}
    assert parse_tiktok_comments(doc) == Page(("sari",), None, 1, total=2)


def test_empty_tiktok_feed_is_an_empty_page():
    assert parse_tiktok_posts({"data": {"hasMore": False}}) == Page((), None, 0)


def test_profiles():
    doc = {"data": {"username": "Polres_A", "is_private": True, "media_count": "12"}}
    assert parse_instagram_profile(doc) == InstagramProfile("polres_a", True, 12)
    with pytest.raises(PayloadError):
        parse_tiktok_profile({"userInfo": {"user": {"uniqueId": "x"}}})


def test_counts_unknown_are_none_not_zero():
    item = {"code": "A", "taken_at": 1770346800, "like_count": "hidden", "comment_count": -1}
    (post,) = parse_instagram_posts({"data": {"items": [item]}}).items
    assert post.like_count is None and post.comment_count is None


# ---------------------------------------------------------------- properties

instants = st.integers(1_200_000_000, 4_000_000_000).map(lambda s: datetime.fromtimestamp(s, UTC))
urls = st.from_regex(r"https://cdn\.example/[a-z0-9]{1,8}\.jpg", fullmatch=True)
counts = st.none() | st.integers(0, 10**9)
ig_names = st.from_regex(r"[a-z0-9._]{1,30}", fullmatch=True).filter(lambda n: n != "cicero_devs")
tt_names = st.from_regex(r"[a-z0-9._]{1,24}", fullmatch=True).filter(lambda n: n != "cicero_devs")
# Text as it can be stored (no NUL: dropped when parsed, see test_a_nul_in_a_caption…).
storable_text = st.text(st.characters(blacklist_characters="\x00"), max_size=50)
captions = st.none() | storable_text


@st.composite
def ig_posts(draw):
    return ParsedPost(
        platform=Platform.INSTAGRAM,
        external_id=draw(st.from_regex(r"[A-Za-z0-9_-]{5,12}", fullmatch=True)),
        posted_at=draw(instants),
        caption=draw(captions),
        author=draw(st.none() | ig_names),
        like_count=draw(counts),
        comment_count=draw(counts),
        view_count=draw(counts),
        share_count=draw(counts),
        media=Media(
            draw(st.none() | urls), draw(st.none() | urls), tuple(draw(st.lists(urls, max_size=3)))
        ),
    )


@st.composite
def tt_posts(draw):
    return ParsedPost(
        platform=Platform.TIKTOK,
        external_id=str(draw(st.integers(1, 10**19))),
        posted_at=draw(instants),
        caption=draw(captions),
        author=draw(st.none() | tt_names),
        like_count=draw(counts),
        comment_count=draw(counts),
        view_count=draw(counts),
        share_count=draw(counts),
        media=Media(thumbnail=draw(st.none() | urls)),
    )


variants = st.builds(
    enc.TikTokVariant,
    list_key=st.sampled_from(["itemList", "items", "videos", "result.videos"]),
    id_key=st.sampled_from(["id", "video_id", "aweme_id"]),
    time_key=st.sampled_from(["createTime", "create_time", "timestamp"]),
    millis=st.booleans(),
    caption_key=st.sampled_from(["desc", "caption", "title"]),
    flat_stats=st.booleans(),
    data_as_string=st.booleans(),
)
cursors = st.none() | st.text("abcXYZ0123-_=", min_size=1, max_size=12)


def over_the_wire(doc):
    return decode_json(json.dumps(doc).encode())


@given(st.lists(ig_posts(), max_size=5), cursors)
def test_instagram_posts_round_trip(posts, token):
    page = parse_instagram_posts(over_the_wire(enc.instagram_posts(posts, token)))
    assert page == Page(tuple(posts), token, 0)


@given(ig_posts())
def test_instagram_post_info_round_trip(post):
    assert parse_instagram_post_info(over_the_wire(enc.instagram_post_info(post))) == post


@given(st.lists(ig_names, max_size=10), cursors)
def test_instagram_likers_round_trip(names, cursor):
    page = parse_instagram_likers(over_the_wire(enc.instagram_likers(names, cursor)))
    assert page == Page(tuple(names), cursor, 0)


@given(st.lists(tt_posts(), max_size=5), cursors, st.booleans(), variants)
def test_tiktok_posts_round_trip(posts, cursor, more, variant):
    page = parse_tiktok_posts(over_the_wire(enc.tiktok_posts(posts, cursor, more, variant)))
    assert page == Page(tuple(posts), cursor if more else None, 0)


@given(tt_posts())
def test_tiktok_detail_round_trip(post):
    assert parse_tiktok_post_detail(over_the_wire(enc.tiktok_detail(post))) == post


@given(st.lists(tt_names, max_size=10), st.integers(0, 10**6), st.booleans(), st.booleans())
def test_tiktok_comments_round_trip(names, cursor, more, top_level):
    total = cursor + len(names)
    doc = enc.tiktok_comments(names, cursor, more, total, top_level)
    page = parse_tiktok_comments(over_the_wire(doc))
    assert page == Page(tuple(names), str(cursor) if more else None, 0, total=total)


@given(
    st.builds(TikTokProfile, st.none() | tt_names, storable_text.filter(bool),
              st.none() | st.booleans(),
              counts)
)  # fmt: skip
def test_tiktok_profile_round_trip(profile):
    assert parse_tiktok_profile(over_the_wire(enc.tiktok_profile(profile))) == profile


@given(st.builds(InstagramProfile, st.none() | ig_names, st.none() | st.booleans(), counts))
def test_instagram_profile_round_trip(profile):
    assert parse_instagram_profile(over_the_wire(enc.instagram_profile(profile))) == profile


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4)
    ),
    max_leaves=30,
)
keys = st.sampled_from(
    ["data", "items", "code", "taken_at", "username", "userInfo", "user", "secUid", "itemList",
     "result", "videos", "comments", "createTime", "id", "itemInfo", "itemStruct", "has_more",
     "hasMore", "cursor", "total", "message", "caption", "stats", "unique_id", "text"]
)  # fmt: skip
shaped = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(keys, kids, max_size=5),
    max_leaves=40,
)
PARSERS = [
    parse_instagram_posts,
    parse_instagram_likers,
    parse_instagram_post_info,
    parse_instagram_profile,
    parse_tiktok_profile,
    parse_tiktok_posts,
    parse_tiktok_comments,
    parse_tiktok_post_detail,
]


@given(json_values | shaped, st.sampled_from(PARSERS))
def test_garbage_only_ever_raises_payload_error(doc, parse):
    with contextlib.suppress(PayloadError):
        parse(doc)


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_garbage_bytes_only_ever_raise_payload_error(body):
    with contextlib.suppress(PayloadError):
        decode_json(body)


def test_absurd_numbers_in_a_payload_are_unusable_values_not_crashes():
    """`str.isdigit()` accepts '²' and 5,000 digits, which `int()` then refuses."""
    items = [
        {"code": "A1", "taken_at": 1770346800, "like_count": "9" * 5000},
        {"code": "B2", "taken_at": "²"},
        {"code": "C3", "taken_at": "1" * 5000},
        {"code": "D4", "taken_at": "1770346800", "comment_count": "٣"},
    ]
    page = parse_instagram_posts({"data": {"items": items}})
    assert [p.external_id for p in page.items] == ["A1", "D4"]
    assert page.items[0].like_count is None and page.items[1].comment_count is None
    assert page.skipped_count == 2

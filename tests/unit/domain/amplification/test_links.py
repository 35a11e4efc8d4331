"""URL keys (api.md §2.1 step 6) and host rules (step 3), by example and by property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.amplification import links
from cicero.domain.amplification.links import LinkField, key
from cicero.domain.amplification.submission import clean, judge, same_report

PATH = st.lists(st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", min_size=1,
                        max_size=12), min_size=1, max_size=4).map("/".join)  # fmt: skip
NOISE = st.lists(st.tuples(st.sampled_from(["igsh", "utm_source", "ref", "hl", "s", "t"]),
                           st.text("abc123", min_size=1, max_size=6)), max_size=3)  # fmt: skip


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.instagram.com/p/Xy12/", "https://instagram.com/p/Xy12"),
        ("https://instagram.com/p/Xy12?igsh=abc#top", "https://instagram.com/p/Xy12"),
        ("https://M.Facebook.com/story.php?story_fbid=42&id=7&ref=x",
         "https://facebook.com/story.php?id=7&story_fbid=42"),
        ("https://www.youtube.com/watch?v=dQw4&t=10s", "https://youtube.com/watch?v=dQw4"),
        ("https://youtu.be/dQw4?si=abc", "https://youtu.be/dQw4"),
        ("https://www.m.facebook.com/watch/?v=9", "https://facebook.com/watch?v=9"),
        ("https://vm.tiktok.com/ZSabc/", "https://vm.tiktok.com/ZSabc"),
        ("https://x.com/budi/status/1?s=20", "https://x.com/budi/status/1"),
    ],
)  # fmt: skip
def test_keys_by_example(url: str, expected: str) -> None:
    assert key(url) == expected


@given(PATH, st.booleans(), st.booleans(), NOISE, st.text("abc", max_size=4))
def test_spelling_does_not_change_the_key(
    path: str, www: bool, slash: bool, noise: list[tuple[str, str]], fragment: str
) -> None:
    plain = f"https://instagram.com/{path}"
    spelled = f"https://{'www.' if www else ''}INSTAGRAM.com/{path}{'/' if slash else ''}"
    if noise:
        spelled += "?" + "&".join(f"{k}={v}" for k, v in noise)
    if fragment:
        spelled += "#" + fragment
    assert key(spelled) == key(plain)
    assert key(key(plain) or "") == key(plain)  # a key is its own key


@given(PATH, PATH)
def test_different_paths_are_different_keys(a: str, b: str) -> None:
    if a.rstrip("/") != b.rstrip("/"):
        assert key(f"https://instagram.com/{a}") != key(f"https://instagram.com/{b}")


@given(st.text("abcdef0123", min_size=1, max_size=8), st.text("abcdef0123", min_size=1, max_size=8))
def test_youtube_keeps_v_and_only_v(v1: str, v2: str) -> None:
    a, b = key(f"https://youtube.com/watch?v={v1}&t=3"), key(f"https://youtube.com/watch?v={v2}")
    assert (a == b) == (v1 == v2)


@pytest.mark.parametrize(
    ("field", "url", "fits"),
    [
        (LinkField.INSTAGRAM, "https://instagram.com/p/x", True),
        (LinkField.INSTAGRAM, "https://www.instagram.com/reel/x", True),
        (LinkField.INSTAGRAM, "https://instagram.com.evil.io/p/x", False),
        (LinkField.INSTAGRAM, "https://evilinstagram.com/p/x", False),
        (LinkField.INSTAGRAM, "https://instаgram.com/p/x", False),  # Cyrillic а
        (LinkField.INSTAGRAM, "https://xn--instgram-9fg.com/p/x", False),
        (LinkField.INSTAGRAM, "https://user@instagram.com/p/x", False),
        (LinkField.INSTAGRAM, "https://instagram.com:8443/p/x", False),
        (LinkField.FACEBOOK, "https://fb.watch/abc/", True),
        (LinkField.TWITTER, "https://mobile.twitter.com/a/status/1", True),
        (LinkField.TIKTOK, "https://www.tiktok.com/@a/video/1", True),
        (LinkField.YOUTUBE, "https://youtu.be/x", True),
        (LinkField.YOUTUBE, "https://instagram.com/p/x", False),
    ],
)  # fmt: skip
def test_hosts_per_field(field: LinkField, url: str, fits: bool) -> None:
    assert links.fits(url, field) is fits


def test_a_field_keeps_its_first_https_url() -> None:
    got, problems = clean(
        {
            LinkField.INSTAGRAM: "lihat http://a.b dan https://instagram.com/p/1 https://instagram.com/p/2"
        }
    )
    assert got == {LinkField.INSTAGRAM: "https://instagram.com/p/1"} and problems == {}
    got, problems = clean({LinkField.INSTAGRAM: "javascript:alert(1)", LinkField.TIKTOK: "   "})
    assert got == {} and set(problems) == {"instagram_link"}


def test_an_identical_replay_is_recognised() -> None:
    stored = {f: None for f in LinkField} | {LinkField.INSTAGRAM: "https://instagram.com/p/1"}
    assert same_report(stored, {LinkField.INSTAGRAM: "https://instagram.com/p/1"})
    assert not same_report(stored, {LinkField.INSTAGRAM: "https://instagram.com/p/2"})


def test_judge_refuses_in_the_specs_order() -> None:
    from datetime import UTC, datetime, timedelta

    t = datetime(2026, 11, 23, tzinfo=UTC)
    window = timedelta(hours=48)
    ok = {LinkField.INSTAGRAM: "https://instagram.com/p/1"}
    assert judge(ok, False, t, t + window, window) == ok
    late = judge(ok, False, t, t + window + timedelta(seconds=1), window)
    assert getattr(late, "code", None) == "window_closed"
    assert getattr(judge({}, False, t, t, window), "code", None) == "no_links"

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.people.usernames import (
    MAX_LENGTH,
    RESERVED,
    Invalid,
    InvalidUsername,
    Platform,
    Reason,
    canonical_username,
    parse_username,
)

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK


@pytest.mark.parametrize(
    ("raw", "platform", "expected"),
    [
        (" @Budi.S ", IG, "budi.s"),
        ("https://www.instagram.com/citra_01/?igsh=x", IG, "citra_01"),
        ("tiktok.com/@Bripda.Andi", TT, "bripda.andi"),
        ("https://instagram.com/dedi/", IG, "dedi"),
        ("@Andi.BM", TT, "andi.bm"),
        ("@Citra_01", IG, "citra_01"),
        ("http://m.instagram.com/u/Gita#top", IG, "gita"),
        ("HTTPS://WWW.TIKTOK.COM/@sari/?lang=id", TT, "sari"),
        ("instagram.com", IG, "instagram.com"),  # a bare host is a (valid) name, not a URL
    ],
)
def test_spec_examples(raw, platform, expected):
    assert canonical_username(raw, platform) == expected


@pytest.mark.parametrize(
    ("raw", "platform", "reason"),
    [
        ("instagram.com/p/DAbCdEf01", IG, Reason.NOT_A_PROFILE_URL),
        ("https://www.instagram.com/reel/xyz/", IG, Reason.NOT_A_PROFILE_URL),
        ("tiktok.com/sari", TT, Reason.NOT_A_PROFILE_URL),
        ("https://www.tiktok.com/@budis/video/7301", TT, Reason.NOT_A_PROFILE_URL),
        ("https://facebook.com/budi", IG, Reason.NOT_A_PROFILE_URL),
        ("tiktok.com/@sari", IG, Reason.WRONG_PLATFORM),
        ("   ", IG, Reason.EMPTY),
        ("@", TT, Reason.EMPTY),
        ("budi santoso", IG, Reason.BAD_CHARACTERS),
        ("budi-s", IG, Reason.BAD_CHARACTERS),
        ("bùdi", IG, Reason.BAD_CHARACTERS),
        ("a" * 31, IG, Reason.TOO_LONG),
        ("a" * 25, TT, Reason.TOO_LONG),
        ("Cicero_Devs", IG, Reason.RESERVED),
    ],
)
def test_invalid_names_carry_a_reason(raw, platform, reason):
    result = parse_username(raw, platform)
    assert result == Invalid(raw, platform, reason)
    with pytest.raises(InvalidUsername) as info:
        canonical_username(raw, platform)
    assert info.value.reason is reason
    assert repr(raw) in str(info.value)


def test_length_is_per_platform():
    assert canonical_username("a" * 30, IG) == "a" * 30
    assert canonical_username("a" * 24, TT) == "a" * 24


platforms = st.sampled_from(list(Platform))
name_chars = st.sampled_from("abcXYZ019._@/: -?#éİ")


@given(st.text(name_chars, max_size=40) | st.text(max_size=40), platforms)
def test_idempotent_and_always_matches_the_pattern(raw, platform):
    result = parse_username(raw, platform)
    if isinstance(result, Invalid):
        assert result.raw == raw
        return
    assert re.fullmatch(rf"[a-z0-9._]{{1,{MAX_LENGTH[platform]}}}", result, re.ASCII)
    assert parse_username(result, platform) == result


@given(st.from_regex(r"[A-Za-z0-9._]{1,24}", fullmatch=True), st.sampled_from(["", "@", " @"]))
def test_profile_url_and_bare_name_agree(handle, prefix):
    bare = parse_username(prefix + handle, TT)
    url = parse_username(f"https://www.tiktok.com/@{handle}/?is_from_webapp=1", TT)
    assert bare == url or (isinstance(bare, Invalid) and isinstance(url, Invalid))


@given(
    st.from_regex(r"[a-z0-9._]{1,40}", fullmatch=True) | st.sampled_from(sorted(RESERVED)),
    platforms,
    st.booleans(),
)
def test_a_name_already_canonical_is_kept_unless_too_long_or_reserved(name, platform, as_text):
    # Names from upstream are mostly canonical already; they take a shortcut, which must
    # agree with the full rules (the platform may also be given as plain text).
    result = parse_username(name, platform.value if as_text else platform)
    if name in RESERVED:
        assert result == Invalid(name, platform, Reason.RESERVED)
    elif len(name) > MAX_LENGTH[platform]:
        assert result == Invalid(name, platform, Reason.TOO_LONG)
    else:
        assert result == name


def test_an_unknown_platform_is_refused_even_for_a_canonical_name():
    with pytest.raises(ValueError):
        parse_username("budi.s", "facebook")

import contextlib
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.people.phones import (
    Jid,
    JidError,
    Server,
    group_jid,
    mask_phone,
    normalize_phone,
    normalize_phones,
    parse_jid,
    parse_recipient,
    parse_recipients,
    split_values,
    user_jid,
)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("081234567890", "6281234567890"),
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("62 812.3456.7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("+62 (0)812 3456 7890", "6281234567890"),
        ("0062812345678", "62812345678"),
        ("  08123456789  ", "628123456789"),
        ("6281234567890@s.whatsapp.net", "6281234567890"),
        ("6281234567890:12@s.whatsapp.net", "6281234567890"),
        ("12345678", "6212345678"),
    ],
)
def test_normalize_phone_accepts(raw, want):
    assert normalize_phone(raw) == want


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0812",  # too short
        "0812345",  # 62 + 7 digits
        "62812345678901234",  # 62 + 15 digits
        "+1 650 253 0000",  # not Indonesian
        "abc",
        "0812-3456-78xx",
        "NRP 75020001",
        "12345@g.us",
        "120363000000000001@g.us",
        "999@lid",
        "٠٨١٢٣٤٥٦٧٨٩",  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_normalize_phone_refuses(raw):
    with pytest.raises(JidError) as err:
        normalize_phone(raw)
    assert repr(raw) in str(err.value) or raw == ""


def test_error_names_the_input():
    with pytest.raises(JidError, match="'0812'"):
        normalize_phone("0812")


def test_non_text_is_a_jid_error():
    with pytest.raises(JidError):
        normalize_phone(812345678)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("120363000000000001@g.us", Jid("120363000000000001", Server.GROUP)),
        ("120363000000000001", Jid("120363000000000001", Server.GROUP)),
        ("1234567890123456789", Jid("1234567890123456789", Server.GROUP)),
        ("6281234567890@s.whatsapp.net", Jid("6281234567890", Server.USER)),
        ("081234567890", Jid("6281234567890", Server.USER)),
        ("215589123456789@lid", Jid("215589123456789", Server.LID)),
        ("215589123456789:4@lid", Jid("215589123456789", Server.LID)),
    ],
)
def test_parse_recipient(raw, want):
    assert parse_recipient(raw) == want


@pytest.mark.parametrize(
    "raw",
    [
        "https://chat.whatsapp.com/AbCdEf123",
        "chat.whatsapp.com/AbCdEf123",
        "HTTPS://CHAT.WHATSAPP.COM/AbCdEf123",
    ],
)
def test_invite_link_is_refused_with_a_clear_error(raw):
    with pytest.raises(JidError, match="invite link"):
        parse_recipient(raw)
    with pytest.raises(JidError, match="invite link"):
        group_jid(raw)


def test_group_jid_refuses_users_and_bad_ids():
    with pytest.raises(JidError):
        group_jid("6281234567890@s.whatsapp.net")
    with pytest.raises(JidError):
        group_jid("123@g.us")  # fewer than 10 digits
    with pytest.raises(JidError):
        group_jid("abc")


def test_parse_jid_refuses_unknown_server_and_missing_at():
    with pytest.raises(JidError, match="unknown server"):
        parse_jid("6281234567890@example.com")
    with pytest.raises(JidError, match="no @server"):
        parse_jid("6281234567890")


def test_jid_value():
    jid = user_jid("0812-3456-7890")
    assert str(jid) == "6281234567890@s.whatsapp.net"
    assert jid.phone == "6281234567890"
    assert not jid.is_group and not jid.is_lid
    assert parse_jid(str(jid)) == jid
    assert pickle.loads(pickle.dumps(jid)) == jid
    lid = parse_jid("42@lid")
    assert lid.is_lid and lid.phone is None
    group = group_jid("120363000000000001")
    assert group.is_group and group.phone is None
    with pytest.raises(JidError):
        Jid("0812", Server.USER)
    with pytest.raises(JidError):
        Jid("6281234567890", "example.com")  # type: ignore[arg-type]


def test_jid_server_from_plain_string_is_the_enum():
    assert Jid("6281234567890", "s.whatsapp.net").server is Server.USER  # type: ignore[arg-type]


def test_split_values():
    assert split_values("a, b;c\n\nd ;; ") == ["a", "b", "c", "d"]
    assert split_values(["a;b", "c"]) == ["a", "b", "c"]
    assert split_values("") == []


def test_normalize_phones_splits_dedupes_and_reports():
    got = normalize_phones("0812345678; +62 812 345 678\n,abc, 0812,  6281399900002")
    assert got.valid == ("62812345678", "6281399900002")
    assert got.invalid == ("abc", "0812")


def test_parse_recipients_mixes_groups_and_numbers():
    got = parse_recipients(
        "120363000000000001@g.us; 081234567890, https://chat.whatsapp.com/X\n120363000000000001"
    )
    assert got.valid == (
        Jid("120363000000000001", Server.GROUP),
        Jid("6281234567890", Server.USER),
    )
    assert got.invalid == ("https://chat.whatsapp.com/X",)


def test_mask_phone():
    assert mask_phone("6281234565678") == "62*******5678"
    assert mask_phone(user_jid("0812345678")) == "62*****5678@s.whatsapp.net"
    assert mask_phone("123") == "****"
    assert "1234" not in mask_phone("1234")


# --- properties ---------------------------------------------------------------------------

subscriber = st.from_regex(r"8[1-9][0-9]{6,10}", fullmatch=True)  # Indonesian mobile part


def spellings(sub: str) -> list[str]:
    grouped = f"{sub[:3]}-{sub[3:7]}-{sub[7:]}"
    return [
        "0" + sub,
        "62" + sub,
        "+62" + sub,
        "+62 " + grouped,
        "0" + grouped,
        sub,
        "0062" + sub,
        "+62 (0)" + sub,
        f"62{sub}@s.whatsapp.net",
        f" 62{sub}:7@s.whatsapp.net ",
    ]


@settings(max_examples=200)
@given(subscriber)
def test_every_spelling_of_a_number_gives_one_result(sub):
    assert {normalize_phone(s) for s in spellings(sub)} == {"62" + sub}


@settings(max_examples=200)
@given(subscriber)
def test_normalising_is_idempotent(sub):
    once = normalize_phone("0" + sub)
    assert normalize_phone(once) == once
    assert parse_recipient(once) == user_jid(once)
    assert parse_jid(str(user_jid(once))) == user_jid(once)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_garbage_raises_only_jid_error(raw):
    for fn in (normalize_phone, parse_recipient, group_jid, parse_jid):
        try:
            out = fn(raw)
        except JidError:
            continue
        # whatever is accepted is already canonical
        assert fn(str(out) if isinstance(out, Jid) else out) == out


@settings(max_examples=300)
@given(st.text(alphabet="0123456789+ -()@.:;,\ngslidwhatpn", max_size=40))
def test_near_miss_input_raises_only_jid_error(raw):
    for fn in (normalize_phone, parse_recipient, group_jid, parse_jid):
        with contextlib.suppress(JidError):
            fn(raw)
    parsed = normalize_phones(raw)
    assert len(parsed.valid) == len(set(parsed.valid))
    assert all(normalize_phone(p) == p for p in parsed.valid)


@settings(max_examples=200)
@given(subscriber)
def test_mask_shows_at_most_last_four_digits(sub):
    phone = "62" + sub
    masked = mask_phone(phone)
    assert masked.endswith(phone[-4:])
    assert phone not in masked
    assert sum(c.isdigit() for c in masked) == 6  # 62 plus the last four

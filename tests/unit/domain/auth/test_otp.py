import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from cicero.domain.auth import otp
from cicero.domain.auth.otp import Check, Issued, Throttled

T0 = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)


KEY = b"k" * 32


def issue(draw=42, now=T0, earlier=(), secret=KEY):
    out = otp.issue("89050123", "Andi@Polri.go.id", draw, now, earlier, secret=secret)
    assert isinstance(out, Issued)
    return out


def test_code_is_six_digits_and_only_a_hash_is_stored():
    out = issue(draw=42)
    assert out.mail.subject == "Kode OTP Anda"
    assert out.mail.body.startswith("Kode OTP Anda: 000042\n")
    assert "5 menit" in out.mail.body
    assert out.mail.to == "andi@polri.go.id"
    assert "000042" not in repr(out.record)
    assert len(out.record.code_hash) == 64
    assert out.record.expires_at == T0 + timedelta(minutes=5)


@pytest.mark.parametrize("draw", [-1, 10**6])
def test_draw_out_of_range_is_a_bug(draw):
    with pytest.raises(ValueError):
        otp.code_from_draw(draw)


def test_a_stored_hash_does_not_give_the_code_away():
    # The attacker's move with a copy of the table: hash all 10**6 codes and look the row up.
    # Unsalted SHA-256 fell to it in under a second; keyed with the server secret it finds nothing.
    stored = issue(draw=314159).record.code_hash
    assert stored not in {hashlib.sha256(f"{i:06d}".encode()).hexdigest() for i in range(10**6)}
    assert otp.hash_code("314159", KEY) == stored


def test_no_secret_no_hash():
    with pytest.raises(otp.NoSecret):
        otp.hash_code("123456", b"")
    with pytest.raises(otp.NoSecret):
        otp.issue("1", "a@b.c", 1, T0, secret=b"")


@pytest.mark.parametrize("typed", ["１２３４５６", "12345😀", "\x00", "' OR 1=1 --", "9" * 5000])
def test_anything_typed_is_a_wrong_code_not_a_crash(typed):
    v = otp.verify(issue(draw=123456).record, typed, T0, secret=KEY)
    assert v.check is Check.WRONG


def test_right_code_verifies_once():
    rec = issue(draw=123456).record
    v = otp.verify(rec, "123456", T0 + timedelta(minutes=4), secret=KEY)
    assert v.check is Check.OK and v.record is None


def test_expired():
    rec = issue(draw=1).record
    assert otp.verify(rec, "000001", T0 + timedelta(minutes=5), secret=KEY).check is Check.EXPIRED


def test_three_wrong_then_even_the_right_code_fails():
    rec = issue(draw=777777).record
    left = []
    for _ in range(3):
        v = otp.verify(rec, "000000", T0, secret=KEY)
        assert v.check is Check.WRONG
        rec = v.record
        left.append(v.tries_left)
    assert left == [2, 1, 0]
    v = otp.verify(rec, "777777", T0, secret=KEY)
    assert v.check is Check.EXHAUSTED and v.record is None
    assert otp.verify(None, "777777", T0, secret=KEY).check is Check.MISSING


def test_secret_must_match():
    rec = issue(draw=5, secret=b"s").record
    assert otp.verify(rec, "000005", T0, secret=b"s").check is Check.OK
    assert otp.verify(rec, "000005", T0, secret=KEY).check is Check.WRONG


def test_throttle_gap_and_hourly_cap():
    t = otp.issue("1", "a@b.c", 1, T0, secret=KEY, earlier_requests=(T0 - timedelta(seconds=30),))
    assert t == Throttled(T0 + timedelta(seconds=30))
    five = tuple(T0 - timedelta(minutes=m) for m in (50, 40, 30, 20, 10))
    t = otp.issue("1", "a@b.c", 1, T0, secret=KEY, earlier_requests=five)
    assert t == Throttled(T0 + timedelta(minutes=10))
    assert isinstance(otp.issue("1", "a@b.c", 1, T0, secret=KEY, earlier_requests=five[1:]), Issued)
    old = tuple(T0 - timedelta(minutes=61 + m) for m in range(10))
    assert isinstance(otp.issue("1", "a@b.c", 1, T0, secret=KEY, earlier_requests=old), Issued)


def test_verified_window():
    v = otp.verified("1", "A@b.c", T0)
    assert otp.is_verified(v, "1", "a@b.c", T0 + timedelta(minutes=9))
    assert not otp.is_verified(v, "1", "a@b.c", T0 + timedelta(minutes=10))
    assert not otp.is_verified(v, "2", "a@b.c", T0)
    assert not otp.is_verified(v, "1", "x@b.c", T0)
    v2 = otp.refresh(v, T0 + timedelta(minutes=9))
    assert otp.is_verified(v2, "1", "a@b.c", T0 + timedelta(minutes=18))

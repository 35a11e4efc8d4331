"""Opaque tokens: their shape, what is stored, exact expiry, the per-person limit, rotation."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.auth import tokens
from cicero.domain.auth.tokens import LiveFamily, Rotation, StoredToken, TokenKind, TokenPolicy

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 WIB


def stored(**kw: object) -> StoredToken:
    base: dict[str, object] = dict(
        kind=TokenKind.STAFF_ACCESS, subject="75020001", family=b"f" * 16,
        expires_at=T0 + timedelta(hours=2), revoked_at=None, used_at=None, subject_active=True,
    )  # fmt: skip
    base.update(kw)
    return StoredToken(**base)  # type: ignore[arg-type]


@given(st.binary(min_size=32, max_size=32), st.sampled_from(list(TokenKind)))
def test_a_minted_token_parses_back_to_its_kind_and_the_sha256_of_its_text(
    raw: bytes, kind: TokenKind
) -> None:
    token = tokens.mint(kind, raw)
    assert token.startswith(tokens.PREFIX[kind]) and len(token) == 4 + 43
    assert tokens.parse(token) == (kind, hashlib.sha256(token.encode()).digest())


@pytest.mark.parametrize(
    "junk",
    ["", "cst_", "cst_short", "Bearer cst_x", "cst_" + "A" * 42, "cst_" + "A" * 44,
     "cst_" + "A" * 42 + "=", "cst_" + "A" * 42 + "\x00", "xyz_" + "A" * 43, " cst_" + "A" * 43],
)  # fmt: skip
def test_junk_is_not_a_token(junk: str) -> None:
    assert tokens.parse(junk) is None


def test_a_refresh_token_is_not_accepted_where_an_access_token_is_asked_for() -> None:
    refresh = tokens.mint(TokenKind.STAFF_REFRESH, bytes(32))
    assert tokens.parse(refresh, (TokenKind.STAFF_ACCESS,)) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer", None),
     (None, None), ("", None)],
)  # fmt: skip
def test_bearer_header(header: str | None, expected: str | None) -> None:
    assert tokens.bearer(header) == expected


def test_expiry_is_exact_no_grace() -> None:
    row = stored()
    assert tokens.usable(row, T0 + timedelta(hours=2) - timedelta(microseconds=1))
    assert not tokens.usable(row, T0 + timedelta(hours=2))


def test_revoked_inactive_unknown_and_idle_tokens_are_not_usable() -> None:
    assert not tokens.usable(None, T0)
    assert not tokens.usable(stored(revoked_at=T0), T0)
    assert not tokens.usable(stored(subject_active=False), T0)
    idle = stored(idle_s=1800, last_used_at=T0)
    assert tokens.usable(idle, T0 + timedelta(minutes=29, seconds=59))
    assert not tokens.usable(idle, T0 + timedelta(minutes=30))


def test_a_login_keeps_at_most_the_limit_dropping_the_oldest() -> None:
    live = [LiveFamily(bytes([i]) * 16, T0 + timedelta(minutes=i)) for i in range(4)]
    dropped = tokens.families_to_drop(live, 3)
    assert dropped == (bytes([1]) * 16, bytes([0]) * 16)  # two kept + the new login = 3
    assert tokens.families_to_drop(live[:2], 3) == ()


def test_a_staff_pair_expires_after_the_policy() -> None:
    policy = TokenPolicy()
    access, refresh = tokens.staff_pair("75020001", b"f" * 16, (bytes(32), bytes([1]) * 32),
                                        T0, policy, refresh=True)  # fmt: skip
    assert access.expires_at == T0 + timedelta(hours=2) and access.token.startswith("cst_")
    assert refresh.expires_at == T0 + timedelta(days=30) and refresh.token.startswith("csr_")
    assert access.token_hash != refresh.token_hash
    assert len(tokens.staff_pair("1", b"f" * 16, (bytes(32),) * 2, T0, policy, False)) == 1


def test_the_access_life_is_bounded() -> None:
    with pytest.raises(ValueError):
        TokenPolicy(access_ttl=timedelta(minutes=14))
    with pytest.raises(ValueError):
        TokenPolicy(access_ttl=timedelta(hours=13))


def test_rotation_rotates_once_then_calls_a_second_use_reuse() -> None:
    refresh = stored(kind=TokenKind.STAFF_REFRESH, expires_at=T0 + timedelta(days=30))
    assert tokens.rotation(refresh, T0) is Rotation.ROTATE
    assert tokens.rotation(stored(kind=TokenKind.STAFF_REFRESH, used_at=T0, revoked_at=T0),
                           T0) is Rotation.REUSE  # fmt: skip
    assert tokens.rotation(stored(), T0) is Rotation.REFUSE  # an access token
    assert tokens.rotation(None, T0) is Rotation.REFUSE
    expired = stored(kind=TokenKind.STAFF_REFRESH, expires_at=T0)
    assert tokens.rotation(expired, T0) is Rotation.REFUSE

"""Opaque bearer tokens (api.md §1): what they look like, what is stored, when they stop.

A token is a kind prefix plus 32 random bytes (base64url, no padding). Only its SHA-256 is
stored (`auth_token.token_hash`), so a copy of the database grants nothing. Randomness and
time arrive as arguments; the adapter draws `secrets.token_bytes(32)` and reads the clock.

Expiry is exact: a token is good while `now < expires_at`, never a second longer (W1).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

RANDOM_BYTES = 32


class TokenKind(StrEnum):
    STAFF_ACCESS = "staff_access"  # the app's bearer token
    STAFF_REFRESH = "staff_refresh"  # asked for with `"refresh": true`; rotates the pair
    DASHBOARD_SESSION = "dashboard_session"  # the dashboard's cookie (issue 16)


PREFIX: dict[TokenKind, str] = {
    TokenKind.STAFF_ACCESS: "cst_",
    TokenKind.STAFF_REFRESH: "csr_",
    TokenKind.DASHBOARD_SESSION: "csd_",
}
_BODY = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)  # 32 bytes in base64url without padding


def mint(kind: TokenKind, raw: bytes) -> str:
    if len(raw) != RANDOM_BYTES:
        raise ValueError(f"a token needs {RANDOM_BYTES} random bytes, got {len(raw)}")
    return PREFIX[kind] + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def digest(token: str) -> bytes:
    """What the database keeps: SHA-256 of the whole token text."""
    return hashlib.sha256(token.encode("ascii")).digest()


def parse(
    text: str, kinds: Sequence[TokenKind] = tuple(TokenKind)
) -> tuple[TokenKind, bytes] | None:
    """(kind, digest) of a well-formed token of one of `kinds`; None for anything else
    (junk, another kind, a stray space), so junk never reaches the database as a lookup."""
    for kind in kinds:
        prefix = PREFIX[kind]
        if text.startswith(prefix) and _BODY.fullmatch(text, len(prefix)):
            return kind, digest(text)
    return None


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header (scheme any case), else None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value or None


@dataclass(frozen=True)
class TokenPolicy:
    access_ttl: timedelta = timedelta(hours=2)
    refresh_ttl: timedelta = timedelta(days=30)
    max_live_staff: int = 3  # a fourth login drops the oldest

    def __post_init__(self) -> None:
        if not timedelta(minutes=15) <= self.access_ttl <= timedelta(hours=12):
            raise ValueError("the access token life must lie between 15 minutes and 12 hours")
        if self.max_live_staff < 1:
            raise ValueError("at least one live token per person")


@dataclass(frozen=True)
class Grant:
    """A token to store (its digest) and hand out (its text, once)."""

    kind: TokenKind
    token: str
    token_hash: bytes
    subject: str
    family: bytes
    issued_at: datetime
    expires_at: datetime


def grant(
    kind: TokenKind, raw: bytes, subject: str, family: bytes, now: datetime, ttl: timedelta
) -> Grant:
    token = mint(kind, raw)
    return Grant(kind, token, digest(token), subject, family, now, now + ttl)


def staff_pair(
    subject: str,
    family: bytes,
    draws: tuple[bytes, bytes],
    now: datetime,
    policy: TokenPolicy,
    refresh: bool,
) -> tuple[Grant, ...]:
    """The access token of a login or rotation, and its refresh token when asked for."""
    access = grant(TokenKind.STAFF_ACCESS, draws[0], subject, family, now, policy.access_ttl)
    if not refresh:
        return (access,)
    return access, grant(
        TokenKind.STAFF_REFRESH, draws[1], subject, family, now, policy.refresh_ttl
    )


@dataclass(frozen=True)
class LiveFamily:
    """One live login of a person: its family and when it was issued."""

    family: bytes
    issued_at: datetime


def families_to_drop(live: Sequence[LiveFamily], max_live: int) -> tuple[bytes, ...]:
    """Before a new login: the oldest families beyond `max_live - 1`, so that with the new one
    at most `max_live` stay live."""
    ordered = sorted(live, key=lambda f: (f.issued_at, f.family), reverse=True)
    return tuple(f.family for f in ordered[max_live - 1 :])


@dataclass(frozen=True)
class StoredToken:
    """The row behind a presented token, with its subject's state (one query)."""

    kind: TokenKind
    subject: str
    family: bytes
    expires_at: datetime
    revoked_at: datetime | None
    used_at: datetime | None  # refresh tokens: when rotated
    subject_active: bool
    idle_s: int | None = None
    last_used_at: datetime | None = None


def usable(row: StoredToken | None, now: datetime) -> bool:
    """Known, unrevoked, unexpired, subject active, not idle past its limit. No grace."""
    if row is None or row.revoked_at is not None or not row.subject_active:
        return False
    if now >= row.expires_at:
        return False
    if row.idle_s is not None and row.last_used_at is not None:
        return now < row.last_used_at + timedelta(seconds=row.idle_s)
    return True


class Rotation(StrEnum):
    ROTATE = "rotate"  # issue a new pair in the same family, mark this one used
    REUSE = "reuse"  # a rotated token came back: someone copied it; revoke the family
    REFUSE = "refuse"  # unknown, expired, revoked or inactive: 401


def rotation(row: StoredToken | None, now: datetime) -> Rotation:
    if row is None or row.kind is not TokenKind.STAFF_REFRESH:
        return Rotation.REFUSE
    if row.used_at is not None:
        return Rotation.REUSE
    return Rotation.ROTATE if usable(row, now) else Rotation.REFUSE


class Revocation(StrEnum):
    """Why a token stopped (stored with it)."""

    LOGOUT = "logout"
    ROTATED = "rotated"
    REUSE = "refresh_reuse"
    TOO_MANY = "too_many_logins"
    PASSWORD_CHANGED = "password_changed"
    DEACTIVATED = "deactivated"
    SCOPE_CHANGED = "scope_changed"
    ADMIN = "admin_revoke_all"

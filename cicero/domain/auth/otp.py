"""One-time codes by email (menus.md §6): issue, throttle, verify, the verified window.

Pure: the code's randomness arrives as an int drawn by the caller (`secrets.randbelow(10**6)`),
time as `now`. Only a hash is stored: HMAC-SHA256 keyed with the server secret (the caller
passes it; cicero.server_secret keeps it). A plain hash of one of 10⁶ codes reverses in a
fraction of a second, so there is no unkeyed fallback: an empty secret is refused.
"""

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

CODE_DIGITS = 6
CODE_TTL = timedelta(seconds=300)
MAX_WRONG = 3
VERIFIED_TTL = timedelta(seconds=600)
MIN_GAP = timedelta(seconds=60)  # between two requests for one NRP
PER_HOUR = 5
SUBJECT = "Kode OTP Anda"


def code_from_draw(draw: int) -> str:
    """The 6-digit code for a uniform draw in [0, 10**6); anything else is the caller's bug."""
    if not 0 <= draw < 10**CODE_DIGITS:
        raise ValueError(f"OTP draw out of range: {draw}")
    return f"{draw:0{CODE_DIGITS}d}"


class NoSecret(ValueError):
    """A code was to be hashed without the server secret: the caller's bug."""


def hash_code(code: str, secret: bytes) -> str:
    if not secret:
        raise NoSecret("OTP codes are hashed with the server secret; none was given")
    # A code someone typed may hold any character: hash its UTF-8 (never equal to a code's).
    return hmac.new(secret, code.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OtpRecord:
    """The stored row per NRP (never the code itself)."""

    nrp: str
    email: str
    code_hash: str
    expires_at: datetime
    wrong: int = 0


@dataclass(frozen=True)
class OtpMail:
    to: str
    subject: str
    body: str


def mail_body(code: str) -> str:
    minutes = int(CODE_TTL.total_seconds() // 60)
    return (
        f"Kode OTP Anda: {code}\n"
        f"Kode ini berlaku {minutes} menit. Jangan bagikan kode ini kepada siapa pun."
    )


@dataclass(frozen=True)
class Issued:
    record: OtpRecord  # replaces any earlier code of the NRP (attempts reset)
    mail: OtpMail


@dataclass(frozen=True)
class Throttled:
    retry_at: datetime


def issue(
    nrp: str,
    email: str,
    draw: int,
    now: datetime,
    earlier_requests: tuple[datetime, ...] = (),
    *,
    secret: bytes,
) -> Issued | Throttled:
    """A new code for `nrp`, unless it was asked for < 60 s ago or 5 times in the last hour."""
    recent = sorted(t for t in earlier_requests if now - t < timedelta(hours=1))
    if recent and now - recent[-1] < MIN_GAP:
        return Throttled(recent[-1] + MIN_GAP)
    if len(recent) >= PER_HOUR:
        return Throttled(recent[-PER_HOUR] + timedelta(hours=1))
    code = code_from_draw(draw)
    record = OtpRecord(nrp, email.lower(), hash_code(code, secret), now + CODE_TTL)
    return Issued(record, OtpMail(email.lower(), SUBJECT, mail_body(code)))


class Check(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXHAUSTED = "exhausted"  # three wrong tries already: this check fails even if right
    EXPIRED = "expired"
    MISSING = "missing"


@dataclass(frozen=True)
class Verdict:
    check: Check
    record: OtpRecord | None  # what to store afterwards (None: delete the row)
    tries_left: int = 0


def verify(record: OtpRecord | None, code: str, now: datetime, *, secret: bytes) -> Verdict:
    if record is None:
        return Verdict(Check.MISSING, None)
    if now >= record.expires_at:
        return Verdict(Check.EXPIRED, None)
    if record.wrong >= MAX_WRONG:
        return Verdict(Check.EXHAUSTED, None)
    if hmac.compare_digest(hash_code(code.strip(), secret), record.code_hash):
        return Verdict(Check.OK, None)  # a right code is used up
    wrong = replace(record, wrong=record.wrong + 1)
    return Verdict(Check.WRONG, wrong, MAX_WRONG - wrong.wrong)


@dataclass(frozen=True)
class Verified:
    """(NRP, email) proved by a code; each protected update refreshes it."""

    nrp: str
    email: str
    until: datetime


def verified(nrp: str, email: str, now: datetime) -> Verified:
    return Verified(nrp, email.lower(), now + VERIFIED_TTL)


def is_verified(v: Verified | None, nrp: str, email: str, now: datetime) -> bool:
    return v is not None and v.nrp == nrp and v.email == email.lower() and now < v.until


def refresh(v: Verified, now: datetime) -> Verified:
    return replace(v, until=now + VERIFIED_TTL)

"""Admins' second factor (api.md §1): RFC 6238 codes (pyotp: 30-second steps, 6 digits, SHA-1,
what every authenticator app reads from an `otpauth://` URI), each accepted once.

The secret is kept sealed with a key derived from the admin's password (scrypt), so a copy
of the database holds neither factor; a password change re-seals it. Randomness and time
arrive as arguments.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp

ISSUER = "Cicero"
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation
STEP_S = 30
DRIFT_STEPS = 1  # a code of the step before or after is accepted (phone clocks drift)
SALT_BYTES = 16
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # 16 MiB, ~50 ms: paid once per admin login


def new_secret(raw: bytes) -> str:
    if len(raw) != SECRET_BYTES:
        raise ValueError(f"a TOTP secret needs {SECRET_BYTES} random bytes")
    return base64.b32encode(raw).decode("ascii")


def uri(secret: str, username: str) -> str:
    """What an authenticator app scans or imports (printed once by `cicero admin add`)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def step_of(now: datetime) -> int:
    return int(now.timestamp()) // STEP_S


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to (within the drift), if it is right and newer than the
    last one accepted; else None. A code is 6 digits; anything else is wrong."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_S), code):
            return step
    return None


@dataclass(frozen=True)
class Sealed:
    """salt || secret XOR scrypt(password, salt): a fresh salt each seal, so the pad is used once."""

    blob: bytes


def _pad(password: str, salt: bytes, size: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=size, **_SCRYPT)


def seal(secret: str, password: str, salt: bytes) -> Sealed:
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a seal needs {SALT_BYTES} random bytes of salt")
    raw = base64.b32decode(secret)
    pad = _pad(password, salt, len(raw))
    return Sealed(salt + bytes(a ^ b for a, b in zip(raw, pad, strict=True)))


def unseal(sealed: bytes, password: str) -> str:
    """The secret back; with a wrong password, some other secret (whose codes will not match)."""
    salt, body = sealed[:SALT_BYTES], sealed[SALT_BYTES:]
    pad = _pad(password, salt, len(body))
    return base64.b32encode(bytes(a ^ b for a, b in zip(body, pad, strict=True))).decode("ascii")

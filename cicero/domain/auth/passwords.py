"""Password rules (api.md §1): which hashes we keep, when one is rehashed, what is refused.

Hashing itself is CPU work done by the adapter (argon2-cffi in a bounded pool); here are the
parameters, the scheme of a stored hash, and the policy a new password must pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cicero.domain.people.phones import JidError, normalize_phone


@dataclass(frozen=True)
class Argon2Params:
    """argon2id, 19 MiB, t=2, p=1 (the spec's cost; OWASP's minimum for argon2id)."""

    memory_kib: int = 19 * 1024
    time_cost: int = 2
    parallelism: int = 1
    hash_len: int = 32
    salt_len: int = 16

    def encoded_prefix(self) -> str:
        return f"$argon2id$v=19$m={self.memory_kib},t={self.time_cost},p={self.parallelism}$"


ARGON2 = Argon2Params()
WORKERS = 4  # hashes at once: 4 x 19 MiB at most, whatever the login burst
MIN_STAFF = 8
MIN_DASHBOARD = 10
MAX_LENGTH = 128


class Scheme(StrEnum):
    ARGON2ID = "argon2id"
    BCRYPT = "bcrypt"  # imported from the previous system; rehashed at the next login


def scheme(stored: str) -> Scheme | None:
    if stored.startswith("$argon2id$"):
        return Scheme.ARGON2ID
    if stored[:4] in ("$2a$", "$2b$", "$2y$"):
        return Scheme.BCRYPT
    return None


def needs_rehash(stored: str, params: Argon2Params = ARGON2) -> bool:
    """A hash not made with today's scheme and cost is replaced after a right password."""
    return not stored.startswith(params.encoded_prefix())


# The passwords every guessing list starts with, and the local favourites.
COMMON = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "12345678910",
        "87654321",
        "11111111",
        "00000000",
        "88888888",
        "12341234",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "qwerty123",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm123",
        "iloveyou",
        "sayangku",
        "sayang123",
        "bismillah",
        "bismillah123",
        "indonesia",
        "indonesia1",
        "merdeka45",
        "polri123",
        "polisi123",
        "bhayangkara",
        "presisi123",
        "cicero123",
        "admin123",
        "administrator",
        "welcome1",
        "abcd1234",
        "abc12345",
        "a1b2c3d4",
        "1q2w3e4r",
        "1qaz2wsx",
        "qwerty12",
        "superman",
        "football",
        "baseball",
    ]
)


def problem(
    password: str,
    *,
    nrp: str = "",
    username: str = "",
    phone: str = "",
    minimum: int = MIN_STAFF,
) -> str | None:
    """Why `password` is refused (Indonesian, shown on the page), or None when it is fine."""
    if len(password) < minimum:
        return f"Password minimal {minimum} karakter."
    if len(password) > MAX_LENGTH:
        return f"Password maksimal {MAX_LENGTH} karakter."
    if password.strip() != password:
        return "Password tidak boleh diawali atau diakhiri spasi."
    lowered = password.lower()
    if nrp and nrp in password:
        return "Password tidak boleh memuat NRP/NIP Anda."
    if username and username.lower() in lowered:
        return "Password tidak boleh memuat nama pengguna Anda."
    if phone and _same_phone(password, phone):
        return "Password tidak boleh berupa nomor WhatsApp Anda."
    if lowered in COMMON or len(set(password)) <= 2:
        return "Password terlalu umum dan mudah ditebak. Pilih yang lain."
    return None


def _same_phone(password: str, phone: str) -> bool:
    try:
        return normalize_phone(password) == phone
    except JidError:
        return phone[2:] in password  # the number without 62 inside a longer text

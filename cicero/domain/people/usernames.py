"""The canonical Instagram/TikTok username (data.md §3.5).

One function serves registration, storage and names read from upstream, so that
`@Budi.S`, `budi.s` and `https://instagram.com/budi.s/` are the same person.
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"


MAX_LENGTH = {Platform.INSTAGRAM: 30, Platform.TIKTOK: 24}

# Names that must never be credited or registered (V2 injected `cicero_devs` into lists).
RESERVED = frozenset({"cicero_devs"})

# Keyed by str: a Platform is one, and callers may pass the plain name.
_NAME: dict[str, re.Pattern[str]] = {
    p: re.compile(rf"[a-z0-9._]{{1,{n}}}", re.ASCII) for p, n in MAX_LENGTH.items()
}
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOST_PREFIXES = ("www.", "m.")
_HOSTS = {"instagram.com": Platform.INSTAGRAM, "tiktok.com": Platform.TIKTOK}


class Reason(StrEnum):
    EMPTY = "empty"
    NOT_A_PROFILE_URL = "not_a_profile_url"
    WRONG_PLATFORM = "wrong_platform"
    BAD_CHARACTERS = "bad_characters"
    TOO_LONG = "too_long"
    RESERVED = "reserved"


# Why a name is refused, in the words operators read (menus, imports, the dashboard).
REASON_TEXT = {
    Reason.EMPTY: "tidak boleh kosong",
    Reason.NOT_A_PROFILE_URL: "bukan tautan profil",
    Reason.WRONG_PLATFORM: "tautan dari platform lain",
    Reason.BAD_CHARACTERS: "hanya boleh huruf kecil, angka, titik dan garis bawah",
    Reason.TOO_LONG: "terlalu panjang",
    Reason.RESERVED: "nama yang dicadangkan",
}


@dataclass(frozen=True)
class Invalid:
    """Why `raw` is not a username on `platform`."""

    raw: str
    platform: Platform
    reason: Reason

    def message(self) -> str:
        return f"{self.platform} username {self.raw!r} is invalid: {self.reason}"


class InvalidUsername(ValueError):
    def __init__(self, invalid: Invalid) -> None:
        super().__init__(invalid.message())
        self.invalid = invalid

    @property
    def reason(self) -> Reason:
        return self.invalid.reason


def parse_username(raw: str, platform: Platform | str) -> str | Invalid:
    """The canonical form of `raw`, or an `Invalid` saying why there is none."""
    pattern = _NAME.get(platform)
    if pattern is not None and pattern.fullmatch(raw) and raw not in RESERVED:
        return raw  # already canonical, as most names from upstream are: nothing to undo
    platform = Platform(platform)
    text = raw.strip()
    if "/" in text:  # a canonical name never holds '/', so this keeps the function idempotent
        extracted = _from_url(text, platform)
        if isinstance(extracted, Reason):
            return Invalid(raw, platform, extracted)
        text = extracted
    name = text.lstrip("@").lower()
    if not name:
        return Invalid(raw, platform, Reason.EMPTY)
    if len(name) > MAX_LENGTH[platform]:
        return Invalid(raw, platform, Reason.TOO_LONG)
    if not _NAME[platform].fullmatch(name):
        return Invalid(raw, platform, Reason.BAD_CHARACTERS)
    if name in RESERVED:
        return Invalid(raw, platform, Reason.RESERVED)
    return name


def canonical_username(raw: str, platform: Platform | str) -> str:
    """The canonical form of `raw`; raises `InvalidUsername` (with a reason) otherwise."""
    result = parse_username(raw, platform)
    if isinstance(result, Invalid):
        raise InvalidUsername(result)
    return result


def _from_url(text: str, platform: Platform) -> str | Reason:
    """The handle in a profile URL: instagram.com/<h>, instagram.com/u/<h>, tiktok.com/@<h>."""
    rest = _SCHEME.sub("", text, count=1)
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    host, _, path = rest.partition("/")
    host = host.lower()
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    site = _HOSTS.get(host)
    if site is None:
        return Reason.NOT_A_PROFILE_URL
    if site is not platform:
        return Reason.WRONG_PLATFORM
    parts = [p for p in path.split("/") if p]
    if platform is Platform.INSTAGRAM:
        if len(parts) == 2 and parts[0] == "u":
            parts = parts[1:]
        if len(parts) == 1 and not parts[0].startswith("@") and parts[0].lower() not in _IG_PATHS:
            return parts[0]
    elif len(parts) == 1 and parts[0].startswith("@"):
        return parts[0]
    return Reason.NOT_A_PROFILE_URL


# Instagram paths that are pages, not profiles.
_IG_PATHS = frozenset({"p", "reel", "reels", "tv", "stories", "explore", "accounts", "direct", "u"})

"""Phone numbers and WhatsApp JIDs: the one normaliser for every recipient and sender.

Stored numbers are Indonesian and international without `+`: `62` then 8–13 digits
(data.md: `^62\\d{8,13}$`). Everything that reaches the outbox or the role lookup
goes through here, so `0812…`, `+62 812-…`, `62812…` and `812…` all meet as one value.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class JidError(ValueError):
    """An input that is not a usable phone number or JID; the message names the input."""


class Server(StrEnum):
    USER = "s.whatsapp.net"
    GROUP = "g.us"
    LID = "lid"


PHONE_RE = re.compile(r"62[1-9]\d{7,12}", re.ASCII)
GROUP_ID_RE = re.compile(r"\d{10,22}", re.ASCII)
LID_RE = re.compile(r"\d{1,30}", re.ASCII)
# Separators people type inside a number; anything else (letters, `*`, `#`) means it is not one.
_PHONE_CHARS = re.compile(r"\+?[\d\s\-.()/]+", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
_SPLIT = re.compile(r"[,;\n\r]+")
_INVITE = re.compile(r"(https?://)?chat\.whatsapp\.com/", re.IGNORECASE)
_USER_RE = {Server.USER: PHONE_RE, Server.GROUP: GROUP_ID_RE, Server.LID: LID_RE}
# A bare group id of today's shape (`120363…`), or longer than any phone can be.
_MAX_PHONE_DIGITS = 15


@dataclass(frozen=True)
class Jid:
    """A WhatsApp address without device part, e.g. `62812…@s.whatsapp.net`, `1203…@g.us`."""

    user: str
    server: Server

    def __post_init__(self) -> None:
        try:
            server = Server(self.server)
        except ValueError:
            raise JidError(f"unknown JID server {self.server!r}") from None
        if not isinstance(self.user, str) or not _USER_RE[server].fullmatch(self.user):
            raise JidError(f"{self.user!r} is not a valid user part for server {server}")
        object.__setattr__(self, "server", server)

    def __str__(self) -> str:
        return f"{self.user}@{self.server}"

    @property
    def is_group(self) -> bool:
        return self.server is Server.GROUP

    @property
    def is_lid(self) -> bool:
        """A hidden-id sender: its phone must come from the message (`SenderAlt`) or a lookup."""
        return self.server is Server.LID

    @property
    def phone(self) -> str | None:
        return self.user if self.server is Server.USER else None


def normalize_phone(raw: str) -> str:
    """`0812-3456-7890`, `+62 812…`, `62812…`, `812…` or `62812…@s.whatsapp.net` → `62812…`."""
    if not isinstance(raw, str):
        raise JidError(f"phone number must be text, got {type(raw).__name__}")
    text = raw.strip()
    if "@" in text:
        jid = parse_jid(text)
        if jid.phone is None:
            raise JidError(f"{raw!r} is a {jid.server} JID, not a phone number")
        return jid.phone
    if not _PHONE_CHARS.fullmatch(text):
        raise JidError(f"{raw!r} is not a phone number")
    international = text.startswith("+")
    digits = re.sub(r"\D", "", text, flags=re.ASCII)
    if international or digits.startswith("00"):
        digits = digits.removeprefix("00")
        if not digits.startswith("62"):
            raise JidError(f"{raw!r} is not an Indonesian (+62) number")
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    elif not digits.startswith("62"):
        digits = "62" + digits
    # `+62 0812…`: a trunk 0 after the country code; Indonesian numbers never start with 0.
    if digits.startswith("620"):
        digits = "62" + digits[3:]
    if not PHONE_RE.fullmatch(digits):
        raise JidError(f"{raw!r} is not a valid number (want 62 and 8 to 13 digits)")
    return digits


def user_jid(phone: str) -> Jid:
    return Jid(normalize_phone(phone), Server.USER)


def parse_jid(raw: str) -> Jid:
    """`user[.agent][:device]@server`; the device part is dropped (we address people)."""
    if not isinstance(raw, str):
        raise JidError(f"JID must be text, got {type(raw).__name__}")
    text = raw.strip()
    user, at, server = text.partition("@")
    if not at:
        raise JidError(f"{raw!r} is not a JID (no @server)")
    try:
        srv = Server(server.lower())
    except ValueError:
        raise JidError(f"{raw!r} has unknown server {server!r}") from None
    if srv is not Server.GROUP:
        user = user.split(":", 1)[0].split(".", 1)[0]
    if srv is Server.USER and not PHONE_RE.fullmatch(user):
        user = normalize_phone(user)  # tolerate `0812…@s.whatsapp.net` typed by hand
    try:
        return Jid(user, srv)
    except JidError:
        raise JidError(f"{raw!r} is not a valid {srv} JID") from None


def group_jid(raw: str) -> Jid:
    """A group field: a bare group id or `id@g.us`. An invite link cannot be turned into one."""
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and _INVITE.match(text):
        raise JidError(f"{raw!r} is an invite link, not a group id; use the group's id@g.us")
    if isinstance(text, str) and "@" not in text:
        text = f"{text}@{Server.GROUP}"
    jid = parse_jid(text)
    if not jid.is_group:
        raise JidError(f"{raw!r} is not a group JID")
    return jid


def parse_recipient(raw: str) -> Jid:
    """Any recipient: a JID, an invite link (refused), a bare group id, or a phone number.

    Bare digits are a group id when they start with `120363` or are longer than any phone.
    """
    if not isinstance(raw, str):
        raise JidError(f"recipient must be text, got {type(raw).__name__}")
    text = raw.strip()
    if _INVITE.match(text):
        return group_jid(text)  # raises with the invite-link message
    if "@" in text:
        return parse_jid(text)
    if _DIGITS.fullmatch(text) and (text.startswith("120363") or len(text) > _MAX_PHONE_DIGITS):
        return group_jid(text)
    return user_jid(text)


def split_values(raw: str | Iterable[str]) -> list[str]:
    """Multi-value fields: split on `,` `;` and newlines, trimmed, empty pieces dropped."""
    parts = [raw] if isinstance(raw, str) else list(raw)
    return [p.strip() for part in parts for p in _SPLIT.split(part) if p.strip()]


@dataclass(frozen=True)
class Parsed(Generic[T]):
    valid: tuple[T, ...]
    invalid: tuple[str, ...]  # the raw pieces that were refused, for the digest


def normalize_phones(raw: str | Iterable[str]) -> Parsed[str]:
    """Every number of a multi-value field, de-duplicated in first-seen order."""
    return _collect(raw, normalize_phone)


def parse_recipients(raw: str | Iterable[str]) -> Parsed[Jid]:
    return _collect(raw, parse_recipient)


def _collect(raw: str | Iterable[str], parse: Callable[[str], T]) -> Parsed[T]:
    valid: dict[T, None] = {}
    invalid: list[str] = []
    for piece in split_values(raw):
        try:
            valid.setdefault(parse(piece), None)
        except JidError:
            invalid.append(piece)
    return Parsed(tuple(valid), tuple(invalid))


def mask_phone(value: str | Jid) -> str:
    """For logs: `6281234565678` → `62*******5678`; a JID keeps its server."""
    text = str(value)
    user, at, server = text.partition("@")
    digits = re.sub(r"\D", "", user, flags=re.ASCII)
    if len(digits) <= 6:
        masked = "*" * max(len(digits), 4)
    else:
        masked = digits[:2] + "*" * (len(digits) - 6) + digits[-4:]
    return f"{masked}@{server}" if at else masked

"""Reported links (api.md §2.1 steps 3 and 6): which URL a field keeps, whether its host fits
the field, and the key that makes one repost one URL across every report.

A field keeps its first `https://` URL. The host must equal, or be a subdomain of, one of the
field's platforms, compared as plain ASCII (a look-alike with a Cyrillic `о` or a
punycode name is not instagram.com). The key is the URL reduced to what names the repost:
https, lower-case host without `www.`/`m.`, no trailing slash, fragment or query, except the
query words that name the item (YouTube `v`; Facebook `story_fbid`, `id`, `v`, `fbid`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit


class LinkField(StrEnum):
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    TWITTER = "twitter"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"

    @property
    def column(self) -> str:
        return f"{self.value}_link"


FIELDS = tuple(LinkField)
HOSTS: dict[LinkField, tuple[str, ...]] = {
    LinkField.INSTAGRAM: ("instagram.com",),
    LinkField.FACEBOOK: ("facebook.com", "fb.watch"),
    LinkField.TWITTER: ("twitter.com", "x.com"),
    LinkField.TIKTOK: ("tiktok.com",),
    LinkField.YOUTUBE: ("youtube.com", "youtu.be"),
}
KEPT_QUERY: dict[str, frozenset[str]] = {
    "youtube.com": frozenset({"v"}),
    "youtu.be": frozenset({"v"}),
    "facebook.com": frozenset({"story_fbid", "id", "v", "fbid"}),
    "fb.watch": frozenset({"story_fbid", "id", "v", "fbid"}),
}
_FIRST = re.compile(r"https://[^\s<>\"']+", re.IGNORECASE)
_HOST = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+", re.ASCII
)
_SHORT_PREFIXES = ("www.", "m.")


def first_url(text: str) -> str | None:
    found = _FIRST.search(text)
    if found is None:
        return None
    url = found.group(0)
    return "https://" + url[len("https://") :]  # the scheme as we store it, lower case


def _host(url: str) -> str | None:
    """The plain ASCII host of an https URL with no credentials and the default port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or parts.username is not None or port not in (None, 443):
        return None
    host = (parts.hostname or "").rstrip(".")
    if not _HOST.fullmatch(host) or host.startswith("xn--") or ".xn--" in host:
        return None
    return host


def platform_host(host: str, field: LinkField) -> str | None:
    """The platform domain `host` belongs to in `field`, if any."""
    for domain in HOSTS[field]:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def fits(url: str, field: LinkField) -> bool:
    host = _host(url)
    return host is not None and platform_host(host, field) is not None


def key(url: str) -> str | None:
    """The duplicate key of a URL whose host is readable; None otherwise."""
    host = _host(url)
    if host is None:
        return None
    changed = True
    while changed:  # `www.m.facebook.com` too
        changed = False
        for prefix in _SHORT_PREFIXES:
            if host.startswith(prefix) and host.count(".") > 1:
                host, changed = host[len(prefix) :], True
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    domain = next((d for d in KEPT_QUERY if host == d or host.endswith("." + d)), None)
    kept = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=False)
        if domain is not None and k in KEPT_QUERY[domain]
    )  # fmt: skip
    return f"https://{host}{path}" + (f"?{urlencode(kept)}" if kept else "")

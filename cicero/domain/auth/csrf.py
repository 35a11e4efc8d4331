"""CSRF for cookie requests (api.md §5): an unsafe request carried by the dashboard's cookie
needs `X-CSRF-Token` equal to its session's and an `Origin` of this site (or a listed one).

The session's CSRF token is derived from the session token (which only the HttpOnly cookie
carries), so a page can be given it and nothing is stored. Before a session exists (login,
registration, password reset) the forms use a double-submit cookie: a random value set as a
cookie and sent back in the header; a cross-site page can neither read nor set it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "X-CSRF-Token"
_LABEL = b"cicero csrf v1\x00"


def token_for(session_token: str) -> str:
    digest = hashlib.sha256(_LABEL + session_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def same(presented: str | None, expected: str | None) -> bool:
    if not presented or not expected:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, lower case; None for anything else (`null`, junk)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(
    origin: str | None, referer: str | None, own: Collection[str], listed: Collection[str]
) -> bool:
    """The request comes from one of our own origins (`own`: this server as the request and the
    configured public URL name it) or a listed one. Browsers send `Origin` on every unsafe
    fetch; without it a `Referer` stands in; with neither the request is refused."""
    claimed = origin_of(origin) if origin else (origin_of(referer) if referer else None)
    if claimed is None:
        return False
    allowed = {o.lower().rstrip("/") for o in (*own, *listed)}
    return claimed in allowed

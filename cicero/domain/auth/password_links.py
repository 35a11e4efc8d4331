""""Password aplikasi" (menus.md §4, api.md §1): a single-use 15-minute link to
`/akun/password?t=…`, sent to the staff member's bound WhatsApp number only (asked by the
member in self-service, or by their operator, who never sees it). Only the SHA-256 of the
link's token is stored. Randomness and time arrive as arguments."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime, timedelta

TTL = timedelta(minutes=15)
MIN_GAP = timedelta(seconds=60)
PER_HOUR = 5
PATH = "/akun/password"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)


def token_of(raw: bytes) -> str:
    if len(raw) != 32:
        raise ValueError("a link token needs 32 random bytes")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def digest(token: str) -> bytes | None:
    """The stored form of a well-formed token; None for anything else."""
    if not _TOKEN.fullmatch(token):
        return None
    return hashlib.sha256(token.encode("ascii")).digest()


def may_issue(earlier: tuple[datetime, ...], now: datetime) -> bool:
    """At most one link a minute and five an hour per person."""
    recent = sorted(t for t in earlier if now - t < timedelta(hours=1))
    return not (recent and now - recent[-1] < MIN_GAP) and len(recent) < PER_HOUR


def url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}{PATH}?t={token}"


def message(link: str) -> str:
    minutes = int(TTL.total_seconds() // 60)
    return (
        "🔐 *Password aplikasi Cicero Reposter*\n"
        f"Buka link berikut untuk membuat password baru (berlaku {minutes} menit, sekali pakai):\n"
        f"{link}\n\n"
        "Jangan bagikan link ini kepada siapa pun, termasuk operator. Setelah password dibuat, "
        "login di aplikasi dengan NRP/NIP dan password tersebut."
    )


def key(nrp: str, now: datetime) -> str:
    return f"password-link:{nrp}:{now.isoformat()}"

"""A post as the messages show it: its public link and upload time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cicero.domain.people.usernames import Platform


@dataclass(frozen=True)
class PostRef:
    """One counted post. `owner` is the account's handle, needed for TikTok links."""

    platform: Platform
    external_id: str
    owner: str = ""
    posted_at: datetime | None = None

    @property
    def link(self) -> str:
        if self.platform is Platform.INSTAGRAM:
            return f"https://www.instagram.com/p/{self.external_id}"
        return f"https://www.tiktok.com/@{self.owner}/video/{self.external_id}"


def ig(shortcode: str, posted_at: datetime | None = None) -> PostRef:
    return PostRef(Platform.INSTAGRAM, shortcode, posted_at=posted_at)


def tiktok(owner: str, video_id: str, posted_at: datetime | None = None) -> PostRef:
    return PostRef(Platform.TIKTOK, video_id, owner=owner, posted_at=posted_at)


def upload_key(p: PostRef) -> tuple[bool, float, str]:
    """Upload order (data.md §4.1: posted_at, then id); unknown times last."""
    return p.posted_at is None, p.posted_at.timestamp() if p.posted_at else 0.0, p.external_id

"""Where a platform's upstream is and with which key: the primary and fallback endpoints from the
settings (the bootstrap points them at the fake upstream when no RAPIDAPI_KEY is set)."""

from __future__ import annotations

from cicero.config import Settings
from cicero.domain.people.usernames import Platform
from cicero.upstream.transport import Endpoint

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK


def endpoints(settings: Settings, platform: Platform) -> tuple[Endpoint, Endpoint | None]:
    """Primary and fallback endpoint of a platform, with RAPIDAPI_KEY (and its fallback). The
    bootstrap always gives one: without RAPIDAPI_KEY it points the settings at the fake
    upstream on loopback, keys included; a key still missing is asked as none, and refused
    like any wrong key."""
    up, env = settings.config.upstream, settings.env
    url = up.instagram_url if platform is IG else up.tiktok_url
    fallback_url = up.instagram_fallback_url if platform is IG else up.tiktok_fallback_url
    key_secret = env.rapidapi_key
    fallback_secret = env.rapidapi_key_fallback or key_secret
    key = key_secret.reveal() if key_secret is not None else ""
    fallback_key = fallback_secret.reveal() if fallback_secret is not None else ""
    primary = Endpoint(url, key)
    return primary, Endpoint(fallback_url, fallback_key) if fallback_url else None

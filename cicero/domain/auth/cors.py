"""Cross-origin calls (api.md §5): only from the exact origins listed in `web.cors_origins`
(none by default: the app is no browser and the dashboard is same-origin). The rules for a
preflight and for the answer's headers; the web shell applies them."""

from __future__ import annotations

from collections.abc import Collection, Mapping

# What a listed origin's script may send and read.
REQUEST_HEADERS = ("Authorization", "Content-Type", "X-CSRF-Token", "X-Request-ID")
EXPOSED_HEADERS = ("X-Request-ID", "Retry-After")
MAX_AGE_S = 600


def listed(origin: str | None, origins: Collection[str]) -> bool:
    """Exactly one of the configured origins: no patterns, no `null`, case as configured."""
    return bool(origin) and origin in origins


def preflight(
    origin: str | None,
    method: str | None,
    headers: str | None,
    origins: Collection[str],
    allowed_methods: Collection[str],
) -> Mapping[str, str] | None:
    """The headers answering an `OPTIONS` preflight, or None to refuse it: an unlisted
    origin, a method the path does not serve, or a header outside REQUEST_HEADERS."""
    if not listed(origin, origins) or method not in allowed_methods:
        return None
    asked = {h.strip().lower() for h in (headers or "").split(",") if h.strip()}
    if not asked <= {h.lower() for h in REQUEST_HEADERS}:
        return None
    assert origin is not None
    return {
        **answer(origin),
        "Access-Control-Allow-Methods": ", ".join(sorted(allowed_methods)),
        "Access-Control-Allow-Headers": ", ".join(REQUEST_HEADERS),
        "Access-Control-Max-Age": str(MAX_AGE_S),
    }


def answer(origin: str) -> dict[str, str]:
    """The headers on any answer to a listed origin."""
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS),
        "Vary": "Origin",
    }

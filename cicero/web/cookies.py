"""The dashboard's cookies (api.md §5): the session (`__Host-cicero`: Secure, HttpOnly,
SameSite=Lax, path /, no domain, as the `__Host-` prefix demands) and the double-submit
value of the forms used before a session exists."""

from __future__ import annotations

import secrets
from datetime import timedelta

from aiohttp import web

from cicero.web.identify import COOKIE

LOGIN_CSRF = "__Host-cicero-csrf"


def set_session(response: web.StreamResponse, token: str, lifetime: timedelta) -> None:
    response.set_cookie(
        COOKIE, token, max_age=int(lifetime.total_seconds()), path="/", secure=True,
        httponly=True, samesite="Lax",
    )  # fmt: skip


def clear_session(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="Lax")


def form_token(request: web.Request) -> str:
    """The double-submit value for a form page: the one the browser holds, else a new one
    (`remember` it on the response). The page's script sends it back as X-CSRF-Token."""
    held = request.cookies.get(LOGIN_CSRF, "")
    if 20 <= len(held) <= 64 and held.isascii():
        return held
    return secrets.token_urlsafe(24)


def remember_form_token(response: web.StreamResponse, value: str) -> None:
    response.set_cookie(LOGIN_CSRF, value, path="/", secure=True, httponly=True, samesite="Strict")

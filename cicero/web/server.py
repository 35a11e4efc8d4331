"""The route table mounted on aiohttp: one middleware gives every request its id, finds its
declared route (undeclared: 404 in the envelope), asks who is calling and `authorize`,
applies the per-person budget, runs the handler, turns every failure into the envelope of
api.md §5 (never a stack) and sets the security headers."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import asyncpg
import orjson
from aiohttp import web
from aiohttp.web_urldispatcher import AbstractRoute

from cicero.domain.auth import cors, csrf
from cicero.domain.auth.access import ANONYMOUS, Denial, Target, Who, authorize
from cicero.domain.timezone import WIB
from cicero.web.context import CONTEXT, WebContext, ctx
from cicero.web.errors import ApiError, envelope
from cicero.web.identify import identify
from cicero.web.render import page
from cicero.web.request_state import PRINCIPAL, REQUEST_ID, ROUTE, principal
from cicero.web.route import Handler, Route

log = logging.getLogger("cicero.web")

_TABLE = web.AppKey("route_table", dict)
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}", re.ASCII)

# Images on pages may come from the platforms' CDNs (post thumbnails, profile pictures).
CDN_IMAGES = "https://*.cdninstagram.com https://*.fbcdn.net https://*.tiktokcdn.com https://*.tiktokcdn-us.com"
CSP = (
    f"default-src 'self'; img-src 'self' data: {CDN_IMAGES}; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
STATUS_CODE = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}  # fmt: skip


def mount(
    app: web.Application,
    routes: Sequence[Route],
    context: WebContext,
    named: Mapping[str, Handler] | None = None,
) -> None:
    """Add every route of the table (and nothing else) to `app`."""
    named = named or {}
    table: dict[AbstractRoute, Route] = {}
    seen: set[tuple[str, str]] = set()
    for route in routes:
        if route.key in seen:
            raise ValueError(f"route declared twice: {route.method} {route.path}")
        seen.add(route.key)
        handler = named[route.handler] if isinstance(route.handler, str) else route.handler
        table[app.router.add_route(route.method, route.path, handler)] = route
    app[_TABLE] = table
    app[CONTEXT] = context
    app.middlewares.append(_middleware)


def _declared(request: web.Request) -> Route | None:
    return request.app[_TABLE].get(request.match_info.route)


def _target(request: web.Request) -> Target:
    info, query = request.match_info, request.query
    return Target(
        user_id=info.get("user_id") or query.get("user_id"),
        client_id=query.get("client_id"),
    )


def deny(denial: Denial) -> ApiError:
    if denial is Denial.UNAUTHENTICATED:
        return ApiError(401, denial.value, headers={"WWW-Authenticate": "Bearer"})
    return ApiError(403, denial.value)


@web.middleware
async def _middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get("X-Request-ID", "")
    rid = incoming if _SANE_ID.fullmatch(incoming) else secrets.token_hex(8)
    request[REQUEST_ID] = rid
    started = time.perf_counter()
    route = _declared(request)
    try:
        response = await _serve(request, handler, route)
    except ApiError as err:
        response = _refusal(request, route, err, rid)
    except web.HTTPException as exc:  # aiohttp's own refusals (body too large, …)
        if 300 <= exc.status < 400:  # a page's redirect
            response = redirect(exc.headers["Location"], exc.status)
            _decorate(request, response, route, rid)
            return response
        code = STATUS_CODE.get(exc.status, "bad_request" if exc.status < 500 else "internal")
        refusal = ApiError(exc.status, code)
        response = web.json_response(envelope(refusal, rid), status=exc.status)
    except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as exc:
        log.warning("request %s: database unavailable (%s)", rid, type(exc).__name__)
        response = web.json_response(envelope(ApiError(503, "unavailable"), rid), status=503)
    except Exception:
        log.exception("request %s %s %s failed", rid, request.method, _template(request, route))
        response = web.json_response(envelope(ApiError(500, "internal"), rid), status=500)
    _decorate(request, response, route, rid)
    ctx(request).counters.request(
        _template(request, route), request.method if route else "-", response.status,
        time.perf_counter() - started,
    )  # fmt: skip
    return response


def redirect(location: str, status: int = 303) -> web.Response:
    """A page's redirect, with a line of HTML for whoever reads the body."""
    from html import escape

    link = escape(location, quote=True)
    return web.Response(
        status=status, headers={"Location": location}, content_type="text/html",
        text=f"<!doctype html><title>Cicero</title><a href=\"{link}\">Lanjut</a>",
    )  # fmt: skip


def _refusal(
    request: web.Request, route: Route | None, err: ApiError, rid: str
) -> web.StreamResponse:
    """The §5 envelope; on a page, the login page (signed out) or a page in words."""
    if route is None or not route.page or request.method != "GET":
        return web.json_response(envelope(err, rid), status=err.status, headers=err.headers)
    if err.status == 401:
        target = request.path_qs if request.path != "/" else ""
        location = "/login" + (f"?next={quote(target, safe='')}" if target else "")
        return redirect(location)
    if err.status == 403 and principal(request).who is Who.OPS and request.path == "/":
        return redirect("/status")  # ops have only the status page
    back = "/" if request.path != "/" else "/akun"
    return page(request, "error.html", {"message": err.message, "back": back},
                title="Tidak dapat ditampilkan", status=err.status)  # fmt: skip


async def _serve(request: web.Request, handler: Handler, route: Route | None) -> web.StreamResponse:
    if route is None:
        exc = request.match_info.http_exception
        if isinstance(exc, web.HTTPMethodNotAllowed):
            if request.method == "OPTIONS" and "Origin" in request.headers:
                return _preflight(request, exc.allowed_methods)
            allowed = ", ".join(sorted(exc.allowed_methods))
            raise ApiError(405, "method_not_allowed", headers={"Allow": allowed})
        raise ApiError(404, "not_found")
    request[ROUTE] = route
    c = ctx(request)
    who = await identify(request, c, route.access, route.with_token)
    request[PRINCIPAL] = who
    if request.method not in csrf.SAFE_METHODS:
        _check_csrf(request, c, route)
    denial = authorize(who, route.access, _target(request))
    if denial is not None:
        raise deny(denial)
    if route.budget is not None and who.who is Who.STAFF:
        _spend(c, route.budget, who.subject)
    return await handler(request)


def own_origins(request: web.Request, c: WebContext) -> tuple[str, ...]:
    """This server's origins: as the request names it, and as web.public_url names it."""
    public = csrf.origin_of(c.settings.config.web.public_url)
    return tuple(o for o in (f"{request.scheme}://{request.host}", public) if o)


def _check_csrf(request: web.Request, c: WebContext, route: Route) -> None:
    """api.md §5: an unsafe request carried by the dashboard's cookie needs its session's
    `X-CSRF-Token` and our `Origin`; the forms before a session (login, registration, reset)
    need the double-submit cookie's value instead. Bearer requests read no cookie."""
    from cicero.web.cookies import LOGIN_CSRF
    from cicero.web.identify import session_of

    session = session_of(request)
    if route.double_submit:
        expected = request.cookies.get(LOGIN_CSRF)
    elif session is not None and not route.access.public:
        expected = session.csrf
    else:  # a bearer call, or a public route that grants a session nothing
        return
    webcfg = c.settings.config.web
    origin_ok = csrf.origin_allowed(
        request.headers.get("Origin"), request.headers.get("Referer"),
        own_origins(request, c), webcfg.cors_origins,
    )  # fmt: skip
    if not (origin_ok and csrf.same(request.headers.get(csrf.HEADER), expected)):
        raise ApiError(403, "csrf")


def _spend(c: WebContext, budget: str, subject: str) -> None:
    webcfg = c.settings.config.web
    limit = webcfg.posts_per_minute if budget == "post" else webcfg.gets_per_minute
    wait = c.limits.take(budget, subject, limit, c.now())
    if wait is not None:
        raise ApiError(429, "rate_limited", headers={"Retry-After": str(wait)})


def _template(request: web.Request, route: Route | None) -> str:
    return route.path if route is not None else "(undeclared)"


def _decorate(
    request: web.Request, response: web.StreamResponse, route: Route | None, rid: str
) -> None:
    h = response.headers
    h["X-Request-ID"] = rid
    h["X-Content-Type-Options"] = "nosniff"
    # same-origin elsewhere: a page's own POSTs must carry its Origin (no-referrer makes it null).
    secret = route is not None and route.secret_url
    h["Referrer-Policy"] = "no-referrer" if secret else "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    h["Strict-Transport-Security"] = "max-age=31536000"
    if (response.content_type or "").startswith("text/html"):
        h["Content-Security-Policy"] = CSP
        h["X-Frame-Options"] = "DENY"
    who = request.get(PRINCIPAL, ANONYMOUS)
    if who.who not in (Who.ANONYMOUS, Who.SCRAPER) or (route is not None and route.page):
        h["Cache-Control"] = "no-store"
    origin = request.headers.get("Origin")
    if origin and cors.listed(origin, ctx(request).settings.config.web.cors_origins):
        h.update(cors.answer(origin))


def _preflight(request: web.Request, methods: Collection[str]) -> web.StreamResponse:
    """A browser's CORS preflight: 204 with the rules' headers for a listed origin, else 403
    (and the browser keeps its script from sending)."""
    h = request.headers
    headers = cors.preflight(
        h.get("Origin"), h.get("Access-Control-Request-Method"),
        h.get("Access-Control-Request-Headers"), ctx(request).settings.config.web.cors_origins,
        methods,
    )  # fmt: skip
    if headers is None:
        raise ApiError(403, "forbidden", "Asal permintaan ini tidak diizinkan.")
    return web.Response(status=204, headers=headers)


def json_ok(data: Any, status: int = 200, **siblings: Any) -> web.Response:
    """The app's envelope: `{"success": true, "data": …}` plus siblings. Instants are written
    as RFC 3339 (in WIB, as from the runtime's clock), dates as ISO. Encoded by orjson (a
    tenth of the stdlib encoder's time on the app's busiest answers)."""
    body = orjson.dumps({"success": True, "data": data, **siblings}, default=_encode,
                        option=_OPTIONS)  # fmt: skip
    return web.Response(body=body, status=status, content_type="application/json", charset="utf-8")


# Datetimes through _encode (orjson would write them in their own offset); int keys as text.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(WIB).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")

"""Who is calling (api.md §1): a bearer token, the dashboard's cookie, the scrape token, an
allowed network, or no one.

A request that presents a bearer token is judged by that token alone: a bad one is
anonymous (so a staff route answers 401), never upgraded by the network it came from.
The token check is one query on every request (revocation takes effect at once); its rules
are cicero.domain.auth.tokens.usable. A route that declares `with_token` has its first query
run in that same statement, and its handler reads the answer with `with_token(request)`.

An allowed network (`web.trusted_networks`) makes a request without a credential the
`scraper` only on routes that admit scrapers (and on public ones, whose handlers may show
more to it): elsewhere it stays anonymous, so the app's routes answer 401 as they should.
Behind a reverse proxy on the same host every request comes from loopback: set
`trusted_networks = []` there and give Prometheus CICERO_METRICS_TOKEN.

The dashboard's cookie (`__Host-cicero`, a `csd_` session token) is read only when no
`Authorization` header is sent (bearer requests never read cookies): one query gives the
session, its account and the account's scope, resolved like a WhatsApp sender's. A good
session is touched (its idle limit counts from now) and kept on the request as
`DashboardSession`, whose CSRF token the server compares on unsafe requests.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from cicero.db.auth import lookup_token
from cicero.db.dashboard import lookup_session, touch_session
from cicero.domain.auth import csrf, dashboard, tokens
from cicero.domain.auth.access import ANONYMOUS, Access, Principal, Who, staff_principal
from cicero.web.context import WebContext
from cicero.web.route import TokenQuery

COOKIE = "__Host-cicero"


@dataclass(frozen=True)
class DashboardSession:
    """The signed-in dashboard account of a request."""

    token_hash: bytes
    csrf: str
    account_id: int
    username: str
    name: str
    role: dashboard.Role


SESSION = web.RequestKey("dashboard_session", DashboardSession)
_FOUND = web.RequestKey("found_with_token", object)


def session_of(request: web.Request) -> DashboardSession | None:
    return request.get(SESSION)


def with_token(request: web.Request) -> Any:
    """What the route's `with_token` query found for the caller (set once the token passed)."""
    return request[_FOUND]


async def identify(
    request: web.Request, c: WebContext, rule: Access, first: TokenQuery | None = None
) -> Principal:
    """The caller; `first`: the route's query to run with a staff token's lookup."""
    public = rule.public
    presented = tokens.bearer(request.headers.get("Authorization"))
    if presented is not None:
        parsed = tokens.parse(presented, (tokens.TokenKind.STAFF_ACCESS,))
        if parsed is not None:
            if public:
                return ANONYMOUS  # a route open to all asks nothing of the database
            found: Any = None
            async with c.db().acquire() as conn:
                if first is None:
                    row = await lookup_token(conn, parsed[1])
                else:
                    row, found = await first(conn, parsed[1], request, c.now())
            if row is None or not tokens.usable(row.stored, c.now()):
                return ANONYMOUS
            if first is not None:
                request[_FOUND] = found
            s = row.stored
            return staff_principal(s.subject, row.client_id or "", row.roles, s.family)
        expected = c.settings.env.metrics_token
        if expected is not None and hmac.compare_digest(
            presented.encode(), expected.reveal().encode()
        ):
            return Principal(Who.SCRAPER)
        return ANONYMOUS
    if "Authorization" not in request.headers and COOKIE in request.cookies:
        found = await _cookie(request, c)
        if found is not None:
            return found
    if (public or Who.SCRAPER in rule.identities) and c.trusted(request):
        return Principal(Who.SCRAPER)
    return ANONYMOUS


async def _cookie(request: web.Request, c: WebContext) -> Principal | None:
    presented = request.cookies[COOKIE]
    parsed = tokens.parse(presented, (tokens.TokenKind.DASHBOARD_SESSION,))
    if parsed is None:
        return None
    now = c.now()
    async with c.db().acquire() as conn:
        row = await lookup_session(conn, parsed[1])
        if row is None or not tokens.usable(row.stored, now):
            return None
        await touch_session(conn, parsed[1], now)
    account = row.account
    request[SESSION] = DashboardSession(
        parsed[1], csrf.token_for(presented), account.id, row.username, row.name, account.role
    )
    return dashboard.principal(account, row.stored.family)

"""Who is calling (api.md §1): a bearer token, the scrape token, an allowed network, or no one.

A request that presents a bearer token is judged by that token alone: a bad one is
anonymous (so a staff route answers 401), never upgraded by the network it came from.
The token check is one query; its rules are cicero.domain.auth.tokens.usable.

An allowed network (`web.trusted_networks`) makes a request without a credential the
`scraper` only on routes that admit scrapers (and on public ones, whose handlers may show
more to it): elsewhere it stays anonymous, so the app's routes answer 401 as they should.
Behind a reverse proxy on the same host every request comes from loopback: set
`trusted_networks = []` there and give Prometheus CICERO_METRICS_TOKEN.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from cicero.db.auth import lookup_token
from cicero.domain.auth import tokens
from cicero.domain.auth.access import ANONYMOUS, Access, Principal, Who, staff_principal
from cicero.web.context import WebContext


async def identify(request: web.Request, c: WebContext, rule: Access) -> Principal:
    public = rule.public
    presented = tokens.bearer(request.headers.get("Authorization"))
    if presented is not None:
        parsed = tokens.parse(presented, (tokens.TokenKind.STAFF_ACCESS,))
        if parsed is not None:
            if public:
                return ANONYMOUS  # a route open to all asks nothing of the database
            async with c.db().acquire() as conn:
                row = await lookup_token(conn, parsed[1])
            if row is None or not tokens.usable(row.stored, c.now()):
                return ANONYMOUS
            s = row.stored
            return staff_principal(s.subject, row.client_id or "", row.roles, s.family)
        expected = c.settings.env.metrics_token
        if expected is not None and hmac.compare_digest(
            presented.encode(), expected.reveal().encode()
        ):
            return Principal(Who.SCRAPER)
        return ANONYMOUS
    if (public or Who.SCRAPER in rule.identities) and c.trusted(request):
        return Principal(Who.SCRAPER)
    return ANONYMOUS

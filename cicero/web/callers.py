"""Who may see the ops detail: the one question /healthz, /metrics and `/` ask.

The route table has already identified the caller (cicero.web.identify): ops and admins
by their dashboard session, the scraper by CICERO_METRICS_TOKEN or by coming from a
trusted network (`web.trusted_networks`, loopback by default). They see everything, the
pairing QR included. Anyone else learns only whether Cicero is ok, degraded or down.
"""

from __future__ import annotations

from aiohttp import web

from cicero.domain.auth.access import Who
from cicero.web.server import principal

SEES_DETAIL = frozenset({Who.OPS, Who.ADMIN, Who.SCRAPER})


def is_ops(request: web.Request) -> bool:
    return principal(request).who in SEES_DETAIL

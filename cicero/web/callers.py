"""Who may see the ops detail: the one question /healthz, /metrics and `/` ask.

The route table has already identified the caller (cicero.web.identify): admins by their
dashboard session, the scraper by CICERO_METRICS_TOKEN or by coming from a trusted network
(`web.trusted_networks`, empty by default). They see everything. Anyone else, loopback
included, learns only whether Cicero is ok, degraded or down; ops accounts read the
dashboard's /status.
"""

from __future__ import annotations

from aiohttp import web

from cicero.domain.auth.access import Who
from cicero.web.request_state import principal

SEES_DETAIL = frozenset({Who.ADMIN, Who.SCRAPER})  # ops accounts: /status only


def is_ops(request: web.Request) -> bool:
    return principal(request).who in SEES_DETAIL

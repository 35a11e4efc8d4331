"""The ops HTTP surface (aiohttp): /healthz says in words what is wrong, and shows the
actors, buckets, next fire times, last outcome of every job, the outbox per session,
the latest ingestion outcome per client, each upstream host (last success and error,
429 pause, calls today of its budget) and each WhatsApp session (QR while pairing).
/metrics serves the same facts to Prometheus and `/` to a person (with the pairing QR)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiohttp import web

from cicero import __version__
from cicero.config import Settings
from cicero.db import ledger
from cicero.db.connect import create_pool
from cicero.db.upstream_hosts import load_hosts
from cicero.domain.auth.access import Who
from cicero.domain.ingestion.limits import host_view
from cicero.domain.runtime.health import assess
from cicero.domain.timezone import WIB
from cicero.web import metrics
from cicero.web.actor_bridge import ActorBridge
from cicero.web.context import Clock, WebContext, default_settings
from cicero.web.routes import ROUTES
from cicero.web.server import mount, principal
from cicero.web.upstream import ProfileFetcher

POOL = web.AppKey("pool", asyncpg.Pool | None)
STATUS = web.AppKey("status_source", Callable[[], tuple[dict[str, Any] | None, float]])
GATHER = web.AppKey("gather", Callable[[web.Request], Awaitable[dict[str, Any]]])
POOL_ERROR = web.AppKey("pool_error", str)
StatusSource = Callable[[], tuple[dict[str, Any] | None, float]]  # (snapshot, age in seconds)


async def _read(conn: asyncpg.Connection) -> dict[str, Any]:
    outbox = await conn.fetch(
        """SELECT session, status, count(*) AS n, min(created_at) FILTER (WHERE status = 'pending') AS oldest
           FROM outbox GROUP BY session, status ORDER BY session, status"""
    )
    ingest = await conn.fetch(
        """SELECT DISTINCT ON (platform, client_id, stage) platform, client_id, stage, outcome,
                  error_class, finished_at
           FROM ingest_run ORDER BY platform, client_id, stage, id DESC"""
    )
    queues: dict[str, dict[str, Any]] = {}
    for r in outbox:
        entry = queues.setdefault(r["session"], {})
        entry[r["status"]] = r["n"]
        if r["oldest"] is not None:
            entry["oldest_pending"] = r["oldest"].isoformat()
    fetches: dict[str, dict[str, Any]] = {}
    for r in ingest:
        fetches.setdefault(f"{r['platform']}:{r['client_id']}", {})[r["stage"]] = {
            "outcome": r["outcome"],
            "error": r["error_class"],
            "at": r["finished_at"].isoformat() if r["finished_at"] else None,
        }
    now = datetime.now(UTC)
    # A paused host is shown, not a problem: the ingestor waits it out by itself.
    upstream = {
        name: host_view(row.state, now, row.daily_budget, row.host)
        for name, row in (await load_hosts(conn)).items()
    }
    return {
        "last_outcome": await ledger.last_outcomes(conn),
        "outbox": queues,
        "ingest": fetches,
        "upstream": upstream,
    }


def verdict(body: dict[str, Any]) -> str:
    """The one word anonymous callers of /healthz get (api.md §4)."""
    return str(body.get("status") or ("ok" if body["ok"] else "down"))


def build_app(
    status: StatusSource,
    database_url: str | None,
    not_implemented: list[str],
    settings: Settings | None = None,
    now: Clock | None = None,
    actors: ActorBridge | None = None,
) -> web.Application:
    """The whole web server: every route comes from cicero.web.routes (the ops handlers below
    are registered there by name). `now` is the runtime's clock (virtual in simulation)."""
    settings = settings or default_settings()
    context = WebContext(settings, now or (lambda: datetime.now(WIB)), actors=actors)
    fetcher = ProfileFetcher(settings)
    context.fetch_profile = fetcher
    app = web.Application(client_max_size=settings.config.web.body_limit_kb * 1024)
    started = time.monotonic()

    async def on_startup(app: web.Application) -> None:
        app[POOL] = None
        if database_url:
            try:
                # The runtime's pools: UTC sessions, no four-statement reset on every release.
                app[POOL] = await create_pool(database_url, settings.config.web.db_pool)
            except Exception as err:  # reported by /healthz
                app[POOL_ERROR] = str(err)
        context.pool = app[POOL]

    async def on_cleanup(app: web.Application) -> None:
        if app.get(POOL) is not None:
            await app[POOL].close()
        context.passwords.close()
        await fetcher.close()

    async def database(app: web.Application) -> tuple[bool, str, dict[str, Any]]:
        pool = app.get(POOL)
        if pool is None:
            return False, app.get(POOL_ERROR, "not configured"), {}
        try:
            async with pool.acquire(timeout=3) as conn:
                return True, "", await _read(conn)
        except Exception as err:  # the point of the check is to say what failed
            return False, f"{type(err).__name__}: {err}", {}

    async def gather(request: web.Request) -> dict[str, Any]:
        snapshot, age = status()
        db_ok, db_error, data = await database(request.app)
        health = assess(snapshot, age, db_ok, db_error, data.get("outbox", {}))
        reports = (snapshot or {}).get("reports", {})
        clock = reports.get("clock", {})
        body = {
            "ok": health.ok,
            "problems": list(health.problems),
            "version": __version__,
            "uptime_s": round(time.monotonic() - started, 1),
            "database": {"ok": db_ok, "error": db_error},
            "actors": (snapshot or {}).get("actors", {}),
            "sessions": {
                r["session"]: r for name, r in reports.items() if name.startswith("session:")
            },
            "buckets": clock.get("buckets", {}),
            "next": clock.get("next", {}),
            "running": clock.get("running", {}),
            "last_outcome": data.get("last_outcome", {}),
            "outbox": data.get("outbox", {}),
            "ingest": data.get("ingest", {}),
            "upstream": data.get("upstream", {}),
            "not_implemented": not_implemented,
        }
        return body

    async def healthz(request: web.Request) -> web.Response:
        body = await gather(request)
        code = 200 if body["ok"] else 503
        # api.md §4: the whole body for admins and allowed networks (or the scrape token);
        # anyone else, loopback included, learns the verdict only.
        if principal(request).who not in (Who.ADMIN, Who.SCRAPER):
            return web.json_response({"status": verdict(body)}, status=code)
        return web.json_response({"status": verdict(body), **body}, status=code)

    async def prometheus(request: web.Request) -> web.Response:
        body = await gather(request)
        return web.Response(
            body=metrics.render(body) + context.counters.render(),
            headers={"Content-Type": metrics.CONTENT_TYPE},
        )

    ops = {"healthz": healthz, "metrics": prometheus}
    app[GATHER] = gather
    app[STATUS] = status
    mount(app, ROUTES, context, ops)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app

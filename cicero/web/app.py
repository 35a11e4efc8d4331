"""The ops HTTP surface (aiohttp): /healthz and /metrics, and the body the ops page reads.

/healthz answers `ok`, `degraded` or `down` (503) with every problem in Indonesian words
(cicero.domain.runtime.health decides), the spec's `checks` and, for ops, the detail:
actors, sessions, buckets, next fire times, the last outcome of every job, the outbox per
session, the latest ingestion per client and each upstream host. /metrics serves the same
facts to Prometheus, and the dashboard's /status to a person (cicero.dashboard.ops). Who
sees what is asked of cicero.web.callers: anyone else gets the status word only.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import asyncpg
from aiohttp import web

from cicero import __version__
from cicero.actors.messages import StatusRequest
from cicero.config import Settings
from cicero.db import job_tally, ledger
from cicero.db.connect import create_pool
from cicero.db.upstream_hosts import load_hosts
from cicero.domain.ingestion.limits import host_view
from cicero.domain.runtime.health import Facts, Health, session_reports, session_words, verdict
from cicero.domain.runtime.names import CLOCK
from cicero.domain.runtime.series import JOB_RUNS, JOB_SECONDS, MEASURED
from cicero.domain.runtime.tally import Tally
from cicero.domain.timezone import WIB, to_wib
from cicero.web import metrics
from cicero.web.actor_bridge import ActorBridge, NoAnswer
from cicero.web.callers import is_ops
from cicero.web.context import GATHER, STATUS, Clock, StatusSource, WebContext, default_settings
from cicero.web.errors import ApiError
from cicero.web.routes import ROUTES
from cicero.web.server import mount
from cicero.web.upstream import ProfileFetcher

POOL = web.AppKey("pool", asyncpg.Pool | None)
POOL_ERROR = web.AppKey("pool_error", str)
MAX_REQUEST_LINE = 128 * 1024
NO_STORE = {"Cache-Control": "no-store"}


async def _read(conn: asyncpg.Connection, now: datetime) -> dict[str, Any]:
    outbox = await conn.fetch(
        """SELECT session, status, count(*) AS n,
                  min(next_attempt_at) FILTER (WHERE status = 'pending' AND next_attempt_at <= $1)
                      AS oldest_due,
                  count(*) FILTER (WHERE status = 'dead' AND created_at > $1 - interval '24 hours')
                      AS dead_recent
           FROM outbox GROUP BY session, status ORDER BY session, status""",
        now,
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
        if r["oldest_due"] is not None:
            entry["oldest_pending"] = to_wib(r["oldest_due"]).isoformat()
            entry["oldest_pending_age_s"] = max(0.0, (now - r["oldest_due"]).total_seconds())
        if r["status"] == "dead":
            entry["dead_recent"] = r["dead_recent"]
    fetches: dict[str, dict[str, Any]] = {}
    for r in ingest:
        fetches.setdefault(f"{r['platform']}:{r['client_id']}", {})[r["stage"]] = {
            "outcome": r["outcome"],
            "error": r["error_class"],
            "at": r["finished_at"].isoformat() if r["finished_at"] else None,
        }
    upstream = {
        name: host_view(row.state, now, row.daily_budget, row.host)
        for name, row in (await load_hosts(conn)).items()
    }
    last_backup = await conn.fetchval(
        "SELECT max(finished_at) FROM job_run WHERE job_key = 'db_backup' AND status = 'done'"
    )
    return {
        "last_backup": to_wib(last_backup).isoformat() if last_backup else None,
        "last_outcome": await ledger.last_outcomes(conn),
        "outbox": queues,
        "ingest": fetches,
        "upstream": upstream,
    }


def health_body(
    health: Health,
    now: datetime,
    snapshot: dict[str, Any] | None,
    data: dict[str, Any],
    database_error: str | None,
    uptime_s: float,
    not_implemented: list[str],
) -> dict[str, Any]:
    """The whole /healthz body (what ops see); `{"status"}` is its first key."""
    snap = snapshot or {}
    clock = snap.get("reports", {}).get(CLOCK, {})
    sessions = {
        name: {**report, "words": session_words(name, report, now)}
        for name, report in session_reports(snap)
    }
    return {
        "status": health.status.value,
        "time": to_wib(now).isoformat(timespec="seconds"),
        "checks": health.checks,
        "problems": health.words,
        "ok": health.ok,  # the same as status == "ok", for older probes
        "version": __version__,
        "uptime_s": round(uptime_s, 1),
        "database": {"ok": database_error is None, "error": database_error or ""},
        "actors": snap.get("actors", {}),
        "sessions": sessions,
        "buckets": clock.get("buckets", {}),
        "next": clock.get("next", {}),
        "running": clock.get("running", {}),
        "last_outcome": data.get("last_outcome", {}),
        "outbox": data.get("outbox", {}),
        "ingest": data.get("ingest", {}),
        "upstream": data.get("upstream", {}),
        "last_backup": data.get("last_backup"),
        "not_implemented": not_implemented,
    }


def public_body(body: dict[str, Any]) -> dict[str, Any]:
    """What an anonymous caller may know."""
    return {"status": body["status"]}


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
    fetcher = ProfileFetcher(settings, context.measured)
    context.fetch_profile = fetcher
    # A request line up to 128 KiB: a 10,000-character search (percent-encoded) still reaches
    # the handler and gets the §5 envelope, not the HTTP parser's bare 400.
    app = web.Application(
        client_max_size=settings.config.web.body_limit_kb * 1024,
        handler_args={"max_line_size": MAX_REQUEST_LINE},
    )
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

    async def database(app: web.Application, at: datetime) -> tuple[str | None, dict[str, Any]]:
        pool = app.get(POOL)
        if pool is None:
            return app.get(POOL_ERROR, "not configured"), {}
        try:
            async with pool.acquire(timeout=3) as conn:
                return None, await _read(conn, at)
        except Exception as err:  # the point of the check is to say what failed
            return f"{type(err).__name__}: {err}", {}

    async def fresh_snapshot() -> dict[str, Any] | None:
        """The root supervisor's snapshot asked for now (what every actor measured up to
        this scrape); the latest one polled when it does not answer in time."""
        if actors is not None:
            try:
                fresh = await actors.ask("supervisor", lambda _ticket: StatusRequest(), 3.0)
                if isinstance(fresh, dict):
                    return fresh
            except NoAnswer:
                pass
        return status()[0]

    async def job_runs(app: web.Application) -> Tally:
        """The settled runs PostgreSQL counted; none while it does not answer (/healthz and
        the other gauges say why)."""
        pool = app.get(POOL)
        if pool is None:
            return Tally()
        try:
            async with pool.acquire(timeout=3) as conn:
                return await job_tally.load(conn)
        except Exception:  # the scrape goes on without them
            return Tally()

    async def gather(request: web.Request) -> dict[str, Any]:
        at = context.now()
        snapshot, age = status()
        db_error, data = await database(request.app, at)
        facts = Facts(
            now=at,
            snapshot=snapshot,
            snapshot_age_s=age,
            database_error=db_error,
            outbox=data.get("outbox", {}),
            upstream=data.get("upstream", {}),
            jobs=data.get("last_outcome", {}),
        )
        uptime = time.monotonic() - started
        return health_body(verdict(facts), at, snapshot, data, db_error, uptime, not_implemented)

    async def healthz(request: web.Request) -> web.Response:
        body = await gather(request)
        code = 503 if body["status"] == "down" else 200
        shown = body if is_ops(request) else public_body(body)
        return web.json_response(shown, status=code, headers=NO_STORE)

    async def prometheus(request: web.Request) -> web.Response:
        if not is_ops(request):  # the route table admits scrapers and admins only; to be sure
            raise ApiError(403, "forbidden")
        body = await gather(request)
        snapshot = await fresh_snapshot()
        measures = Tally.from_wire((snapshot or {}).get("tally"))  # the root's totals
        text = metrics.render(
            body,
            context.counters,
            metrics.Measures(measures, MEASURED),
            metrics.Measures(await job_runs(request.app), (JOB_RUNS, JOB_SECONDS)),
        )
        return web.Response(body=text, headers={"Content-Type": metrics.CONTENT_TYPE, **NO_STORE})

    ops = {"healthz": healthz, "metrics": prometheus}
    app[GATHER] = gather  # the ops page (/status, /api/ops/status) reads the same body
    app[STATUS] = status
    mount(app, ROUTES, context, ops)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app

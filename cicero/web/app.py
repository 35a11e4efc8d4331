"""The ops HTTP surface (aiohttp): /healthz now; metrics and pairing join it later."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from cicero import __version__
from cicero.domain.health import assess

StatusSource = Callable[[], tuple[dict[str, Any] | None, float]]  # (snapshot, age in seconds)


def build_app(
    status: StatusSource, database_url: str | None, not_implemented: list[str]
) -> web.Application:
    app = web.Application()
    started = time.monotonic()

    async def on_startup(app: web.Application) -> None:
        app["pool"] = None
        if database_url:
            import asyncpg

            try:
                app["pool"] = await asyncpg.create_pool(
                    database_url, min_size=0, max_size=1, timeout=5
                )
            except Exception as err:
                app["pool_error"] = str(err)

    async def on_cleanup(app: web.Application) -> None:
        if app.get("pool") is not None:
            await app["pool"].close()

    async def database_check(app: web.Application) -> tuple[bool, str, dict[str, Any]]:
        pool = app.get("pool")
        if pool is None:
            return False, app.get("pool_error", "not configured"), {}
        try:
            async with pool.acquire(timeout=3) as conn:
                rows = await conn.fetch(
                    """SELECT DISTINCT ON (job_key) job_key, fire_time, status, reason
                       FROM job_run WHERE status NOT IN ('queued', 'running') ORDER BY job_key, fire_time DESC"""
                )
        except Exception as err:
            return False, f"{type(err).__name__}: {err}", {}
        outcomes = {
            r["job_key"]: {
                "fire_time": r["fire_time"].isoformat(),
                "status": r["status"],
                "reason": r["reason"],
            }
            for r in rows
        }
        return True, "", outcomes

    async def healthz(request: web.Request) -> web.Response:
        snapshot, age = status()
        db_ok, db_error, outcomes = await database_check(request.app)
        health = assess(snapshot, age, db_ok, db_error)
        clock = (snapshot or {}).get("reports", {}).get("clock", {})
        body = {
            "ok": health.ok,
            "problems": list(health.problems),
            "version": __version__,
            "uptime_s": round(time.monotonic() - started, 1),
            "database": {"ok": db_ok, "error": db_error},
            "actors": (snapshot or {}).get("actors", {}),
            "buckets": clock.get("buckets", {}),
            "next": clock.get("next", {}),
            "running": clock.get("running", {}),
            "last_outcome": outcomes,
            "not_implemented": not_implemented,
        }
        return web.json_response(body, status=200 if health.ok else 503)

    app.router.add_get("/healthz", healthz)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app

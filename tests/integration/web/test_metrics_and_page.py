"""/metrics over real HTTP and PostgreSQL, from the same facts as /healthz, read back with
Prometheus' own parser, for a scraper on an allowed network (the status page's tests are in
test_ops_status.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.db.upstream_hosts import save_host
from cicero.domain.ingestion.limits import HostState
from cicero.domain.timezone import wib_date
from cicero.web.app import build_app
from tests.conftest import fresh_database

PAIRING_QR = "2@abcDEF123,xyz456,uvw789,rst000"
SNAPSHOT: dict[str, Any] = {
    "escalated": "",
    "actors": {
        "clock": {"state": "running", "restarts": 0, "restart_type": "permanent"},
        "router": {"state": "restarting", "restarts": 3, "last_error": "<b>boom</b>",
                   "restart_type": "permanent"},
    },
    "reports": {
        "session:gateway": {"session": "gateway", "state": "ready", "reason": "", "qr": ""},
        "session:operator": {"session": "operator", "state": "pairing", "reason": "",
                             "qr": PAIRING_QR},
        "clock": {"buckets": {"always": True, "gateway": True, "operator": False}},
    },
}  # fmt: skip


def fetch(url: str | None, path: str) -> tuple[int, str, str]:
    async def go() -> tuple[int, str, str]:
        settings = load_settings({}, {"web": {"trusted_networks": ["127.0.0.0/8"]}})
        app = build_app(lambda: (SNAPSHOT, 0.5), url, [], settings)
        async with TestClient(TestServer(app)) as client:
            resp = await client.get(path)
            return resp.status, resp.headers["Content-Type"], await resp.text()

    return asyncio.run(go())


def seed(url: str) -> None:
    async def go() -> None:
        now = datetime.now(UTC)
        conn = await connect(url)
        try:
            await conn.execute(
                """INSERT INTO outbox (key, session, recipient, kind, body, status)
                   VALUES ('a', 'gateway', '120363000000000001@g.us', 'broadcast', 'x', 'sent'),
                          ('b', 'gateway', '120363000000000001@g.us', 'broadcast', 'y', 'dead')"""
            )
            await conn.execute(
                """INSERT INTO job_run (job_key, fire_time, status, reason, finished_at)
                   VALUES ('ingest_social', $1, 'failed', 'instagram: bug', $1)""",
                now,
            )
            paused = HostState(calls_day=wib_date(now), calls=12, saved=30,
                               paused_until=now + timedelta(minutes=4))  # fmt: skip
            await save_host(conn, "tiktok", "tiktok.example", paused, 40, now)
        finally:
            await conn.close()

    asyncio.run(go())


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_carry_the_health_facts(pg_server: object) -> None:
    url = fresh_database(pg_server)
    seed(url)
    status, content_type, text = fetch(url, "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    got = samples(text)
    assert got[("cicero_healthy", ())] == 0.0  # the router is restarting, the operator pairing
    assert got[("cicero_database_up", ())] == 1.0
    assert got[("cicero_actor_restarts_total", (("actor", "router"),))] == 3.0
    assert got[("cicero_actor_running", (("actor", "router"),))] == 0.0
    assert got[("cicero_session_ready", (("session", "gateway"),))] == 1.0
    assert got[("cicero_session_ready", (("session", "operator"),))] == 0.0
    assert got[("cicero_bucket_ready", (("bucket", "operator"),))] == 0.0
    assert got[("cicero_outbox_rows", (("session", "gateway"), ("status", "dead")))] == 1.0
    assert got[("cicero_job_last_status", (("job", "ingest_social"), ("status", "failed")))] == 1
    assert got[("cicero_upstream_calls_today", (("host", "tiktok"),))] == 12.0
    assert got[("cicero_upstream_saved_today", (("host", "tiktok"),))] == 30.0
    assert got[("cicero_upstream_daily_budget", (("host", "tiktok"),))] == 40.0
    assert got[("cicero_upstream_paused", (("host", "tiktok"),))] == 1.0


def test_metrics_still_answer_without_a_database() -> None:
    status, _, text = fetch(None, "/metrics")
    got = samples(text)
    assert status == 200 and got[("cicero_database_up", ())] == 0.0
    assert got[("cicero_problems", ())] >= 1

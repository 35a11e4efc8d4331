"""/healthz and /metrics over real HTTP and PostgreSQL, from one set of facts; /metrics is
read back with Prometheus' own parser (the ops page's tests are in test_ops_status.py).

Ops are played by trusting the loopback network (the scraper identity); a caller from
elsewhere by trusting none: the route table then takes the test client for an anonymous
caller, and the handlers must show it no detail."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.db.upstream_hosts import save_host
from cicero.domain.ingestion.limits import HostState
from cicero.domain.runtime.series import WA_SEND, WA_SEND_SECONDS
from cicero.domain.runtime.tally import Tally
from cicero.domain.timezone import WIB, wib_date
from cicero.web.app import build_app
from tests.conftest import fresh_database

NOW = datetime.now(UTC)


def measured_sends() -> Tally:
    tally = Tally()
    for seconds in (0.02, 0.05, 0.3):
        tally.count(WA_SEND.name, ("gateway", "recap", "sent"))
        tally.observe(WA_SEND_SECONDS.name, ("gateway",), seconds, WA_SEND_SECONDS.bounds)
    return tally
PAIRING_QR = "2@abcDEF123,xyz456,uvw789,rst000"
LOOP_SINCE = (NOW - timedelta(minutes=10)).isoformat()
SNAPSHOT: dict[str, Any] = {
    "escalated": "",
    "actors": {
        "clock": {"state": "running", "restarts": 0, "restart_type": "permanent"},
        "router": {"state": "restarting", "restarts": 3, "last_error": "<b>boom</b>",
                   "restart_type": "permanent"},
        "session:gateway": {"state": "running", "restarts": 0, "restart_type": "permanent"},
        "session:operator": {"state": "running", "restarts": 0, "restart_type": "permanent"},
    },
    "reports": {
        "session:gateway": {"session": "gateway", "state": "reconnecting", "reason": "dial failed",
                            "since": LOOP_SINCE, "attempt": 7, "qr": "",
                            "transitions": {"starting>reconnecting": 1}},
        "session:operator": {"session": "operator", "state": "pairing", "reason": "",
                             "since": LOOP_SINCE, "qr": PAIRING_QR},
        "clock": {"buckets": {"always": True, "gateway": False, "operator": False}},
    },
    "tally": measured_sends().to_wire(),
}  # fmt: skip
NO_NETWORK: dict[str, Any] = {
    **SNAPSHOT,
    "actors": {k: v for k, v in SNAPSHOT["actors"].items() if k != "router"},
    "reports": {
        **SNAPSHOT["reports"],
        "session:operator": {**SNAPSHOT["reports"]["session:gateway"], "session": "operator"},
    },
}


def settings(outside: bool) -> Any:
    """Loopback trusted (the test client is the scraper), or nothing trusted (the test client
    is a caller from elsewhere: the route table identifies callers, not the handlers)."""

    trusted = [] if outside else ["127.0.0.0/8"]
    return load_settings({}, overrides={"web": {"trusted_networks": trusted}})


def fetch(
    url: str | None, path: str, snapshot: dict[str, Any] = SNAPSHOT, outside: bool = False
) -> tuple[int, str, str]:
    async def go() -> tuple[int, str, str]:
        app = build_app(lambda: (snapshot, 0.5), url, [], settings(outside), now=lambda: NOW)
        async with TestClient(TestServer(app)) as client:
            resp = await client.get(path)
            if resp.status < 400:  # refusals are the route table's
                assert resp.headers["Cache-Control"] == "no-store"
            return resp.status, resp.headers["Content-Type"], await resp.text()

    return asyncio.run(go())


def fetch_json(url: str | None, path: str, **kw: Any) -> tuple[int, dict[str, Any]]:
    import json

    status, _, text = fetch(url, path, **kw)
    return status, json.loads(text)


def seed(url: str) -> None:
    async def go() -> None:
        conn = await connect(url)
        try:
            await conn.execute(
                """INSERT INTO outbox (key, session, recipient, kind, body, status, created_at,
                                       next_attempt_at)
                   VALUES ('a', 'gateway', '120363000000000001@g.us', 'broadcast', 'x', 'sent', $1, $1),
                          ('b', 'gateway', '120363000000000001@g.us', 'broadcast', 'y', 'dead', $1, $1),
                          ('c', 'gateway', '120363000000000001@g.us', 'broadcast', 'z', 'pending',
                           $1 - interval '50 minutes', $1 - interval '50 minutes'),
                          ('d', 'gateway', '120363000000000001@g.us', 'broadcast', 'w', 'pending',
                           $1, $1 + interval '5 minutes')""",
                NOW,
            )
            await conn.execute(
                """INSERT INTO job_run (job_key, fire_time, status, reason, finished_at)
                   VALUES ('ingest_social', $1, 'failed', 'instagram: bug', $1),
                          ('db_backup', $1 - interval '1 day', 'done', '', $1 - interval '1 day')""",
                NOW,
            )
            paused = HostState(calls_day=wib_date(NOW), calls=12, saved=30,
                               paused_until=NOW + timedelta(minutes=4))  # fmt: skip
            await save_host(conn, "tiktok", "tiktok.example", paused, 40, NOW)
        finally:
            await conn.close()

    asyncio.run(go())


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_no_network_is_degraded_in_words_and_only_ops_see_why(pg_server: object) -> None:
    # Both sessions in a reconnect loop (neonize with no network) used to be 200 "All well".
    url = fresh_database(pg_server)
    status, body = fetch_json(url, "/healthz", snapshot=NO_NETWORK)
    assert status == 200 and body["status"] == "degraded" and body["ok"] is False
    assert datetime.fromisoformat(body["time"]).utcoffset() == timedelta(hours=7)
    since = datetime.fromisoformat(LOOP_SINCE).astimezone(WIB).strftime("%H.%M")
    assert body["problems"] == [
        f"gateway: menyambung ulang sejak {since}, percobaan 7: dial failed",
        f"operator: menyambung ulang sejak {since}, percobaan 7: dial failed",
    ]
    assert body["checks"] == {
        "database": "ok",
        "supervisor": "ok",
        "sessions": {"gateway": "reconnecting", "operator": "reconnecting"},
        "outbox": {"pending": 0, "in_doubt": 0, "dead_recent": 0},
        "upstream": {},
    }
    assert body["buckets"] == {"always": True, "gateway": False, "operator": False}
    status, public = fetch_json(url, "/healthz", snapshot=NO_NETWORK, outside=True)
    assert (status, public) == (200, {"status": "degraded"})
    _, _, text = fetch(url, "/metrics", snapshot=NO_NETWORK)
    got = samples(text)
    assert got[("cicero_healthy", ())] == 0.0
    assert got[("cicero_health_status", (("status", "degraded"),))] == 1.0
    assert got[("cicero_health_status", (("status", "ok"),))] == 0.0


def test_a_silent_database_is_down_503_for_everyone() -> None:
    status, body = fetch_json(None, "/healthz")
    assert status == 503 and body["status"] == "down" and body["checks"]["database"] == "down"
    assert body["problems"][0] == "database: tidak dapat dihubungi (not configured)"
    assert fetch_json(None, "/healthz", outside=True) == (503, {"status": "down"})


def test_metrics_carry_the_health_facts(pg_server: object) -> None:
    url = fresh_database(pg_server)
    seed(url)
    status, content_type, text = fetch(url, "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    got = samples(text)
    assert got[("cicero_healthy", ())] == 0.0  # the router is restarting, the operator pairing
    assert got[("cicero_health_status", (("status", "degraded"),))] == 1.0
    assert got[("cicero_database_up", ())] == 1.0
    assert got[("cicero_actor_restarts_total", (("actor", "router"),))] == 3.0
    assert got[("cicero_actor_running", (("actor", "router"),))] == 0.0
    assert got[("cicero_session_ready", (("session", "operator"),))] == 0.0
    assert got[("cicero_session_state", (("session", "operator"), ("state", "pairing")))] == 1.0
    assert got[("cicero_session_state", (("session", "operator"), ("state", "ready")))] == 0.0
    assert got[("cicero_session_transitions_total",
                (("from", "starting"), ("session", "gateway"), ("to", "reconnecting")))] == 1.0  # fmt: skip
    assert got[("cicero_bucket_ready", (("bucket", "operator"),))] == 0.0
    assert got[("cicero_outbox_rows", (("session", "gateway"), ("status", "dead")))] == 1.0
    assert got[("cicero_outbox_rows", (("session", "gateway"), ("status", "pending")))] == 2.0
    oldest = got[("cicero_outbox_oldest_pending_seconds", (("session", "gateway"),))]
    assert oldest == 50 * 60  # the row due in 5 minutes is not waiting yet
    assert got[("cicero_job_last_status", (("job", "ingest_social"), ("status", "failed")))] == 1
    backup = got[("cicero_backup_last_success_timestamp_seconds", ())]
    assert backup == (NOW - timedelta(days=1)).timestamp()
    assert got[("cicero_build_info", (("version", __import__("cicero").__version__),))] == 1
    assert got[("cicero_upstream_calls_today", (("key", "primary"), ("platform", "tiktok")))] == 12
    # settled runs as PostgreSQL counted them; no duration: neither was claimed by a worker
    assert got[("cicero_job_runs_total", (("job", "ingest_social"), ("outcome", "failed")))] == 1
    assert got[("cicero_job_runs_total", (("job", "db_backup"), ("outcome", "done")))] == 1
    assert not [k for k in got if k[0].startswith("cicero_job_duration_seconds")]
    # what the actors measured, as the root supervisor's snapshot carries it
    sent = (("kind", "recap"), ("outcome", "sent"), ("session", "gateway"))
    assert got[("cicero_wa_send_total", sent)] == 3
    assert got[("cicero_wa_send_seconds_count", (("session", "gateway"),))] == 3
    assert got[("cicero_wa_send_seconds_bucket", (("le", "0.1"), ("session", "gateway")))] == 2
    assert got[("cicero_wa_send_seconds_sum", (("session", "gateway"),))] == pytest.approx(0.37)
    assert got[("cicero_upstream_saved_today", (("host", "tiktok"),))] == 30.0
    assert got[("cicero_upstream_daily_budget", (("host", "tiktok"),))] == 40.0
    assert got[("cicero_upstream_paused", (("host", "tiktok"),))] == 1.0


def test_healthz_lists_outbox_and_job_problems(pg_server: object) -> None:
    url = fresh_database(pg_server)
    seed(url)
    status, body = fetch_json(url, "/healthz")
    assert status == 200 and body["status"] == "degraded"
    problems = "\n".join(body["problems"])
    assert "gateway: 1 pesan gagal terkirim dalam 24 jam terakhir" in problems
    assert "gateway: 2 pesan menunggu, yang tertua sejak" in problems
    assert "jadwal ingest_social" in problems and "gagal: instagram: bug" in problems
    assert "aktor router: dimulai ulang setelah galat: <b>boom</b>" in problems
    assert body["checks"]["outbox"] == {
        "pending": 2, "oldest_pending_age_s": 3000, "in_doubt": 0, "dead_recent": 1
    }  # fmt: skip
    assert body["checks"]["upstream"] == {"tiktok": "rate_limited"}
    assert body["sessions"]["operator"]["qr"] == PAIRING_QR  # ops only
    status, public = fetch_json(url, "/healthz", outside=True)
    assert (status, public) == (200, {"status": "degraded"})


def test_metrics_are_for_ops_only() -> None:
    status, body = fetch_json(None, "/metrics", outside=True)
    assert status in (401, 403) and body["success"] is False
    assert body["error"]["code"] in ("unauthenticated", "forbidden")


def test_metrics_still_answer_without_a_database() -> None:
    status, _, text = fetch(None, "/metrics")
    got = samples(text)
    assert status == 200 and got[("cicero_database_up", ())] == 0.0
    assert got[("cicero_problems", ())] >= 1
    assert got[("cicero_health_status", (("status", "down"),))] == 1.0

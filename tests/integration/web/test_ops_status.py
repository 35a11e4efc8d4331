"""The ops surface (api.md §4) over real HTTP and PostgreSQL: /healthz's one word for
anonymous callers (loopback included) and its whole body for admins and allowed networks;
/metrics behind the token; /status and /api/ops/status in words, the QR for admins only and
never cached; admin actions CSRF-checked and audited; requests to the actors through the
bridge the Web actor drains."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from cicero.actors.messages import PairingReply, PairingRequest, RunNow
from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.domain.auth.dashboard import Role
from cicero.web.actor_bridge import ActorBridge
from cicero.web.app import build_app
from tests.conftest import fresh_database
from tests.integration.web.app_world import T0, Clock, run, seeded
from tests.integration.web.dashboard_world import Served, code_at, make_account, make_admin

QR_1 = "2@firstCODE,abc,def,ghi"
QR_2 = "2@secondCODE,jkl,mno,pqr"
TOKEN = "scrape-token-for-ops-tests-0123456789"


def snapshot(state: str, qr: str = "", error: str = "<b>boom</b>") -> dict[str, Any]:
    return {
        "escalated": "",
        "actors": {"router": {"state": "running", "restarts": 2, "last_error": error,
                              "restart_type": "permanent"}},
        "reports": {
            "session:operator": {"session": "operator", "state": state, "reason": "", "qr": qr,
                                 "since": "2026-11-23T08:41:00+07:00", "attempt": 0, "jid": ""},
            "session:gateway": {"session": "gateway", "state": "reconnecting", "reason": "dial failed",
                                "attempt": 3, "qr": "", "since": "2026-11-23T08:00:00+07:00"},
            "clock": {"buckets": {"always": True, "operator": state == "ready", "gateway": False},
                      "next": {"housekeeping": ["2026-11-24T03:30:00+07:00"]}},
        },
    }  # fmt: skip


@contextlib.asynccontextmanager
async def serve_ops(url: str, state: dict[str, Any], bridge: ActorBridge | None = None,
                    overrides: dict[str, Any] | None = None) -> AsyncIterator[Served]:  # fmt: skip
    settings = load_settings({"CICERO_METRICS_TOKEN": TOKEN}, overrides=overrides or {})
    clock = Clock()
    app = build_app(lambda: (state["now"], 0.2), url, [], settings, now=clock.now, actors=bridge)
    async with TestClient(TestServer(app)) as client:
        yield Served(client, clock, url)


def world(pg_server: object) -> str:
    url = fresh_database(pg_server)
    run(seeded(url))
    return url


def test_healthz_and_metrics_show_what_each_caller_may_see(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        secret = await make_admin(url)
        await make_account(url, "ops.satu", Role.OPS)
        state = {"now": snapshot("ready")}
        async with serve_ops(url, state) as served:
            anonymous = served.browser()
            status, body, _ = await anonymous.request("GET", "/healthz")
            assert set(body) == {"status"}, body  # loopback included: allowed CIDRs are empty
            status, body, _ = await anonymous.request(
                "GET", "/healthz", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert "problems" in body and "sessions" in body
            ops = served.browser()
            assert (await ops.login("ops.satu"))[0] == 200
            assert set((await ops.request("GET", "/healthz"))[1]) == {"status"}
            admin = served.browser()
            assert (await admin.login("admin.satu", totp=code_at(secret, T0)))[0] == 200
            assert "problems" in (await admin.request("GET", "/healthz"))[1]
            assert (await anonymous.request("GET", "/metrics"))[0] == 401
            assert (await ops.request("GET", "/metrics"))[0] == 403
            status, text, _ = await anonymous.request(
                "GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert status == 200
            for name in ("cicero_http_requests_total{", "cicero_http_request_seconds_bucket{",
                         'cicero_auth_logins_total{identity="dashboard",outcome="success"} 2.0'):
                assert name in text, name
            assert 'route="/healthz"' in text and "ops.satu" not in text
        # An allowed network sees it all without a credential.
        async with serve_ops(url, state, overrides={"web": {"trusted_networks": ["127.0.0.0/8"]}}) as served:
            assert "problems" in (await served.browser().request("GET", "/healthz"))[1]

    run(go())


def test_status_in_words_qr_for_admins_and_admin_actions(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        conn = await connect(url)
        try:
            await conn.execute(
                """INSERT INTO outbox (key, session, recipient, kind, body, status, created_at)
                   VALUES ('d1', 'gateway', '6281234567890', 'reminder', 'x', 'in_doubt', $1),
                          ('d2', 'gateway', '120363000000000001@g.us', 'group_broadcast', 'y', 'in_doubt', $1),
                          ('p1', 'operator', '6281234567891', 'menu_reply', 'z', 'pending', $1)""",
                T0,
            )
            await conn.execute(
                """INSERT INTO upstream_host (name, calls_day, calls, saved, updated_at)
                   VALUES ('instagram', ($1 AT TIME ZONE 'Asia/Jakarta')::date, 1234, 5678, $1)""",
                T0,  # the page's today is the app's clock, not the wall clock
            )
        finally:
            await conn.close()
        secret = await make_admin(url)
        await make_account(url, "ops.satu", Role.OPS)
        state = {"now": snapshot("pairing", QR_1)}
        bridge = ActorBridge()
        async with serve_ops(url, state, bridge) as served:
            ops = served.browser()
            assert (await ops.login("ops.satu"))[0] == 200
            status, html, headers = await ops.request("GET", "/status")
            assert status == 200 and headers["Cache-Control"] == "no-store"
            assert "Menunggu pairing" in html and "Menyambung ulang (percobaan 3, dial failed)" in html
            assert "&lt;b&gt;boom&lt;/b&gt;" in html and "<b>boom</b>" not in html
            assert "qr.svg" not in html and "62*******7890" in html and "6281234567890" not in html
            # requests sent and spared on each key today (data.md §3.4)
            assert "Dihemat hari ini" in html and '<td class="angka">5678</td>' in html
            status, body, _ = await ops.request("GET", "/api/ops/status")
            assert not any(s["qr"] for s in body["data"]["sessions"])
            assert (await ops.request("GET", "/api/ops/pairing/operator/qr.svg"))[0] == 403
            assert (await ops.request("POST", "/api/ops/jobs/housekeeping/pause", {}))[0] == 403

            admin = served.browser()
            assert (await admin.login("admin.satu", totp=code_at(secret, T0)))[0] == 200
            status, body, _ = await admin.request("GET", "/api/ops/status")
            operator = next(s for s in body["data"]["sessions"] if s["session"] == "operator")
            first = operator["qr"]
            assert QR_1 not in str(body)  # the code itself never travels in the JSON
            status, svg, headers = await admin.request("GET", "/api/ops/pairing/operator/qr.svg")
            assert status == 200 and headers["Content-Type"].startswith("image/svg+xml")
            assert headers["Cache-Control"] == "no-store" and "<svg" in svg
            state["now"] = snapshot("pairing", QR_2)  # the code rotates
            body = (await admin.request("GET", "/api/ops/status"))[1]
            second = next(s for s in body["data"]["sessions"] if s["session"] == "operator")["qr"]
            assert second != first
            state["now"] = snapshot("ready")
            body = (await admin.request("GET", "/api/ops/status"))[1]
            operator = next(s for s in body["data"]["sessions"] if s["session"] == "operator")
            assert operator["words"] == "Siap sejak 08.41" and not operator["qr"]
            assert (await admin.request("GET", "/api/ops/pairing/operator/qr.svg"))[0] == 404
            # the page's image, asked as the code ended: a placeholder, not a failed load
            status, svg, _ = await admin.request(
                "GET", f"/api/ops/pairing/operator/qr.svg?v={second}"
            )
            assert status == 200 and "Kode QR tidak berlaku" in svg

            # Pause and resume, audited; without the CSRF token nothing changes.
            status, body, _ = await admin.request(
                "POST", "/api/ops/jobs/housekeeping/pause", {"reason": "uji"}, csrf=""
            )
            assert status == 403 and body["error"]["code"] == "csrf"
            assert not await admin.sql("SELECT 1 FROM job_pause")
            assert (await admin.request("POST", "/api/ops/jobs/housekeeping/pause", {"reason": "uji"}))[0] == 200
            assert [r["paused_by"] for r in await admin.sql("SELECT paused_by FROM job_pause")] == ["dash:admin.satu"]
            assert (await admin.request("POST", "/api/ops/jobs/housekeeping/resume", {}))[0] == 200
            assert (await admin.request("POST", "/api/ops/jobs/no_such_job/pause", {}))[0] == 404
            # in_doubt rows: one marked sent, one sent again; a second decision is a conflict.
            ids = {r["key"]: r["id"] for r in await admin.sql("SELECT key, id FROM outbox")}
            assert (await admin.request("POST", f"/api/ops/outbox/{ids['d1']}/sent", {}))[0] == 200
            assert (await admin.request("POST", f"/api/ops/outbox/{ids['d2']}/resend", {}))[0] == 200
            assert (await admin.request("POST", f"/api/ops/outbox/{ids['d2']}/sent", {}))[0] == 409
            assert (await admin.request("POST", f"/api/ops/outbox/{ids['p1']}/sent", {}))[0] == 409
            rows = {r["key"]: r["status"] for r in await admin.sql("SELECT key, status FROM outbox")}
            assert rows == {"d1": "sent", "d2": "pending", "p1": "pending"}

            # Requests to the actors go through the bridge the Web actor drains.
            async def actor_side() -> None:
                while True:
                    for item in bridge.drain():
                        if isinstance(item.message, PairingRequest):
                            code = "ABCD-EFGH" if item.message.phone else ""
                            bridge.resolve(item, PairingReply(item.message.session, True, "Kode dibuat.", code))
                        else:
                            assert item.message == RunNow("housekeeping")
                            bridge.resolve(item, True)
                    await asyncio.sleep(0.01)

            actor = asyncio.create_task(actor_side())
            try:
                status, body, _ = await admin.request(
                    "POST", "/api/ops/pairing/operator", {"phone": "0812-3456-7890"}
                )
                assert status == 200 and body["data"]["code"] == "ABCD-EFGH"
                assert (await admin.request("POST", "/api/ops/pairing/operator", {}))[0] == 200
                assert (await admin.request("POST", "/api/ops/pairing/operator", {"phone": "12"}))[0] == 422
                assert (await admin.request("POST", "/api/ops/pairing/nope", {}))[0] == 404
                assert (await admin.request("POST", "/api/ops/jobs/housekeeping/run", {}))[0] == 200
            finally:
                actor.cancel()
            actions = [r["action"] for r in await admin.sql("SELECT action FROM audit_log ORDER BY id")][1:]
            assert actions == ["job.pause", "job.resume", "outbox.in_doubt_sent", "outbox.in_doubt_resend",
                               "session.pair_code", "session.pair", "job.run_now"]  # fmt: skip
            audit_text = str(await admin.sql("SELECT * FROM audit_log"))
            assert "ABCD-EFGH" not in audit_text and "7890" not in audit_text

            # An admin ends every session of an account.
            ops_id = (await admin.sql("SELECT id FROM dashboard_account WHERE username = 'ops.satu'"))[0]["id"]
            assert (await admin.request("POST", f"/api/admin/dashboard-users/{ops_id}/revoke", {}))[0] == 200
            assert (await ops.request("GET", "/api/ops/status"))[0] == 401

    run(go())


def test_actions_without_a_running_service_say_so(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        secret = await make_admin(url)
        async with serve_ops(url, {"now": snapshot("logged_out")}) as served:
            admin = served.browser()
            assert (await admin.login("admin.satu", totp=code_at(secret, T0)))[0] == 200
            status, html, _ = await admin.request("GET", "/status")
            assert "Keluar: perlu pairing ulang" in html and "Pairing ulang" in html
            status, body, _ = await admin.request("POST", "/api/ops/pairing/operator", {})
            assert status == 503 and body["error"]["code"] == "unavailable"
            assert (await admin.request("POST", "/api/ops/jobs/housekeeping/run", {}))[0] == 503

    run(go())

"""The web server's counters on /metrics (api.md §4): requests by route template, logins and
link reports by outcome, read back with Prometheus' parser; no label holds an NRP or a URL."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import fresh_database
from tests.integration.web.app_world import BUDI, run, seeded, serve


def test_requests_logins_and_reports_are_counted(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> str:
        # /metrics for an allowed network (none is allowed by default)
        async with serve(url, {"web": {"trusted_networks": ["127.0.0.0/8"]}}) as app:
            token = await app.login(BUDI)
            await app.call(
                "POST", "/api/auth/user-login", {"nrp": BUDI, "password": "salah sekali"}
            )
            await app.call("GET", f"/api/users/{BUDI}", token=token)
            link = {"shortcode": "DAbc001", "instagram_link": "https://instagram.com/p/m1"}
            await app.call("POST", "/api/link-reports", link, token=token)
            await app.call("GET", "/nowhere")
            status, text, _ = await app.call("GET", "/metrics")
            assert status == 200
            return str(text)

    text = run(go())
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples["cicero_auth_logins_total", (("identity", "staff"), ("outcome", "success"))] == 1
    assert samples["cicero_auth_logins_total", (("identity", "staff"), ("outcome", "failure"))] == 1
    assert samples["cicero_link_reports_total", (("kind", "routine"), ("outcome", "created"))] == 1
    route = (("method", "GET"), ("route", "/api/users/{user_id}"), ("status", "200"))
    assert samples["cicero_http_requests_total", route] == 1
    assert samples["cicero_http_requests_total",
                   (("method", "-"), ("route", "(undeclared)"), ("status", "404"))] == 1  # fmt: skip
    assert BUDI not in text and "instagram.com/p" not in text

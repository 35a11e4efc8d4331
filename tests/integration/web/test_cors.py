"""CORS on the real web app: a preflight from a listed origin is answered, any other is
refused with 403 and no CORS headers, and no origin is listed by default."""

from __future__ import annotations

from tests.conftest import fresh_database
from tests.integration.web.app_world import BUDI, run, seeded, serve

DASH = "https://dash.polda.example"


def test_preflights_are_answered_only_for_listed_origins(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def preflight(app, origin: str, method: str = "POST"):  # type: ignore[no-untyped-def]
        resp = await app.client.request(
            "OPTIONS", "/api/auth/user-login",
            headers={"Origin": origin, "Access-Control-Request-Method": method,
                     "Access-Control-Request-Headers": "content-type"},
        )  # fmt: skip
        return resp.status, resp.headers

    async def go() -> None:
        async with serve(url, overrides={"web": {"cors_origins": [DASH]}}) as app:
            status, headers = await preflight(app, DASH)
            assert status == 204 and headers["Access-Control-Allow-Origin"] == DASH
            assert "POST" in headers["Access-Control-Allow-Methods"]
            for origin, method in ((DASH + ".evil.example", "POST"), ("null", "POST"),
                                   (DASH, "DELETE")):  # fmt: skip
                status, headers = await preflight(app, origin, method)
                assert status == 403 and "Access-Control-Allow-Methods" not in headers
            token = await app.login(BUDI)
            status, _, headers = await app.call(
                "GET", f"/api/users/{BUDI}", token=token, headers={"Origin": DASH}
            )
            assert status == 200 and headers.get("Access-Control-Allow-Origin") == DASH
        async with serve(url) as app:  # nothing listed by default
            status, headers = await preflight(app, DASH)
            assert status == 403 and "Access-Control-Allow-Origin" not in headers
            resp = await app.client.request("OPTIONS", "/api/auth/user-login")  # no Origin
            assert resp.status == 405

    run(go())

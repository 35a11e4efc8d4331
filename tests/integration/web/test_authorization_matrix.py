"""The authorization matrix, built from the route table: every identity the server can meet
today × every route, over real HTTP. Dashboard identities (operator, directorate, ops, admin)
have no credential yet; their column is checked on `authorize` itself from the same table.

An allowed caller may still get 4xx from the handler (a bad body); what the matrix asserts
is who is refused at the door, and with which code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cicero.domain.auth.access import Principal, Target, Who, authorize
from cicero.web.route import Route
from cicero.web.routes import ROUTES
from tests.conftest import fresh_database
from tests.integration.web.app_world import ANDI, BUDI, PASSWORD, SITI, App, run, seeded, serve

SCRAPE_TOKEN = "scrape-token-for-tests-0123456789"


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    who: Who  # what the server must take it for


def concrete(route: Route, nrp: str) -> str:
    path = route.path.replace("{user_id}", nrp)
    if "profile" in path:
        path += "?username=budi.s"
    return path


async def callers(app: App) -> list[Caller]:
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    good = await app.login(BUDI)
    revoked = await app.login(SITI)
    await app.call("POST", "/api/auth/logout", token=revoked)
    status, pair, _ = await app.call(
        "POST", "/api/auth/user-login", {"nrp": ANDI, "password": PASSWORD, "refresh": True}
    )
    await app.call("POST", "/api/auth/refresh", {"refresh_token": pair["refresh_token"]})
    await app.call("POST", "/api/auth/refresh", {"refresh_token": pair["refresh_token"]})  # reuse
    rotated = await app.sql("SELECT 1 FROM auth_token WHERE revoked_reason = 'refresh_reuse'")
    assert rotated, "the reused refresh token revoked its family"
    expired = await app.login(ANDI)
    app.clock.move(hours=2)
    good = await app.login(BUDI)  # still good after the move
    return [
        Caller("nobody", {}, Who.ANONYMOUS),
        Caller("staff", bearer(good), Who.STAFF),
        Caller("scraper", bearer(SCRAPE_TOKEN), Who.SCRAPER),
        Caller("expired", bearer(expired), Who.ANONYMOUS),
        Caller("revoked", bearer(revoked), Who.ANONYMOUS),
        Caller("reused-refresh family", bearer(pair["token"]), Who.ANONYMOUS),
        Caller("garbage", bearer("cst_" + "x" * 43), Who.ANONYMOUS),
        Caller("junk", bearer("' OR 1=1 --"), Who.ANONYMOUS),
        Caller("refresh token as bearer", bearer(pair["refresh_token"]), Who.ANONYMOUS),
    ]


def expected(route: Route, who: Who) -> int | None:
    """401 or 403 when the door refuses `who`; None when it lets it through."""
    if route.access.public or who in route.access.identities:
        return None
    return 401 if who is Who.ANONYMOUS else 403


def test_every_identity_on_every_route(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        # No trusted network: loopback is the attacker's network here.
        async with serve(url, {"web": {"trusted_networks": []}},
                         {"CICERO_METRICS_TOKEN": SCRAPE_TOKEN}) as app:  # fmt: skip
            # Logout last: it ends the staff caller's own token.
            routes = sorted(ROUTES, key=lambda r: r.path == "/api/auth/logout")
            for caller in await callers(app):
                for route in routes:
                    status, body, _ = await app.call(
                        route.method, concrete(route, BUDI), headers=caller.headers,
                        body={} if route.method == "POST" else None,
                    )  # fmt: skip
                    want = expected(route, caller.who)
                    where = f"{caller.name} {route.method} {route.path}: {status} {body}"
                    if want is None:
                        assert not _refused_at_door(status, body), where
                    else:
                        assert status == want, where
                        assert body["error"]["code"] == (
                            "unauthenticated" if want == 401 else "forbidden"
                        ), where

    run(go())


def _refused_at_door(status: int, body: Any) -> bool:
    """A door refusal carries the door's own messages (a failed login's 401 does not)."""
    if not (isinstance(body, dict) and "error" in body):
        return False
    code, message = body["error"]["code"], body["message"]
    return (status, code) == (403, "forbidden") or (
        (status, code) == (401, "unauthenticated") and "login kembali" in message
    )


def test_a_colleague_and_another_client_are_refused(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        async with serve(url) as app:
            budi = await app.login(BUDI)
            refusals = [
                ("GET", f"/api/users/{SITI}", "not_self"),
                ("GET", f"/api/link-reports?shortcode=DAbc001&user_id={SITI}", "not_self"),
                ("GET", "/api/insta/posts?client_id=POLRES_B", "out_of_scope"),
                ("GET", "/api/insta/posts-khusus?client_id=polres_b", "out_of_scope"),
                ("GET", "/api/insta/profile?username=siti_a", "not_self"),
                ("GET", "/api/insta/rapid-profile?username=siti_a", "not_self"),
            ]
            for method, path, code in refusals:
                status, body, _ = await app.call(method, path, token=budi)
                assert (status, body["error"]["code"]) == (403, code), path
            status, body, _ = await app.call(
                "POST", "/api/link-reports",
                {"shortcode": "DAbc001", "user_id": SITI, "instagram_link": "https://instagram.com/p/z"},
                token=budi,
            )  # fmt: skip
            assert (status, body["error"]["code"]) == (403, "not_self")

    run(go())


def test_expiry_at_the_exact_instant(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        async with serve(url) as app:
            token = await app.login(BUDI)
            app.clock.move(hours=2, microseconds=-1)
            assert (await app.call("GET", f"/api/users/{BUDI}", token=token))[0] == 200
            app.clock.move(microseconds=1)
            assert (await app.call("GET", f"/api/users/{BUDI}", token=token))[0] == 401

    run(go())


DASHBOARD = [Who.OPERATOR, Who.DIRECTORATE, Who.OPS, Who.ADMIN]


@pytest.mark.parametrize("who", DASHBOARD)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_dashboard_identities_on_every_route(who: Who, route: Route) -> None:
    caller = Principal(who, "account-1", all_clients=who is Who.ADMIN)
    denial = authorize(caller, route.access, Target())
    if route.access.public or who in route.access.identities:
        assert denial is None
    else:
        assert denial is not None and denial.value == "forbidden"


def test_budget_per_person(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        async with serve(url, {"web": {"gets_per_minute": 3}}) as app:
            token = await app.login(BUDI)
            app.clock.t = app.clock.t.replace(second=10)
            statuses = [
                (await app.call("GET", "/api/insta/posts", token=token))[0] for _ in range(4)
            ]
            assert statuses == [200, 200, 200, 429]
            status, body, headers = await app.call("GET", "/api/insta/posts", token=token)
            assert body["error"]["code"] == "rate_limited" and headers["Retry-After"] == "50"
            app.clock.move(seconds=50)
            assert (await app.call("GET", "/api/insta/posts", token=token))[0] == 200

    run(go())

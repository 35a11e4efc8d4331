"""The authorization matrix, built from the route table: every identity the server can meet
× every route, over real HTTP: the app's bearer tokens (good, expired, revoked, reused,
junk), the scrape token, and the dashboard's cookie sessions of an operator, a directorate,
ops and an admin (with their CSRF token and Origin, so the door is what is tested). A page
refuses a signed-out caller by sending it to /login (303), others with a 403 page.

An allowed caller may still get 4xx from the handler (a bad body); what the matrix asserts
is who is refused at the door, and with which code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cicero.domain.auth.access import Principal, Target, Who, authorize
from cicero.domain.auth.dashboard import Role
from cicero.web.route import Route
from cicero.web.routes import ROUTES
from tests.conftest import fresh_database
from tests.integration.web.app_world import ANDI, BUDI, PASSWORD, SITI, App, run, seeded, serve
from tests.integration.web.dashboard_world import DASH_PASSWORD, code_at, make_account, make_admin

SCRAPE_TOKEN = "scrape-token-for-tests-0123456789"


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    who: Who  # what the server must take it for


def concrete(route: Route, nrp: str) -> str:
    path = route.path.replace("{user_id}", nrp).replace("{account_id}", "999")
    path = path.replace("{platform}", "instagram").replace("{kind}", "routine")
    path = path.replace("{shortcode}", "DAbc001").replace("{nrp}", nrp)
    path = path.replace("{session}", "operator").replace("{job}", "housekeeping")
    path = path.replace("{action}", "resume").replace("{row_id}", "1")
    path = path.replace("{import_id}", "999")
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
        *await dashboard_callers(app),
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


async def dashboard_callers(app: App) -> list[Caller]:
    """A signed-in cookie session of each dashboard identity, with what its page gives a
    script: the session's CSRF token (sent on every request here) and our Origin."""
    await make_account(app.url, "matrix.op", Role.OPERATOR, ("POLRES_A",))
    await make_account(app.url, "matrix.dir", Role.DITBINMAS)
    await make_account(app.url, "matrix.ops", Role.OPS)
    secret = await make_admin(app.url, "matrix.admin")
    origin = str(app.client.make_url("")).rstrip("/")
    out = []
    for name, who in (("matrix.op", Who.OPERATOR), ("matrix.dir", Who.DIRECTORATE),
                      ("matrix.ops", Who.OPS), ("matrix.admin", Who.ADMIN)):  # fmt: skip
        page = await app.client.get("/login")
        form = page.cookies["__Host-cicero-csrf"].value
        body = {"username": name, "password": DASH_PASSWORD}
        if who is Who.ADMIN:
            body["totp"] = code_at(secret, app.clock.now())
        resp = await app.client.post(
            "/api/auth/dashboard-login", json=body,
            headers={"X-CSRF-Token": form, "Origin": origin,
                     "Cookie": f"__Host-cicero-csrf={form}"},
        )  # fmt: skip
        answer = await resp.json()
        assert resp.status == 200, answer
        session = resp.cookies["__Host-cicero"].value
        headers = {"Cookie": f"__Host-cicero={session}", "Origin": origin,
                   "X-CSRF-Token": answer["data"]["csrf_token"]}  # fmt: skip
        out.append(Caller(name, headers, who))
    return out


def expected(route: Route, who: Who) -> int | None:
    """401 or 403 when the door refuses `who` (303 to /login for a page and nobody); None
    when it lets it through."""
    if route.access.public or who in route.access.identities:
        return None
    if route.page and route.method == "GET" and who is Who.ANONYMOUS:
        return 303
    if route.path == "/" and who is Who.OPS:
        return 303  # ops have only the status page: sent there
    return 401 if who is Who.ANONYMOUS else 403


def test_every_identity_on_every_route(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        # No trusted network: loopback is the attacker's network here.
        async with serve(url, {"web": {"trusted_networks": []}},
                         {"CICERO_METRICS_TOKEN": SCRAPE_TOKEN}) as app:  # fmt: skip
            # The caller's own logout last: it ends the caller's session.
            for caller in await callers(app):
                own = (
                    "/api/auth/dashboard-logout"
                    if "Cookie" in caller.headers
                    else "/api/auth/logout"
                )
                routes = sorted(ROUTES, key=lambda r: r.path == own)
                for route in routes:
                    status, body, _ = await app.call(
                        route.method, concrete(route, BUDI), headers=caller.headers,
                        body={} if route.method in ("POST", "DELETE") else None,
                    )  # fmt: skip
                    want = expected(route, caller.who)
                    where = f"{caller.name} {route.method} {route.path}: {status} {body}"
                    if want is None:
                        assert not _refused_at_door(status, body), where
                    elif want == 303:
                        assert status == 303, where
                    elif route.page and route.method == "GET":
                        assert status == want and "Cicero" in body, where
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

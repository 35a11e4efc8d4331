"""A2, A3/A4 and A6 read their first rows in the statement that checks the bearer token
(Route.with_token): the token's rules stay exact there (a revocation, a deactivation or a
role taken away counts from the next request), and A6, which finds its post by the body's
shortcode, answers the same whatever the body's framing: a declared length, chunked, too
large, a shortcode with spaces or given as `post_id`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from tests.conftest import fresh_database
from tests.integration.web.app_world import BUDI, BUDI_TODAY, App, run, seeded, serve

REPORT = "/api/link-reports"


async def reports(app: App) -> list[str]:
    rows = await app.sql(
        "SELECT p.external_id FROM link_report r JOIN post p ON p.id = r.post_id ORDER BY 1"
    )
    return [r["external_id"] for r in rows]


async def chunked(app: App, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    """POST without Content-Length: the body in two chunks."""
    raw = json.dumps(body).encode()

    async def parts() -> AsyncIterator[bytes]:
        yield raw[:10]
        yield raw[10:]

    resp = await app.client.post(
        REPORT, data=parts(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    assert "Content-Length" not in resp.request_info.headers
    return resp.status, await resp.json()


def test_a6_finds_its_post_whatever_the_bodys_framing(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def main() -> None:
        async with serve(url) as app:
            budi = await app.login(BUDI)
            ig = "https://www.instagram.com/p/Fr4ming{}/"
            status, body = await chunked(
                app, budi, {"shortcode": "DAbc001", "instagram_link": ig.format(1)}
            )
            assert status == 201 and body["data"]["shortcode"] == "DAbc001", body
            # The shortcode by its alias, with spaces around it: the same post.
            status, body, _ = await app.call(
                "POST", REPORT, {"post_id": " DAbc002 ", "instagram_link": ig.format(2)},
                token=budi,
            )  # fmt: skip
            assert status == 201 and body["data"]["shortcode"] == "DAbc002", body
            # `shortcode` wins over `post_id`, as the handler reads them.
            status, body, _ = await app.call(
                "POST", REPORT,
                {"shortcode": "DAbc003", "post_id": "DAbc0T1", "instagram_link": ig.format(3)},
                token=budi,
            )  # fmt: skip
            assert status == 201 and body["data"]["shortcode"] == "DAbc003", body
            # Not a task of the caller (another client's post): 404, nothing stored.
            status, body, _ = await app.call(
                "POST", REPORT, {"shortcode": "DAbc0B1", "instagram_link": ig.format(4)},
                token=budi,
            )  # fmt: skip
            assert (status, body["error"]["code"]) == (404, "not_found")
            # A body of the wrong shape is the handler's 400, with the token good.
            for raw in (b'{"shortcode": 7}', b"[1]", b"{no json", b"\xff\xfe"):
                status, body, _ = await app.call("POST", REPORT, raw=raw, token=budi)
                assert (status, body["error"]["code"]) == (400, "bad_request"), raw
            # Too large: 413 before anything is read into a report.
            huge = {"shortcode": "DAbc0T1", "instagram_link": ig.format(5) + "x" * 70_000}
            status, body, _ = await app.call("POST", REPORT, huge, token=budi)
            assert (status, body["error"]["code"]) == (413, "too_large")
            assert await reports(app) == ["DAbc001", "DAbc002", "DAbc003"]

    run(main())


def test_the_token_rules_stay_exact_with_the_first_query(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def main() -> None:
        async with serve(url) as app:
            budi = await app.login(BUDI)

            async def shortcodes() -> tuple[int, list[str]]:
                status, body, _ = await app.call("GET", "/api/insta/posts", token=budi)
                return status, [p["shortcode"] for p in body["data"]] if status == 200 else []

            assert await shortcodes() == (200, BUDI_TODAY)
            # A role taken away counts from the next request: no more directorate posts.
            await app.sql("DELETE FROM staff_role WHERE nrp = $1 AND role_name = 'ditbinmas'", BUDI)
            assert await shortcodes() == (200, ["DAbc003", "DAbc001"])
            status, body, _ = await app.call("GET", f"/api/users/{BUDI}", token=budi)
            assert status == 200 and body["data"]["roles"] == ["operator"]
            # Deactivated: 401 at once on every call that reads with the token.
            await app.sql("UPDATE staff SET active = false WHERE nrp = $1", BUDI)
            calls = [("GET", "/api/insta/posts", None), ("GET", "/api/insta/posts-khusus", None),
                     ("GET", f"/api/users/{BUDI}", None),
                     ("POST", REPORT, {"shortcode": "DAbc001",
                                       "instagram_link": "https://instagram.com/p/Late/"})]  # fmt: skip
            for method, path, sent in calls:
                status, body, _ = await app.call(method, path, sent, token=budi)
                assert (status, body["error"]["code"]) == (401, "unauthenticated"), path
            await app.sql("UPDATE staff SET active = true WHERE nrp = $1", BUDI)
            budi = await app.login(BUDI)
            assert (await shortcodes())[0] == 200
            # Logged out: revoked from the next request on.
            status, _, _ = await app.call("POST", "/api/auth/logout", token=budi)
            assert status == 200
            for method, path, sent in calls:
                status, body, _ = await app.call(method, path, sent, token=budi)
                assert (status, body["error"]["code"]) == (401, "unauthenticated"), path
            # Expiry on the runtime's clock, exactly: good until the instant, not at it.
            budi = await app.login(BUDI)
            expires = (await app.sql(
                "SELECT expires_at FROM auth_token WHERE revoked_at IS NULL"))[0]["expires_at"]  # fmt: skip
            app.clock.t = expires - timedelta(microseconds=1)
            assert (await shortcodes())[0] == 200
            app.clock.t = expires
            assert (await shortcodes())[0] == 401
            assert await reports(app) == []

    run(main())

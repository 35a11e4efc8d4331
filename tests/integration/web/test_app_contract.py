"""The app's contract (api.md §2): its exact requests — bearer, repeated `links[]`, keys that
org.json drops — replayed over real HTTP against embedded PostgreSQL, and every answer read
the way Android's org.json reads it, along login → profile → posts → special posts → report
→ replay → conflict → duplicate check → lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from cicero.domain.timezone import WIB
from tests.conftest import fresh_database
from tests.integration.web.app_world import (
    ANDI,
    BUDI,
    BUDI_TODAY,
    FAJAR,
    SITI,
    App,
    run,
    seeded,
    serve,
)  # fmt: skip


class OrgJson:
    """What the app's parsing sees: optString gives "" for a missing key and the text
    "null" for JSON null; getJSONArray fails on anything but an array."""

    @staticmethod
    def opt_string(obj: dict[str, Any], key: str) -> str:
        if key not in obj:
            return ""
        value = obj[key]
        return (
            "null"
            if value is None
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )

    @staticmethod
    def array(obj: dict[str, Any], key: str) -> list[Any]:
        value = obj[key]
        assert isinstance(value, list), (
            f"{key} is not a JSON array: the app says 'connection failed'"
        )
        return value


def no_null_strings(item: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        assert OrgJson.opt_string(item, key) != "null", key


def wib(text: str) -> datetime:
    assert text.endswith("+07:00"), text
    return datetime.fromisoformat(text)


def app_report(shortcode: str, **links: str) -> dict[str, str]:
    """The body the app builds: JSONObject.put(k, null) drops the key, so only filled links."""
    body = {"shortcode": shortcode, "user_id": BUDI}
    body.update({f"{k}_link": v for k, v in links.items()})
    return body


POST_KEYS = ["shortcode", "caption", "image_url", "thumbnail_url", "video_url", "source_url",
             "created_at", "client_id"]  # fmt: skip
REPORT_KEYS = ["shortcode", "user_id", "instagram_link", "facebook_link", "twitter_link",
               "tiktok_link", "youtube_link", "created_at", "caption", "image_url"]  # fmt: skip


def test_the_apps_day(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go(app: App) -> None:
        token = await app.login(BUDI)
        # Splash check / profile
        status, body, headers = await app.call("GET", f"/api/users/{BUDI}", token=token)
        assert status == 200 and body["success"] is True and headers["Cache-Control"] == "no-store"
        me = body["data"]
        assert (me["user_id"], me["nama"], me["title"], me["client_id"], me["status"]) == (
            BUDI, "BUDI SANTOSO", "BRIPKA", "POLRES_A", True)  # fmt: skip
        no_null_strings(me, ["nama", "title", "divisi", "jabatan", "insta", "tiktok", "desa"])
        assert me["desa"] == "" and me["roles"] == ["ditbinmas", "operator"]
        # Today's posts: own client + the directorate of a held role + its tagged post, in order
        status, body, _ = await app.call("GET", "/api/insta/posts?client_id=polres_a", token=token)
        posts = OrgJson.array(body, "data")
        assert [p["shortcode"] for p in posts] == BUDI_TODAY
        for p in posts:
            no_null_strings(p, POST_KEYS)
            assert wib(p["created_at"]).date().isoformat() == "2026-11-23"
        first = next(p for p in posts if p["shortcode"] == "DAbc001")
        assert first["is_carousel"] is True and first["image_url"].endswith("t1.jpg")
        assert first["source_url"] == "https://www.instagram.com/p/DAbc001/"
        midnight = next(p for p in posts if p["shortcode"] == "DAbc003")
        assert midnight["caption"] == "" and midnight["created_at"] == "2026-11-23T00:00:00+07:00"
        assert "like_count" not in next(p for p in posts if p["shortcode"] == "DAbc002")
        status, body, _ = await app.call("GET", "/api/insta/posts", token=token)
        assert [p["shortcode"] for p in OrgJson.array(body, "data")] == BUDI_TODAY
        status, body, _ = await app.call("GET", "/api/insta/posts-khusus", token=token)
        assert [p["shortcode"] for p in OrgJson.array(body, "data")] == ["DAbcS01"]
        # Nothing reported yet
        status, body, _ = await app.call("GET", "/api/link-reports", token=token)
        assert status == 200 and OrgJson.array(body, "data") == []
        # Report the links of DAbc001
        links = {"instagram": "https://www.instagram.com/p/Rep0st1/?igsh=abc",
                 "facebook": "Lihat https://m.facebook.com/story.php?story_fbid=42&id=7&ref=x",
                 "twitter": "https://x.com/budi/status/1"}  # fmt: skip
        status, body, _ = await app.call(
            "POST", "/api/link-reports", app_report("DAbc001", **links), token=token
        )
        assert status == 201, body
        stored = body["data"]
        no_null_strings(stored, REPORT_KEYS)
        assert (
            stored["facebook_link"] == "https://m.facebook.com/story.php?story_fbid=42&id=7&ref=x"
        )
        assert stored["tiktok_link"] == "" and stored["youtube_link"] == ""
        assert wib(stored["created_at"]) == datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
        # The answer was lost; the app sends the same body again: 200, the stored report
        status, body, _ = await app.call(
            "POST", "/api/link-reports", app_report("DAbc001", **links), token=token
        )
        assert status == 200 and body["data"] == stored
        # A different second report for the same post: 409
        status, body, _ = await app.call(
            "POST", "/api/link-reports",
            app_report("DAbc001", instagram="https://instagram.com/p/Other/"), token=token,
        )  # fmt: skip
        assert status == 409 and body["error"]["code"] == "report_exists"
        # A colleague reports the same repost (another spelling) for another post: duplicate
        siti = await app.login(SITI)
        status, body, _ = await app.call(
            "POST", "/api/link-reports",
            {"shortcode": "DAbc003", "instagram_link": "https://instagram.com/p/Rep0st1"},
            token=siti,
        )  # fmt: skip
        assert status == 409 and body["error"]["code"] == "link_duplicate"
        assert body["duplicates"] == ["https://instagram.com/p/Rep0st1"]
        # The app's duplicate check: repeated links[]
        query = urlencode([("links[]", "https://www.instagram.com/p/Rep0st1/"),
                           ("links[]", "https://www.tiktok.com/@budi/video/9")])  # fmt: skip
        status, body, _ = await app.call("GET", f"/api/link-reports?{query}", token=siti)
        assert OrgJson.array(body, "data") == []
        assert body["duplicates"] == ["https://www.instagram.com/p/Rep0st1/"]
        # (b) one post's report, (a) own reports
        status, body, _ = await app.call(
            "GET", f"/api/link-reports?shortcode=DAbc001&user_id={BUDI}", token=token
        )
        assert OrgJson.array(body, "data") == [stored]
        status, body, _ = await app.call(
            "GET", "/api/link-reports?shortcode=DAbc002&user_id=" + BUDI, token=token
        )
        assert OrgJson.array(body, "data") == []
        status, body, _ = await app.call("GET", "/api/link-reports", token=token)
        assert [r["shortcode"] for r in OrgJson.array(body, "data")] == ["DAbc001"]
        status, body, _ = await app.call("GET", "/api/link-reports", token=siti)
        assert OrgJson.array(body, "data") == []  # own reports only (W6)
        # Special task: Instagram link required
        status, body, _ = await app.call(
            "POST", "/api/link-reports-khusus",
            app_report("DAbcS01", facebook="https://facebook.com/watch?v=5"), token=token,
        )  # fmt: skip
        assert status == 422 and body["error"]["fields"] == {
            "instagram_link": "wajib untuk tugas khusus"
        }
        status, body, _ = await app.call(
            "POST", "/api/link-reports-khusus",
            app_report("DAbcS01", instagram="https://instagram.com/reel/Sp3cial"), token=token,
        )  # fmt: skip
        assert status == 201
        status, body, _ = await app.call("GET", "/api/link-reports-khusus", token=token)
        assert [r["shortcode"] for r in OrgJson.array(body, "data")] == ["DAbcS01"]

    async def main() -> None:
        async with serve(url) as app:
            await go(app)

    run(main())


def test_submission_rules(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def main() -> None:
        async with serve(url) as app:
            andi = await app.login(ANDI)
            post = "/api/link-reports"

            async def send(body: dict[str, Any]) -> tuple[int, Any]:
                status, answer, _ = await app.call("POST", post, body, token=andi)
                return status, answer

            ig = "https://instagram.com/p/AndiRepost/"
            cases = [
                ({"shortcode": "DAbc0B1"}, 422, "no_links"),
                ({"shortcode": "DAbc0B1", "instagram_link": "http://instagram.com/p/x"}, 422, "invalid_link"),
                ({"shortcode": "DAbc0B1", "instagram_link": "javascript:alert(1)"}, 422, "invalid_link"),
                ({"shortcode": "DAbc0B1", "instagram_link": "https://instаgram.com/p/x"}, 422, "invalid_link"),
                ({"shortcode": "DAbc0B1", "instagram_link": "https://xn--instgram-9fg.com/p/x"}, 422, "invalid_link"),
                ({"shortcode": "DAbc0B1", "instagram_link": "https://instagram.com.evil.io/p/x"}, 422, "invalid_link"),
                ({"shortcode": "DAbc0B1", "instagram_link": "https://instagram.com@evil.io/p/x"}, 422, "invalid_link"),
                ({"shortcode": "DAbc0B1", "facebook_link": ig}, 422, "invalid_link"),
                ({"shortcode": "DAbc0B1", "instagram_link": ig, "tiktok_link": ig}, 422, "invalid_link"),
                ({"shortcode": "DAbc001", "instagram_link": ig}, 404, "not_found"),  # another client's
                ({"shortcode": "DAbc0C1", "instagram_link": ig}, 404, "not_found"),
                ({"shortcode": "nope", "instagram_link": ig}, 404, "not_found"),
                ({"instagram_link": ig}, 400, "bad_request"),
                ({"shortcode": "DAbc0B1", "user_id": BUDI, "instagram_link": ig}, 403, "not_self"),
                ({"shortcode": "DAbc0B1", "client_id": "POLRES_A", "instagram_link": ig}, 403, "out_of_scope"),
                ({"shortcode": "DAbc0B1", "instagram_link": None}, 400, "bad_request"),
                ({"shortcode": "DAbc0B1", "instagram_link": ig, "extra": "x"}, 400, "bad_request"),
                ({"shortcode": "DAbc0B1", "instagram_link": ["x"]}, 400, "bad_request"),
            ]  # fmt: skip
            for body, status, code in cases:
                got, answer = await send(body)
                assert (got, answer["error"]["code"]) == (status, code), body
            assert await app.sql("SELECT * FROM link_report") == []
            # Three links at once
            got, answer = await send({"shortcode": "DAbc0B1", "instagram_link": ig,
                                      "twitter_link": "https://x.com/a", "facebook_link":
                                      "https://facebook.com/a"})  # fmt: skip
            assert got == 201, answer
            # The window: 48 h after the post, then closed
            app.clock.move(days=2)
            andi = await app.login(ANDI)
            got, answer = await send(
                {"shortcode": "DAbc0T1", "instagram_link": "https://instagram.com/p/late"}
            )
            assert (got, answer["error"]["code"]) == (422, "window_closed")

    run(main())


def test_a_post_from_just_before_midnight_is_not_today_but_still_reportable(
    pg_server: object,
) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def main() -> None:
        async with serve(url) as app:
            budi = await app.login(BUDI)
            status, body, _ = await app.call("GET", "/api/insta/posts", token=budi)
            assert "DAbc000" not in [p["shortcode"] for p in body["data"]]
            status, body, _ = await app.call(
                "POST", "/api/link-reports",
                {"shortcode": "DAbc000", "instagram_link": "https://instagram.com/p/yesterday"},
                token=budi,
            )  # fmt: skip
            assert status == 201
            status, body, _ = await app.call(
                "POST", "/api/link-reports",
                {"shortcode": "DAbcOLD", "instagram_link": "https://instagram.com/p/old"},
                token=budi,
            )  # fmt: skip
            assert (status, body["error"]["code"]) == (422, "window_closed")
            fajar = await app.login(FAJAR)  # a client without amplification: no tasks
            status, body, _ = await app.call("GET", "/api/insta/posts", token=fajar)
            assert body["data"] == []

    run(main())

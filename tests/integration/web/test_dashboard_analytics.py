"""Analytics in the dashboard (issue 17 item 1) over real HTTP on embedded PostgreSQL: the
figures of tests/integration/web/analytics_world.py worked out by hand, the same in the JSON,
the page and the Excel file (a formula-looking caption stays text); no upstream request for
any of them; and the bad input and scope refusals of api.md §5."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from cicero.db.connect import connect
from cicero.domain.auth.dashboard import Role
from cicero.domain.people.usernames import Platform
from cicero.sim.upstream.server import FakeUpstream
from cicero.sim.upstream.world import UpstreamWorld
from tests.conftest import fresh_database
from tests.integration.web.analytics_world import FORMULA, NOW, seed
from tests.integration.web.app_world import Clock, run
from tests.integration.web.dashboard_world import Browser, make_account, serve_dashboard

DAY = "platform=instagram&date=2026-02-06"


@pytest.fixture(scope="module")
def url(pg_server: object) -> str:
    url = fresh_database(pg_server)

    async def go() -> None:
        conn = await connect(url)
        try:
            await seed(conn)
        finally:
            await conn.close()
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",))
        await make_account(url, "dit.binmas", Role.DITBINMAS)
        await make_account(url, "op.dit", Role.OPERATOR, ("DITBINMAS",))

    run(go())
    return url


async def signed_in(served: Any, username: str) -> Browser:
    b = served.browser()
    assert (await b.login(username))[0] == 200
    return b


async def analytics(b: Browser, query: str) -> dict[str, Any]:
    status, body, _ = await b.request("GET", f"/api/analytics?{query}")
    assert status == 200, body
    return dict(body["data"])


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in ("posts", "likes", "comments", "views", "shares", "interactions"))


def sheet(xlsx: bytes, title: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [tuple(c.value for c in r) for r in book[title].iter_rows()]


def test_a_client_on_one_day(url: str) -> None:
    async def go() -> None:
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            b = await signed_in(served, "op.polresa")
            data = await analytics(b, f"client_id=POLRES_A&{DAY}")
            assert data["period"] == {"kind": "day", "from": "2026-02-06", "to": "2026-02-06"}
            # A4 is removed upstream and A5 a special task: neither counts.
            assert [p["shortcode"] for p in data["posts"]] == ["A2", "A3"]
            (account,) = data["accounts"]
            assert account["client_id"] == "POLRES_A" and account["handle"] == "polres_a"
            assert figures(account) == (2, 250, 25, 900, None, 275)  # Instagram gives no shares
            assert account["followers"] == 1100
            assert account["engagement_rate"] == 0.25 and account["rate_per_post"] == 0.125
            a2, a3 = data["posts"]
            assert (a2["interactions"], a2["followers"], a2["engagement_rate"]) == (55, 1100, 0.05)
            assert (a3["interactions"], a3["engagement_rate"]) == (220, 0.2)
            assert a2["url"] == "https://www.instagram.com/p/A2" and a2["caption"] == FORMULA
            assert a2["posted_at"] == "2026-02-06T09:00:00+07:00"
            assert [p["shortcode"] for p in data["top"]] == ["A3", "A2"]
            assert data["bottom"] == []  # two posts: both are the top
            (day,) = data["days"]
            assert day["date"] == "2026-02-06" and figures(day) == figures(account)
            assert data["totals"]["engagement_rate"] == 0.25 and data["followers_missing"] == []

    run(go())


def test_a_week_takes_each_posts_followers_of_its_own_day(url: str) -> None:
    async def go() -> None:
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            b = await signed_in(served, "op.polresa")
            data = await analytics(b, f"client_id=POLRES_A&{DAY}&period=week")
            assert (data["period"]["from"], data["period"]["to"]) == ("2026-02-02", "2026-02-08")
            a1 = data["posts"][0]
            # 5 Feb: the latest count on or before it is 4 Feb's 1,000.
            assert (a1["shortcode"], a1["followers"], a1["engagement_rate"]) == ("A1", 1000, 0.11)
            (account,) = data["accounts"]
            assert figures(account) == (3, 350, 35, 900, None, 385)
            assert account["followers"] == 1100 and account["engagement_rate"] == 0.35
            days = {d["date"]: figures(d) for d in data["days"]}
            assert len(days) == 7 and days["2026-02-05"] == (1, 100, 10, None, None, 110)
            assert days["2026-02-02"] == (0, None, None, None, None, 0)
            # A range of the same days is the same value.
            ranged = await analytics(b, "client_id=POLRES_A&from=2026-02-02&to=2026-02-08")
            assert ranged["accounts"] == data["accounts"] and ranged["posts"] == data["posts"]
            tiktok = await analytics(b, "client_id=POLRES_A&platform=tiktok&date=2026-02-06")
            (account,) = tiktok["accounts"]
            assert figures(account) == (1, 10, 2, 100, 1, 13) and account["engagement_rate"] == 0.065

    run(go())


def test_a_directorate_shows_its_clients_side_by_side(url: str) -> None:
    async def go() -> None:
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            b = await signed_in(served, "dit.binmas")
            data = await analytics(b, f"client_id=DITBINMAS&{DAY}")
            rows = {a["client_id"]: a for a in data["accounts"]}
            assert list(rows) == ["DITBINMAS", "POLRES_A", "POLRES_B"]  # not POLRES_C
            assert figures(rows["DITBINMAS"]) == (1, 400, 40, None, None, 440)
            assert rows["DITBINMAS"]["followers"] == 5000  # fetched 31 Jan: still the latest
            assert rows["DITBINMAS"]["engagement_rate"] == 0.088
            assert figures(rows["POLRES_A"]) == (2, 250, 25, 900, None, 275)
            assert rows["POLRES_B"]["followers"] is None
            assert rows["POLRES_B"]["engagement_rate"] is None
            assert figures(data["totals"]) == (4, 680, 68, 900, None, 748)
            assert data["totals"]["engagement_rate"] is None  # POLRES_B's followers are unknown
            assert data["followers_missing"] == ["POLRES_B"]
            assert [p["shortcode"] for p in data["top"]] == ["D1", "A3", "A2", "B1"]
            b1 = next(p for p in data["posts"] if p["shortcode"] == "B1")
            assert b1["engagement_rate"] is None and b1["client_id"] == "POLRES_B"

            status, html, _ = await b.request("GET", f"/analitik/instagram?client_id=DITBINMAS&{DAY}")
            assert status == 200
            assert '<b data-angka="interaksi">748</b>' in html and '<b data-angka="likes">680</b>' in html
            assert html.count('<svg class="grafik"') == 2  # the trend and the side by side
            assert "Perbandingan akun" in html
            assert "Jumlah pengikut belum diketahui untuk POLRES B:" in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html

    run(go())


def test_side_by_side_shows_only_the_clients_the_caller_may_read(url: str) -> None:
    async def go() -> None:
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            # An operator whose one client is the directorate: its own account, not its satkers'.
            b = await signed_in(served, "op.dit")
            data = await analytics(b, f"client_id=DITBINMAS&{DAY}")
            assert [a["client_id"] for a in data["accounts"]] == ["DITBINMAS"]
            assert [p["shortcode"] for p in data["posts"]] == ["D1"]
            status, body, _ = await b.request("GET", f"/api/analytics?client_id=POLRES_A&{DAY}")
            assert (status, body["error"]["code"]) == (403, "out_of_scope")
            # A directorate reads its satkers, not a client outside it.
            d = await signed_in(served, "dit.binmas")
            status, body, _ = await d.request("GET", f"/api/analytics?client_id=POLRES_C&{DAY}")
            assert (status, body["error"]["code"]) == (403, "out_of_scope")
            data = await analytics(d, f"client_id=POLRES_A&{DAY}")
            assert [a["client_id"] for a in data["accounts"]] == ["POLRES_A"]

    run(go())


def test_the_excel_file_holds_the_same_figures_and_no_formula(url: str) -> None:
    async def go() -> None:
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            b = await signed_in(served, "dit.binmas")
            query = f"client_id=DITBINMAS&{DAY}"
            data = await analytics(b, query)
            status, xlsx, headers = await b.request("GET", f"/api/exports/analytics.xlsx?{query}")
            assert status == 200
            assert "Analitik_Instagram_DITBINMAS_Jumat_06-02-2026_17-00-00.xlsx" in \
                headers["Content-Disposition"]  # fmt: skip
            accounts = sheet(xlsx, "Akun")[1:]
            assert [r[2] for r in accounts] == [a["client_id"] for a in data["accounts"]]
            for r, a in zip(accounts, data["accounts"], strict=True):
                assert tuple(None if v == "" else v for v in r[5:11]) == figures(a)
                assert r[11] == (None if a["engagement_rate"] is None
                                 else pytest.approx(a["engagement_rate"] * 100))  # fmt: skip
            posts = sheet(xlsx, "Konten")[1:]
            assert [r[4].rsplit("/", 1)[-1] for r in posts] == [p["shortcode"] for p in data["posts"]]
            book = openpyxl.load_workbook(io.BytesIO(xlsx))
            formula = next(c for row in book["Konten"].iter_rows() for c in row if c.value == FORMULA)
            assert formula.data_type == "s"  # text, never a formula
            assert "<f>" not in xlsx.decode("latin-1")
            summary = dict(sheet(xlsx, "Ringkasan")[1:])
            assert (summary["Konten"], summary["Interaksi"]) == (4, 748)
            assert [r[0] for r in sheet(xlsx, "Teratas")[1:]] == [1, 2, 3, 4]

    run(go())


def test_no_upstream_request_for_any_view(url: str) -> None:
    async def go() -> None:
        async with FakeUpstream(UpstreamWorld(), now=lambda: NOW) as fake:
            overrides = {"upstream": {"instagram_url": fake.base_url(Platform.INSTAGRAM),
                                      "tiktok_url": fake.base_url(Platform.TIKTOK)}}  # fmt: skip
            async with serve_dashboard(url, overrides, Clock(NOW)) as served:
                b = await signed_in(served, "dit.binmas")
                for platform in ("instagram", "tiktok"):
                    for period in ("day", "week", "month"):
                        q = f"client_id=DITBINMAS&platform={platform}&period={period}&date=2026-02-06"
                        for path in ("/api/analytics", f"/analitik/{platform}",
                                     "/api/exports/analytics.xlsx"):  # fmt: skip
                            status, _, _ = await b.request("GET", f"{path}?{q}")
                            assert status == 200, path
            assert fake.log == []

    run(go())


def test_bad_input_and_other_clients_are_refused(url: str) -> None:
    async def go() -> None:
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            b = await signed_in(served, "op.polresa")
            for query, status_code, code in (
                ("from=2026-01-01&to=2026-02-06", 422, "invalid"),  # 37 days
                ("from=2026-02-06&to=2026-02-01", 422, "invalid"),  # backwards
                ("period=year", 400, "bad_request"),
                ("date=6-2-2026", 400, "bad_request"),
                ("platform=facebook", 400, "bad_request"),
                ("client_id=POLRES_B", 403, "out_of_scope"),
                ("client_id=DITBINMAS", 403, "out_of_scope"),
                ("client_id=" + "X" * 5000, 403, "out_of_scope"),
            ):
                for path in ("/api/analytics", "/api/exports/analytics.xlsx", "/analitik/instagram"):
                    if path.startswith("/analitik") and query.startswith("platform"):
                        continue  # a page's platform is its path
                    status, body, _ = await b.request("GET", f"{path}?{query}")
                    assert status == status_code, (path, query, body)
                    if isinstance(body, dict):
                        assert body["error"]["code"] == code
            # 31 days is the most a range may span.
            status, body, _ = await b.request("GET", "/api/analytics?from=2026-01-07&to=2026-02-06")
            assert status == 200 and len(body["data"]["days"]) == 31
            status, _, _ = await b.request("GET", "/analitik/facebook")
            assert status == 404
            # The default client is the sole one in scope; an empty form's range is no range.
            data = await analytics(b, "period=day&date=2026-02-06&from=&to=")
            assert data["client"]["client_id"] == "POLRES_A" and len(data["posts"]) == 2

    run(go())

"""The analytics pages in a real browser (issue 17 items 1 and 4): a directorate's figures and
charts on tests/integration/web/analytics_world.py, the period form (week, a range, one over
31 days refused), paging to the next period, the Excel download read back, the nav's TikTok
page, and an operator refused another client. Every page is watched for console errors and
failed requests, and every request a page makes must go to a path of the route table."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
from playwright.sync_api import Page, Request, expect

from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.domain.auth.dashboard import Role
from cicero.web.routes import ROUTES
from tests.browser.live import live_app, off_thread
from tests.conftest import fresh_database
from tests.integration.web.analytics_world import FORMULA, NOW, seed
from tests.integration.web.app_world import Clock
from tests.integration.web.dashboard_world import DASH_PASSWORD, make_account

DIR = "/analitik/instagram?client_id=DITBINMAS&date=2026-02-06"
ROUTED = [(r.method, re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(r.path)) + "$"))
          for r in ROUTES]  # fmt: skip


def unrouted(requests: list[Request], base: str) -> list[str]:
    """The requests that left the app or went to a method and path no route declares."""
    wrong = []
    for r in requests:
        url = urlsplit(r.url)
        if f"{url.scheme}://{url.netloc}" != base or not any(
            m == r.method and rx.match(url.path) for m, rx in ROUTED
        ):
            wrong.append(f"{r.method} {r.url}")
    return wrong


@pytest.fixture
def world(pg_server: object) -> Any:
    url = fresh_database(pg_server)

    async def go() -> None:
        conn = await connect(url)
        try:
            await seed(conn)
        finally:
            await conn.close()
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",))
        await make_account(url, "dit.binmas", Role.DITBINMAS)

    off_thread(go)
    with live_app(url, load_settings({}), lambda: (None, 0.2), Clock(NOW).now) as base:
        yield base


def sign_in(page: Page, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", DASH_PASSWORD)
    page.click("button[type=submit]")


def figure(page: Page, name: str) -> str:
    return page.locator(f'#ringkasan [data-angka="{name}"]').inner_text()


def test_a_directorate_reads_its_analytics(world: str, watched: Any) -> None:
    page, watch = watched(world)
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    page.goto(DIR)  # signed out: to the login page, and back after it
    expect(page).to_have_url(re.compile(r"/login\?next="))
    sign_in(page, "dit.binmas")
    expect(page).to_have_url(re.compile(r"/analitik/instagram\?client_id=DITBINMAS"))
    assert (figure(page, "konten"), figure(page, "likes"), figure(page, "interaksi")) == (
        "4", "680", "748")  # fmt: skip
    assert figure(page, "share") == "–" and figure(page, "er") == "–"  # POLRES_B: no followers
    expect(page.locator("#pengikut-kosong")).to_contain_text("POLRES B")
    clients = page.locator("#akun tr[data-client]").evaluate_all("rs => rs.map(r => r.dataset.client)")
    assert clients == ["DITBINMAS", "POLRES_A", "POLRES_B"]
    expect(page.locator('#akun tr[data-client="POLRES_A"]')).to_contain_text("25,00%")
    expect(page.locator("svg.grafik")).to_have_count(2)  # the daily trend, the side by side
    top = page.locator("#teratas tr[data-konten]").evaluate_all("rs => rs.map(r => r.dataset.konten)")
    assert top == ["D1", "A3", "A2", "B1"]
    expect(page.get_by_text("<script>alert(1)</script> Jumat Curhat").first).to_be_visible()

    # A week, from the form.
    page.select_option("select[name=period]", "week")
    page.click("form.saring button[type=submit]")
    expect(page).to_have_url(re.compile(r"period=week"))
    expect(page.locator("#harian tr[data-tanggal]")).to_have_count(7)
    assert figure(page, "konten") == "5"  # A1 of 5 February joins
    # A range over 31 days is refused in words; one within it is shown.
    watch.expect(422, "/analitik/instagram")
    page.fill("input[name=from]", "2026-01-01")
    page.fill("input[name=to]", "2026-02-06")
    page.click("form.saring button[type=submit]")
    expect(page.locator("main")).to_contain_text("lebih dari 31 hari")
    page.goto(DIR)
    page.fill("input[name=from]", "2026-02-05")
    page.fill("input[name=to]", "2026-02-06")
    page.click("form.saring button[type=submit]")
    expect(page.locator("#harian tr[data-tanggal]")).to_have_count(2)
    assert figure(page, "konten") == "5"
    page.click("text=berikutnya →")  # the two days after: nothing posted yet
    expect(page.locator("#harian tr[data-tanggal]").first).to_have_attribute("data-tanggal", "2026-02-07")
    assert figure(page, "konten") == "0"
    expect(page.locator("main")).to_contain_text("Tidak ada konten pada periode ini.")

    # The Excel download holds the same figures; the formula-looking caption is text.
    page.goto(DIR)
    with page.expect_download() as download:
        page.click("text=Unduh Excel")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert download.value.suggested_filename.startswith("Analitik_Instagram_DITBINMAS_")
    summary = {r[0]: r[1] for r in book["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert (summary["Konten"], summary["Likes"], summary["Interaksi"]) == (4, 680, 748)
    cells = [c for row in book["Konten"].iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)

    # The nav's TikTok page: the directorate's scope (the first in scope), today, on TikTok:
    # POLRES_A's one video; DITBINMAS's own account has none.
    page.click("nav >> text=Analitik TikTok")
    expect(page).to_have_url(re.compile(r"/analitik/tiktok$"))
    assert (figure(page, "konten"), figure(page, "likes"), figure(page, "share")) == ("1", "10", "1")
    page.goto("/analitik/tiktok?client_id=POLRES_A&date=2026-02-06")
    assert (figure(page, "konten"), figure(page, "interaksi"), figure(page, "er")) == (
        "1", "13", "6,50%")  # fmt: skip
    assert unrouted(requests, world) == []
    assert len(requests) > 10


def test_an_operator_sees_its_own_client_only(world: str, watched: Any) -> None:
    page, watch = watched(world)
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    page.goto("/login")
    sign_in(page, "op.polresa")
    expect(page).to_have_url(re.compile(r"/$"))
    page.click("nav >> text=Analitik Instagram")
    expect(page).to_have_url(re.compile(r"/analitik/instagram$"))
    expect(page.locator("select[name=client_id]")).to_have_count(0)  # one client in scope
    expect(page.locator("#akun tr[data-client]")).to_have_count(1)
    watch.expect(403, "/analitik/instagram?client_id=POLRES_B")
    watch.expect(403, "/api/analytics?client_id=DITBINMAS")
    page.goto("/analitik/instagram?client_id=POLRES_B&date=2026-02-06")
    expect(page.locator("main")).to_contain_text("kewenangan")
    status = page.evaluate(
        "() => fetch('/api/analytics?client_id=DITBINMAS').then(r => r.json().then(b => [r.status, b.error.code]))"
    )
    assert status == [403, "out_of_scope"]
    assert unrouted(requests, world) == []

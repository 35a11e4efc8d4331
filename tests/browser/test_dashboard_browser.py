"""The dashboard in a real browser (api.md §5 tests (4)): login, lockout, TOTP, data.md §4.8's
examples A and B on the attendance pages, "Salin rekap", the Excel download read back,
registration and approval, /status with a simulated session's QR turning "Siap", and a
CSRF-less POST refused. Every page is watched for console errors and failed requests."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.domain.auth.dashboard import Role
from tests.browser.live import live_app, off_thread
from tests.conftest import fresh_database
from tests.integration.web.app_world import Clock
from tests.integration.web.dashboard_world import DASH_PASSWORD, code_at, make_account, make_admin
from tests.integration.web.examples_world import B_ORDER, NOW, seed

A = "/absensi/instagram?client_id=POLRES_A&date=2026-02-06"
B = "/absensi/tiktok?client_id=DITBINMAS&date=2026-02-06"
QR_1, QR_2 = "2@firstCODE,abc,def,ghi", "2@secondCODE,jkl,mno,pqr"


def session_report(state: str, qr: str = "") -> dict[str, Any]:
    """A simulated session's status report, as the session actor sends it."""
    report = {"session": "operator", "state": state, "reason": "", "qr": qr, "jid": "",
              "since": "2026-02-06T16:58:00+07:00", "attempt": 0}  # fmt: skip
    return {"escalated": "", "actors": {},
            "reports": {"session:operator": report,
                        "clock": {"buckets": {"always": True, "operator": state == "ready"}}}}  # fmt: skip


@pytest.fixture
def world(pg_server: object) -> dict[str, Any]:
    url = fresh_database(pg_server)

    async def go() -> str:
        conn = await connect(url)
        try:
            await seed(conn)
        finally:
            await conn.close()
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",))
        await make_account(url, "dit.binmas", Role.DITBINMAS)
        return await make_admin(url, "admin.satu")

    secret = off_thread(go)
    state: dict[str, Any] = {"snapshot": session_report("pairing", QR_1)}
    clock = Clock(NOW)
    settings = load_settings({}, overrides={"jobs": {"org_engagement_recap": {"params": {"done_ratio": 1}}}})
    with live_app(url, settings, lambda: (state["snapshot"], 0.2), clock.now) as base:
        yield {"url": url, "base": base, "secret": secret, "state": state, "clock": clock}


def sign_in(page: Page, username: str, password: str = DASH_PASSWORD, totp: str = "") -> None:
    if "/login" not in page.url:
        page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    if totp:
        page.fill("#totp", totp)
    page.click("button[type=submit]")


def numbers(page: Page) -> dict[str, str]:
    return {name: page.locator(f'[data-angka="{name}"]').inner_text()
            for name in ("konten", "sudah", "kurang", "belum", "tanpa_username", "total")}  # fmt: skip


def test_login_attendance_examples_copy_recap_and_excel(world: dict[str, Any], watched: Any) -> None:
    page, _ = watched(world["base"])
    page.goto(A)  # signed out: to the login page, and back after it
    expect(page).to_have_url(re.compile(r"/login\?next="))
    sign_in(page, "op.polresa")
    expect(page).to_have_url(re.compile(r"/absensi/instagram"))
    assert numbers(page) == {"konten": "3", "sudah": "2", "kurang": "2", "belum": "1",
                             "tanpa_username": "1", "total": "6"}  # fmt: skip
    assert page.locator('tr[data-nrp="75020002"] [data-status]').get_attribute("data-status") == "kurang"
    expect(page.get_by_text("DEDI <B>KURNIA</B>")).to_be_visible()  # as text, not markup
    # "Salin rekap": the clipboard holds the WhatsApp recap's text.
    page.click("text=Salin rekap")
    expect(page.locator("main > .pesan")).to_contain_text("Rekap disalin")
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = page.request.get("/api/attendance/text?client_id=POLRES_A&platform=instagram&date=2026-02-06").text()
    assert copied == expected and "POLRES A" in copied
    # The Excel download, read back.
    with page.expect_download() as download:
        page.click("text=Unduh Excel")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    statuses = {row[3]: row[9] for row in book["Absensi"].iter_rows(min_row=2, values_only=True)}
    assert statuses["75020001"] == "Sudah" and statuses["75020006"] == "Belum"
    assert download.value.suggested_filename.startswith("Absensi_Likes_POLRES_A_Jumat_06-02-2026")
    page.click("text=Keluar")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_example_b_in_recap_order_for_the_directorate(world: dict[str, Any], watched: Any) -> None:
    page, _ = watched(world["base"])
    sign_in(page, "dit.binmas")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(B)
    assert numbers(page) == {"konten": "4", "sudah": "4", "kurang": "2", "belum": "1",
                             "tanpa_username": "1", "total": "8"}  # fmt: skip
    rows = page.locator("tr[data-nrp]").evaluate_all("rows => rows.map(r => r.dataset.nrp)")
    assert rows == B_ORDER
    page.select_option("select[name=status]", "sudah")
    page.click("form.saring button[type=submit]")
    expect(page.locator("tr[data-nrp]")).to_have_count(4)


def test_lockout_and_totp(world: dict[str, Any], watched: Any) -> None:
    page, watch = watched(world["base"])
    watch.expect(401, "/api/auth/dashboard-login")
    watch.expect(429, "/api/auth/dashboard-login")
    sign_in(page, "admin.satu")  # no TOTP
    expect(page.locator("main > .pesan")).to_contain_text("kode autentikator salah")
    for _ in range(4):
        world["clock"].move(seconds=1)
        page.fill("#password", "bukan password ini")
        page.click("button[type=submit]")
        expect(page.locator("main > .pesan")).to_contain_text("salah")
    world["clock"].move(seconds=1)
    page.fill("#password", DASH_PASSWORD)
    page.fill("#totp", code_at(world["secret"], world["clock"].now()))
    page.click("button[type=submit]")
    expect(page.locator("main > .pesan")).to_contain_text("Terlalu banyak percobaan")
    # 15 minutes later the right password and a fresh code let the admin in.
    world["clock"].move(minutes=15)
    other, _ = watched(world["base"])
    sign_in(other, "admin.satu", totp=code_at(world["secret"], world["clock"].now()))
    expect(other).to_have_url(re.compile(r"/$"))
    expect(other.locator("nav")).to_contain_text("Pengguna")


def test_registration_approval_and_a_csrf_less_post(world: dict[str, Any], watched: Any) -> None:
    visitor, _ = watched(world["base"])
    visitor.goto("/daftar")
    visitor.fill("#username", "op.baru")
    visitor.fill("#name", "Operator Baru")
    visitor.fill("#whatsapp", "081234567890")
    visitor.select_option("#role", "operator")
    visitor.select_option("#client_ids", ["POLRES_B"])
    visitor.fill("#password", DASH_PASSWORD)
    visitor.fill("#confirm", DASH_PASSWORD)
    visitor.click("button[type=submit]")
    expect(visitor.locator("main > .pesan")).to_contain_text("Pendaftaran terkirim")

    admin, watch = watched(world["base"])
    sign_in(admin, "admin.satu", totp=code_at(world["secret"], world["clock"].now()))
    expect(admin).to_have_url(re.compile(r"/$"))
    # A POST without the CSRF token is refused, whatever the session.
    watch.expect(403, "/api/ops/jobs/housekeeping/pause")
    status = admin.evaluate(
        """() => fetch('/api/ops/jobs/housekeeping/pause', {method: 'POST', credentials: 'same-origin',
                 headers: {'Content-Type': 'application/json'}, body: '{}'})
                 .then(r => r.json().then(b => [r.status, b.error.code]))"""
    )
    assert status == [403, "csrf"]
    admin.goto("/admin/pengguna")
    row = admin.locator('tr[data-akun="op.baru"]')
    expect(row).to_contain_text("Menunggu persetujuan")
    row.locator("button", has_text="Setujui").click()
    expect(admin.locator('tr[data-akun="op.baru"]')).to_contain_text("Aktif")

    visitor.goto("/login")
    sign_in(visitor, "op.baru")
    expect(visitor).to_have_url(re.compile(r"/$"))
    expect(visitor.locator("main")).to_contain_text("POLRES B")


def test_status_qr_swaps_and_turns_ready(world: dict[str, Any], watched: Any) -> None:
    page, _ = watched(world["base"])
    sign_in(page, "admin.satu", totp=code_at(world["secret"], world["clock"].now()))
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/status")
    box = page.locator('[data-sesi="operator"]')
    expect(box.locator("[data-kata]")).to_have_text("Menunggu pairing")
    img = box.locator("img.qr")
    expect(img).to_be_visible()
    first = img.get_attribute("src")
    assert first and first.startswith("/api/ops/pairing/operator/qr.svg")
    assert page.evaluate("src => fetch(src).then(r => r.text())", first).startswith("<svg")
    world["state"]["snapshot"] = session_report("pairing", QR_2)  # the code rotates
    expect(img).not_to_have_attribute("src", first, timeout=15_000)
    world["state"]["snapshot"] = session_report("ready")  # scanned: paired
    expect(box.locator("[data-kata]")).to_have_text("Siap sejak 16.58", timeout=15_000)
    expect(box.locator("[data-qr-kotak]")).to_be_hidden()

"""The staff directory in a real browser (issue 17 item 4): an edit, a 412 when another
session changed the person first, a 409 handle clash that names the unit and not the person,
an import previewed and saved, the audit page; and every request the pages make goes to a
path of the route table. Console errors, failed requests and unexpected HTTP errors fail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cicero.config import load_settings
from cicero.domain.auth.dashboard import Role
from cicero.web.routes import ROUTES
from tests.browser.live import live_app, off_thread
from tests.browser.test_dashboard_browser import sign_in
from tests.conftest import fresh_database
from tests.integration.web.app_world import BUDI, SITI, Clock, seeded
from tests.integration.web.dashboard_world import code_at, make_account, make_admin
from tests.integration.web.staff_world import xlsx

GOOD = {"escalated": "", "actors": {}, "reports": {}}


@pytest.fixture
def world(pg_server: object) -> Iterator[dict[str, Any]]:
    url = fresh_database(pg_server)

    async def go() -> str:
        await seeded(url)
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",))
        await make_account(url, "op.kedua", Role.OPERATOR, ("POLRES_A",))
        return await make_admin(url, "admin.satu")

    secret = off_thread(go)
    clock = Clock()
    with live_app(url, load_settings({}), lambda: (GOOD, 0.2), clock.now) as base:
        yield {"url": url, "base": base, "secret": secret, "clock": clock}


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{\w+(?::[^}]*)?\\}", "[^/]+", re.escape(path)) + "$")


ROUTED = [(r.method, _template(r.path)) for r in ROUTES]


class Requests:
    """Every request a page makes to our own origin."""

    def __init__(self, page: Page, base: str) -> None:
        self.seen: list[tuple[str, str]] = []
        origin = urlsplit(base).netloc
        page.on("request", lambda r: self.seen.append((r.method, r.url))
                if urlsplit(r.url).netloc == origin else None)  # fmt: skip

    def unrouted(self) -> list[tuple[str, str]]:
        out = []
        for method, url in self.seen:
            path = urlsplit(url).path
            if not any(m == method and rx.match(path) for m, rx in ROUTED):
                out.append((method, path))
        return out


def sql(world: dict[str, Any], query: str) -> list[Any]:
    from cicero.db.connect import connect

    async def go() -> list[Any]:
        conn = await connect(world["url"])
        try:
            return list(await conn.fetch(query))
        finally:
            await conn.close()

    return off_thread(go)


def test_edit_then_a_stale_page_is_refused_with_412(world: dict[str, Any], watched: Any) -> None:
    page, watch = watched(world["base"])
    requests = Requests(page, world["base"])
    page.on("dialog", lambda d: d.accept("pindah tugas"))
    sign_in(page, "op.polresa")
    expect(page).to_have_url(re.compile(r"/$"))
    page.click("nav >> text=Personil")
    expect(page.locator(f'tr[data-nrp="{SITI}"]')).to_be_visible()
    page.click(f'tr[data-nrp="{SITI}"] a')
    expect(page).to_have_url(re.compile(rf"/personil/{SITI}$"))
    form = page.locator("form[data-ubah]")
    form.locator("input[name=insta]").fill("https://www.instagram.com/Siti.Baru/")
    form.locator("input[name=jabatan]").fill("banit lantas")
    form.locator("input[name=reason]").fill("koreksi dari satfung")
    form.locator("button[type=submit]").click()
    # Saved: the page reloads with the canonical handle and the change in the history.
    expect(page.locator("input[name=insta]")).to_have_value("siti.baru")
    expect(page.locator("input[name=jabatan]")).to_have_value("BANIT LANTAS")
    expect(page.locator("tr[data-audit]").first).to_contain_text("koreksi dari satfung")

    # A second operator changes SITI in between; the first page still holds the old version.
    other, _ = watched(world["base"])
    sign_in(other, "op.kedua")
    expect(other).to_have_url(re.compile(r"/$"))
    other.goto(f"/personil/{SITI}")
    other.locator("form[data-ubah] input[name=nama]").fill("SITI AMINAH SARI")
    other.locator("form[data-ubah] button[type=submit]").click()
    expect(other.locator("form[data-ubah] input[name=nama]")).to_have_value("SITI AMINAH SARI")

    watch.expect(412, f"/api/users/{SITI}")
    form.locator("input[name=jabatan]").fill("kanit")
    form.locator("button[type=submit]").click()
    expect(page.locator("main > .pesan")).to_contain_text("Data telah diubah orang lain")
    expect(page.locator("main > .pesan")).to_contain_text("Muat ulang")
    assert sql(world, f"SELECT position FROM staff WHERE nrp = '{SITI}'")[0]["position"] == "BANIT LANTAS"
    # After a reload the edit goes through, on top of the other operator's.
    page.reload()
    page.locator("form[data-ubah] input[name=jabatan]").fill("kanit")
    page.locator("form[data-ubah] button[type=submit]").click()
    expect(page.locator("input[name=jabatan]")).to_have_value("KANIT")
    row = sql(world, f"SELECT name, position FROM staff WHERE nrp = '{SITI}'")[0]
    assert (row["name"], row["position"]) == ("SITI AMINAH SARI", "KANIT")
    # Deactivation through its button: the reason comes from the prompt.
    page.click("text=Nonaktifkan")
    expect(page.locator("[data-status]")).to_have_text("Nonaktif")
    assert requests.unrouted() == []


def test_a_handle_clash_names_the_unit_not_the_person(world: dict[str, Any], watched: Any) -> None:
    page, watch = watched(world["base"])
    sign_in(page, "op.polresa")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(f"/personil/{SITI}")
    watch.expect(409, f"/api/users/{SITI}")
    page.locator("form[data-ubah] input[name=insta]").fill("@Budi.S")
    page.locator("form[data-ubah] button[type=submit]").click()
    message = page.locator("main > .pesan")
    expect(message).to_contain_text("sudah dipakai personil aktif di SAT BINMAS (POLRES A)")
    assert "BUDI" not in message.inner_text() and BUDI not in message.inner_text()
    assert sql(world, f"SELECT instagram FROM staff WHERE nrp = '{SITI}'")[0]["instagram"] == "siti_a"


def test_an_import_previewed_then_saved(world: dict[str, Any], watched: Any) -> None:
    page, _ = watched(world["base"])
    requests = Requests(page, world["base"])
    sign_in(page, "op.polresa")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/personil")
    data = xlsx(["NRP", "NAMA", "PANGKAT", "SATFUNG", "INSTAGRAM"], [
        ["75020201", "<b>rina</b> sari", "bripda", "sat lantas", "@Rina.S"],
        [BUDI, "BUDI SANTOSO", "BRIPTU", "SAT BINMAS", ""],
        ["75020202", "=cmd|' /C calc'!A0", "BRIPDA", "SAT LANTAS", ""],
    ])  # fmt: skip
    page.set_input_files("form[data-impor] input[type=file]", files=[{
        "name": "personil.xlsx", "buffer": data,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])  # fmt: skip
    page.click("form[data-impor] button[type=submit]")
    preview = page.locator("[data-pratinjau]")
    expect(preview).to_be_visible()
    expect(preview.locator('tr[data-hasil="new"]')).to_have_count(1)
    expect(preview.locator('tr[data-baris="3"]')).to_contain_text("rank BRIPKA → BRIPTU")
    expect(preview.locator('tr[data-baris="4"]')).to_contain_text("berisi rumus")
    assert sql(world, "SELECT 1 FROM staff WHERE nrp LIKE '750202%'") == []  # a preview writes nothing
    save = page.locator("[data-simpan-impor]")
    expect(save).to_have_text("Simpan 2 baris")
    save.click()
    expect(page.locator("main > .pesan")).to_contain_text("Impor disimpan")
    rows = sql(world, "SELECT nrp, name FROM staff WHERE nrp LIKE '750202%'")
    assert [(r["nrp"], r["name"]) for r in rows] == [("75020201", "<B>RINA</B> SARI")]
    # The name as text, never as markup, in the directory.
    page.goto("/personil?q=rina")
    expect(page.get_by_text("<B>RINA</B> SARI")).to_be_visible()
    assert requests.unrouted() == []


def test_the_audit_page_and_every_page_call_is_routed(world: dict[str, Any], watched: Any) -> None:
    page, _ = watched(world["base"])
    requests = Requests(page, world["base"])
    sign_in(page, "admin.satu", totp=code_at(world["secret"], world["clock"].now()))
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(f"/personil/{BUDI}")
    page.on("dialog", lambda d: d.accept())
    page.click("text=Kirim link password aplikasi")
    expect(page.locator("main > .pesan")).to_contain_text("Link password aplikasi telah dikirim")
    page.locator("form[data-role] input[value=ditlantas]").check()
    page.locator("form[data-role] button[type=submit]").click()
    expect(page.locator("form[data-role] input[value=ditlantas]")).to_be_checked()
    page.click("nav >> text=Log audit")
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(page.locator("tr[data-audit]").first).to_contain_text("Ubah role personil")
    expect(page.locator("main")).to_contain_text("Kirim link password aplikasi")
    page.click(f"text=staff:{BUDI} >> nth=0")
    expect(page).to_have_url(re.compile(rf"/personil/{BUDI}$"))
    page.goto("/personil")
    with page.expect_download() as download:
        page.click("text=Unduh Excel")
    assert download.value.suggested_filename.startswith("Data_Personil_SEMUA_")
    seen = {path for _, url in requests.seen if (path := urlsplit(url).path)}
    assert {"/personil", f"/personil/{BUDI}", "/admin/audit", "/static/personil.js",
            f"/api/users/{BUDI}/password-link", f"/api/users/{BUDI}/roles"} <= seen  # fmt: skip
    assert requests.unrouted() == []


def test_every_page_of_the_table_calls_routed_paths_only(world: dict[str, Any], watched: Any) -> None:
    """Each GET page of the route table, opened by an admin (who sees every one) and by an
    operator: whatever the page, its script and its polls ask for is a path of the table
    (the previous dashboard called 49 unrouted paths)."""
    pages = [r.path.replace("{platform}", "instagram").replace("{nrp}", BUDI)
             for r in ROUTES if r.page and r.method == "GET" and not r.secret_url]  # fmt: skip
    assert {"/personil", f"/personil/{BUDI}", "/admin/audit", "/status"} <= set(pages)
    for who in ("admin.satu", "op.polresa"):
        page, watch = watched(world["base"])
        requests = Requests(page, world["base"])
        if who == "op.polresa":  # the pages an operator may not open answer 403 pages
            for refused in ("/status", "/admin/pengguna", "/admin/audit"):
                watch.expect(403, refused)
        if who == "admin.satu":
            sign_in(page, who, totp=code_at(world["secret"], world["clock"].now()))
        else:
            sign_in(page, who)
        expect(page).to_have_url(re.compile(r"/$"))
        for path in pages:
            page.goto(path)
            if path == "/status" and who == "admin.satu":
                page.wait_for_timeout(5_500)  # one poll of /api/ops/status
        assert requests.unrouted() == [], who
        assert any(p == "/api/ops/status" for _, url in requests.seen
                   for p in [urlsplit(url).path]) or who != "admin.satu"  # fmt: skip

"""The audit log in the dashboard (api.md §5; issue 17 item 3): admins page through it by a
keyset cursor that stays right while entries arrive, filter it, see numbers masked; nobody
else reads it; no route writes, edits or deletes an entry. Entries come from each channel:
the dashboard, WhatsApp (the menus' step), `cicero import` and the browser's import."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cicero.config import load_settings
from cicero.conversations.step import handle_next
from cicero.db.connect import connect
from cicero.db.inbox import InboxMessage, record
from cicero.imports.cli import run_import
from cicero.web.routes import ROUTES
from tests.integration.web.app_world import BUDI, DEDI, SITI, run
from tests.integration.web.dashboard_world import Browser, code_at, serve_dashboard
from tests.integration.web.staff_world import OP_A, patch, world

OPERATOR_WA = "6281200000001"  # POLRES_A's operator number (app_world)


async def whatsapp(url: str, texts: list[str], at: datetime) -> None:
    """The operator's messages through the router's real step, one transaction each."""
    conn = await connect(url)
    try:
        for i, text in enumerate(texts):
            await record(conn, InboxMessage("operator", f"M{i}", f"{OPERATOR_WA}@s.whatsapp.net",
                                            f"{OPERATOR_WA}@s.whatsapp.net", False, text, "", at))  # fmt: skip
            assert await handle_next(conn, load_settings({}), at) is not None
    finally:
        await conn.close()


async def cli_import(url: str, path: Path) -> str:
    conn = await connect(url)
    try:
        out = io.StringIO()
        await run_import(conn, "staff", path, "POLRES_A", True, out, lambda: datetime.now(UTC))
        return out.getvalue()
    finally:
        await conn.close()


async def pages(b: Browser, query: str) -> list[list[dict[str, Any]]]:
    out, cursor = [], None
    while True:
        status, body, _ = await b.request(
            "GET", f"/api/admin/audit?{query}" + (f"&cursor={cursor}" if cursor else ""))  # fmt: skip
        assert status == 200, body
        out.append(body["data"])
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return out


def test_entries_from_every_channel_paged_by_cursor(pg_server: object, tmp_path: Path) -> None:
    url, secret = world(pg_server)
    csv = tmp_path / "personil.csv"
    csv.write_text(f"NRP;NAMA;PANGKAT;SATFUNG\n{DEDI};DEDI KURNIA;BRIPKA;SAT SAMAPTA\n", encoding="utf-8")

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            # The dashboard: two edits.
            assert (await patch(op, SITI, {"jabatan": "BANIT"}))[0] == 200
            assert (await patch(op, BUDI, {"whatsapp": "0812 9999 0001", "reason": "nomor baru"}))[0] == 200
            # WhatsApp: the operator menu's 1.2 "Perbarui data", Jabatan.
            await whatsapp(url, ["oprrequest", "1", "2", SITI, "4", "kanit lantas"], served.clock.now())
            # `cicero import staff --yes`.
            assert "disimpan: 1 baris" in await cli_import(url, csv)

            admin = served.browser()
            await admin.login("admin.satu", totp=code_at(secret, served.clock.now()))
            every = [e for page in await pages(admin, "per_page=2") for e in page]
            ids = [e["id"] for e in every]
            assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
            by_channel = {(e["channel"], e["action"], e["entity"]) for e in every}
            assert {("web", "staff.update", f"staff:{SITI}"), ("web", "staff.update", f"staff:{BUDI}"),
                    ("whatsapp", "staff.update", f"staff:{SITI}"),
                    ("import", "staff.update", f"staff:{DEDI}")} <= by_channel  # fmt: skip
            menu = next(e for e in every if e["channel"] == "whatsapp")
            assert menu["before"] == {"position": "BANIT"} and menu["after"] == {"position": "KANIT LANTAS"}
            assert menu["actor"] == "wa:62*******0001"  # the operator's number, masked
            cli = next(e for e in every if e["channel"] == "import")
            assert cli["actor"] == "cli" and cli["after"] == {"rank": "BRIPKA"}
            web = next(e for e in every if e["entity"] == f"staff:{BUDI}")
            assert web["after"] == {"whatsapp": "62*******0001"} and web["reason"] == "nomor baru"
            assert "6281299990001" not in json.dumps(every)
            # A page stays right while entries arrive: the cursor names what came before.
            status, first, _ = await admin.request("GET", "/api/admin/audit?per_page=2")
            assert (await patch(op, DEDI, {"jabatan": "BA"}))[0] == 200
            status, second, _ = await admin.request(
                "GET", f"/api/admin/audit?per_page=2&cursor={first['meta']['next_cursor']}")  # fmt: skip
            assert [e["id"] for e in second["data"]] == ids[2:4]
            # Filters.
            only = [e for page in await pages(admin, "channel=whatsapp") for e in page]
            assert {e["channel"] for e in only} == {"whatsapp"}
            mine = [e for page in await pages(admin, f"entity=staff:{SITI}") for e in page]
            assert {e["entity"] for e in mine} == {f"staff:{SITI}"} and len(mine) == 2
            # Bad words: 400 naming them.
            status, body, _ = await admin.request("GET", "/api/admin/audit?cursor=x&per_page=999&channel=fax")
            assert status == 400 and set(body["error"]["fields"]) == {"cursor", "per_page", "channel"}
            # The page.
            status, html, _ = await admin.request("GET", "/admin/audit?per_page=2")
            assert status == 200 and html.count("data-audit=") == 2 and "data-berikutnya" in html
            # Nobody but admins reads it.
            for path in ("/api/admin/audit", "/admin/audit"):
                status, _, _ = await op.request("GET", path)
                assert status == 403

    run(go())


def test_no_route_writes_edits_or_deletes_the_audit_log() -> None:
    for route in ROUTES:
        if "audit" in route.path:
            assert route.method == "GET", route.path

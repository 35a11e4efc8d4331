"""Staff import figures (issue 17 item 2): a 10,000-person .xlsx (the most a file may hold)
for one satker, previewed and applied by `cicero import staff` in-process and by the browser's
calls over real HTTP (`POST /api/imports`, `…/{id}/confirm`) on a fresh copy of the same
database, in the same run; and the Web event loop's longest stall while the preview is read
and planned (the app's API shares that loop: reading and planning run on a thread).

No goal is set by the issue; the figures say what a maximal import costs.

Run: .venv/bin/python bench/staff_import.py
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl
from aiohttp.test_utils import TestClient, TestServer

from bench.runtime import embedded_database
from cicero.config import load_settings
from cicero.db import dashboard as accounts
from cicero.db.connect import connect
from cicero.domain.auth.dashboard import Role, Status
from cicero.imports.cli import run_import
from cicero.web.app import build_app
from cicero.web.passwords import hasher

PEOPLE = 10_000
NOW = datetime(2026, 2, 6, 3, 0, tzinfo=UTC)
PASSWORD = "bangku taman kota lama"
UNITS = ("SAT BINMAS", "SAT LANTAS", "SAT SAMAPTA", "SAT RESKRIM", "BAG OPS")


def workbook() -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["NRP", "NAMA", "PANGKAT", "SATFUNG", "JABATAN", "INSTAGRAM", "TIKTOK", "WHATSAPP"])
    for i in range(PEOPLE):
        sheet.append([f"{80000000 + i}", f"PERSONIL {i}", "BRIPDA", UNITS[i % len(UNITS)], "BA",
                      f"ig.{i}", f"tt.{i}", f"0812{70000000 + i}"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def prepare(url: str) -> None:
    conn = await connect(url)
    try:
        await conn.execute("INSERT INTO client (client_id, name, type) VALUES ('POLRES_X', 'POLRES X', 'ORG')")
        await accounts.insert(
            conn, username="op.polresx", name="Operator", whatsapp=None, role=Role.OPERATOR,
            client_ids=("POLRES_X",), status=Status.ACTIVE, password_hash=hasher().hash(PASSWORD),
            now=NOW,
        )  # fmt: skip
    finally:
        await conn.close()


async def cli(url: str, path: Path) -> tuple[float, float]:
    conn = await connect(url)
    try:
        out = io.StringIO()
        started = time.perf_counter()
        await run_import(conn, "staff", path, "POLRES_X", False, out, lambda: NOW)
        preview = time.perf_counter() - started
        started = time.perf_counter()
        await run_import(conn, "staff", path, "POLRES_X", True, out, lambda: NOW)
        apply = time.perf_counter() - started
        assert "disimpan: 10000 baris" in out.getvalue(), out.getvalue()[-500:]
        return preview, apply
    finally:
        await conn.close()


async def web(url: str, data: bytes) -> tuple[float, float, float]:
    app = build_app(lambda: ({"escalated": "", "actors": {}, "reports": {}}, 0.1), url, [],
                    load_settings({}), now=lambda: NOW)  # fmt: skip
    async with TestClient(TestServer(app)) as client:
        page = await client.get("/login")
        form = page.cookies["__Host-cicero-csrf"].value
        origin = str(client.make_url("")).rstrip("/")
        resp = await client.post(
            "/api/auth/dashboard-login", json={"username": "op.polresx", "password": PASSWORD},
            headers={"X-CSRF-Token": form, "Origin": origin, "Cookie": f"__Host-cicero-csrf={form}"},
        )  # fmt: skip
        answer = await resp.json()
        headers = {"Cookie": f"__Host-cicero={resp.cookies['__Host-cicero'].value}",
                   "X-CSRF-Token": answer["data"]["csrf_token"], "Origin": origin}  # fmt: skip
        stall = 0.0
        done = asyncio.Event()

        async def ticker() -> None:  # what a concurrent request would wait for the loop
            nonlocal stall
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                stall = max(stall, now - last - 0.005)
                last = now

        tick = asyncio.create_task(ticker())
        started = time.perf_counter()
        resp = await client.post("/api/imports?client_id=POLRES_X&file_name=personil.xlsx",
                                 data=data, headers=headers)  # fmt: skip
        body = await resp.json()
        preview = time.perf_counter() - started
        done.set()
        await tick
        assert resp.status == 201 and body["data"]["counts"]["new"] == PEOPLE, str(body)[:300]
        started = time.perf_counter()
        resp = await client.post(f"/api/imports/{body['data']['id']}/confirm", json={},
                                 headers=headers)  # fmt: skip
        assert resp.status == 200, (await resp.text())[:300]
        return preview, time.perf_counter() - started, stall


def main() -> None:
    data = workbook()
    with tempfile.TemporaryDirectory() as tmp:
        url, server = embedded_database(Path(tmp))
        try:
            asyncio.run(prepare(url))
            server.psql('CREATE DATABASE "bench_web" TEMPLATE "bench";')  # type: ignore[attr-defined]
            path = Path(tmp) / "personil.xlsx"
            path.write_bytes(data)
            cli_preview, cli_apply = asyncio.run(cli(url, path))
            web_url = server.get_uri("bench_web")  # type: ignore[attr-defined]
            web_preview, web_confirm, stall = asyncio.run(web(web_url, data))
        finally:
            server.cleanup()  # type: ignore[attr-defined]
    load = os.getloadavg()
    print(f"staff import: {PEOPLE:,} people in one .xlsx ({len(data) / 1e6:.1f} MB), "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
    print(f"  cicero import staff   preview {cli_preview:6.2f} s   apply   {cli_apply:6.2f} s")
    print(f"  browser (HTTP)        preview {web_preview:6.2f} s   confirm {web_confirm:6.2f} s")
    print(f"  longest event-loop stall during the browser's preview: {stall * 1000:.0f} ms")
    print(f"browser/cli: preview {web_preview / cli_preview:.2f}x, apply {web_confirm / cli_apply:.2f}x")


if __name__ == "__main__":
    main()

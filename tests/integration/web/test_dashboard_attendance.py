"""The dashboard, the "Salin rekap" text, the Excel file and the WhatsApp recap agree (api.md
§3, STYLE §6) on data.md §4.8's examples A and B; and the attendance and amplification calls'
bad input (a range over 31 days, a client out of scope, an empty day's Excel, HTML in a name)."""

from __future__ import annotations

import io
import logging
from typing import Any

import openpyxl

from cicero.config import load_settings
from cicero.db.connect import connect, create_pool
from cicero.domain.auth.dashboard import Role
from cicero.jobs.client_recaps import org_engagement_recap
from cicero.jobs.directorate_recaps import directorate_recap
from cicero.jobs.registry import JobContext
from tests.conftest import fresh_database
from tests.integration.web.app_world import Clock, run
from tests.integration.web.dashboard_world import make_account, serve_dashboard
from tests.integration.web.examples_world import B_ORDER, B_STATUS, NOW, seed

A_STATUS_R1 = {"75020001": "sudah", "75020002": "kurang", "75020003": "kurang",
               "75020004": "tanpa_username", "75020005": "sudah", "75020006": "belum"}  # fmt: skip
A_STATUS_R05 = {**A_STATUS_R1, "75020002": "sudah"}
A_Q = "client_id=POLRES_A&platform=instagram&date=2026-02-06"
B_Q = "client_id=DITBINMAS&platform=tiktok&date=2026-02-06"
WHATSAPP = "6281199998888"


def world(pg_server: object) -> str:
    url = fresh_database(pg_server)

    async def go() -> None:
        conn = await connect(url)
        try:
            await seed(conn)
        finally:
            await conn.close()
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",))
        await make_account(url, "dit.binmas", Role.DITBINMAS)

    run(go())
    return url


def people(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for g in body["data"]["groups"] for p in g["people"]]


async def whatsapp_recap(url: str, job: str, overrides: dict[str, Any], handler: Any) -> str:
    """Run the scheduled job itself at the same instant and read what it queued."""
    settings = load_settings({}, overrides=overrides)
    pool = await create_pool(url)
    try:
        ctx = JobContext(job=job, fire_time=NOW, now=NOW, pool=pool, settings=settings,
                         log=logging.getLogger("test"))  # fmt: skip
        await handler(ctx)
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT recipient, body FROM outbox WHERE job = $1 ORDER BY id", job
            )
            await conn.execute("DELETE FROM outbox WHERE job = $1", job)
            await conn.execute("DELETE FROM recap_log WHERE job = $1", job)
    finally:
        await pool.close()
    return str(rows[0]["body"])


def sheet_rows(xlsx: bytes, title: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    return [tuple(r) for r in book[title].iter_rows(values_only=True)]


def test_example_a_page_api_text_excel_and_whatsapp_agree(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        for ratio, expected, counts in ((1, A_STATUS_R1, (2, 2, 1, 1)),
                                        (0.5, A_STATUS_R05, (3, 1, 1, 1))):  # fmt: skip
            overrides = {"jobs": {"org_engagement_recap": {"params": {"done_ratio": ratio}}}}
            async with serve_dashboard(url, overrides, Clock(NOW)) as served:
                b = served.browser()
                assert (await b.login("op.polresa"))[0] == 200
                status, body, _ = await b.request("GET", f"/api/attendance?{A_Q}")
                assert status == 200, body
                data = body["data"]
                assert [p["id"] for p in data["posts"]] == ["P1", "P2", "P3"]  # P0 is 5 Feb
                assert [p["engaged"] for p in data["posts"]] == [3, 2, 1]
                assert data["required"] == (3 if ratio == 1 else 2)
                s = data["summary"]
                assert (s["sudah"], s["kurang"], s["belum"], s["tanpa_username"]) == counts
                assert s["total"] == 6  # 75020007 is inactive
                got = {p["nrp"]: p["status"] for p in people(body)}
                assert got == expected
                counted = {p["nrp"]: p["count"] for p in people(body)}
                assert counted == {"75020001": 3, "75020002": 2, "75020003": 1,
                                   "75020004": None, "75020005": 0, "75020006": 0}  # fmt: skip

                # The page shows the same numbers, and the name with HTML as text.
                status, html, _ = await b.request("GET", f"/absensi/instagram?{A_Q}")
                assert status == 200
                for name, n in zip(("sudah", "kurang", "belum", "tanpa_username"), counts,
                                   strict=True):  # fmt: skip
                    assert f'<b data-angka="{name}">{n}</b>' in html
                for nrp, st in expected.items():
                    row = html[html.index(f'<tr data-nrp="{nrp}">'):]
                    assert f'data-status="{st}"' in row[: row.index("</tr>")]
                assert "DEDI &lt;B&gt;KURNIA&lt;/B&gt;" in html and "<B>KURNIA</B>" not in html

                # "Salin rekap" is the WhatsApp recap, character for character.
                status, text, headers = await b.request("GET", f"/api/attendance/text?{A_Q}")
                assert status == 200 and headers["Content-Type"].startswith("text/plain")
                sent = await whatsapp_recap(url, "org_engagement_recap", overrides,
                                            org_engagement_recap)  # fmt: skip
                assert text == sent

                # The Excel file read back.
                status, xlsx, headers = await b.request(
                    "GET", f"/api/exports/attendance.xlsx?{A_Q}"
                )
                assert status == 200 and "Absensi_Likes_POLRES_A_Jumat_06-02-2026_17-00-00.xlsx" in \
                    headers["Content-Disposition"]  # fmt: skip
                rows = sheet_rows(xlsx, "Absensi")
                labels = {"sudah": "Sudah", "kurang": "Kurang", "belum": "Belum",
                          "tanpa_username": "Tanpa Username"}  # fmt: skip
                assert {r[3]: r[9] for r in rows[1:]} == {k: labels[v] for k, v in expected.items()}
                summary = dict(sheet_rows(xlsx, "Ringkasan")[1:])
                assert (summary["Sudah"], summary["Kurang"], summary["Belum"],
                        summary["Tanpa username"]) == counts  # fmt: skip

    run(go())


def test_example_b_directorate_order_and_agreement(pg_server: object) -> None:
    url = world(pg_server)
    overrides = {"jobs": {"ditbinmas_full_recap": {"params": {
        "directorate": "DITBINMAS", "recipients": [], "numbers": [WHATSAPP],
        "reports": ["comments_full"]}}}}  # fmt: skip

    async def go() -> None:
        async with serve_dashboard(url, overrides, Clock(NOW)) as served:
            b = served.browser()
            assert (await b.login("dit.binmas"))[0] == 200
            status, body, _ = await b.request("GET", f"/api/attendance?{B_Q}")
            assert status == 200, body
            data = body["data"]
            assert data["done_ratio"] == "1/2" and data["required"] == 2 and len(data["posts"]) == 4
            assert [p["nrp"] for p in people(body)] == B_ORDER
            assert {p["nrp"]: p["status"] for p in people(body)} == B_STATUS
            assert [g["client_id"] for g in data["groups"]] == ["DITBINMAS", "POLRES_A", "POLRES_B"]
            s = data["summary"]
            assert (s["total"], s["sudah"], s["kurang"], s["belum"], s["tanpa_username"]) == (
                8, 4, 2, 1, 1)
            status, text, _ = await b.request("GET", f"/api/attendance/text?{B_Q}")
            sent = await whatsapp_recap(url, "ditbinmas_full_recap", overrides, directorate_recap)
            assert text == sent
            status, xlsx, _ = await b.request("GET", f"/api/exports/attendance.xlsx?{B_Q}")
            assert [r[3] for r in sheet_rows(xlsx, "Absensi")[1:]] == B_ORDER
            # The status filter keeps the order and the summary.
            status, body, _ = await b.request("GET", f"/api/attendance?{B_Q}&status=sudah")
            assert [p["nrp"] for p in people(body)] == [n for n in B_ORDER if B_STATUS[n] == "sudah"]
            assert body["data"]["summary"]["total"] == 8

    run(go())


def test_bad_input_gets_the_section_5_answer(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            b = served.browser()
            assert (await b.login("op.polresa"))[0] == 200
            status, body, _ = await b.request(
                "GET", "/api/attendance?from=2026-01-01&to=2026-02-06"
            )
            assert status == 422 and body["error"]["code"] == "invalid"
            status, body, _ = await b.request("GET", "/api/attendance?from=2026-02-06&to=2026-02-01")
            assert status == 422
            for path in ("/api/attendance", "/api/attendance/text", "/api/exports/attendance.xlsx",
                         "/api/amplification", "/absensi/tiktok"):  # fmt: skip
                status, body, _ = await b.request("GET", f"{path}?client_id=DITBINMAS")
                assert status == 403, path
                if isinstance(body, dict):
                    assert body["error"]["code"] == "out_of_scope"
            status, body, _ = await b.request("GET", "/api/attendance?period=year")
            assert status == 400
            # An empty day's Excel is a workbook saying so, not an error.
            status, xlsx, _ = await b.request(
                "GET", "/api/exports/attendance.xlsx?client_id=POLRES_A&date=2026-01-10"
            )
            assert status == 200
            summary = dict(sheet_rows(xlsx, "Ringkasan")[1:])
            assert summary["Jumlah konten"] == 0 and "Tidak ada konten" in str(summary["Keterangan"])
            assert sheet_rows(xlsx, "Absensi")[1:] == []
            status, xlsx, _ = await b.request(
                "GET", "/api/exports/per-content.xlsx?client_id=POLRES_A&date=2026-01-10"
            )
            assert status == 200 and xlsx[:2] == b"PK"
            # Week and month are cumulative: every post of the week or month counts.
            for period in ("week", "month"):
                status, body, _ = await b.request(
                    "GET", f"/api/attendance?{A_Q}&period={period}"
                )
                assert len(body["data"]["posts"]) == 4  # P0 (Thursday 5 Feb) too
                days = body["data"]["days"]
                assert len(days) == (7 if period == "week" else 28)
                assert [d["posts"] for d in days if d["date"] == "2026-02-06"] == [3]

    run(go())


def test_amplification_lists_reports_and_deletes_a_wrong_one_with_its_reason(
    pg_server: object,
) -> None:
    url = world(pg_server)

    async def go() -> None:
        conn = await connect(url)
        try:
            await conn.execute(
                """INSERT INTO link_report (post_id, nrp, instagram_link, reported_at)
                   SELECT id, '75020001', 'https://www.instagram.com/p/REPOST1', $1 FROM post
                    WHERE external_id = 'P2'""",
                NOW,
            )
        finally:
            await conn.close()
        async with serve_dashboard(url, clock=Clock(NOW)) as served:
            b = served.browser()
            assert (await b.login("op.polresa"))[0] == 200
            status, body, _ = await b.request("GET", "/api/amplification?client_id=POLRES_A")
            assert status == 200
            data = body["data"]
            assert [p["shortcode"] for p in data["posts"]] == ["P1", "P2", "P3"]
            reporters = {p["shortcode"]: p["reporters"] for p in data["posts"]}
            assert reporters["P2"][0]["links"] == {"instagram": "https://www.instagram.com/p/REPOST1"}
            budi = next(p for p in data["people"] if p["nrp"] == "75020001")
            assert (budi["posts_done"], budi["links"], budi["status"]) == (1, 1, "kurang")
            status, html, _ = await b.request("GET", "/amplifikasi?client_id=POLRES_A")
            assert status == 200 and "REPOST1" in html
            status, xlsx, _ = await b.request("GET", "/api/exports/amplification.xlsx?client_id=POLRES_A")
            assert sheet_rows(xlsx, "Per Konten")[1][1] == "75020001"
            # No reason, no deletion; the report of a post in scope goes with its reason.
            status, _, _ = await b.request("DELETE", "/api/link-reports/routine/P2/75020001",
                                           {"reason": " "})  # fmt: skip
            assert status == 422
            status, _, _ = await b.request("DELETE", "/api/link-reports/routine/P2/75020001",
                                           {"reason": "link salah"}, csrf="")  # fmt: skip
            assert status == 403
            status, body, _ = await b.request(
                "DELETE", "/api/link-reports/routine/P2/75020001", {"reason": "link salah"}
            )
            assert status == 200, body
            assert not await b.sql("SELECT 1 FROM link_report")
            audit = (await b.sql("SELECT action, reason, before FROM audit_log"))[0]
            assert audit["action"] == "link_report.delete" and audit["reason"] == "link salah"
            status, _, _ = await b.request(
                "DELETE", "/api/link-reports/routine/P2/75020001", {"reason": "lagi"}
            )
            assert status == 404

    run(go())

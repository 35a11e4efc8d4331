"""Staff import in the browser (api.md §3 `POST /api/imports`, `…/{id}/confirm`; data.md §5)
over real HTTP: the preview is `cicero import staff`'s report line for line and writes no
person; the confirmation applies it in one transaction, audited per person (channel import);
bad files (another format, 10,001 rows, a formula, too big) are the §5 answer and leave
nothing behind; a plan that changed since its preview is not applied."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from cicero.db.connect import connect
from cicero.imports.cli import run_import
from tests.integration.web.app_world import BUDI, run
from tests.integration.web.dashboard_world import Browser, serve_dashboard
from tests.integration.web.staff_world import OP_A, OP_B, patch, world, xlsx

HEADER = ["NRP", "NAMA", "PANGKAT", "SATFUNG", "JABATAN", "INSTAGRAM", "WHATSAPP", "STATUS"]
ROWS: list[list[Any]] = [
    ["75020101", "rina  sari", "bripda", "sat lantas", "ba", "@Rina.S", "0812 7777 0101", ""],
    [BUDI, "BUDI SANTOSO", "BRIPTU", "SAT BINMAS", "", "", "", ""],  # changed: rank
    ["75020102", "TONO", "BRIPDA", "SAT LANTAS", "", "budi.s", "", ""],  # BUDI's handle
    ["75020103", "=cmd|' /C calc'!A0", "BRIPDA", "SAT LANTAS", "", "", "", ""],  # a formula
    ["75020003", "ANDI", "BRIPDA", "SAT BINMAS", "", "", "", ""],  # POLRES_B's
]
NEW_Q = "SELECT nrp FROM staff WHERE nrp LIKE '750201%' ORDER BY nrp"


async def upload(b: Browser, data: bytes, name: str, client: str = "POLRES_A") -> tuple[int, Any]:
    status, body, _ = await b.request(
        "POST", f"/api/imports?client_id={client}&file_name={name}", raw=data,
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    return status, body


async def cli_preview(url: str, path: Path) -> list[str]:
    conn = await connect(url)
    try:
        out = io.StringIO()
        await run_import(conn, "staff", path, "POLRES_A", False, out)
        return out.getvalue().splitlines()
    finally:
        await conn.close()


def test_preview_is_the_cli_report_and_confirm_applies_it_audited(
    pg_server: object, tmp_path: Path
) -> None:
    url, _ = world(pg_server)
    data = xlsx(HEADER, ROWS)
    path = tmp_path / "personil.xlsx"
    path.write_bytes(data)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            status, body = await upload(op, data, "personil.xlsx")
            assert status == 201, body
            report = body["data"]
            assert report["counts"] == {"new": 1, "changed": 1, "unchanged": 0, "error": 3,
                                        "warnings": 0}  # fmt: skip
            # The same report as `cicero import staff` prints, line for line.
            cli = await cli_preview(url, path)
            assert report["lines"] == [ln for ln in cli if ln.startswith(("baris", " "))]
            assert f"personil.xlsx: personil POLRES_A: {report['summary']}" in cli
            by_row = {r["row"]: r for r in report["rows"]}
            assert by_row[3]["detail"] == "rank BRIPKA → BRIPTU"
            assert "dipakai personil aktif di SAT BINMAS (POLRES_A)" in by_row[4]["detail"]
            assert "BUDI" not in by_row[4]["detail"]
            assert by_row[5]["action"] == "error" and "berisi rumus" in by_row[5]["detail"]
            assert "milik client POLRES_B" in by_row[6]["detail"]
            # A preview writes no person.
            assert await op.sql(NEW_Q) == []
            assert (await op.sql(f"SELECT rank FROM staff WHERE nrp = '{BUDI}'"))[0]["rank"] == "BRIPKA"

            # Another account cannot confirm it (not even another in scope).
            other = served.browser()
            await other.login(OP_B)
            status, body, _ = await other.request("POST", f"/api/imports/{report['id']}/confirm", {})
            assert status == 404
            status, body, _ = await op.request("POST", f"/api/imports/{report['id']}/confirm", {})
            assert status == 200 and body["data"]["applied"] is True
            assert [r["nrp"] for r in await op.sql(NEW_Q)] == ["75020101"]
            rina = (await op.sql("SELECT * FROM staff WHERE nrp = '75020101'"))[0]
            assert (rina["name"], rina["rank"], rina["instagram"], rina["whatsapp"]) == (
                "RINA SARI", "BRIPDA", "rina.s", "6281277770101")
            entries = await op.sql(
                "SELECT actor, channel, action, entity, before, after, reason FROM audit_log "
                "WHERE channel = 'import' ORDER BY entity")  # fmt: skip
            assert [(e["entity"], e["action"]) for e in entries] == [
                (f"staff:{BUDI}", "staff.update"), ("staff:75020101", "staff.create")]
            assert {e["actor"] for e in entries} == {f"dash:{OP_A}"}
            assert json.loads(entries[0]["before"]) == {"rank": "BRIPKA"}
            assert json.loads(entries[0]["after"]) == {"rank": "BRIPTU"}
            assert f"staff_import {report['id']}" in entries[0]["reason"]
            record = (await op.sql("SELECT applied, file, new_count FROM staff_import"))[0]
            assert (record["applied"], record["file"], record["new_count"]) == (True, None, 1)
            # Twice: refused, nothing more written.
            status, body, _ = await op.request("POST", f"/api/imports/{report['id']}/confirm", {})
            assert (status, body["error"]["code"]) == (409, "conflict")
            assert len(await op.sql("SELECT 1 FROM audit_log WHERE channel = 'import'")) == 2

    run(go())


def test_bad_files_are_refused_with_nothing_kept(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
            cases = [
                (pdf, "personil.pdf", "gunakan file .xlsx atau .csv"),
                (pdf, "personil.xlsx", "bukan file .xlsx yang dapat dibaca"),
                (pdf, "personil.csv", "bukan teks UTF-8"),
                (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "lama.xls", "format .xls lama"),
                (xlsx(HEADER, ROWS[:1]), "salah-nama.csv", "isinya file .xlsx"),
                (b"NRP;NAMA\n1234567;X\n", "kurang.csv", "kolom wajib tidak ada: PANGKAT, SATFUNG"),
                (b"", "kosong.csv", "Pilih file"),
            ]
            for data, name, words in cases:
                status, body = await upload(op, data, name)
                assert status in (400, 422), (name, body)
                assert words in body["message"], (name, body["message"])
            # 10,001 people: refused whole, before any is planned.
            lines = ["NRP,NAMA,PANGKAT,SATFUNG"] + [f"{80000000 + i},ORANG {i},BRIPDA,SAT X"
                                                  for i in range(10_001)]  # fmt: skip
            status, body = await upload(op, "\n".join(lines).encode(), "besar.csv")
            assert (status, body["error"]["code"]) == (422, "invalid")
            assert "lebih dari 10.000 baris" in body["message"]
            # Exactly 10,000 is taken (its preview, at least).
            status, body = await upload(op, "\n".join(lines[:10_001]).encode(), "pas.csv")
            assert status == 201 and body["data"]["counts"]["new"] == 10_000
            # Over 8 MB: 413 before it is read.
            status, body = await upload(op, b"x" * (8 * 1024 * 1024 + 1), "besar.csv")
            assert (status, body["error"]["code"]) == (413, "too_large")
            # A zip bomb's worth of sheet: refused by its unpacked size.
            import zipfile

            bomb = io.BytesIO()
            with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
            status, body = await upload(op, bomb.getvalue(), "bom.xlsx")
            assert status == 422 and "terlalu besar" in body["message"]
            # Another client's import: refused at the door; no client: 400.
            status, body = await upload(op, b"NRP,NAMA,PANGKAT,SATFUNG\n", "x.csv", "POLRES_B")
            assert (status, body["error"]["code"]) == (403, "out_of_scope")
            status, body, _ = await op.request("POST", "/api/imports?file_name=x.csv", raw=b"a")
            assert status == 400
            assert await op.sql(NEW_Q) == [] and await op.sql(
                "SELECT 1 FROM staff WHERE nrp LIKE '8%'") == []
            # Only the one good preview was kept, and it wrote nobody.
            assert len(await op.sql("SELECT 1 FROM staff_import")) == 1

    run(go())


def test_a_preview_the_data_moved_under_is_not_applied(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            data = xlsx(HEADER, [[BUDI, "BUDI SANTOSO", "BRIPTU", "SAT BINMAS", "", "", "", ""]])
            status, body = await upload(op, data, "ubah.xlsx")
            assert status == 201 and body["data"]["rows"][0]["detail"] == "rank BRIPKA → BRIPTU"
            # Someone edits BUDI's rank in between: the preview no longer says what would happen.
            assert (await patch(op, BUDI, {"title": "AIPDA"}))[0] == 200
            status, body, _ = await op.request("POST", f"/api/imports/{body['data']['id']}/confirm", {})
            assert (status, body["error"]["code"]) == (409, "conflict")
            assert "unggah ulang" in body["message"]
            assert (await op.sql(f"SELECT rank FROM staff WHERE nrp = '{BUDI}'"))[0]["rank"] == "AIPDA"
            assert await op.sql("SELECT 1 FROM audit_log WHERE channel = 'import'") == []

    run(go())

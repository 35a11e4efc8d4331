"""`cicero import clients|staff` against a real database: preview, apply, row errors, re-import."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cicero.db.connect import connect
from cicero.imports.cli import EXIT_BAD_INPUT, EXIT_OK, run_import
from tests.conftest import fresh_database

NOW = datetime(2026, 2, 6, 3, 0, tzinfo=UTC)

CLIENTS_CSV = """CLIENT_ID;NAMA;TIPE;INSTAGRAM;TIKTOK;GROUP;OPERATOR;SUPER;DIREKTORAT
POLRES_A;Polres A;ORG;@Polres_A;https://www.tiktok.com/@polres_a;120363012345678901@g.us;\
0812-1111-0001;0812 1111 0002, 6281211110003;DITBINMAS
ditbinmas;Direktorat Binmas;DIREKTORAT;;;;;;
POLRES_B;Polres B;ORG;polres_b;;;;;
POLRES_C;Polres C;KOTA;;;;;;
POLRES_D;Polres D;ORG;;;https://chat.whatsapp.com/AbCdEf;;;
POLRES_E;Polres E;ORG;;;;;;DITLANTAS
"""

STAFF_HEADER = ["NRP/NIP", "Nama", "Pangkat", "Satfung", "Jabatan", "Instagram", "TikTok",
                "No WA", "Email", "Roles"]  # fmt: skip
STAFF_ROWS: list[list[Any]] = [
    [75020001, "budi  santoso", "bripka", "sat binmas", "ba sat binmas", "@Budi.S", "",
     "0812 3456 7890", "Budi@Example.org", ""],  # 2: new
    [7502002, "citra", "BRIPDA", "SAT LANTAS", "", "https://instagram.com/citra_01/?igsh=x", "",
     "", "", "operator, ditbinmas"],  # 3: numeric NRP padded to 8 (warning)
    ["75020001", "BUDI LAGI", "BRIPKA", "SAT BINMAS", "", "", "", "", "", ""],  # 4: duplicate NRP
    ["75020004", "DEDI", "BRIPTU", "SAT SAMAPTA", "", "", "", "12ab", "", ""],  # 5: bad phone
    ["75020005", "EKO", "BRIPTU", "SAT SAMAPTA", "", "eko prasetyo", "", "", "", ""],  # 6: space
    ["75020006", "FAJAR", "BRIPTU", "SAT SAMAPTA", "", "https://instagram.com/p/DAbCdEf01", "",
     "", "", ""],  # 7: a post URL, not a profile
    ["75020007", "SARI", "AIPDA", "SAT BINMAS", "", "", "https://www.tiktok.com/@Sari.Dewi?lang=id",
     "", "", ""],  # 8: TikTok URL cleaned
    ["75020008", "GITA", "KAPTEN", "SAT BINMAS", "", "", "", "", "", ""],  # 9: unknown rank
    ["75020009", "", "BRIPDA", "SAT BINMAS", "", "", "", "", "", ""],  # 10: no name
    ["75020010", "HADI", "BRIPDA", "SAT BINMAS", "", "", "", "+62 812-3456-7890", "", ""],  # 11
    ["75020011", "IKA", "BRIPDA", "SAT BINMAS", "", "", "", "", "", "ditbinmas, bogus"],  # 12
    [None, None, None, None, None, None, None, None, None, None],  # 13: blank, skipped
    ["75 020 012", "JOKO", "IPDA", "BAG OPS", "", "", "", "0812-1111-0001", "not-an-email", ""],
]  # fmt: skip


@pytest.fixture(scope="module")
def url(pg_server: object) -> str:
    return fresh_database(pg_server)


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def do(url: str, kind: str, path: Path, client: str | None = None, apply: bool = False,
       query: str | None = None) -> tuple[int, str, Any]:  # fmt: skip
    async def main() -> tuple[int, str, Any]:
        conn = await connect(url)
        try:
            out = io.StringIO()
            code = await run_import(conn, kind, path, client, apply, out, lambda: NOW)
            rows = await conn.fetch(query) if query else None
            return code, out.getvalue(), rows
        finally:
            await conn.close()

    return asyncio.run(main())


def line(output: str, row: int) -> str:
    return next(ln for ln in output.splitlines() if ln.startswith(f"baris {row:>5}"))


CLIENTS_Q = """SELECT client_id, name, type, instagram, tiktok, group_jid, operator_wa, super_wa,
                      updated_at FROM client ORDER BY 1"""


def test_clients_preview_apply_and_reimport(url: str, tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(CLIENTS_CSV, encoding="utf-8")
    code, out, rows = do(url, "clients", path, query=CLIENTS_Q)
    assert code == EXIT_OK and rows == []  # preview writes nothing
    assert "baru" in line(out, 2) and "baru" in line(out, 3) and "baru" in line(out, 4)
    assert "TIPE 'KOTA' harus ORG atau DIREKTORAT" in line(out, 5)
    assert "invite link, not a group id" in line(out, 6)
    assert "DITLANTAS bukan client direktorat" in line(out, 7)
    assert "3 baru, 0 berubah, 0 tetap, 3 ditolak" in out and "belum ada yang disimpan" in out

    code, out, rows = do(url, "clients", path, apply=True, query=CLIENTS_Q)
    assert code == EXIT_OK and "disimpan: 3 baris" in out
    # What --yes left out is listed with its reasons, as the preview lists it.
    left = out[out.index("tidak disimpan: 3 baris") :].splitlines()[1:]
    assert [ln.split()[1] for ln in left] == ["5", "6", "7"]
    assert "TIPE 'KOTA' harus ORG atau DIREKTORAT" in left[0] and "invite link" in left[1]
    assert "baru" in line(out, 2) and "  ditolak  " not in out[: out.index("tidak disimpan")]
    a = {r["client_id"]: r for r in rows}["POLRES_A"]
    assert (a["instagram"], a["tiktok"], a["group_jid"], a["operator_wa"], a["super_wa"]) == (
        "polres_a", "polres_a", "120363012345678901@g.us", "6281211110001",
        ["6281211110002", "6281211110003"],
    )  # fmt: skip
    links = "SELECT client_id, directorate_id FROM client_directorate"
    assert [tuple(r) for r in do(url, "clients", path, query=links)[2]] == [
        ("POLRES_A", "DITBINMAS")
    ]

    code, out, again = do(url, "clients", path, apply=True, query=CLIENTS_Q)
    assert "0 baru, 0 berubah, 3 tetap, 3 ditolak" in out and "tidak ada yang perlu disimpan" in out
    assert again == rows  # re-importing changes nothing, not even updated_at


def test_staff_preview_shows_every_problem_by_row_and_writes_nothing(
    url: str, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "staff.xlsx", STAFF_HEADER, STAFF_ROWS)
    code, out, rows = do(url, "staff", path, "polres_a", query="SELECT * FROM staff")
    assert code == EXIT_OK and rows == []
    assert "baru" in line(out, 2)
    assert "dibaca 07502002" in out and "baru" in line(out, 3)
    assert "NRP 75020001 juga ada di baris 2" in line(out, 4)
    assert "WHATSAPP '12ab'" in line(out, 5)
    assert "INSTAGRAM 'eko prasetyo' bukan username Instagram yang valid" in line(out, 6)
    assert "bukan tautan profil" in line(out, 7)
    assert "baru" in line(out, 8)
    assert "pangkat 'KAPTEN' tidak dikenal" in out and "baru" in line(out, 9)
    assert "NAMA kosong" in line(out, 10)
    assert "baru" in line(out, 11)
    assert "WHATSAPP 6281234567890 juga ada di baris 2: tidak disimpan" in out
    assert "role tidak dikenal: bogus" in line(out, 12)
    assert not any(ln.startswith("baris    13") for ln in out.splitlines())  # blank row skipped
    # Row 14: the operator's own number is dropped (warning), a bad e-mail is an error.
    assert "EMAIL 'not-an-email'" in line(out, 14)
    assert "5 baru, 0 berubah, 0 tetap, 7 ditolak" in out


STAFF_Q = """SELECT s.nrp, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok, s.whatsapp,
                    s.email, s.active, s.exception, s.updated_at,
                    array_agg(r.role_name ORDER BY r.role_name) AS roles
               FROM staff s JOIN staff_role r USING (nrp) GROUP BY s.nrp ORDER BY s.nrp"""


def test_staff_apply_then_reimport_changes_nothing(url: str, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "staff.xlsx", STAFF_HEADER, STAFF_ROWS)
    code, out, rows = do(url, "staff", path, "POLRES_A", apply=True, query=STAFF_Q)
    assert code == EXIT_OK and "disimpan: 5 baris" in out
    staff = {r["nrp"]: r for r in rows}
    assert set(staff) == {"75020001", "07502002", "75020007", "75020008", "75020010"}
    budi = staff["75020001"]
    assert (budi["name"], budi["rank"], budi["instagram"], budi["whatsapp"], budi["email"]) == (
        "BUDI SANTOSO", "BRIPKA", "budi.s", "6281234567890", "budi@example.org",
    )  # fmt: skip
    assert budi["roles"] == ["operator"] and staff["07502002"]["roles"] == ["ditbinmas", "operator"]
    assert staff["75020007"]["tiktok"] == "sari.dewi" and staff["75020010"]["whatsapp"] is None
    record = (
        "SELECT new_count, changed_count, unchanged_count, error_count, applied FROM staff_import"
    )
    assert [tuple(r) for r in do(url, "staff", path, "POLRES_A", query=record)[2]] == [
        (5, 0, 0, 7, True)
    ]
    code, out, again = do(url, "staff", path, "POLRES_A", apply=True, query=STAFF_Q)
    assert "0 baru, 0 berubah, 5 tetap, 7 ditolak" in out and "tidak ada yang perlu disimpan" in out
    assert again == rows


def test_staff_changes_are_field_diffs_and_empty_cells_never_erase(
    url: str, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "staff2.csv.xlsx", STAFF_HEADER, [
        ["75020001", "BUDI SANTOSO", "BRIPTU", "SAT BINMAS", "", "", "", "", "", "ditbinmas"],
        ["75020007", "SARI", "AIPDA", "SAT BINMAS", "", "budi.s", "", "", "", ""],
        ["75020008", "GITA", "KAPTEN", "SAT BINMAS", "", "", "", "081211110001", "", ""],
    ])  # fmt: skip
    code, out, _ = do(url, "staff", path, "POLRES_A")
    assert "rank BRIPKA → BRIPTU; role +ditbinmas" in line(out, 2)
    assert "INSTAGRAM 'budi.s' dipakai personil aktif di SAT BINMAS (POLRES_A)" in line(out, 3)
    assert "tetap" in line(out, 4) and "6281211110001 adalah nomor operator satker" in out
    code, out, rows = do(url, "staff", path, "POLRES_A", apply=True, query=STAFF_Q)
    budi = {r["nrp"]: r for r in rows}["75020001"]
    assert (budi["rank"], budi["instagram"], budi["whatsapp"]) == (
        "BRIPTU",
        "budi.s",
        "6281234567890",
    )
    assert budi["roles"] == ["ditbinmas", "operator"]


def test_staff_of_another_client_and_a_missing_header_are_refused(url: str, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("NRP,NAMA,PANGKAT,SATFUNG\n75020001,BUDI,BRIPKA,SAT BINMAS\n", encoding="utf-8")
    code, out, _ = do(url, "staff", path, "POLRES_B")
    assert "NRP 75020001 milik client POLRES_A; tidak dipindahkan" in line(out, 2)

    bad = tmp_path / "bad.csv"
    bad.write_text("NRP;NAMA\n75020099;X\n", encoding="utf-8")
    code, out, _ = do(url, "staff", bad, "POLRES_A", apply=True)
    assert code == EXIT_BAD_INPUT
    assert "baris     1  ditolak    kolom wajib tidak ada: PANGKAT, SATFUNG" in out

    code, out, _ = do(url, "staff", path, "POLRES_Z")
    assert code == EXIT_BAD_INPUT and "client 'POLRES_Z' tidak ada" in out


def test_a_nul_character_in_a_csv_cell_is_dropped_not_a_crash(url: str, tmp_path: Path) -> None:
    # PostgreSQL's text cannot hold U+0000; a file carrying one still imports.
    path = tmp_path / "clients.csv"
    path.write_text("CLIENT_ID,NAMA,TIPE\nPOLRES_N,Polres\x00 N,ORG\n", encoding="utf-8")
    code, out, rows = do(url, "clients", path, apply=True,
                         query="SELECT name FROM client WHERE client_id = 'POLRES_N'")  # fmt: skip
    assert code == EXIT_OK and "disimpan: 1 baris" in out
    assert [r["name"] for r in rows] == ["Polres N"]

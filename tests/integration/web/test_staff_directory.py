"""The staff directory over real HTTP and embedded PostgreSQL (api.md §3, §5; issue 17 item 2):
filters, search and pages in the caller's scope; edits through the WhatsApp menus' validators
with If-Match (412 on a stale version), a handle clash answered 409 naming the holder's unit
and never the person; roles; the password link; deactivation ending app logins; adding a
person; the Excel export. Every refusal is the §5 answer with nothing written."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl

from tests.integration.web.app_world import (
    ANDI,
    BUDI,
    DEDI,
    EKO,
    PASSWORD,
    PHONE,
    SITI,
    run,
)
from tests.integration.web.dashboard_world import Browser, code_at, serve_dashboard
from tests.integration.web.staff_world import DIR, OP_A, OP_B, patch, version, world


async def listed(b: Browser, query: str = "") -> list[str]:
    status, body, _ = await b.request("GET", f"/api/users{query}")
    assert status == 200, body
    return [i["user_id"] for i in body["data"]]


async def audit_rows(b: Browser, nrp: str) -> list[Any]:
    return await b.sql(
        "SELECT actor, channel, action, before, after, reason, request_id FROM audit_log "
        "WHERE entity = $1 ORDER BY id", f"staff:{nrp}",
    )  # fmt: skip


def test_the_directory_filters_searches_and_pages_within_scope(pg_server: object) -> None:
    url, secret = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            assert (await op.login(OP_A))[0] == 200
            # Active staff of POLRES_A, by unit: SAT BINMAS, SAT LANTAS, SAT SAMAPTA.
            assert await listed(op) == [BUDI, SITI, DEDI]
            status, body, _ = await op.request("GET", "/api/users")
            assert body["meta"] == {"page": 1, "per_page": 50, "total": 3}
            budi = body["data"][0]
            assert budi["whatsapp"] == "62*******0001" and PHONE[BUDI] not in json.dumps(body)
            assert (budi["insta"], budi["tiktok"], budi["roles"]) == ("budi.s", "budis",
                                                                       ["ditbinmas", "operator"])  # fmt: skip
            assert budi["has_password"] is True and budi["version"] >= 1
            assert await listed(op, "?active=all") == [BUDI, SITI, EKO, DEDI]
            assert await listed(op, "?active=false") == [EKO]
            assert await listed(op, "?unit=sat%20lantas") == [SITI]
            assert await listed(op, "?missing=tiktok") == [SITI, DEDI]
            assert await listed(op, "?missing=username") == [SITI, DEDI]
            assert await listed(op, "?missing=whatsapp") == [SITI]
            assert await listed(op, "?q=siti") == [SITI]
            assert await listed(op, "?q=%40budi.s") == [BUDI]  # a handle, with its @
            assert await listed(op, "?q=ba%20sat") == [BUDI]  # the position
            assert await listed(op, "?q=%25") == []  # a LIKE wildcard is a character
            assert await listed(op, "?q=_a") == [SITI]  # siti_a; as a wildcard "SA" would match too
            status, body, _ = await op.request("GET", "/api/users?per_page=2&page=2")
            assert [i["user_id"] for i in body["data"]] == [DEDI]
            assert body["meta"] == {"page": 2, "per_page": 2, "total": 3}
            # Another client's staff: refused at the door, not found by NRP.
            status, body, _ = await op.request("GET", "/api/users?client_id=POLRES_B")
            assert (status, body["error"]["code"]) == (403, "out_of_scope")
            assert await listed(op, f"?q={ANDI}") == []
            status, body, _ = await op.request("GET", f"/personil/{ANDI}")
            assert status == 404 and "tidak ditemukan" in body
            status, body, _ = await op.request("GET", "/api/users/completeness")
            units = {(u["client_id"], u["unit"]): u for u in body["data"]}
            assert set(units) == {("POLRES_A", "SAT BINMAS"), ("POLRES_A", "SAT LANTAS"),
                                  ("POLRES_A", "SAT SAMAPTA")}  # fmt: skip
            assert units["POLRES_A", "SAT BINMAS"]["percent"] == 100
            assert units["POLRES_A", "SAT LANTAS"]["percent"] == 0

            # The directorate reaches itself and its linked satker (POLRES_A), not POLRES_B.
            d = served.browser()
            assert (await d.login(DIR))[0] == 200
            assert await listed(d) == [BUDI, SITI, DEDI]
            # The admin reaches everyone.
            admin = served.browser()
            assert (await admin.login("admin.satu", totp=code_at(secret, served.clock.now())))[0] == 200
            assert set(await listed(admin)) == {BUDI, SITI, DEDI, ANDI, "75020006"}

            # The pages render the same people.
            status, html, _ = await op.request("GET", "/personil?unit=SAT%20LANTAS")
            assert status == 200 and f'data-nrp="{SITI}"' in html and f'data-nrp="{BUDI}"' not in html
            status, html, _ = await op.request("GET", f"/personil/{BUDI}")
            assert status == 200 and "BUDI SANTOSO" in html and 'data-versi="' in html

    run(go())


def test_bad_query_words_are_400_naming_them(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            long = "a" * 10_000
            for path in (f"/api/users?q={long}", f"/api/exports/users.xlsx?q={long}"):
                status, body, _ = await op.request("GET", path)
                assert (status, body["error"]["code"]) == (400, "bad_request")
                assert body["error"]["fields"] == {"q": "maksimal 100 karakter"}
            # 10,000 characters that are not ASCII still reach the handler (percent-encoded).
            status, body, _ = await op.request("GET", "/api/users?q=" + "%E2%9C%85" * 10_000)
            assert (status, body["error"]["fields"]) == (400, {"q": "maksimal 100 karakter"})
            status, body, _ = await op.request(
                "GET", "/api/users?page=0&per_page=501&active=kadang&missing=email"
            )
            assert status == 400
            assert set(body["error"]["fields"]) == {"page", "per_page", "active", "missing"}
            # The page of the same query: a page in words, never a traceback.
            status, body, _ = await op.request("GET", f"/personil?q={long}")
            assert status == 400 and "Permintaan tidak valid" in body

    run(go())


def test_an_edit_goes_through_the_menus_validators_with_if_match(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            v = await version(op, SITI)
            # No If-Match: refused, nothing read from the body.
            status, body, _ = await op.request("PATCH", f"/api/users/{SITI}", {"nama": "X"})
            assert (status, body["error"]["code"]) == (400, "bad_request")
            assert "If-Match" in body["error"]["fields"]
            status, body, headers = await patch(op, SITI, {
                "insta": "https://www.instagram.com/Siti.New/?igsh=x", "tiktok": "@Siti_TT",
                "title": "bripka", "nama": "  siti   aminah  ", "reason": "koreksi data",
            }, at=v)  # fmt: skip
            assert status == 200, body
            d = body["data"]
            assert (d["insta"], d["tiktok"], d["title"], d["nama"]) == (
                "siti.new", "siti_tt", "BRIPKA", "SITI AMINAH")
            assert d["version"] > v and headers["ETag"] == f'"{d["version"]}"'
            (entry,) = await audit_rows(op, SITI)
            assert (entry["actor"], entry["channel"], entry["action"], entry["reason"]) == (
                f"dash:{OP_A}", "web", "staff.update", "koreksi data")
            assert json.loads(entry["before"]) == {"instagram": "siti_a", "rank": "BRIPTU",
                                                   "tiktok": None}  # fmt: skip
            assert json.loads(entry["after"]) == {"instagram": "siti.new", "rank": "BRIPKA",
                                                  "tiktok": "siti_tt"}  # fmt: skip
            assert entry["request_id"]

            # The version the edit was prepared on is gone: 412, nothing written.
            status, body, _ = await patch(op, SITI, {"nama": "SITI LAMA"}, at=v)
            assert (status, body["error"]["code"]) == (412, "stale_version")
            assert body["current_version"] == d["version"]
            assert len(await audit_rows(op, SITI)) == 1

            # A handle of another active person: 409 naming the unit, never the person.
            status, body, _ = await patch(op, SITI, {"insta": "@Budi.S"})
            assert (status, body["error"]["code"]) == (409, "handle_taken")
            assert "SAT BINMAS" in body["message"] and "POLRES A" in body["message"]
            text = json.dumps(body)
            assert BUDI not in text and "BUDI" not in text and "SANTOSO" not in text
            assert body["error"]["fields"] == {"insta": "dipakai personil aktif di SAT BINMAS (POLRES A)"}

            # An unknown field: 400 naming it, even beside good ones; nothing written.
            before = await version(op, SITI)
            status, body, _ = await patch(op, SITI, {"nama": "SITI", "password": "rahasia123"})
            assert (status, body["error"]["fields"]) == (400, {"password": "tidak dikenal"})
            # The menus' refusals, one per field, and nothing of the body written.
            status, body, _ = await patch(op, SITI, {
                "nama": "SITI BARU", "title": "KAPTEN", "insta": "instagram.com/p/DAbCdEf01",
                "tiktok": "@cicero_devs", "whatsapp": "6281200000001", "divisi": "SAT ANTAH",
                "jabatan": "x" * 101,
            })  # fmt: skip
            assert (status, body["error"]["code"]) == (422, "invalid")
            assert body["error"]["fields"] == {
                "title": "Pangkat tidak valid.",
                "insta": "Username Instagram tidak valid: bukan tautan profil.",
                "tiktok": "Username tersebut milik Super Admin dan tidak dapat digunakan untuk TikTok.",
                "whatsapp": "Nomor operator satker tidak boleh dipakai untuk personil.",
                "divisi": "Satfung tidak valid.",
                "jabatan": "Jabatan maksimal 100 karakter.",
            }
            for bad in ({"status": "false"}, {"nama": 7}, {"nama": None}):
                status, body, _ = await patch(op, SITI, bad)
                assert status == 400, bad
            # A number bound to another person: 409, and not the person's name either.
            status, body, _ = await patch(op, SITI, {"whatsapp": "0813-0000-0004"})
            assert (status, body["error"]["code"]) == (409, "conflict") and "DEDI" not in json.dumps(body)
            assert await version(op, SITI) == before
            assert (await op.sql(f"SELECT name FROM staff WHERE nrp = '{SITI}'"))[0]["name"] == "SITI AMINAH"

            # Out of scope: not found (no hint that the NRP exists); a colleague's operator may.
            status, body, _ = await patch(op, ANDI, {"nama": "ANDI P"}, at=1)
            assert (status, body["error"]["code"]) == (404, "not_found")
            other = served.browser()
            await other.login(OP_B)
            assert (await patch(other, ANDI, {"nama": "ANDI P"}))[0] == 200
            # Clearing: an empty handle or number removes it (the menus' "Hapus WhatsApp").
            status, body, _ = await patch(op, BUDI, {"whatsapp": "", "tiktok": ""})
            assert status == 200 and (body["data"]["whatsapp"], body["data"]["tiktok"]) == ("", "")

    run(go())


def test_deactivation_needs_a_reason_and_ends_the_app_logins(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            staff_login = await served.client.post(
                "/api/auth/user-login", json={"nrp": BUDI, "password": PASSWORD})
            token = (await staff_login.json())["token"]
            profile = {"Authorization": f"Bearer {token}"}
            assert (await served.client.get(f"/api/users/{BUDI}", headers=profile)).status == 200
            op = served.browser()
            await op.login(OP_A)
            status, body, _ = await patch(op, BUDI, {"status": False})
            assert (status, body["error"]["fields"]) == (422, {"reason": "wajib diisi untuk menonaktifkan"})
            status, body, _ = await patch(op, BUDI, {"status": False, "reason": "mutasi ke polda"})
            assert status == 200 and body["data"]["status"] is False
            assert (await served.client.get(f"/api/users/{BUDI}", headers=profile)).status == 401
            revoked = await op.sql(
                "SELECT revoked_reason FROM auth_token WHERE subject = $1 AND kind = 'staff_access'", BUDI)
            assert [r["revoked_reason"] for r in revoked] == ["deactivated"]
            entry = (await audit_rows(op, BUDI))[-1]
            assert json.loads(entry["after"]) == {"active": False}
            assert entry["reason"] == "mutasi ke polda"
            # While BUDI is away SITI may take his handle; his return is then refused (409,
            # naming her unit), not a unique-index traceback.
            assert (await patch(op, SITI, {"insta": "budi.s"}))[0] == 200
            status, body, _ = await patch(op, BUDI, {"status": True, "reason": "kembali"})
            assert (status, body["error"]["code"]) == (409, "handle_taken")
            assert "SAT LANTAS" in body["message"] and "SITI" not in json.dumps(body)

    run(go())


def test_roles_the_account_may_give(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)

            async def put(b: Browser, nrp: str, roles: list[str], reason: str = "") -> tuple[int, Any]:
                v = await version(op, nrp)
                status, body, _ = await b.request(
                    "PUT", f"/api/users/{nrp}/roles", {"roles": roles, "reason": reason},
                    headers={"If-Match": f'"{v}"'})  # fmt: skip
                return status, body

            # POLRES_A is linked to DITBINMAS: its operator gives operator and ditbinmas.
            status, body = await put(op, SITI, ["operator", "ditbinmas"])
            assert status == 200 and body["data"]["roles"] == ["ditbinmas", "operator"]
            status, body = await put(op, SITI, ["operator", "ditlantas"])
            assert (status, body["error"]["code"]) == (422, "invalid") and "ditlantas" in body["message"]
            status, body = await put(op, SITI, ["operator", "bogus"])
            assert status == 422 and "tidak dikenal" in body["message"]
            status, body = await put(op, SITI, [])
            assert status == 422 and "reason" in body["error"]["fields"]
            status, body = await put(op, SITI, [], "pensiun")
            assert status == 200 and body["data"]["status"] is False and body["data"]["roles"] == []
            entries = await audit_rows(op, SITI)
            assert [e["action"] for e in entries] == ["staff.roles", "staff.roles"]
            assert json.loads(entries[-1]["after"]) == {"roles": [], "active": False}
            # A directorate gives or takes its own role only.
            d = served.browser()
            await d.login(DIR)
            status, body = await put(d, BUDI, ["ditbinmas"])
            assert status == 422 and "operator" in body["message"]
            status, body = await put(d, DEDI, ["operator", "ditbinmas"])
            assert status == 200 and body["data"]["roles"] == ["ditbinmas", "operator"]
            # A stale version: 412, roles as they were.
            status, body, _ = await d.request("PUT", f"/api/users/{DEDI}/roles",
                                              {"roles": ["operator"]}, headers={"If-Match": '"1"'})  # fmt: skip
            assert (status, body["error"]["code"]) == (412, "stale_version")

    run(go())


def test_the_password_link_goes_to_the_bound_number_through_the_outbox(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            status, body, _ = await op.request("POST", f"/api/users/{BUDI}/password-link", {})
            assert status == 200 and body["data"] == {"sent": True, "to": "62*******0001"}
            (queued,) = await op.sql("SELECT recipient, body, session FROM outbox")
            assert queued["recipient"] == PHONE[BUDI] and "/akun/password?t=" in queued["body"]
            assert "/akun/password?t=" not in json.dumps(body)  # the operator never sees it
            status, body, headers = await op.request("POST", f"/api/users/{BUDI}/password-link")
            assert (status, body["error"]["code"]) == (429, "rate_limited") and headers["Retry-After"]
            status, body, _ = await op.request("POST", f"/api/users/{SITI}/password-link", {})
            assert status == 422 and "belum menghubungkan" in body["message"]
            status, body, _ = await op.request("POST", f"/api/users/{ANDI}/password-link", {})
            assert status == 404
            (entry,) = [e for e in await audit_rows(op, BUDI) if e["action"] == "staff.password_link"]
            assert entry["actor"] == f"dash:{OP_A}" and entry["channel"] == "web"
            assert "t=" not in (entry["after"] or "") and PHONE[BUDI] not in entry["after"]
            assert len(await op.sql("SELECT 1 FROM outbox")) == 1

    run(go())


def test_adding_a_person_follows_the_operator_menu(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            new = {"user_id": "7502-0099", "client_id": "polres_a", "nama": "gita  putri",
                   "title": "BRIPDA", "divisi": "sat lantas", "jabatan": "ba", "insta": "@Gita.P",
                   "reason": "personil baru"}  # fmt: skip
            status, body, headers = await op.request("POST", "/api/users", new)
            assert status == 201, body
            d = body["data"]
            assert (d["user_id"], d["nama"], d["divisi"], d["insta"], d["roles"]) == (
                "75020099", "GITA PUTRI", "SAT LANTAS", "gita.p", ["operator"])
            assert headers["ETag"] == f'"{d["version"]}"'
            (entry,) = await audit_rows(op, "75020099")
            assert entry["action"] == "staff.create" and json.loads(entry["after"])["roles"] == ["operator"]
            status, body, _ = await op.request("POST", "/api/users", new)
            assert (status, body["error"]["code"]) == (409, "conflict")
            status, body, _ = await op.request("POST", "/api/users", {**new, "user_id": "75020098",
                                                                      "client_id": "POLRES_B"})  # fmt: skip
            assert (status, body["error"]["code"]) == (403, "out_of_scope")
            status, body, _ = await op.request("POST", "/api/users", {
                **new, "user_id": "12", "title": "KAPTEN", "insta": "budi.s", "nama": ""})  # fmt: skip
            assert status == 422
            assert set(body["error"]["fields"]) == {"user_id"}  # the NRP is read first
            status, body, _ = await op.request("POST", "/api/users", {
                **new, "user_id": "75020097", "title": "KAPTEN", "nama": ""})  # fmt: skip
            assert status == 422 and set(body["error"]["fields"]) == {"title", "nama"}
            status, body, _ = await op.request("POST", "/api/users", {
                **new, "user_id": "75020097", "insta": "budi.s"})  # fmt: skip
            assert (status, body["error"]["code"]) == (409, "handle_taken")
            assert await op.sql("SELECT 1 FROM staff WHERE nrp IN ('75020098', '75020097')") == []

    run(go())


def test_the_excel_export_writes_a_formula_looking_name_as_text(pg_server: object) -> None:
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            # A name the menus accept as text (nothing refuses "=" there): stored as typed.
            await op.sql(f"UPDATE staff SET name = '=CMD|'' /C CALC''!A0' WHERE nrp = '{DEDI}'")
            status, body, headers = await op.request("GET", "/api/exports/users.xlsx?active=all")
            assert status == 200 and headers["Content-Disposition"].startswith(
                'attachment; filename="Data_Personil_POLRES_A_')  # the sole client in scope
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
            assert set(rows) == {BUDI, EKO, SITI, DEDI}
            name = rows[DEDI][3]
            assert name.value == "=CMD|' /C CALC'!A0" and name.data_type == "s"  # text, not a formula
            assert rows[BUDI][9].value == "62*******0001"

    run(go())


def test_an_operator_of_one_client_cannot_read_or_edit_anothers_staff(pg_server: object) -> None:
    """The authorization matrix's question for the directory's routes, asked with real data:
    POLRES_B's operator and POLRES_A's people (api.md §1 Scope)."""
    url, _ = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            a = served.browser()
            await a.login(OP_A)
            status, body, _ = await a.request("POST", "/api/imports?client_id=POLRES_A&file_name=a.csv",
                                              raw=b"NRP,NAMA,PANGKAT,SATFUNG\n75020301,X,BRIPDA,SAT A\n")  # fmt: skip
            assert status == 201
            preview = body["data"]["id"]
            b = served.browser()
            await b.login(OP_B)
            v = f'"{await version(a, SITI)}"'
            at_door = [
                ("GET", "/api/users?client_id=POLRES_A", None),
                ("GET", "/api/users/completeness?client_id=polres_a", None),
                ("GET", "/api/exports/users.xlsx?client_id=POLRES_A", None),
                ("GET", "/personil?client_id=POLRES_A", None),
                ("POST", "/api/imports?client_id=POLRES_A&file_name=b.csv", None),
            ]
            for method, path, body in at_door:
                status, answer, _ = await b.request(method, path, body, raw=b"x" if method == "POST" else None)
                assert status == 403, (path, status)
                if isinstance(answer, dict):
                    assert answer["error"]["code"] == "out_of_scope", path
            not_found: list[tuple[str, str, dict[str, Any] | None]] = [
                ("GET", f"/personil/{SITI}", None),
                ("PATCH", f"/api/users/{SITI}", {"nama": "DIUBAH"}),
                ("PUT", f"/api/users/{SITI}/roles", {"roles": []}),
                ("POST", f"/api/users/{SITI}/password-link", {}),
                ("POST", f"/api/imports/{preview}/confirm", {}),
            ]
            for method, path, body in not_found:
                status, _, _ = await b.request(method, path, body, headers={"If-Match": v})
                assert status == 404, (path, status)
            status, answer, _ = await b.request("POST", "/api/users", {
                "user_id": "75020302", "client_id": "POLRES_A", "nama": "X", "title": "BRIPDA",
                "divisi": "SAT LANTAS", "jabatan": "BA"})  # fmt: skip
            assert (status, answer["error"]["code"]) == (403, "out_of_scope")
            # Their own list holds none of POLRES_A's people, whatever the search.
            status, answer, _ = await b.request("GET", "/api/users?active=all&q=7502")
            assert [i["client_id"] for i in answer["data"]] == ["POLRES_B"]
            # Nothing of POLRES_A changed, nothing was written for it.
            assert await version(a, SITI) == int(v.strip('"'))
            assert await b.sql("SELECT 1 FROM staff WHERE nrp IN ('75020301', '75020302')") == []
            assert await b.sql("SELECT 1 FROM audit_log WHERE entity LIKE 'staff:%'") == []
            assert await b.sql("SELECT 1 FROM outbox") == []

    run(go())


def test_nul_and_control_characters_never_reach_the_database_as_errors(pg_server: object) -> None:
    """PostgreSQL's text cannot hold U+0000: every new route answers such input in words
    (a 4xx, or the character dropped), never with a 500."""
    url, secret = world(pg_server)

    async def go() -> None:
        async with serve_dashboard(url) as served:
            op = served.browser()
            await op.login(OP_A)
            for path in ("/api/users?q=%00budi", "/api/users?unit=SAT%00X", "/personil?q=%00",
                         "/api/users/completeness?client_id=POLRES_A", "/api/exports/users.xlsx?q=%00"):  # fmt: skip
                status, _, _ = await op.request("GET", path)
                assert status == 200, path
            assert await listed(op, "?q=%00budi.s") == [BUDI]  # the NUL dropped, the rest searched
            status, body, _ = await patch(op, SITI, {"nama": "SITI\u0000AMINAH", "insta": "a\u0000b"})
            assert status == 422 and set(body["error"]["fields"]) == {"nama", "insta"}
            status, body, _ = await patch(op, SITI, {"jabatan": "BANIT", "reason": "salah\u0000ketik"})
            assert status == 200
            assert (await audit_rows(op, SITI))[-1]["reason"] == "salahketik"
            status, body, _ = await op.request("POST", "/api/users", {
                "user_id": "75020401", "client_id": "POLRES\u0000A", "nama": "X", "title": "BRIPDA",
                "divisi": "SAT LANTAS", "jabatan": "BA"})  # fmt: skip
            assert status in (403, 404)
            status, body, _ = await op.request(
                "POST", "/api/imports?client_id=POLRES_A&file_name=a%00.csv", raw=b"x")  # fmt: skip
            assert (status, list(body["error"]["fields"])) == (400, ["file_name"])
            status, body, _ = await op.request("PUT", f"/api/users/{SITI}/roles",
                                               {"roles": ["operator\u0000"]},
                                               headers={"If-Match": f'"{await version(op, SITI)}"'})  # fmt: skip
            assert status == 422
            admin = served.browser()
            await admin.login("admin.satu", totp=code_at(secret, served.clock.now()))
            status, body, _ = await admin.request("GET", "/api/admin/audit?entity=staff%3A%00")
            assert status == 400 and "entity" in body["error"]["fields"]
            status, body, _ = await admin.request("POST", "/api/users", {
                "user_id": "75020401", "client_id": "POLRES\u0000A", "nama": "X", "title": "BRIPDA",
                "divisi": "SAT LANTAS", "jabatan": "BA"})  # fmt: skip
            assert status == 404  # an admin covers every client: the id itself is refused

    run(go())

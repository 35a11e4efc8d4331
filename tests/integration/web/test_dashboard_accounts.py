"""Dashboard accounts over real HTTP and embedded PostgreSQL (api.md §1, §5): the cookie and
its limits, CSRF, admins' TOTP, registration → approval (page and WhatsApp) → lapse, the
reset link, one's own password; each refusal the §5 answer with nothing changed."""

from __future__ import annotations

from datetime import timedelta

from cicero.domain.auth.dashboard import Role, Status
from tests.conftest import fresh_database
from tests.integration.web.app_world import T0, run, seeded
from tests.integration.web.dashboard_world import (
    DASH_PASSWORD,
    code_at,
    make_account,
    make_admin,
    serve_dashboard,
)


def world(pg_server: object) -> str:
    url = fresh_database(pg_server)
    run(seeded(url))
    return url


def test_login_sets_the_host_cookie_and_the_session_keeps_its_limits(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",))
        async with serve_dashboard(url) as served:
            b = served.browser()
            status, body = await b.login("op.polresa")
            assert status == 200, body
            assert body["data"]["next"] == "/" and body["data"]["idle_s"] == 1800
            session = next(c for c in b.set_cookies if "__Host-cicero" in c)["__Host-cicero"]
            assert session["secure"] and session["httponly"] and session["path"] == "/"
            assert session["samesite"] == "Lax" and not session["domain"]
            assert session["max-age"] == str(12 * 3600)
            assert session.value.startswith("csd_")
            stored = await b.sql("SELECT token_hash, idle_s FROM auth_token WHERE kind = 'dashboard_session'")
            assert stored[0]["idle_s"] == 1800 and session.value.encode() not in bytes(stored[0]["token_hash"])

            status, me, headers = await b.request("GET", "/api/me")
            assert status == 200 and me["data"]["clients"] == ["POLRES_A"]
            assert me["data"]["identity"] == "operator" and headers["Cache-Control"] == "no-store"
            # Idle: 29 min 59 s later it still works (and counts again from there) ...
            served.clock.move(minutes=29, seconds=59)
            assert (await b.request("GET", "/api/me"))[0] == 200
            served.clock.move(minutes=29, seconds=59)
            assert (await b.request("GET", "/api/me"))[0] == 200
            # ... 30 min of silence ends it, exactly.
            served.clock.move(minutes=30)
            status, body, _ = await b.request("GET", "/api/me")
            assert status == 401 and body["error"]["code"] == "unauthenticated"
            # A page sends the signed-out person to the login page, keeping where they were.
            status, _, headers = await b.request("GET", "/akun?tab=1")
            assert status == 303
            assert headers["Location"] == "/login?next=%2Fakun%3Ftab%3D1"

            # The 12 h lifetime holds even for a session used every 20 minutes.
            b2 = served.browser()
            assert (await b2.login("op.polresa"))[0] == 200
            for _ in range(35):
                served.clock.move(minutes=20)
                assert (await b2.request("GET", "/api/me"))[0] == 200
            served.clock.move(minutes=20)  # 12 h since login
            assert (await b2.request("GET", "/api/me"))[0] == 401

    run(go())


def test_csrf_origin_and_forged_cookies_are_refused_and_change_nothing(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",))
        async with serve_dashboard(url) as served:
            b = served.browser()
            # The login form's double-submit value: missing, wrong, or from another origin.
            await b.request("GET", "/login")
            body = {"username": "op.polresa", "password": DASH_PASSWORD}
            for csrf, origin in (("", "own"), ("x" * 32, "own"), (None, "https://evil.example"),
                                 (None, None)):  # fmt: skip
                status, answer, _ = await b.request(
                    "POST", "/api/auth/dashboard-login", body, csrf=csrf if csrf is not None else
                    b.cookies["__Host-cicero-csrf"], origin=origin,
                )  # fmt: skip
                assert status == 403 and answer["error"]["code"] == "csrf", (csrf, origin)
            assert not await b.sql("SELECT 1 FROM auth_token")
            assert (await b.login("op.polresa"))[0] == 200
            good = b.csrf
            # An unsafe cookie request without the session's token, with another's, or cross-site.
            for csrf, origin in (("", "own"), ("bogus", "own"), (good, "https://evil.example")):
                status, answer, _ = await b.request(
                    "POST", "/api/auth/dashboard-logout", {}, csrf=csrf, origin=origin
                )
                assert status == 403 and answer["error"]["code"] == "csrf"
            assert (await b.request("GET", "/api/me"))[0] == 200  # still signed in
            # A forged cookie (well-formed, unknown) and junk are nobody.
            forged = served.browser()
            forged.cookies["__Host-cicero"] = "csd_" + "A" * 43
            assert (await forged.request("GET", "/api/me"))[0] == 401
            forged.cookies["__Host-cicero"] = "<script>"
            assert (await forged.request("GET", "/api/me"))[0] == 401
            # A bearer request never reads the cookie.
            status, _, _ = await b.request(
                "GET", "/api/me", headers={"Authorization": "Bearer cst_" + "B" * 43}
            )
            assert status == 401
            # Logout with everything right ends the session.
            assert (await b.request("POST", "/api/auth/dashboard-logout", {}))[0] == 200
            assert "__Host-cicero" not in b.cookies
            b.cookies["__Host-cicero"] = next(
                c for c in b.set_cookies if "__Host-cicero" in c
            )["__Host-cicero"].value
            assert (await b.request("GET", "/api/me"))[0] == 401

    run(go())


def test_admin_needs_password_and_a_fresh_totp(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        secret = await make_admin(url)
        async with serve_dashboard(url) as served:
            now = served.clock.now()
            b = served.browser()
            assert (await b.login("admin.satu"))[0] == 401  # no code
            assert (await b.login("admin.satu", totp="000000"))[0] == 401
            assert (await b.login("admin.satu", "salah sekali ini", code_at(secret, now)))[0] == 401
            served.clock.move(seconds=1)  # attempts at one instant have no order
            status, body = await b.login("admin.satu", totp=code_at(secret, now))
            assert status == 200 and body["data"]["idle_s"] == 900
            # The same code again (a replay) is refused.
            served.clock.move(seconds=1)
            assert (await served.browser().login("admin.satu", totp=code_at(secret, now)))[0] == 401
            # The sealed secret is not the secret.
            row = (await b.sql("SELECT totp_sealed FROM dashboard_account"))[0]
            assert secret.encode() not in bytes(row["totp_sealed"])
            # Idle 15 minutes ends an admin's session.
            served.clock.move(minutes=15)
            assert (await b.request("GET", "/api/me"))[0] == 401
            # Five failures in a row (the replay was the first) lock the account: 429 +
            # Retry-After, the right code included.
            for _ in range(4):
                served.clock.move(seconds=1)
                assert (await b.login("admin.satu", "bukan passwordnya", "123456"))[0] == 401
            served.clock.move(seconds=31)
            status, body = await b.login("admin.satu", totp=code_at(secret, served.clock.now()))
            assert status == 429 and body["error"]["code"] == "locked"
            assert len(await b.sql("SELECT 1 FROM auth_token")) == 1  # the first login only

    run(go())


def test_registration_pending_approval_and_lapse(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        secret = await make_admin(url, whatsapp="6281199990001")
        async with serve_dashboard(url, {"admin_numbers": ["6281199990002"]}) as served:
            visitor = served.browser()
            await visitor.request("GET", "/daftar")
            form = {"username": "Op.PolresA", "name": "Operator <b>A</b>",
                    "whatsapp": "0812-3456-7890", "role": "operator",
                    "client_ids": ["polres_a"], "password": DASH_PASSWORD}  # fmt: skip
            status, body, _ = await visitor.request("POST", "/api/auth/dashboard-register", form)
            assert status == 201 and body["data"]["status"] == "pending", body
            notices = await visitor.sql(
                "SELECT recipient, body FROM outbox WHERE key LIKE 'dashboard_register|%' ORDER BY recipient"
            )
            assert [n["recipient"] for n in notices] == ["6281199990001", "6281199990002"]
            assert "approvedash#op.polresa" in notices[0]["body"] and "6281234567890" not in notices[0]["body"]
            # Pending cannot sign in; a taken name, a bad client or a weak password is refused.
            assert (await visitor.login("op.polresa"))[0] == 403
            bad = [({**form, "username": "op.polresa"}, "username"),
                   ({**form, "username": "lain", "client_ids": ["NOPE"]}, "client_ids"),
                   ({**form, "username": "lain2", "role": "admin"}, "role"),
                   ({**form, "username": "lain3", "password": "password1"}, "password")]
            for sent, field in bad:
                status, body, _ = await visitor.request("POST", "/api/auth/dashboard-register", sent)
                assert status == 422 and field in body["error"]["fields"], (field, body)
            # Three registrations an hour per address.
            status, body, _ = await visitor.request(
                "POST", "/api/auth/dashboard-register", {**form, "username": "keempat"}
            )
            assert status == 201
            status, body, _ = await visitor.request(
                "POST", "/api/auth/dashboard-register", {**form, "username": "kelima"}
            )
            assert status == 201
            status, body, _ = await visitor.request(
                "POST", "/api/auth/dashboard-register", {**form, "username": "keenam"}
            )
            assert status == 429 and body["error"]["code"] == "rate_limited"

            admin = served.browser()
            assert (await admin.login("admin.satu", totp=code_at(secret, served.clock.now())))[0] == 200
            status, page, _ = await admin.request("GET", "/admin/pengguna")
            assert status == 200 and "Operator &lt;b&gt;A&lt;/b&gt;" in page and "<b>A</b>" not in page
            rows = await admin.sql("SELECT id FROM dashboard_account WHERE username = 'op.polresa'")
            target = rows[0]["id"]
            # Approval needs the CSRF token like every admin action.
            status, body, _ = await admin.request(
                "POST", f"/api/admin/dashboard-users/{target}/approve", {}, csrf=""
            )
            assert status == 403 and body["error"]["code"] == "csrf"
            status, body, _ = await admin.request(
                "POST", f"/api/admin/dashboard-users/{target}/approve",
                {"role": "ditbinmas", "client_ids": []},
            )  # fmt: skip
            assert status == 200 and body["data"]["role"] == "ditbinmas", body
            audit = await admin.sql("SELECT actor, channel, action, after FROM audit_log ORDER BY id")
            assert [a["action"] for a in audit][-1] == "dashboard_account.approve"
            assert audit[-1]["actor"] == "dash:admin.satu" and audit[-1]["channel"] == "web"
            # Deciding twice is a conflict.
            status, _, _ = await admin.request(
                "POST", f"/api/admin/dashboard-users/{target}/reject", {"reason": "x"}
            )
            assert status == 409
            status, body = await visitor.login("op.polresa")
            assert status == 200 and body["data"]["role"] == "ditbinmas"
            status, me, _ = await visitor.request("GET", "/api/me")
            assert set(me["data"]["clients"]) == {"DITBINMAS", "POLRES_A"}  # its satker by link

            # A registration nobody decides on lapses after 7 days.
            served.clock.move(days=7)
            rows = await admin.sql("SELECT id FROM dashboard_account WHERE username = 'keempat'")
            assert (await admin.login("admin.satu", totp=code_at(secret, served.clock.now())))[0] == 200
            status, body, _ = await admin.request(
                "POST", f"/api/admin/dashboard-users/{rows[0]['id']}/approve", {}
            )
            assert status == 409
            listing = (await admin.request("GET", "/api/admin/dashboard-users"))[1]["data"]
            assert {a["username"]: a["status"] for a in listing}["keempat"] == "lapsed"

    run(go())


def test_reset_link_and_own_password(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        await make_account(url, "op.polresa", Role.OPERATOR, ("POLRES_A",), whatsapp="6281234567890")
        async with serve_dashboard(url) as served:
            b = served.browser()
            await b.request("GET", "/lupa-password")
            for name in ("op.polresa", "tidak.ada", "<x>"):
                status, _, _ = await b.request(
                    "POST", "/api/auth/password-reset/request", {"username": name}
                )
                assert status == 202
            sent = await b.sql("SELECT recipient, body FROM outbox WHERE key LIKE 'dashboard_reset|%'")
            assert [s["recipient"] for s in sent] == ["6281234567890"]
            link = next(w for w in sent[0]["body"].split() if "/reset-password?t=" in w)
            path = link[link.index("/reset-password"):]
            status, page, headers = await b.request("GET", path)
            assert status == 200 and headers["Referrer-Policy"] == "no-referrer"
            token = path.split("t=")[1]
            new = "kopi susu gula aren"
            status, body, _ = await b.request(
                "POST", "/api/auth/password-reset", {"token": token, "password": new}
            )
            assert status == 200, body
            status, _, _ = await b.request(
                "POST", "/api/auth/password-reset", {"token": token, "password": new + "x"}
            )
            assert status == 404  # spent
            await b.sql("UPDATE outbox SET status = 'dead' WHERE key LIKE 'dashboard_reset|%'")
            settled = await b.sql("SELECT body FROM outbox WHERE key LIKE 'dashboard_reset|%'")
            assert token not in settled[0]["body"] and "reset-password?t=••••••" in settled[0]["body"]
            assert (await b.login("op.polresa"))[0] == 401
            assert (await b.login("op.polresa", new))[0] == 200
            # Own password: the current one is needed; a change ends every session.
            status, body, _ = await b.request(
                "POST", "/api/me/password", {"current": "salah", "password": "nasi goreng pedas"}
            )
            assert status == 422 and "current" in body["error"]["fields"]
            other = served.browser()
            assert (await other.login("op.polresa", new))[0] == 200
            status, _, _ = await b.request(
                "POST", "/api/me/password", {"current": new, "password": "nasi goreng pedas"}
            )
            assert status == 200
            assert (await other.request("GET", "/api/me"))[0] == 401
            actions = [r["action"] for r in await b.sql("SELECT action FROM audit_log ORDER BY id")]
            assert actions == ["dashboard_account.password_reset", "dashboard_account.password_change"]

    run(go())


def test_inactive_statuses_cannot_sign_in(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        for i, status in enumerate((Status.REJECTED, Status.DISABLED, Status.LAPSED)):
            await make_account(url, f"akun{i}", Role.OPERATOR, ("POLRES_A",), status=status)
        await make_account(url, "lama", Role.OPERATOR, ("POLRES_A",), status=Status.PENDING,
                           now=T0 - timedelta(days=8))  # fmt: skip
        async with serve_dashboard(url) as served:
            for name in ("akun0", "akun1", "akun2", "lama"):
                status, body = await served.browser().login(name)
                assert status == 403 and body["error"]["code"] == "forbidden", name

    run(go())

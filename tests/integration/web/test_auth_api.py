"""Login, tokens, lockout and the transition over real HTTP and embedded PostgreSQL, on a
clock the test moves (api.md §1, A1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cicero.domain.auth import lockout
from cicero.web.errors import LOGIN_FAILED
from tests.conftest import fresh_database
from tests.integration.web.app_world import (
    ANDI,
    BUDI,
    DEDI,
    EKO,
    FAJAR,
    PASSWORD,
    PHONE,
    SITI,
    T0,
    run,
    seeded,
    serve,
)  # fmt: skip

ME = "/api/users/{}"


def world(pg_server: object) -> str:
    url = fresh_database(pg_server)
    run(seeded(url))
    return url


def error_code(body: Any) -> str:
    assert body["success"] is False and body["error"]["request_id"]
    return str(body["error"]["code"])


def test_login_answers_the_apps_shape_and_the_token_is_exact_to_the_second(
    pg_server: object,
) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            status, body, headers = await app.call(
                "POST", "/api/auth/user-login",
                {"nrp": BUDI, "password": PASSWORD, "whatsapp": PASSWORD},
            )  # fmt: skip
            assert status == 200, body
            assert body["success"] is True and body["token"].startswith("cst_")
            assert body["user"] == {"user_id": BUDI, "nama": "BUDI SANTOSO", "role": "user"}
            assert body["expires_in"] == 7200 and "refresh_token" not in body
            assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Request-ID"]
            token = body["token"]
            stored = await app.sql("SELECT token_hash, kind FROM auth_token")
            assert len(stored) == 1 and token.encode() not in bytes(stored[0]["token_hash"])
            app.clock.move(hours=1, minutes=59, seconds=59)
            assert (await app.call("POST", "/api/auth/logout", token="cst_" + "A" * 43))[0] == 401
            status, _, _ = await app.call("GET", ME.format(BUDI), token=token)
            assert status in (200, 404)  # reaches the handler (A2 may not be routed yet)
            app.clock.move(seconds=1)
            status, body, headers = await app.call("POST", "/api/auth/logout", token=token)
            assert status == 401 and error_code(body) == "unauthenticated"
            assert headers["WWW-Authenticate"] == "Bearer"

    run(go())


def test_unknown_nrp_and_wrong_password_get_the_same_answer(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            answers = []
            for nrp, password in ((BUDI, "salah sekali"), ("99999999", PASSWORD), ("abc", "x")):
                status, body, _ = await app.call(
                    "POST", "/api/auth/user-login", {"user_id": nrp, "password": password}
                )
                answers.append((status, body["message"], body["error"]["code"]))
            assert answers == [(401, LOGIN_FAILED, "unauthenticated")] * 3
            assert "userrequest" in LOGIN_FAILED

    run(go())


def test_five_failures_lock_the_account_with_retry_after_unknown_nrps_too(
    pg_server: object,
) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            for nrp in (SITI, "88888888"):
                for _ in range(5):
                    status, _, _ = await app.call(
                        "POST", "/api/auth/user-login", {"nrp": nrp, "password": "salah sekali"}
                    )
                    assert status == 401
                status, body, headers = await app.call(
                    "POST", "/api/auth/user-login", {"nrp": nrp, "password": PASSWORD}
                )
                assert status == 429 and error_code(body) == "locked"
                assert headers["Retry-After"] == str(15 * 60)
            app.clock.move(minutes=15)
            await app.login(SITI)  # the lock ran out; the right password works again
            failures = await app.sql(
                "SELECT count(*) AS n FROM login_attempt WHERE account = 'staff:88888888'"
            )
            assert failures[0]["n"] == 5  # attempts refused by the lock are not counted

    run(go())


def test_an_address_with_100_failures_in_10_minutes_is_blocked(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            rows = [(T0 - timedelta(seconds=i), f"staff:{i:08d}") for i in range(99)]
            conn_rows = ", ".join(
                f"('{t.isoformat()}', '{a}', '127.0.0.1', 'failure')" for t, a in rows
            )
            await app.sql(
                f"INSERT INTO login_attempt (at, account, ip, outcome) VALUES {conn_rows}"
            )
            status, _, _ = await app.call(
                "POST", "/api/auth/user-login", {"nrp": "12345678", "password": "salah sekali"}
            )
            assert status == 401  # the 100th failure
            status, body, headers = await app.call(
                "POST", "/api/auth/user-login", {"nrp": BUDI, "password": PASSWORD}
            )
            assert status == 429 and error_code(body) == "locked"
            assert int(headers["Retry-After"]) == int(lockout.IP_BLOCK.total_seconds())

    run(go())


def test_inactive_staff_get_403_after_a_right_password_only(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            ok = await app.call("POST", "/api/auth/user-login", {"nrp": EKO, "password": PASSWORD})
            assert ok[0] == 403 and error_code(ok[1]) == "forbidden"
            wrong = await app.call(
                "POST", "/api/auth/user-login", {"nrp": EKO, "password": "zzzzzzzzz"}
            )
            assert wrong[0] == 401

    run(go())


def test_an_imported_bcrypt_hash_verifies_and_is_rehashed_with_argon2id(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            before = (await app.sql("SELECT hash FROM staff_password WHERE nrp = $1", FAJAR))[0]
            assert before["hash"].startswith("$2b$")
            await app.login(FAJAR)
            after = (await app.sql("SELECT hash FROM staff_password WHERE nrp = $1", FAJAR))[0]
            assert after["hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
            await app.login(FAJAR)  # and the new hash verifies

    run(go())


def test_a_fourth_login_drops_the_oldest_and_logout_revokes_its_own(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            tokens = []
            for _ in range(4):
                tokens.append(await app.login(ANDI))
                app.clock.move(seconds=1)
            assert (await app.call("POST", "/api/auth/logout", token=tokens[0]))[0] == 401
            assert (await app.call("POST", "/api/auth/logout", token=tokens[1]))[0] == 200
            assert (await app.call("POST", "/api/auth/logout", token=tokens[1]))[0] == 401
            assert (await app.call("POST", "/api/auth/logout", token=tokens[3]))[0] == 200
            live = await app.sql(
                "SELECT count(*) AS n FROM auth_token WHERE subject = $1 AND revoked_at IS NULL",
                ANDI,
            )
            assert live[0]["n"] == 1  # tokens[2]

    run(go())


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            status, first, _ = await app.call(
                "POST", "/api/auth/user-login", {"nrp": BUDI, "password": PASSWORD, "refresh": True}
            )
            assert status == 200 and first["refresh_token"].startswith("csr_")
            status, second, _ = await app.call(
                "POST", "/api/auth/refresh", {"refresh_token": first["refresh_token"]}
            )
            assert status == 200 and second["token"] != first["token"]
            assert (await app.call("POST", "/api/auth/logout", token=first["token"]))[0] == 401
            # The first refresh token comes back: stolen. The whole family goes.
            status, body, _ = await app.call(
                "POST", "/api/auth/refresh", {"refresh_token": first["refresh_token"]}
            )
            assert status == 401
            assert (await app.call("POST", "/api/auth/logout", token=second["token"]))[0] == 401
            status, _, _ = await app.call(
                "POST", "/api/auth/refresh", {"refresh_token": second["refresh_token"]}
            )
            assert status == 401
            reasons = await app.sql("SELECT DISTINCT revoked_reason FROM auth_token")
            assert {r["revoked_reason"] for r in reasons} >= {"refresh_reuse", "rotated"}

    run(go())


def test_deactivation_ends_a_live_token_at_once(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            token = await app.login(SITI)
            await app.sql("UPDATE staff SET active = false WHERE nrp = $1", SITI)
            assert (await app.call("POST", "/api/auth/logout", token=token))[0] == 401
            await app.sql("UPDATE staff SET active = true WHERE nrp = $1", SITI)
            assert (await app.call("POST", "/api/auth/logout", token=token))[
                0
            ] == 401  # stays revoked
            moved = await app.login(SITI)
            await app.sql("UPDATE staff SET client_id = 'POLRES_B' WHERE nrp = $1", SITI)
            assert (await app.call("POST", "/api/auth/logout", token=moved))[0] == 401
            reasons = await app.sql("SELECT revoked_reason FROM auth_token")
            assert sorted(r["revoked_reason"] for r in reasons) == ["deactivated", "scope_changed"]

    run(go())


def test_the_transition_login_by_number_queues_a_reminder_until_the_deadline(
    pg_server: object,
) -> None:
    url = world(pg_server)
    until = (T0 + timedelta(days=30)).isoformat()

    async def go() -> None:
        async with serve(url) as shut:  # unset by default: the door is shut
            status, _, _ = await shut.call(
                "POST", "/api/auth/user-login", {"nrp": DEDI, "password": "081300000004",
                                                  "whatsapp": "081300000004"},
            )  # fmt: skip
            assert status == 401
        async with serve(url, {"auth": {"phone_login_until": until}}) as app:
            await app.login(DEDI, "081300000004")
            await app.login(DEDI, "+62 813-0000-0004")
            rows = await app.sql("SELECT recipient, kind, body FROM outbox")
            assert len(rows) == 1  # one reminder a day
            assert rows[0]["recipient"] == PHONE[DEDI] and rows[0]["kind"] == "reminder"
            assert "Password aplikasi" in rows[0]["body"]
            status, _, _ = await app.call(
                "POST", "/api/auth/user-login", {"nrp": DEDI, "password": "081300000009"}
            )
            assert status == 401  # a colleague's guess of another number
            # Someone with a password cannot use the number, even in the transition.
            status, _, _ = await app.call(
                "POST", "/api/auth/user-login", {"nrp": BUDI, "password": "081300000001"}
            )
            assert status == 401
            app.clock.move(days=30)
            status, _, _ = await app.call(
                "POST", "/api/auth/user-login", {"nrp": DEDI, "password": "081300000004"}
            )
            assert status == 401

    run(go())


def test_bad_input_is_a_4xx_envelope_and_nothing_is_stored(pg_server: object) -> None:
    url = world(pg_server)
    login = "/api/auth/user-login"

    async def go() -> None:
        async with serve(url) as app:
            cases: list[tuple[dict[str, Any], int]] = [
                ({"raw": b"{not json"}, 400),
                ({"raw": b"[1, 2]"}, 400),
                ({"raw": b"\xff\xfe"}, 400),
                ({"body": {"nrp": BUDI, "password": None}}, 400),  # org.json drops null keys
                ({"body": {"nrp": 75020001, "password": PASSWORD}}, 400),
                ({"body": {"nrp": BUDI, "password": PASSWORD, "admin": True}}, 400),
                ({"body": {"nrp": BUDI}}, 400),
                ({"body": {"nrp": BUDI, "password": PASSWORD, "refresh": "yes"}}, 400),
                ({"raw": b'{"nrp": "' + b"1" * 70_000 + b'"}'}, 413),
            ]
            for kw, expected in cases:
                status, body, headers = await app.call("POST", login, **kw)
                assert status == expected, (kw, body)
                assert body["success"] is False and body["error"]["request_id"]
            assert await app.sql("SELECT * FROM auth_token") == []
            assert await app.sql("SELECT * FROM login_attempt") == []

    run(go())


def test_undeclared_paths_and_methods_answer_in_the_envelope(pg_server: object) -> None:
    url = world(pg_server)

    async def go() -> None:
        async with serve(url) as app:
            for path in ("/api/nothing", "/api/auth/user-register", "/api/%00", "/api/../etc/passwd",
                         "/api/subscription-registrations"):  # fmt: skip
                status, body, headers = await app.call("GET", path)
                assert status == 404 and error_code(body) == "not_found", path
                assert headers["X-Request-ID"] == body["error"]["request_id"]
            status, body, headers = await app.call("GET", "/api/auth/user-login")
            assert status == 405 and "POST" in headers["Allow"]
            status, body, headers = await app.call(
                "GET", "/api/nothing", headers={"X-Request-ID": "abc-123"}
            )
            assert headers["X-Request-ID"] == "abc-123" == body["error"]["request_id"]

    run(go())


def test_x_forwarded_for_counts_only_from_a_listed_proxy(pg_server: object) -> None:
    url = world(pg_server)
    blocked = "203.0.113.9"

    async def go() -> None:
        rows = ", ".join(
            f"('{(T0 - timedelta(seconds=i)).isoformat()}', 'staff:{i:08d}', '{blocked}', 'failure')"
            for i in range(100)
        )
        async with serve(url, {"web": {"trusted_proxies": ["127.0.0.0/8"]}}) as app:
            await app.sql(f"INSERT INTO login_attempt (at, account, ip, outcome) VALUES {rows}")
            login = {"nrp": BUDI, "password": PASSWORD}
            via = {"X-Forwarded-For": f"198.51.100.1, {blocked}"}
            status, body, _ = await app.call("POST", "/api/auth/user-login", login, headers=via)
            assert (status, body["error"]["code"]) == (429, "locked")
            other = {"X-Forwarded-For": f"{blocked}, 203.0.113.10"}  # the nearest hop counts
            assert (await app.call("POST", "/api/auth/user-login", login, headers=other))[0] == 200
        async with serve(url) as app:  # no proxy listed: the header is anyone's to write
            assert (await app.call("POST", "/api/auth/user-login", login, headers=via))[0] == 200

    run(go())

""" "Password aplikasi" end to end: the link queued for the bound number (as the menus ask it),
the page it opens, the password it sets, and everything it must refuse."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from cicero.conversations import password_links
from cicero.db.connect import connect
from tests.conftest import fresh_database
from tests.integration.web.app_world import BUDI, PHONE, T0, App, run, seeded, serve

LINK = re.compile(r"https?://\S+/akun/password\?t=(\S+)")


async def issue(app: App, nrp: str, phone: str, at: timedelta = timedelta(0)) -> str | None:
    conn = await connect(app.url)
    try:
        async with conn.transaction():
            sent = await password_links.issue(
                conn, nrp, phone, "self", "operator", "https://cicero.example.id", T0 + at
            )
        if not sent:
            return None
        body = await conn.fetchval(
            "SELECT body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1", phone
        )
    finally:
        await conn.close()
    found = LINK.search(body)
    assert found is not None and urlsplit(found.group(0)).netloc == "cicero.example.id"
    return found.group(1)


async def form(app: App, token: str, password: str, confirm: str | None = None) -> tuple[int, str]:
    resp = await app.client.post(
        "/akun/password", data={"t": token, "password": password, "confirm": confirm or password}
    )
    return resp.status, await resp.text()


def test_the_link_sets_a_password_once_and_ends_old_logins(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        async with serve(url) as app:
            old = await app.login(BUDI)
            token = await issue(app, BUDI, PHONE[BUDI])
            assert token is not None
            assert await issue(app, BUDI, PHONE[BUDI], timedelta(seconds=30)) is None  # throttled
            stored = await app.sql("SELECT token_hash FROM password_link")
            assert token.encode() not in bytes(stored[0]["token_hash"])
            resp = await app.client.get(f"/akun/password?t={token}")
            page = await resp.text()
            assert resp.status == 200 and "BUDI SANTOSO" in page and "<script" not in page
            assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
            assert resp.headers["Referrer-Policy"] == "no-referrer"
            assert resp.headers["Cache-Control"] == "no-store"
            for password, confirm, why in (
                ("pendek", None, "minimal 8"),
                ("75020001abc", None, "NRP"),
                ("password123", None, "umum"),
                ("kopi susu gula aren", "kopi susu gula arem", "tidak sama"),
            ):
                status, page = await form(app, token, password, confirm)
                assert status == 422 and why in page, why
            status, page = await form(app, token, "kopi susu gula aren")
            assert status == 200 and "sudah dibuat" in page
            status, _, _ = await app.call("POST", "/api/auth/logout", token=old)
            assert status == 401  # the old login ended with the old password
            await app.login(BUDI, "kopi susu gula aren")
            status, _, _ = await app.call(
                "POST", "/api/auth/user-login", {"nrp": BUDI, "password": "kopi tubruk pagi"}
            )
            assert status == 401
            status, page = await form(app, token, "lain lagi sekarang")  # single use
            assert status == 404 and "tidak berlaku" in page
            # once the message is sent the outbox no longer holds the link's token
            await app.sql("UPDATE outbox SET status = 'sent' WHERE body LIKE '%akun/password%'")
            bodies = [r["body"] for r in await app.sql("SELECT body FROM outbox")]
            assert any("/akun/password?t=••••••" in b for b in bodies)
            assert not any(token in b for b in bodies)

    run(go())


def test_an_expired_a_forged_and_a_superseded_link_are_refused(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        async with serve(url) as app:
            first = await issue(app, BUDI, PHONE[BUDI])
            second = await issue(app, BUDI, PHONE[BUDI], timedelta(minutes=2))
            assert first and second
            app.clock.move(minutes=3)
            assert (await app.client.get(f"/akun/password?t={first}")).status == 404  # superseded
            assert (await app.client.get(f"/akun/password?t={second}")).status == 200
            for forged in ("", "x", "A" * 43, second[:-1] + ("A" if second[-1] != "A" else "B"),
                           "%00", "../../etc"):  # fmt: skip
                assert (await app.client.get(f"/akun/password?t={forged}")).status == 404
            app.clock.move(minutes=15)  # 17 min after the second link was made
            assert (await app.client.get(f"/akun/password?t={second}")).status == 404
            status, _ = await form(app, second, "kopi susu gula aren")
            assert status == 404

    run(go())

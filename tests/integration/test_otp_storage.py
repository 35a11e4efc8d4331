"""OTP codes in PostgreSQL: the row holds an HMAC keyed with the server secret, which a copy
of the table cannot reverse; the code verifies with that secret only; the upgrade from
unsalted SHA-256 drops the outstanding rows and redacts mail bodies a crash left behind."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

from cicero.conversations.lookups import Mail, answer
from cicero.db.connect import connect
from cicero.db.migrate import known_migrations
from cicero.domain.menus.model import CheckOtp, IssueOtp, OtpChecked, OtpIssued
from tests.conftest import fresh_database

SECRET = b"s" * 64
NOW = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)


def test_a_stored_code_is_keyed_and_verifies_only_with_the_secret(pg_server: object) -> None:
    url = fresh_database(pg_server)

    async def go() -> tuple[str, str, OtpChecked, OtpChecked]:
        conn = await connect(url)
        try:
            mail = Mail()
            issued = await answer(
                conn, IssueOtp("89050123", "andi@example.org"), NOW, mail, lambda: SECRET
            )
            assert issued == OtpIssued(True)
            [code] = re.findall(r"\b\d{6}\b", mail.queued[0].body)
            stored = await conn.fetchval("SELECT code_hash FROM otp_code WHERE nrp = '89050123'")
            later = NOW + timedelta(minutes=1)
            wrong_key = await answer(
                conn, CheckOtp("89050123", code), later, mail, lambda: b"t" * 64
            )
            right = await answer(conn, CheckOtp("89050123", code), later, mail, lambda: SECRET)
            return code, stored, wrong_key, right
        finally:
            await conn.close()

    code, stored, wrong_key, right = asyncio.run(go())
    assert stored == hmac.new(SECRET, code.encode(), hashlib.sha256).hexdigest()
    assert stored != hashlib.sha256(code.encode()).hexdigest()
    assert wrong_key.check == "wrong" and right.check == "ok"


def test_the_upgrade_drops_unkeyed_codes_and_redacts_leftover_mail(pg_server: object) -> None:
    url = fresh_database(pg_server, template="template0")
    upgrade = next(m for m in known_migrations() if m.name == "otp_hmac")

    async def go() -> tuple[int, list[str]]:
        conn = await connect(url)
        try:
            for m in known_migrations():
                if m.version < upgrade.version:
                    await conn.execute(m.sql)
            await conn.execute(
                """INSERT INTO otp_code (nrp, email, code_hash, expires_at)
                   VALUES ('1', 'a@b.c', $1, $2)""",
                hashlib.sha256(b"123456").hexdigest(), NOW + timedelta(minutes=5),
            )  # fmt: skip
            body = "Subject: Kode OTP Anda\n\nKode OTP Anda: 123456"
            for key, status in (("a", "in_doubt"), ("b", "dead"), ("c", "pending")):
                await conn.execute(
                    """INSERT INTO outbox (key, session, recipient, kind, body, status)
                       VALUES ($1, 'mail', 'a@b.c', 'email', $2, $3)""",
                    key, body, status,
                )  # fmt: skip
            await conn.execute(upgrade.sql)
            left = await conn.fetchval("SELECT count(*) FROM otp_code")
            bodies = [r["body"] for r in await conn.fetch("SELECT body FROM outbox ORDER BY key")]
            return left, bodies
        finally:
            await conn.close()

    left, bodies = asyncio.run(go())
    assert left == 0
    assert bodies[:2] == ["Subject: Kode OTP Anda\n\n[redacted]"] * 2
    assert bodies[2].endswith("123456")  # still to be sent: it needs its code

"""Admins are made only here (api.md §1): `cicero admin add USERNAME --password-stdin`
creates an active admin with a password and a TOTP secret, and hands back the
`otpauth://` URI, shown once: only the sealed secret is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cicero.db import audit
from cicero.db import dashboard as db
from cicero.domain.auth import dashboard, passwords, totp
from cicero.domain.auth.dashboard import Role, Status
from cicero.domain.people.phones import JidError, normalize_phone


class AdminRefused(ValueError):
    """The account cannot be made as asked; the message says why, in one line."""


@dataclass(frozen=True)
class NewAdmin:
    id: int
    username: str
    otpauth_uri: str


def check(username: str, password: str, whatsapp: str | None) -> tuple[str, str | None]:
    """The canonical username and number, or AdminRefused."""
    name = username.strip().lower()
    if not dashboard.USERNAME.fullmatch(name):
        raise AdminRefused("username: 3–32 characters of a-z, 0-9, '.' or '_'")
    phone = None
    if whatsapp:
        try:
            phone = normalize_phone(whatsapp)
        except JidError as err:
            raise AdminRefused(f"whatsapp: {err}") from None
    problem = passwords.problem(
        password, username=name, phone=phone or "", minimum=passwords.MIN_DASHBOARD
    )
    if problem:
        raise AdminRefused(f"password: {problem}")
    return name, phone


async def add_admin(
    conn: asyncpg.Connection, username: str, full_name: str, whatsapp: str | None,
    password: str, hashed: str, now: datetime,
) -> NewAdmin:  # fmt: skip
    """Create the admin in one transaction with its audit entry. `hashed`: the password's
    argon2id hash, made by the caller (CPU work stays with the adapter)."""
    name, phone = check(username, password, whatsapp)
    secret = totp.new_secret(secrets.token_bytes(totp.SECRET_BYTES))
    sealed = totp.seal(secret, password, secrets.token_bytes(totp.SALT_BYTES)).blob
    async with conn.transaction():
        account_id = await db.insert(
            conn, username=name, name=full_name.strip()[:100] or name, whatsapp=phone,
            role=Role.ADMIN, client_ids=(), status=Status.ACTIVE, password_hash=hashed, now=now,
            totp_sealed=sealed, decided_by="cli",
        )  # fmt: skip
        if account_id is None:
            raise AdminRefused(f"username {name!r} is taken")
        await audit.record(
            conn,
            audit.Entry("cli", audit.Channel.CLI, "dashboard_account.admin_add",
                        f"dashboard_account:{account_id}", after={"username": name, "role": "admin"}),
            now,
        )  # fmt: skip
    return NewAdmin(account_id, name, totp.uri(secret, name))

"""The dashboard's accounts over HTTP (api.md §1, §3): login (+TOTP for admins) setting the
`__Host-cicero` cookie, logout, registration, the password reset by WhatsApp link, who am I,
and one's own password.

A login answers an unknown username exactly as a wrong password or TOTP (same status,
message, cost); every failure counts towards the lockouts of the app's login (per account,
per IP)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from aiohttp import web

from cicero.dashboard import accounts as service
from cicero.db import audit
from cicero.db import auth as authdb
from cicero.db import dashboard as db
from cicero.db.outbox import NewMessage, enqueue
from cicero.domain.auth import dashboard, lockout, passwords, tokens, totp
from cicero.domain.auth import password_links as links
from cicero.domain.auth.access import Who
from cicero.domain.auth.dashboard import Role, Status
from cicero.domain.auth.tokens import Revocation, TokenKind
from cicero.domain.delivery.outbox import SECRET_REMOVED, MessageKind, Priority
from cicero.web import cookies
from cicero.web.bodies import Field, check, read_json
from cicero.web.context import WebContext, ctx
from cicero.web.errors import ApiError
from cicero.web.identify import session_of
from cicero.web.nav import home_for
from cicero.web.request_state import principal, request_id
from cicero.web.server import json_ok

LOGIN_FIELDS = {
    "username": Field(str, required=True, max_length=64),
    "password": Field(str, required=True, max_length=256),
    "totp": Field(str, description="admins: the authenticator's 6 digits", max_length=16),
    "next": Field(str, description="where to go after login (a path of this site)", max_length=512),
}
REGISTER_FIELDS = {
    "username": Field(str, required=True, max_length=64),
    "name": Field(str, required=True, max_length=200),
    "whatsapp": Field(str, required=True, max_length=32),
    "role": Field(str, required=True, max_length=32),
    "client_ids": Field(list, description="client ids (operator: its satkers)"),
    "password": Field(str, required=True, max_length=256),
}
RESET_REQUEST_FIELDS = {"username": Field(str, required=True, max_length=64)}
RESET_FIELDS = {
    "token": Field(str, required=True, max_length=128),
    "password": Field(str, required=True, max_length=256),
}
PASSWORD_FIELDS = {
    "current": Field(str, required=True, max_length=256),
    "password": Field(str, required=True, max_length=256),
}
LOGIN_FAILED = "Username, password, atau kode autentikator salah."
REGISTRATIONS_PER_IP_HOUR = 3
RESET_TTL = timedelta(minutes=30)
RESETS_PER_HOUR = 3


def _ip(request: web.Request) -> str:
    return request.remote or "0.0.0.0"


def _locked(until: datetime, now: datetime) -> ApiError:
    return ApiError(429, "locked", headers={"Retry-After": str(lockout.retry_after_s(until, now))})


def safe_next(value: str | None, fallback: str) -> str:
    """A path of this site only (no `//host`, no scheme): an open redirect helps phishing."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return fallback


async def login(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), LOGIN_FIELDS)
    username = body["username"].strip().lower()
    password, code = body["password"], body.get("totp", "")
    now, ip = c.now(), _ip(request)
    account_key = db.login_account(username if dashboard.USERNAME.fullmatch(username) else "?")
    async with c.db().acquire() as conn:
        history = await authdb.account_history(conn, account_key)
        failures = await authdb.ip_failures(conn, ip, now)
        row = await db.by_username(conn, username) if dashboard.USERNAME.fullmatch(username) else None
    locks = [t for t in (lockout.account_locked_until(history, now),
                         lockout.ip_blocked_until(failures, now)) if t is not None]  # fmt: skip
    if locks:
        c.counters.logins["dashboard", "locked"] += 1
        raise _locked(max(locks), now)
    right = await c.passwords.verify(row.password_hash if row else None, password)
    step = None
    if right and row is not None and row.role is Role.ADMIN:
        secret = totp.unseal(row.totp_sealed or b"", password) if row.totp_sealed else ""
        step = totp.matching_step(secret, code, now, row.totp_last_step) if secret else None
        right = step is not None
    if not right or row is None:
        async with c.db().acquire() as conn:
            await authdb.record_attempt(conn, account_key, ip, lockout.Outcome.FAILURE, now)
        c.counters.logins["dashboard", "failure"] += 1
        raise ApiError(401, "unauthenticated", LOGIN_FAILED)
    status = row.current(now)
    if status is not Status.ACTIVE:
        async with c.db().acquire() as conn:
            await authdb.record_attempt(conn, account_key, ip, lockout.Outcome.SUCCESS, now)
        c.counters.logins["dashboard", "inactive"] += 1
        raise ApiError(403, "forbidden", _inactive(status))
    limits = dashboard.session_limits(row.role)
    grant = tokens.grant(
        TokenKind.DASHBOARD_SESSION, secrets.token_bytes(tokens.RANDOM_BYTES), str(row.id),
        secrets.token_bytes(16), now, limits.lifetime,
    )  # fmt: skip
    new_hash = await c.passwords.hash(password) if passwords.needs_rehash(row.password_hash) else None
    async with c.db().acquire() as conn, conn.transaction():
        if step is not None and not await db.accept_totp_step(conn, row.id, step):
            raise ApiError(401, "unauthenticated", LOGIN_FAILED)  # the code was just used
        await authdb.record_attempt(conn, account_key, ip, lockout.Outcome.SUCCESS, now)
        if new_hash is not None:
            await db.rehash(conn, row.id, row.password_hash, new_hash)
        await db.store_session(conn, grant, limits.idle)
    c.counters.logins["dashboard", "success"] += 1
    who = row.role.who
    data = {
        "username": row.username, "name": row.name, "role": row.role.value,
        "csrf_token": _csrf(grant.token), "expires_at": grant.expires_at.isoformat(),
        "idle_s": int(limits.idle.total_seconds()),
        "next": safe_next(body.get("next"), home_for(who)),
    }  # fmt: skip
    response = json_ok(data)
    cookies.set_session(response, grant.token, limits.lifetime)
    return response


def _csrf(token: str) -> str:
    from cicero.domain.auth import csrf

    return csrf.token_for(token)


def _inactive(status: Status) -> str:
    return {
        Status.PENDING: "Akun Anda menunggu persetujuan admin.",
        Status.REJECTED: "Pendaftaran akun Anda ditolak.",
        Status.LAPSED: "Pendaftaran Anda kedaluwarsa (tidak diputuskan dalam 7 hari). Daftar lagi.",
        Status.DISABLED: "Akun Anda dinonaktifkan. Hubungi admin.",
    }.get(status, "Akun Anda tidak aktif.")


async def logout(request: web.Request) -> web.Response:
    c = ctx(request)
    who = principal(request)
    if who.family is not None:
        async with c.db().acquire() as conn:
            await authdb.revoke_families(conn, [who.family], Revocation.LOGOUT, c.now())
    response = json_ok({"revoked": True, "next": "/login"})
    cookies.clear_session(response)
    return response


async def register(request: web.Request) -> web.Response:
    c = ctx(request)
    raw = await read_json(request)
    body = check(raw, REGISTER_FIELDS)
    now, ip = c.now(), _ip(request)
    async with c.db().acquire() as conn:
        if await db.registrations_from(conn, ip, now - timedelta(hours=1)) >= REGISTRATIONS_PER_IP_HOUR:
            raise ApiError(429, "rate_limited", headers={"Retry-After": "3600"})
        known = await service.known_clients(conn)
    found = dashboard.registration(body, known)
    if isinstance(found, dict):
        raise ApiError(422, "invalid", fields=found)
    problem = passwords.problem(
        body["password"], username=found.username, phone=found.whatsapp,
        minimum=passwords.MIN_DASHBOARD,
    )  # fmt: skip
    if problem:
        raise ApiError(422, "invalid", fields={"password": problem})
    hashed = await c.passwords.hash(body["password"])
    async with c.db().acquire() as conn, conn.transaction():
        account_id = await db.insert(
            conn, username=found.username, name=found.name, whatsapp=found.whatsapp,
            role=found.role, client_ids=found.client_ids, status=Status.PENDING,
            password_hash=hashed, now=now, ip=ip,
        )  # fmt: skip
        if account_id is None:
            raise ApiError(422, "invalid", fields={"username": "sudah dipakai, pilih yang lain"})
        row = await db.by_id(conn, account_id)
        assert row is not None
        await audit.record(
            conn,
            audit.Entry(
                f"dash:{found.username}", audit.Channel.WEB, "dashboard_account.register",
                f"dashboard_account:{account_id}",
                after={"role": found.role.value, "client_ids": list(found.client_ids)},
                request_id=request_id(request),
            ),
            now,
        )  # fmt: skip
        await service.tell_admins(conn, c.settings, row, now)
    return json_ok({"id": account_id, "status": Status.PENDING.value}, status=201)


async def reset_request(request: web.Request) -> web.Response:
    """Always 202, whatever the username: the answer says nothing about who exists."""
    c = ctx(request)
    body = check(await read_json(request), RESET_REQUEST_FIELDS)
    username = body["username"].strip().lower()
    now = c.now()
    if dashboard.USERNAME.fullmatch(username):
        async with c.db().acquire() as conn, conn.transaction():
            row = await db.by_username(conn, username)
            if (
                row is not None and row.whatsapp and row.role is not Role.ADMIN
                and row.current(now) is Status.ACTIVE
                and await db.reset_requests(conn, row.id, now - timedelta(hours=1)) < RESETS_PER_HOUR
            ):  # fmt: skip
                await _send_reset(conn, c, row, now)
    return json_ok({"accepted": True}, status=202)


async def _send_reset(conn: asyncpg.Connection, c: WebContext, row: db.AccountRow, now: datetime) -> None:
    token = links.token_of(secrets.token_bytes(32))
    digest = links.digest(token)
    assert digest is not None
    await db.store_reset(conn, digest, row.id, now, RESET_TTL)
    base = c.settings.config.web.public_url.rstrip("/")
    assert row.whatsapp is not None
    await enqueue(
        conn,
        [
            NewMessage(
                key=f"dashboard_reset|{row.id}|{now.isoformat()}", recipient=row.whatsapp,
                session=service.first_session(c.settings, MessageKind.ADMIN_NOTICE),
                kind=MessageKind.ADMIN_NOTICE.value, body=_reset_text(base, token, row.username),
                priority=int(Priority.MENU_REPLY), expires_at=now + RESET_TTL,
                body_after=_reset_text(base, SECRET_REMOVED, row.username),
            )
        ],
        now,
    )  # fmt: skip


def _reset_text(base: str, token: str, username: str) -> str:
    minutes = int(RESET_TTL.total_seconds() // 60)
    return (
        "🔐 *Password dashboard Cicero*\n"
        f"Buka link berikut untuk membuat password baru akun *{username}* "
        f"(berlaku {minutes} menit, sekali pakai):\n{base}/reset-password?t={token}\n\n"
        "Bila Anda tidak memintanya, abaikan pesan ini. Jangan bagikan link ini kepada siapa pun."
    )


async def reset(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), RESET_FIELDS)
    digest = links.digest(body["token"])
    now = c.now()
    gone = ApiError(404, "not_found", "Link tidak berlaku lagi. Minta link baru.")
    if digest is None:
        raise gone
    async with c.db().acquire() as conn:
        row = await db.find_reset(conn, digest, now)
    if row is None:
        raise gone
    problem = passwords.problem(
        body["password"], username=row.username, phone=row.whatsapp or "",
        minimum=passwords.MIN_DASHBOARD,
    )  # fmt: skip
    if problem:
        raise ApiError(422, "invalid", fields={"password": problem})
    hashed = await c.passwords.hash(body["password"])
    async with c.db().acquire() as conn, conn.transaction():
        if not await db.use_reset(conn, digest, now):
            raise gone
        await _new_password(conn, request, row, hashed, now, "dashboard_account.password_reset")
    return json_ok({"next": "/login"})


async def _new_password(
    conn: asyncpg.Connection, request: web.Request, row: db.AccountRow, hashed: str,
    now: datetime, action: str, sealed: bytes | None = None,
) -> None:  # fmt: skip
    await db.set_password(conn, row.id, hashed, now, sealed)
    await authdb.revoke_subject(
        conn, (TokenKind.DASHBOARD_SESSION,), str(row.id), Revocation.PASSWORD_CHANGED, now
    )
    await authdb.record_attempt(
        conn, db.login_account(row.username), _ip(request), lockout.Outcome.RESET, now
    )
    await audit.record(
        conn,
        audit.Entry(f"dash:{row.username}", audit.Channel.WEB, action,
                    f"dashboard_account:{row.id}", request_id=request_id(request)),
        now,
    )  # fmt: skip


async def me(request: web.Request) -> web.Response:
    return json_ok(await me_data(request))


async def me_data(request: web.Request) -> dict[str, Any]:
    who = principal(request)
    session = session_of(request)
    assert session is not None  # the route admits dashboard identities only
    from cicero.web.api.scope import clients_in_scope

    clients = await clients_in_scope(request)
    return {
        "id": session.account_id, "username": session.username, "name": session.name,
        "role": session.role.value, "role_label": session.role.label, "identity": who.who.value,
        "csrf_token": session.csrf, "all_clients": who.all_clients,
        "clients": [c["client_id"] for c in clients],
    }  # fmt: skip


async def change_password(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), PASSWORD_FIELDS)
    session = session_of(request)
    assert session is not None
    now = c.now()
    async with c.db().acquire() as conn:
        row = await db.by_id(conn, session.account_id)
    assert row is not None
    if not await c.passwords.verify(row.password_hash, body["current"]):
        raise ApiError(422, "invalid", fields={"current": "password sekarang salah"})
    problem = passwords.problem(
        body["password"], username=row.username, phone=row.whatsapp or "",
        minimum=passwords.MIN_DASHBOARD,
    )  # fmt: skip
    if problem:
        raise ApiError(422, "invalid", fields={"password": problem})
    hashed = await c.passwords.hash(body["password"])
    sealed = None
    if row.role is Role.ADMIN and row.totp_sealed:  # the second factor follows the password
        secret = totp.unseal(row.totp_sealed, body["current"])
        sealed = totp.seal(secret, body["password"], secrets.token_bytes(totp.SALT_BYTES)).blob
    async with c.db().acquire() as conn, conn.transaction():
        await _new_password(conn, request, row, hashed, now, "dashboard_account.password_change", sealed)
    response = json_ok({"changed": True, "next": "/login"})
    cookies.clear_session(response)
    return response


__all__ = ["Who", "login", "logout", "me", "register", "reset", "reset_request"]

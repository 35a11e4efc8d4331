"""A1 and the token calls (api.md §1, §2): login, refresh, logout.

The login answers an unknown NRP exactly as a wrong password: same status, message and
cost (a decoy argon2 verify), and both count towards the same lockouts.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import asyncpg
from aiohttp import web

from cicero.db import auth as db
from cicero.db.outbox import NewMessage, enqueue
from cicero.domain.auth import lockout, passwords, tokens, transition
from cicero.domain.auth.tokens import Grant, Revocation, TokenKind
from cicero.domain.delivery.outbox import MessageKind, Priority, expires_at_for
from cicero.web.api.items import instant
from cicero.web.bodies import Field, check, read_json
from cicero.web.context import WebContext, ctx
from cicero.web.errors import INACTIVE, LOGIN_FAILED, ApiError
from cicero.web.request_state import principal

NRP = re.compile(r"\d{6,18}", re.ASCII)
LOGIN_FIELDS = {
    "nrp": Field(str, description="NRP/NIP"),
    "user_id": Field(str, description="alias of nrp"),
    "password": Field(str, description="the password (or, in the transition, the number)"),
    "whatsapp": Field(str, description="the app repeats the typed text here; ignored"),
    "refresh": Field(bool, description="also return a refresh token"),
}
REFRESH_FIELDS = {"refresh_token": Field(str, required=True)}


def _locked(until: datetime, now: datetime) -> ApiError:
    wait = lockout.retry_after_s(until, now)
    return ApiError(429, "locked", headers={"Retry-After": str(wait)})


async def login(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), LOGIN_FIELDS)
    nrp = str(body.get("nrp") or body.get("user_id") or "").strip()
    password = str(body.get("password", ""))
    missing = {k: "wajib diisi" for k, v in (("nrp", nrp), ("password", password)) if not v}
    if missing:
        raise ApiError(400, "bad_request", fields=missing)
    now = c.now()
    ip = c.client_ip(request)
    known_shape = NRP.fullmatch(nrp) is not None
    account = db.staff_account(nrp if known_shape else "(invalid)")
    async with c.db().acquire() as conn:
        history = await db.account_history(conn, account)
        failures = await db.ip_failures(conn, ip, now)
        staff = await db.staff_login(conn, nrp) if known_shape else None
    locks = [
        t
        for t in (
            lockout.account_locked_until(history, now),
            lockout.ip_blocked_until(failures, now),
        )
        if t is not None
    ]
    if locks:
        c.counters.logins["staff", "locked"] += 1
        raise _locked(max(locks), now)
    stored = staff.password_hash if staff is not None else None
    right = await c.passwords.verify(stored, password)  # a decoy hash when there is none
    by_phone = (
        staff is not None
        and stored is None
        and transition.open_at(now, c.settings.config.auth.phone_login_until)
        and transition.number_matches(password, staff.whatsapp)
    )
    if not (right or by_phone) or staff is None:
        async with c.db().acquire() as conn:
            await db.record_attempt(conn, account, ip, lockout.Outcome.FAILURE, now)
        c.counters.logins["staff", "failure"] += 1
        raise ApiError(401, "unauthenticated", LOGIN_FAILED)
    new_hash = (
        await c.passwords.hash(password) if right and passwords.needs_rehash(stored or "") else None
    )
    async with c.db().acquire() as conn, conn.transaction():
        await db.record_attempt(conn, account, ip, lockout.Outcome.SUCCESS, now)
        if not staff.active:
            c.counters.logins["staff", "inactive"] += 1
            raise ApiError(403, "forbidden", INACTIVE)
        if new_hash is not None and stored is not None:
            await db.rehash(conn, staff.nrp, stored, new_hash)
        grants = await _issue(conn, c, staff.nrp, now, bool(body.get("refresh")))
        if by_phone:
            await _queue_reminder(conn, c, staff, now)
    c.counters.logins["staff", "by_phone" if by_phone else "success"] += 1
    return _tokens(grants, {"user_id": staff.nrp, "nama": staff.name, "role": "user"}, c, now)


async def _issue(
    conn: asyncpg.Connection, c: WebContext, nrp: str, now: datetime, refresh: bool
) -> tuple[Grant, ...]:
    """A new family for `nrp`, dropping the oldest beyond the limit (one login at a time per
    person, so two racing logins cannot both see room for themselves)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('auth_token:' || $1))", nrp)
    live = await db.live_families(conn, TokenKind.STAFF_ACCESS, nrp, now)
    drop = tokens.families_to_drop(live, c.policy.max_live_staff)
    await db.revoke_families(conn, drop, Revocation.TOO_MANY, now)
    draws = (secrets.token_bytes(tokens.RANDOM_BYTES), secrets.token_bytes(tokens.RANDOM_BYTES))
    grants = tokens.staff_pair(nrp, secrets.token_bytes(16), draws, now, c.policy, refresh)
    await db.store_grants(conn, grants)
    return grants


def _tokens(
    grants: tuple[Grant, ...], user: dict[str, str], c: WebContext, now: datetime
) -> web.Response:
    access = grants[0]
    body: dict[str, object] = {
        "success": True,
        "token": access.token,
        "user": user,
        "expires_in": int((access.expires_at - now).total_seconds()),
        "expires_at": instant(access.expires_at),
    }
    if len(grants) > 1:
        body["refresh_token"] = grants[1].token
        body["refresh_expires_in"] = int((grants[1].expires_at - now).total_seconds())
    return web.json_response(body)


async def _queue_reminder(
    conn: asyncpg.Connection, c: WebContext, staff: db.StaffLogin, now: datetime
) -> None:
    until = c.settings.config.auth.phone_login_until
    if staff.whatsapp is None or until is None:
        return
    await enqueue(
        conn,
        [
            NewMessage(
                key=transition.reminder_key(staff.nrp, now),
                session=first_session(c, MessageKind.REMINDER),
                recipient=staff.whatsapp,
                kind=MessageKind.REMINDER.value,
                body=transition.reminder_text(staff.name, until),
                priority=int(Priority.BROADCAST),
                expires_at=expires_at_for(Priority.BROADCAST, now),
            )
        ],
        now,
    )


def first_session(c: WebContext, kind: MessageKind) -> str:
    """The first configured session of the kind's sender chain (the drain falls back)."""
    config = c.settings.config
    chain = config.senders.chains.get(kind.value, ("operator",))
    return next((s for s in chain if s in config.sessions), chain[0])


async def refresh(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), REFRESH_FIELDS)
    parsed = tokens.parse(body["refresh_token"], (TokenKind.STAFF_REFRESH,))
    if parsed is None:
        raise ApiError(401, "unauthenticated")
    now = c.now()
    grants: tuple[Grant, ...] = ()
    async with c.db().acquire() as conn, conn.transaction():
        row = await db.lookup_token(conn, parsed[1])
        verdict = tokens.rotation(row.stored if row else None, now)
        if row is not None and verdict is tokens.Rotation.REUSE:
            await db.revoke_families(conn, [row.stored.family], Revocation.REUSE, now)
        elif row is not None and verdict is tokens.Rotation.ROTATE:
            if await db.mark_rotated(conn, parsed[1], now):
                await db.revoke_access_of_family(conn, row.stored.family, now)
                draws = (secrets.token_bytes(tokens.RANDOM_BYTES),
                         secrets.token_bytes(tokens.RANDOM_BYTES))  # fmt: skip
                grants = tokens.staff_pair(
                    row.stored.subject, row.stored.family, draws, now, c.policy, True
                )
                await db.store_grants(conn, grants)
            else:  # a racing request rotated it first: the same token used twice
                await db.revoke_families(conn, [row.stored.family], Revocation.REUSE, now)
        name = (
            await conn.fetchval("SELECT name FROM staff WHERE nrp = $1", row.stored.subject)
            if grants and row
            else None
        )
    # Outside the transaction: a reused token's family stays revoked although we answer 401.
    if not grants or row is None:
        raise ApiError(401, "unauthenticated")
    user = {"user_id": row.stored.subject, "nama": name or "", "role": "user"}
    return _tokens(grants, user, c, now)


async def logout(request: web.Request) -> web.Response:
    c = ctx(request)
    who = principal(request)
    if who.family is not None:
        async with c.db().acquire() as conn:
            await db.revoke_families(conn, [who.family], Revocation.LOGOUT, c.now())
    return web.json_response({"success": True, "data": {"revoked": True}})

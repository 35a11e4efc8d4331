"""SQL of dashboard accounts (api.md §1): the session lookup (one query a request), accounts,
registrations and their decisions, reset links. Rules live in cicero.domain.auth.dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from cicero.domain.auth.dashboard import Account, Role, Status, effective_status
from cicero.domain.auth.tokens import Grant, StoredToken, TokenKind

# The session, its account, and what the account's scope needs, in one query: the satkers
# its directorate links and which of its own clients are still active.
_SESSION = """
SELECT t.kind, t.subject, t.family, t.expires_at, t.revoked_at, t.used_at, t.idle_s,
       t.last_used_at, a.id, a.username, a.name, a.role, a.client_ids,
       coalesce(a.status = 'active', false) AS subject_active,
       coalesce((SELECT array_agg(d.client_id ORDER BY d.client_id) FROM client_directorate d
                  WHERE d.directorate_id = upper(a.role)), '{}') AS satkers,
       coalesce((SELECT array_agg(c.client_id) FROM client c
                  WHERE c.client_id = ANY(a.client_ids) AND c.active), '{}') AS live_clients
  FROM auth_token t
  LEFT JOIN dashboard_account a ON a.id::text = t.subject
 WHERE t.token_hash = $1 AND t.kind = 'dashboard_session'
"""


@dataclass(frozen=True)
class SessionRow:
    stored: StoredToken
    account: Account
    username: str
    name: str


async def lookup_session(conn: asyncpg.Connection, token_hash: bytes) -> SessionRow | None:
    r = await conn.fetchrow(_SESSION, token_hash)
    if r is None or r["id"] is None:
        return None
    stored = StoredToken(
        kind=TokenKind(r["kind"]), subject=r["subject"], family=bytes(r["family"]),
        expires_at=r["expires_at"], revoked_at=r["revoked_at"], used_at=r["used_at"],
        subject_active=r["subject_active"], idle_s=r["idle_s"], last_used_at=r["last_used_at"],
    )  # fmt: skip
    account = Account(
        r["id"], Role(r["role"]), tuple(r["client_ids"]), frozenset(r["live_clients"]),
        tuple(r["satkers"]),
    )  # fmt: skip
    return SessionRow(stored, account, r["username"], r["name"])


# A touch commits without waiting for the disk (synchronous_commit off for its own transaction
# only): an fsync per dashboard request was ~2.8 ms of its time on a busy machine. The new
# last_used_at is seen by the next request at once, as ever; only a database crash can lose
# the last moment's touches, and that moves a session's idle limit earlier, never later.
_TOUCH = """
WITH unhurried AS (SELECT set_config('synchronous_commit', 'off', true))
UPDATE auth_token SET last_used_at = $2 FROM unhurried WHERE token_hash = $1
"""


async def touch_session(conn: asyncpg.Connection, token_hash: bytes, now: datetime) -> None:
    await conn.execute(_TOUCH, token_hash, now)


async def store_session(conn: asyncpg.Connection, grant: Grant, idle: timedelta) -> None:
    await conn.execute(
        """INSERT INTO auth_token (token_hash, kind, subject, family, issued_at, expires_at,
                                   idle_s, last_used_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $5)""",
        grant.token_hash, grant.kind.value, grant.subject, grant.family, grant.issued_at,
        grant.expires_at, int(idle.total_seconds()),
    )  # fmt: skip


def login_account(username: str) -> str:
    """The login_attempt key of a dashboard username (counted whether it exists or not)."""
    return f"dash:{username[:60]}"


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    name: str
    whatsapp: str | None
    role: Role
    client_ids: tuple[str, ...]
    status: Status  # as stored; `current` applies the 7-day lapse
    password_hash: str
    totp_sealed: bytes | None
    totp_last_step: int | None
    registered_at: datetime
    decided_at: datetime | None
    decided_by: str | None

    def current(self, now: datetime) -> Status:
        return effective_status(self.status, self.registered_at, now)

    def public(self, now: datetime) -> dict[str, object]:
        """What the admin pages show (no hash, no secret)."""
        return {
            "id": self.id, "username": self.username, "name": self.name,
            "whatsapp": self.whatsapp or "", "role": self.role.value,
            "client_ids": list(self.client_ids), "status": self.current(now).value,
            "registered_at": self.registered_at, "decided_at": self.decided_at or "",
            "decided_by": self.decided_by or "",
        }  # fmt: skip


_COLUMNS = """id, username, name, whatsapp, role, client_ids, status, password_hash, totp_sealed,
              totp_last_step, registered_at, decided_at, decided_by"""


def _row(r: asyncpg.Record) -> AccountRow:
    return AccountRow(
        r["id"], r["username"], r["name"], r["whatsapp"], Role(r["role"]), tuple(r["client_ids"]),
        Status(r["status"]), r["password_hash"],
        bytes(r["totp_sealed"]) if r["totp_sealed"] is not None else None, r["totp_last_step"],
        r["registered_at"], r["decided_at"], r["decided_by"],
    )  # fmt: skip


async def by_username(conn: asyncpg.Connection, username: str) -> AccountRow | None:
    r = await conn.fetchrow(f"SELECT {_COLUMNS} FROM dashboard_account WHERE username = $1", username)
    return _row(r) if r else None


async def by_id(conn: asyncpg.Connection, account_id: int, lock: bool = False) -> AccountRow | None:
    r = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM dashboard_account WHERE id = $1{' FOR UPDATE' if lock else ''}",
        account_id,
    )
    return _row(r) if r else None


async def listing(conn: asyncpg.Connection) -> list[AccountRow]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM dashboard_account
             ORDER BY (status = 'pending') DESC, registered_at DESC, id DESC"""
    )
    return [_row(r) for r in rows]


async def registrations_from(conn: asyncpg.Connection, ip: str, since: datetime) -> int:
    n: int = await conn.fetchval(
        """SELECT count(*) FROM dashboard_account
            WHERE registered_ip = $1::inet AND registered_at > $2""",
        ip, since,
    )  # fmt: skip
    return n


async def insert(
    conn: asyncpg.Connection, *, username: str, name: str, whatsapp: str | None, role: Role,
    client_ids: Sequence[str], status: Status, password_hash: str, now: datetime,
    ip: str | None = None, totp_sealed: bytes | None = None, decided_by: str | None = None,
) -> int | None:  # fmt: skip
    """The new account's id; None when the username is taken."""
    account_id: int | None = await conn.fetchval(
        """INSERT INTO dashboard_account (username, name, whatsapp, role, client_ids, status,
                  password_hash, password_set_at, totp_sealed, registered_at, registered_ip,
                  decided_at, decided_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10::inet,
                   CASE WHEN $11::text IS NULL THEN NULL ELSE $8::timestamptz END, $11)
           ON CONFLICT (username) DO NOTHING RETURNING id""",
        username, name, whatsapp, role.value, list(client_ids), status.value, password_hash,
        now, totp_sealed, ip, decided_by,
    )  # fmt: skip
    return account_id


async def set_decision(
    conn: asyncpg.Connection, account_id: int, status: Status, role: Role,
    client_ids: Sequence[str], by: str, now: datetime,
) -> None:  # fmt: skip
    await conn.execute(
        """UPDATE dashboard_account SET status = $2, role = $3, client_ids = $4, decided_at = $6,
                  decided_by = $5 WHERE id = $1""",
        account_id, status.value, role.value, list(client_ids), by, now,
    )  # fmt: skip


async def set_status(conn: asyncpg.Connection, account_id: int, status: Status) -> None:
    await conn.execute(
        "UPDATE dashboard_account SET status = $2 WHERE id = $1", account_id, status.value
    )


async def set_password(
    conn: asyncpg.Connection, account_id: int, hashed: str, now: datetime,
    totp_sealed: bytes | None = None,
) -> None:  # fmt: skip
    await conn.execute(
        """UPDATE dashboard_account SET password_hash = $2, password_set_at = $3,
                  totp_sealed = coalesce($4, totp_sealed) WHERE id = $1""",
        account_id, hashed, now, totp_sealed,
    )  # fmt: skip


async def rehash(conn: asyncpg.Connection, account_id: int, old: str, new: str) -> None:
    await conn.execute(
        "UPDATE dashboard_account SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
        account_id, old, new,
    )  # fmt: skip


async def accept_totp_step(conn: asyncpg.Connection, account_id: int, step: int) -> bool:
    """Record the step of an accepted code; False when it (or a later one) was used already,
    e.g. by a racing login with the same code."""
    done = await conn.execute(
        """UPDATE dashboard_account SET totp_last_step = $2
            WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)""",
        account_id, step,
    )  # fmt: skip
    return done == "UPDATE 1"


async def admin_numbers(conn: asyncpg.Connection) -> list[str]:
    """WhatsApp numbers of active dashboard admins (registrations are told to them)."""
    rows = await conn.fetch(
        """SELECT whatsapp FROM dashboard_account
            WHERE role = 'admin' AND status = 'active' AND whatsapp IS NOT NULL ORDER BY id"""
    )
    return [r["whatsapp"] for r in rows]


# ---- reset links -------------------------------------------------------------------------


async def reset_requests(conn: asyncpg.Connection, account_id: int, since: datetime) -> int:
    n: int = await conn.fetchval(
        "SELECT count(*) FROM dashboard_reset WHERE account_id = $1 AND created_at > $2",
        account_id, since,
    )  # fmt: skip
    return n


async def store_reset(
    conn: asyncpg.Connection, token_hash: bytes, account_id: int, now: datetime, ttl: timedelta
) -> None:
    await conn.execute(
        "UPDATE dashboard_reset SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL",
        account_id, now,
    )  # fmt: skip
    await conn.execute(
        """INSERT INTO dashboard_reset (token_hash, account_id, created_at, expires_at)
           VALUES ($1, $2, $3, $4)""",
        token_hash, account_id, now, now + ttl,
    )  # fmt: skip


async def find_reset(
    conn: asyncpg.Connection, token_hash: bytes, now: datetime
) -> AccountRow | None:
    """The account of a live reset link (unused, unexpired, account active)."""
    r = await conn.fetchrow(
        f"""SELECT {", ".join("a." + c.strip() for c in _COLUMNS.split(","))}
              FROM dashboard_reset l JOIN dashboard_account a ON a.id = l.account_id
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2
               AND a.status = 'active'""",
        token_hash, now,
    )  # fmt: skip
    return _row(r) if r else None


async def use_reset(conn: asyncpg.Connection, token_hash: bytes, now: datetime) -> bool:
    done = await conn.execute(
        """UPDATE dashboard_reset SET used_at = $2
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2""",
        token_hash, now,
    )  # fmt: skip
    return done == "UPDATE 1"

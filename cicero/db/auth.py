"""SQL of authentication (api.md §1): tokens, login attempts, staff passwords, password links.

Rules live in cicero.domain.auth; this module only reads and writes rows. Times are the
runtime's clock (virtual in simulation), passed in: never the database's now().
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from cicero.domain.auth import lockout
from cicero.domain.auth.tokens import Grant, LiveFamily, Revocation, StoredToken, TokenKind

# ---- tokens ------------------------------------------------------------------------------

# One query per request: the token, and whether its subject may still act. A new token kind
# with another kind of subject (the dashboard's accounts) adds its own arm here.
_LOOKUP = """
SELECT t.kind, t.subject, t.family, t.expires_at, t.revoked_at, t.used_at, t.idle_s,
       t.last_used_at, coalesce(s.active, false) AS subject_active, s.client_id AS subject_client,
       coalesce((SELECT array_agg(r.role_name) FROM staff_role r WHERE r.nrp = s.nrp), '{}')
           AS subject_roles
  FROM auth_token t
  LEFT JOIN staff s ON t.kind IN ('staff_access', 'staff_refresh') AND s.nrp = t.subject
 WHERE t.token_hash = $1
"""


@dataclass(frozen=True)
class TokenRow:
    stored: StoredToken
    client_id: str | None
    roles: frozenset[str]


def token_row(r: asyncpg.Record) -> TokenRow:
    stored = StoredToken(
        kind=TokenKind(r["kind"]),
        subject=r["subject"],
        family=bytes(r["family"]),
        expires_at=r["expires_at"],
        revoked_at=r["revoked_at"],
        used_at=r["used_at"],
        subject_active=r["subject_active"],
        idle_s=r["idle_s"],
        last_used_at=r["last_used_at"],
    )
    return TokenRow(stored, r["subject_client"], frozenset(r["subject_roles"]))


async def lookup_token(conn: asyncpg.Connection, token_hash: bytes) -> TokenRow | None:
    r = await conn.fetchrow(_LOOKUP, token_hash)
    return None if r is None else token_row(r)


def with_caller(sql: str, order_by: str = "") -> str:
    """One statement that looks the token ($1) up as `caller` and runs `sql` for it: a query
    that may name caller.subject, caller.subject_client and caller.subject_roles (its own
    parameters from $2; its column names other than the token's), its rows in `order_by`
    (of its column names). A staff route's first query travels this way with the token
    check, one round trip instead of two; its rows are the handler's only once
    `tokens.usable` and `authorize` have passed (cicero.web.identify)."""
    order = f" ORDER BY {order_by}" if order_by else ""
    return f"""WITH caller AS MATERIALIZED ({_LOOKUP})
SELECT * FROM caller LEFT JOIN LATERAL (SELECT true AS x_found, y.* FROM ({sql}) y) x ON true{order}"""


async def fetch_with_caller(
    conn: asyncpg.Connection, sql: str, token_hash: bytes, *args: object
) -> tuple[TokenRow | None, list[asyncpg.Record]]:
    """The token's row (None: no such token) and the rows of `with_caller`'s query."""
    rows = await conn.fetch(sql, token_hash, *args)
    if not rows:
        return None, []
    return token_row(rows[0]), [r for r in rows if r["x_found"]]


async def store_grants(conn: asyncpg.Connection, grants: Sequence[Grant]) -> None:
    await conn.executemany(
        """INSERT INTO auth_token (token_hash, kind, subject, family, issued_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (g.token_hash, g.kind.value, g.subject, g.family, g.issued_at, g.expires_at)
            for g in grants
        ],
    )


async def live_families(
    conn: asyncpg.Connection, kind: TokenKind, subject: str, now: datetime
) -> list[LiveFamily]:
    rows = await conn.fetch(
        """SELECT family, min(issued_at) AS issued_at FROM auth_token
            WHERE kind = $1 AND subject = $2 AND revoked_at IS NULL AND expires_at > $3
            GROUP BY family""",
        kind.value, subject, now,
    )  # fmt: skip
    return [LiveFamily(bytes(r["family"]), r["issued_at"]) for r in rows]


async def revoke_families(
    conn: asyncpg.Connection, families: Sequence[bytes], reason: Revocation, now: datetime
) -> int:
    if not families:
        return 0
    done = await conn.execute(
        """UPDATE auth_token SET revoked_at = $2, revoked_reason = $3
            WHERE family = ANY($1::bytea[]) AND revoked_at IS NULL""",
        list(families), now, reason.value,
    )  # fmt: skip
    return int(done.split()[-1])


async def revoke_subject(
    conn: asyncpg.Connection, kinds: Sequence[TokenKind], subject: str, reason: Revocation,
    now: datetime,
) -> int:  # fmt: skip
    """Every live token of a person (password change, deactivation, admin "revoke all")."""
    done = await conn.execute(
        """UPDATE auth_token SET revoked_at = $3, revoked_reason = $4
            WHERE kind = ANY($1::text[]) AND subject = $2 AND revoked_at IS NULL""",
        [k.value for k in kinds], subject, now, reason.value,
    )  # fmt: skip
    return int(done.split()[-1])


async def mark_rotated(conn: asyncpg.Connection, token_hash: bytes, now: datetime) -> bool:
    """Claim a refresh token for rotation; False when another request claimed it first."""
    done = await conn.execute(
        """UPDATE auth_token SET used_at = $2, revoked_at = $2, revoked_reason = 'rotated'
            WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL""",
        token_hash, now,
    )  # fmt: skip
    return done == "UPDATE 1"


async def revoke_access_of_family(conn: asyncpg.Connection, family: bytes, now: datetime) -> None:
    """A rotation replaces the family's access token too."""
    await conn.execute(
        """UPDATE auth_token SET revoked_at = $2, revoked_reason = 'rotated'
            WHERE family = $1 AND kind = 'staff_access' AND revoked_at IS NULL""",
        family, now,
    )  # fmt: skip


# ---- login attempts ------------------------------------------------------------------------


def staff_account(nrp: str) -> str:
    return f"staff:{nrp}"


async def account_history(conn: asyncpg.Connection, account: str) -> list[lockout.Attempt]:
    rows = await conn.fetch(
        "SELECT at, outcome FROM login_attempt WHERE account = $1 ORDER BY at DESC LIMIT $2",
        account, lockout.ACCOUNT_HISTORY,
    )  # fmt: skip
    return [lockout.Attempt(r["at"], lockout.Outcome(r["outcome"])) for r in rows]


async def ip_failures(conn: asyncpg.Connection, ip: str, now: datetime) -> list[datetime]:
    rows = await conn.fetch(
        """SELECT at FROM login_attempt
            WHERE ip = $1::inet AND outcome = 'failure' AND at > $2 AND at <= $3""",
        ip, now - lockout.IP_HISTORY, now,
    )  # fmt: skip
    return [r["at"] for r in rows]


async def record_attempt(
    conn: asyncpg.Connection, account: str, ip: str, outcome: lockout.Outcome, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO login_attempt (at, account, ip, outcome) VALUES ($1, $2, $3::inet, $4)",
        now, account, ip, outcome.value,
    )  # fmt: skip


async def prune_attempts(conn: asyncpg.Connection, before: datetime) -> int:
    done = await conn.execute("DELETE FROM login_attempt WHERE at < $1", before)
    return int(done.split()[-1])


# ---- staff passwords -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffLogin:
    """What a login needs to know about the NRP typed."""

    nrp: str
    name: str
    active: bool
    whatsapp: str | None
    password_hash: str | None


async def staff_login(conn: asyncpg.Connection, nrp: str) -> StaffLogin | None:
    r = await conn.fetchrow(
        """SELECT s.nrp, s.name, s.active, s.whatsapp, p.hash
             FROM staff s LEFT JOIN staff_password p ON p.nrp = s.nrp WHERE s.nrp = $1""",
        nrp,
    )
    if r is None:
        return None
    return StaffLogin(r["nrp"], r["name"], r["active"], r["whatsapp"], r["hash"])


async def set_password(conn: asyncpg.Connection, nrp: str, hashed: str, now: datetime) -> None:
    await conn.execute(
        """INSERT INTO staff_password (nrp, hash, set_at) VALUES ($1, $2, $3)
           ON CONFLICT (nrp) DO UPDATE SET hash = EXCLUDED.hash, set_at = EXCLUDED.set_at""",
        nrp, hashed, now,
    )  # fmt: skip


async def rehash(conn: asyncpg.Connection, nrp: str, old: str, new: str) -> None:
    """Replace an outdated hash, unless the password changed meanwhile."""
    await conn.execute(
        "UPDATE staff_password SET hash = $3 WHERE nrp = $1 AND hash = $2", nrp, old, new
    )


# ---- password links ----------------------------------------------------------------------------


async def link_requests(
    conn: asyncpg.Connection, nrp: str, since: datetime
) -> tuple[datetime, ...]:
    rows = await conn.fetch(
        "SELECT created_at FROM password_link WHERE nrp = $1 AND created_at > $2", nrp, since
    )
    return tuple(r["created_at"] for r in rows)


async def store_link(
    conn: asyncpg.Connection, token_hash: bytes, nrp: str, now: datetime, ttl: timedelta,
    requested_by: str,
) -> None:  # fmt: skip
    # A new link voids the older ones: only the latest message works.
    await conn.execute(
        "UPDATE password_link SET used_at = $2 WHERE nrp = $1 AND used_at IS NULL", nrp, now
    )
    await conn.execute(
        """INSERT INTO password_link (token_hash, nrp, created_at, expires_at, requested_by)
           VALUES ($1, $2, $3, $4, $5)""",
        token_hash, nrp, now, now + ttl, requested_by,
    )  # fmt: skip


@dataclass(frozen=True)
class LinkRow:
    nrp: str
    name: str
    whatsapp: str | None
    active: bool
    expires_at: datetime
    used_at: datetime | None


async def find_link(conn: asyncpg.Connection, token_hash: bytes) -> LinkRow | None:
    r = await conn.fetchrow(
        """SELECT l.nrp, s.name, s.whatsapp, s.active, l.expires_at, l.used_at
             FROM password_link l JOIN staff s ON s.nrp = l.nrp WHERE l.token_hash = $1""",
        token_hash,
    )
    if r is None:
        return None
    return LinkRow(r["nrp"], r["name"], r["whatsapp"], r["active"], r["expires_at"], r["used_at"])


async def use_link(conn: asyncpg.Connection, token_hash: bytes, now: datetime) -> bool:
    """Spend the link; False when it was spent (or expired) meanwhile."""
    done = await conn.execute(
        """UPDATE password_link SET used_at = $2
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2""",
        token_hash, now,
    )  # fmt: skip
    return done == "UPDATE 1"

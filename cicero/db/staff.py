"""Staff rows: one person with roles and version, the directory's pages and completeness, and
every change to a person with its audit entry in the caller's transaction.

The dashboard, the WhatsApp menus (cicero.conversations.step) and imports change people
through `change`, `create`, `set_roles` and `bind_whatsapp`, so each change has the same
audit row (before/after, actor, channel, reason). A deactivation or a move ends the person's
app logins whichever channel made it (a trigger, migration 0022)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg

from cicero.db import audit
from cicero.domain.people.directory import Active, Missing, Query, UnitCompleteness, like_pattern

# Columns a change may set (a column name is never taken from a request).
WRITABLE = frozenset({"name", "rank", "unit", "position", "village", "instagram", "tiktok",
                      "whatsapp", "email", "active", "exception", "wa_opt_in", "client_id"})  # fmt: skip


@dataclass(frozen=True)
class Person:
    nrp: str
    name: str
    rank: str
    unit: str
    position: str
    village: str | None
    client_id: str
    client_name: str
    instagram: str | None
    tiktok: str | None
    whatsapp: str | None
    email: str | None
    active: bool
    exception: bool
    wa_opt_in: bool
    roles: tuple[str, ...]
    version: int
    has_password: bool
    updated_at: datetime

    def fields(self, names: Collection[str]) -> dict[str, Any]:
        return {n: getattr(self, n) for n in names}


_PERSON = """
SELECT s.nrp, s.name, s.rank, s.unit, s.position, s.village, s.client_id, c.name AS client_name,
       s.instagram, s.tiktok, s.whatsapp, s.email, s.active, s.exception, s.wa_opt_in, s.version,
       s.updated_at,
       coalesce((SELECT array_agg(r.role_name ORDER BY r.role_name) FROM staff_role r
                  WHERE r.nrp = s.nrp), '{}') AS roles,
       EXISTS (SELECT 1 FROM staff_password p WHERE p.nrp = s.nrp) AS has_password
  FROM staff s JOIN client c ON c.client_id = s.client_id
"""


def _person(r: asyncpg.Record) -> Person:
    return Person(**{k: r[k] for k in Person.__dataclass_fields__ if k != "roles"},
                  roles=tuple(r["roles"]))  # fmt: skip


async def person(conn: asyncpg.Connection, nrp: str, *, lock: bool = False) -> Person | None:
    """One person; `lock` holds the row until the transaction ends (read, decide, write)."""
    if lock:
        await conn.execute("SELECT 1 FROM staff WHERE nrp = $1 FOR UPDATE", nrp)
    row = await conn.fetchrow(f"{_PERSON} WHERE s.nrp = $1", nrp)
    return None if row is None else _person(row)


class Stale(Exception):
    """The version a change was prepared on is no longer the stored one."""

    def __init__(self, current: int) -> None:
        super().__init__(f"stale version (current {current})")
        self.current = current


# ---------------------------------------------------------------- who holds what


@dataclass(frozen=True)
class Holder:
    """Whoever holds a handle or a number: told by unit and client, never by name."""

    nrp: str
    unit: str
    client_id: str
    client_name: str


async def handle_owner(conn: asyncpg.Connection, platform: str, handle: str) -> Holder | None:
    """The *active* person holding `handle` on `platform` (the unique index's own rule)."""
    column = {"instagram": "instagram", "tiktok": "tiktok"}[platform]
    row = await conn.fetchrow(
        f"""SELECT s.nrp, s.unit, s.client_id, c.name FROM staff s
              JOIN client c USING (client_id) WHERE s.{column} = $1 AND s.active""",
        handle,
    )
    return None if row is None else Holder(row["nrp"], row["unit"], row["client_id"], row["name"])


async def phone_owner(conn: asyncpg.Connection, phone: str) -> Holder | None:
    row = await conn.fetchrow(
        """SELECT s.nrp, s.unit, s.client_id, c.name FROM staff s
             JOIN client c USING (client_id) WHERE s.whatsapp = $1""",
        phone,
    )
    return None if row is None else Holder(row["nrp"], row["unit"], row["client_id"], row["name"])


# ---------------------------------------------------------------- changes


def entry_for(base: audit.Entry, nrp: str, **kw: Any) -> audit.Entry:
    return replace(base, entity=f"staff:{nrp}", **kw)


async def change(
    conn: asyncpg.Connection, nrp: str, values: Mapping[str, Any], entry: audit.Entry,
    now: datetime, *, version: int | None = None,
) -> Person | None:  # fmt: skip
    """Set `values` on the person (what differs), audited with before/after. None: no such
    person. `version`: the one the change was prepared on, else `Stale`."""
    unknown = set(values) - WRITABLE
    if unknown:
        raise ValueError(f"staff columns not writable: {sorted(unknown)}")
    before = await person(conn, nrp, lock=True)
    if before is None:
        return None
    if version is not None and before.version != version:
        raise Stale(before.version)
    diff = {k: v for k, v in values.items() if getattr(before, k) != v}
    if not diff:
        return before
    columns = sorted(diff)
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(columns, start=3))
    await conn.execute(
        f"UPDATE staff SET {sets}, updated_at = $2 WHERE nrp = $1",
        nrp, now, *(diff[c] for c in columns),
    )  # fmt: skip
    # A deactivation or a move revokes the person's app logins (migration 0022's trigger).
    await audit.record(
        conn, entry_for(entry, nrp, before=before.fields(columns), after=diff), now
    )
    return await person(conn, nrp)


@dataclass(frozen=True)
class NewPerson:
    nrp: str
    name: str
    rank: str
    unit: str
    position: str
    client_id: str
    roles: tuple[str, ...]
    instagram: str | None = None
    tiktok: str | None = None
    whatsapp: str | None = None


async def create(
    conn: asyncpg.Connection, new: NewPerson, entry: audit.Entry, now: datetime
) -> bool:
    """Insert a person with roles, audited; False when the NRP exists already."""
    done = await conn.execute(
        """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram, tiktok,
                              whatsapp, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (nrp) DO NOTHING""",
        new.nrp, new.name, new.rank, new.unit, new.position, new.client_id, new.instagram,
        new.tiktok, new.whatsapp, now,
    )  # fmt: skip
    if done == "INSERT 0 0":
        return False
    await conn.executemany(
        "INSERT INTO staff_role (nrp, role_name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(new.nrp, r) for r in new.roles],
    )
    after = {k: v for k, v in asdict(new).items() if v is not None and k != "nrp"}
    await audit.record(conn, entry_for(entry, new.nrp, after=after), now)
    return True


async def set_roles(
    conn: asyncpg.Connection, nrp: str, roles: Collection[str], entry: audit.Entry,
    now: datetime, *, version: int | None = None,
) -> Person | None:  # fmt: skip
    """Replace the person's roles, audited. Losing the last one makes the person inactive
    (data.md §1.1; its app logins end with it), in the same entry."""
    before = await person(conn, nrp, lock=True)
    if before is None:
        return None
    if version is not None and before.version != version:
        raise Stale(before.version)
    wanted, held = set(roles), set(before.roles)
    if wanted == held:
        return before
    await conn.execute(
        "DELETE FROM staff_role WHERE nrp = $1 AND role_name = ANY($2::text[])",
        nrp, sorted(held - wanted),
    )  # fmt: skip
    await conn.executemany(
        "INSERT INTO staff_role (nrp, role_name) VALUES ($1, $2)",
        [(nrp, r) for r in sorted(wanted - held)],
    )
    after: dict[str, Any] = {"roles": sorted(wanted)}
    recorded: dict[str, Any] = {"roles": sorted(held)}
    if not wanted and before.active:
        await conn.execute(
            "UPDATE staff SET active = false, updated_at = $2 WHERE nrp = $1", nrp, now
        )
        after["active"], recorded["active"] = False, True
    await audit.record(conn, entry_for(entry, nrp, before=recorded, after=after), now)
    return await person(conn, nrp)


async def bind_whatsapp(
    conn: asyncpg.Connection, nrp: str, phone: str, entry: audit.Entry, now: datetime
) -> None:
    """The number becomes this person's; whoever held it before loses it (both audited)."""
    holder = await phone_owner(conn, phone)
    if holder is not None and holder.nrp != nrp:
        await change(conn, holder.nrp, {"whatsapp": None}, replace(
            entry, reason=entry.reason or f"nomor dihubungkan ke NRP {nrp}"), now)  # fmt: skip
    await change(conn, nrp, {"whatsapp": phone}, entry, now)


# ---------------------------------------------------------------- the directory


def _where(query: Query, client_ids: Collection[str]) -> tuple[str, list[Any]]:
    args: list[Any] = [list(client_ids)]
    parts = ["s.client_id = ANY($1::text[])"]
    if query.active is Active.YES:
        parts.append("s.active")
    elif query.active is Active.NO:
        parts.append("NOT s.active")
    if query.unit:
        args.append(query.unit)
        parts.append(f"s.unit = ${len(args)}")
    missing = {
        Missing.INSTAGRAM: "s.instagram IS NULL",
        Missing.TIKTOK: "s.tiktok IS NULL",
        Missing.USERNAME: "(s.instagram IS NULL OR s.tiktok IS NULL)",
        Missing.WHATSAPP: "s.whatsapp IS NULL",
    }
    if query.missing is not None:
        parts.append(missing[query.missing])
    if query.q:
        args.append(like_pattern(query.q.upper()))
        n = len(args)
        args.append(like_pattern(query.q.lower().lstrip("@")))
        parts.append(
            f"(s.nrp LIKE ${n} OR s.name LIKE ${n} OR s.position LIKE ${n} OR s.unit LIKE ${n}"
            f" OR s.instagram LIKE ${n + 1} OR s.tiktok LIKE ${n + 1})"
        )
    return " AND ".join(parts), args


async def directory(
    conn: asyncpg.Connection, query: Query, client_ids: Collection[str]
) -> tuple[list[Person], int]:
    """One page of the people of `client_ids` matching `query`, and how many match in all;
    a total order: client, unit, name, NRP."""
    where, args = _where(query, client_ids)
    total: int = await conn.fetchval(f"SELECT count(*) FROM staff s WHERE {where}", *args)
    n = len(args)
    rows = await conn.fetch(
        f"""{_PERSON} WHERE {where} ORDER BY s.client_id, s.unit, s.name, s.nrp
            LIMIT ${n + 1} OFFSET ${n + 2}""",
        *args, query.per_page, query.offset,
    )  # fmt: skip
    return [_person(r) for r in rows], total


async def units(conn: asyncpg.Connection, client_ids: Collection[str]) -> list[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT unit FROM staff WHERE client_id = ANY($1::text[]) AND unit <> '' ORDER BY unit",
        list(client_ids),
    )
    return [r["unit"] for r in rows]


async def completeness(
    conn: asyncpg.Connection, client_ids: Collection[str]
) -> list[UnitCompleteness]:
    """Active staff per client and unit with each piece of data counted."""
    rows = await conn.fetch(
        """SELECT s.client_id, c.name AS client_name, s.unit, count(*) AS staff,
                  count(s.instagram) AS instagram, count(s.tiktok) AS tiktok,
                  count(s.whatsapp) AS whatsapp,
                  count(*) FILTER (WHERE s.instagram IS NOT NULL AND s.tiktok IS NOT NULL
                                     AND s.whatsapp IS NOT NULL) AS complete
             FROM staff s JOIN client c USING (client_id)
            WHERE s.active AND s.client_id = ANY($1::text[])
            GROUP BY s.client_id, c.name, s.unit ORDER BY s.client_id, s.unit""",
        list(client_ids),
    )
    return [UnitCompleteness(**dict(r)) for r in rows]

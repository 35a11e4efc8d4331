"""Staff import against the database: load what is stored, plan, apply in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

import asyncpg

from cicero.db import audit
from cicero.domain.people.staff_import import (
    STAFF_FIELDS,
    Action,
    Plan,
    Sheet,
    StaffContext,
    StaffRecord,
    StoredStaff,
    describe_row,
    plan_staff,
)
from cicero.imports.read import sha256_bytes


class UnknownClient(ValueError):
    pass


async def load_context(conn: asyncpg.Connection, client_id: str) -> StaffContext:
    client = await conn.fetchrow(
        "SELECT client_id, type, operator_wa FROM client WHERE client_id = $1", client_id
    )
    if client is None:
        raise UnknownClient(f"client {client_id!r} tidak ada (impor client lebih dulu)")
    known = frozenset(r["role_name"] for r in await conn.fetch("SELECT role_name FROM role"))
    default = client_id.lower() if client["type"] == "DIREKTORAT" else "operator"
    records = await conn.fetch(
        """SELECT s.*, coalesce(array_agg(r.role_name) FILTER (WHERE r.role_name IS NOT NULL),
                                '{}') AS roles
             FROM staff s LEFT JOIN staff_role r USING (nrp) GROUP BY s.nrp"""
    )
    stored = {
        r["nrp"]: StoredStaff(
            StaffRecord(
                nrp=r["nrp"],
                name=r["name"],
                rank=r["rank"],
                unit=r["unit"],
                position=r["position"],
                instagram=r["instagram"],
                tiktok=r["tiktok"],
                whatsapp=r["whatsapp"],
                email=r["email"],
                active=r["active"],
                exception=r["exception"],
                roles=frozenset(r["roles"]),
            ),
            r["client_id"],
            r["unit"],
        )
        for r in records
    }
    return StaffContext(
        client_id=client_id,
        default_role=default if default in known else "operator",
        known_roles=known,
        stored=stored,
        operator_wa=client["operator_wa"],
    )


async def preview_staff(conn: asyncpg.Connection, sheet: Sheet, client_id: str) -> Plan:
    return plan_staff(sheet, await load_context(conn, client_id))


def plan_digest(plan: Plan) -> str:
    """What a preview showed, as one hash: a confirmation applies only the plan it names."""
    lines = "\n".join(describe_row(r, r.nrp) for r in plan.rows)
    return hashlib.sha256(lines.encode()).hexdigest()


class PlanChanged(Exception):
    """The stored staff moved since the preview: the plan to apply is not the one shown."""


async def record_preview(
    conn: asyncpg.Connection, plan: Plan, client_id: str, *, file_name: str, data: bytes,
    sender: str, now: datetime,
) -> int:  # fmt: skip
    """Keep a preview (its file, counts, rows and digest) until it is confirmed."""
    async with conn.transaction():
        import_id: int = await conn.fetchval(
            """INSERT INTO staff_import (client_id, file_name, file_sha256, sender, applied,
                                         new_count, changed_count, unchanged_count, error_count,
                                         warning_count, created_at, file, plan_digest)
               VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id""",
            client_id, file_name, sha256_bytes(data), sender, plan.count(Action.NEW),
            plan.count(Action.CHANGED), plan.count(Action.UNCHANGED), plan.count(Action.ERROR),
            plan.warnings, now, data, plan_digest(plan),
        )  # fmt: skip
        await _store_rows(conn, import_id, plan)
    return import_id


async def _store_rows(conn: asyncpg.Connection, import_id: int, plan: Plan) -> None:
    await conn.execute("DELETE FROM staff_import_row WHERE import_id = $1", import_id)
    await conn.executemany(
        """INSERT INTO staff_import_row (import_id, row_number, nrp, action, messages)
           VALUES ($1, $2, $3, $4, $5)""",
        [(import_id, r.row, r.nrp, r.action.value, list(r.messages)) for r in plan.rows],
    )


async def apply_staff(
    conn: asyncpg.Connection, sheet: Sheet, client_id: str, *, file_name: str, file_sha256: str,
    sender: str, now: datetime, preview_id: int | None = None,
    expected_digest: str | None = None, request_id: str = "",
) -> tuple[Plan, int]:  # fmt: skip
    """Plan again inside the transaction (nothing moves under it), write the good rows, an
    audit entry per person (channel import, actor `sender`) and the `staff_import` record
    (a new one, or the preview `preview_id` completed). A person made inactive loses their
    app logins (migration 0022's trigger). Raises PlanChanged when `expected_digest` is not the plan's any more.
    Returns the plan and the import id."""
    async with conn.transaction():
        await conn.execute("LOCK TABLE staff IN SHARE ROW EXCLUSIVE MODE")
        plan = await preview_staff(conn, sheet, client_id)
        if plan.file_errors:
            raise ValueError("; ".join(i.message for i in plan.file_errors))
        if expected_digest is not None and plan_digest(plan) != expected_digest:
            raise PlanChanged(client_id)
        rows = [r for r in plan.to_write if r.record is not None]
        await conn.executemany(
            """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram, tiktok,
                                  whatsapp, email, active, exception, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
               ON CONFLICT (nrp) DO UPDATE SET
                   name = EXCLUDED.name, rank = EXCLUDED.rank, unit = EXCLUDED.unit,
                   position = EXCLUDED.position, instagram = EXCLUDED.instagram,
                   tiktok = EXCLUDED.tiktok, whatsapp = EXCLUDED.whatsapp, email = EXCLUDED.email,
                   active = EXCLUDED.active, exception = EXCLUDED.exception,
                   updated_at = EXCLUDED.updated_at
               WHERE staff.client_id = EXCLUDED.client_id""",
            [
                (r.record.nrp, r.record.name, r.record.rank, r.record.unit, r.record.position,
                 client_id, r.record.instagram, r.record.tiktok, r.record.whatsapp,
                 r.record.email, r.record.active, r.record.exception, now)
                for r in rows if r.record is not None
            ],
        )  # fmt: skip
        await conn.executemany(
            "INSERT INTO staff_role (nrp, role_name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [(r.nrp, role) for r in rows for role in sorted(r.new_roles)],
        )
        counts = (plan.count(Action.NEW), plan.count(Action.CHANGED),
                  plan.count(Action.UNCHANGED), plan.count(Action.ERROR), plan.warnings)  # fmt: skip
        if preview_id is None:
            import_id: int = await conn.fetchval(
                """INSERT INTO staff_import (client_id, file_name, file_sha256, sender, applied,
                                             new_count, changed_count, unchanged_count,
                                             error_count, warning_count, created_at, applied_at)
                   VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10, $10) RETURNING id""",
                client_id, file_name, file_sha256, sender, *counts, now,
            )  # fmt: skip
        else:
            import_id = preview_id
            await conn.execute(
                """UPDATE staff_import SET applied = true, applied_at = $2, file = NULL,
                          new_count = $3, changed_count = $4, unchanged_count = $5,
                          error_count = $6, warning_count = $7
                    WHERE id = $1""",
                import_id, now, *counts,
            )  # fmt: skip
        await _store_rows(conn, import_id, plan)
        await _audit(conn, plan, sender, file_name, import_id, now, request_id)
    return plan, import_id


async def _audit(
    conn: asyncpg.Connection, plan: Plan, sender: str, file_name: str, import_id: int,
    now: datetime, request_id: str,
) -> None:  # fmt: skip
    """One entry per person written."""
    reason = f"impor {file_name} (staff_import {import_id})"
    entries: list[audit.Entry] = []
    for r in plan.to_write:
        if r.record is None or r.nrp is None:
            continue
        base = audit.Entry(sender, audit.Channel.IMPORT, "staff.import", f"staff:{r.nrp}",
                           reason=reason, request_id=request_id)  # fmt: skip
        if r.action is Action.NEW:
            written = {f: getattr(r.record, f) for f in STAFF_FIELDS}
            after = {k: v for k, v in written.items() if v is not None}
            entries.append(replace(base, action="staff.create",
                                   after={**after, "roles": sorted(r.record.roles)}))  # fmt: skip
            continue
        before = {c.field: c.old for c in r.changes}
        after = {c.field: c.new for c in r.changes}
        if r.new_roles:
            before["roles"] = sorted(r.record.roles - r.new_roles)
            after["roles"] = sorted(r.record.roles)
        entries.append(replace(base, action="staff.update", before=before, after=after))
    await audit.record_many(conn, entries, now)

"""Staff import against the database: load what is stored, plan, apply in one transaction."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from cicero.domain.people.staff_import import (
    Action,
    Plan,
    Sheet,
    StaffContext,
    StaffRecord,
    StoredStaff,
    plan_staff,
)


class UnknownClient(ValueError):
    pass


async def load_context(conn: asyncpg.Connection, client_id: str) -> StaffContext:
    client = await conn.fetchrow(
        "SELECT client_id, type, operator_wa FROM client WHERE client_id = $1", client_id
    )
    if client is None:
        raise UnknownClient(f"client {client_id!r} does not exist (import clients first)")
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


async def apply_staff(
    conn: asyncpg.Connection, sheet: Sheet, client_id: str, *, file_name: str, file_sha256: str,
    sender: str, now: datetime,
) -> tuple[Plan, int]:  # fmt: skip
    """Plan again inside the transaction (nothing moves under it), write the good rows and the
    `staff_import` record. Returns the plan and the import id."""
    async with conn.transaction():
        await conn.execute("LOCK TABLE staff IN SHARE ROW EXCLUSIVE MODE")
        plan = await preview_staff(conn, sheet, client_id)
        if plan.file_errors:
            raise ValueError("; ".join(i.message for i in plan.file_errors))
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
        import_id = await conn.fetchval(
            """INSERT INTO staff_import (client_id, file_name, file_sha256, sender, applied,
                                         new_count, changed_count, unchanged_count, error_count,
                                         warning_count, created_at, applied_at)
               VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10, $10) RETURNING id""",
            client_id, file_name, file_sha256, sender, plan.count(Action.NEW),
            plan.count(Action.CHANGED), plan.count(Action.UNCHANGED), plan.count(Action.ERROR),
            plan.warnings, now,
        )  # fmt: skip
        await conn.executemany(
            """INSERT INTO staff_import_row (import_id, row_number, nrp, action, messages)
               VALUES ($1, $2, $3, $4, $5)""",
            [(import_id, r.row, r.nrp, r.action.value, list(r.messages)) for r in plan.rows],
        )
    return plan, import_id

"""Client import against the database: load what is stored, plan, apply in one transaction."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from cicero.domain.people.client_import import ClientPlan, ClientRecord, plan_clients
from cicero.domain.people.staff_import import Sheet


async def stored_clients(conn: asyncpg.Connection) -> dict[str, ClientRecord]:
    records = await conn.fetch(
        """SELECT c.*, coalesce(array_agg(d.directorate_id)
                                FILTER (WHERE d.directorate_id IS NOT NULL), '{}') AS links
             FROM client c LEFT JOIN client_directorate d USING (client_id)
            GROUP BY c.client_id"""
    )
    return {
        r["client_id"]: ClientRecord(
            client_id=r["client_id"],
            name=r["name"],
            type=r["type"],
            instagram=r["instagram"],
            tiktok=r["tiktok"],
            group_jid=r["group_jid"],
            operator_wa=r["operator_wa"],
            super_wa=tuple(r["super_wa"]),
            directorates=frozenset(r["links"]),
        )
        for r in records
    }


async def preview_clients(conn: asyncpg.Connection, sheet: Sheet) -> ClientPlan:
    return plan_clients(sheet, await stored_clients(conn))


async def apply_clients(conn: asyncpg.Connection, sheet: Sheet, now: datetime) -> ClientPlan:
    async with conn.transaction():
        await conn.execute("LOCK TABLE client IN SHARE ROW EXCLUSIVE MODE")
        plan = await preview_clients(conn, sheet)
        if plan.file_errors:
            raise ValueError("; ".join(i.message for i in plan.file_errors))
        rows = [r.record for r in plan.to_write if r.record is not None]
        await conn.executemany(
            """INSERT INTO client (client_id, name, type, instagram, tiktok, group_jid,
                                   operator_wa, super_wa, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
               ON CONFLICT (client_id) DO UPDATE SET
                   name = EXCLUDED.name, type = EXCLUDED.type, instagram = EXCLUDED.instagram,
                   tiktok = EXCLUDED.tiktok, group_jid = EXCLUDED.group_jid,
                   operator_wa = EXCLUDED.operator_wa, super_wa = EXCLUDED.super_wa,
                   updated_at = EXCLUDED.updated_at""",
            [
                (r.client_id, r.name, r.type, r.instagram, r.tiktok, r.group_jid,
                 r.operator_wa, list(r.super_wa or ()), now)
                for r in rows
            ],
        )  # fmt: skip
        # Links after every client exists: a satker may name a directorate on a later row.
        await conn.executemany(
            "INSERT INTO client_directorate VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [(r.client_id, d) for r in plan.to_write for d in sorted(r.new_links)],
        )
    return plan

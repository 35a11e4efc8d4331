"""Staff imports from the browser (api.md §3 `POST /api/imports`, `…/{id}/confirm`; data.md
§5): the same reader, rules, report and transaction as `cicero import staff`. The upload is
read and planned, its preview kept with the file (writing no person); the confirmation plans
again from that file under lock and applies only if the plan is the one the preview showed."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from cicero.dashboard.staff import CLIENT_ID, Refused
from cicero.domain.auth.access import Principal
from cicero.domain.people.staff_import import (
    ACTION_LABEL,
    Action,
    Plan,
    counts_line,
    describe_row,
    row_detail,
)
from cicero.imports import read
from cicero.imports.staff import (
    PlanChanged,
    UnknownClient,
    apply_staff,
    load_context,
    plan_staff,
    record_preview,
)

PREVIEW_LIFE = timedelta(hours=1)


def report(plan: Plan, import_id: int, client_id: str, applied: bool) -> dict[str, Any]:
    """The preview as `cicero import` prints it, line for line, and as data for a table."""
    return {
        "id": import_id,
        "client_id": client_id,
        "applied": applied,
        "counts": {a.value: plan.count(a) for a in Action} | {"warnings": plan.warnings},
        "summary": counts_line(plan),
        "rows": [
            {"row": r.row, "nrp": r.nrp or "", "action": r.action.value,
             "label": ACTION_LABEL[r.action], "detail": row_detail(r),
             "warnings": [] if r.action is Action.ERROR else list(r.messages)}
            for r in plan.rows
        ],
        "lines": [describe_row(r, r.nrp) for r in plan.rows],
    }


async def preview(
    conn: asyncpg.Connection, who: Principal, client_id: str, file_name: str, data: bytes,
    sender: str, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    client_id = client_id.strip().upper()
    if not CLIENT_ID.fullmatch(client_id):
        raise Refused(404, "not_found", "Client tidak ditemukan.")
    if not who.covers_client(client_id):
        raise Refused(403, "out_of_scope")
    try:
        # Reading 10,000 rows of .xlsx is CPU work: off the event loop.
        sheet = await asyncio.to_thread(read.read_bytes, file_name, data)
        context = await load_context(conn, client_id)
    except read.FileUnreadable as e:
        raise Refused(422, "invalid", str(e), {"file": str(e)}) from None
    except UnknownClient:
        raise Refused(404, "not_found", "Client tidak ditemukan.") from None
    plan = await asyncio.to_thread(plan_staff, sheet, context)
    if plan.file_errors:
        problems = "; ".join(i.message for i in plan.file_errors)
        raise Refused(422, "invalid", f"{file_name}: {problems}", {"file": problems})
    await conn.execute(
        """UPDATE staff_import SET file = NULL
            WHERE NOT applied AND file IS NOT NULL AND created_at < $1""",
        now - PREVIEW_LIFE,
    )  # previews nobody confirmed: their files go
    import_id = await record_preview(
        conn, plan, client_id, file_name=file_name, data=data, sender=sender, now=now
    )
    return report(plan, import_id, client_id, applied=False)


async def confirm(
    conn: asyncpg.Connection, who: Principal, import_id: int, sender: str, now: datetime,
    request_id: str,
) -> dict[str, Any]:  # fmt: skip
    async with conn.transaction():
        row = await conn.fetchrow(
            """SELECT client_id, file_name, file_sha256, sender, applied, file, plan_digest,
                      created_at FROM staff_import WHERE id = $1 FOR UPDATE""",
            import_id,
        )
        # Another account's preview, or one outside the scope, is not told apart from none.
        if row is None or row["sender"] != sender or not who.covers_client(row["client_id"]):
            raise Refused(404, "not_found", "Pratinjau impor tidak ditemukan.")
        if row["applied"]:
            raise Refused(409, "conflict", "Impor ini sudah disimpan.")
        if row["file"] is None or row["created_at"] < now - PREVIEW_LIFE:
            raise Refused(409, "conflict", "Pratinjau sudah kedaluwarsa; unggah ulang file.")
        sheet = await asyncio.to_thread(read.read_bytes, row["file_name"], bytes(row["file"]))
        try:
            plan, _ = await apply_staff(
                conn, sheet, row["client_id"], file_name=row["file_name"],
                file_sha256=row["file_sha256"], sender=sender, now=now, preview_id=import_id,
                expected_digest=row["plan_digest"], request_id=request_id,
            )  # fmt: skip
        except PlanChanged:
            raise Refused(
                409, "conflict",
                "Data personil berubah sejak pratinjau dibuat; unggah ulang file untuk "
                "pratinjau baru.",
            ) from None  # fmt: skip
    return report(plan, import_id, row["client_id"], applied=True)

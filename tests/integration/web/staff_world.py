"""The staff directory's world: app_world's clients and staff (POLRES_A linked to DITBINMAS),
a dashboard account of each kind, and helpers to call the directory as its page's script
does (If-Match from the version it was given)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from cicero.domain.auth.dashboard import Role
from tests.conftest import fresh_database
from tests.integration.web.app_world import run, seeded
from tests.integration.web.dashboard_world import Browser, make_account, make_admin

OP_A, OP_B, DIR = "op.polresa", "op.polresb", "dit.binmas"


def world(pg_server: object) -> tuple[str, str]:
    """A database with the web world and its accounts; returns (url, the admin's TOTP secret)."""
    url = fresh_database(pg_server)

    async def go() -> str:
        await seeded(url)
        await make_account(url, OP_A, Role.OPERATOR, ("POLRES_A",))
        await make_account(url, OP_B, Role.OPERATOR, ("POLRES_B",))
        await make_account(url, DIR, Role.DITBINMAS)
        return await make_admin(url, "admin.satu")

    return url, run(go())


async def version(b: Browser, nrp: str) -> int:
    status, body, _ = await b.request("GET", f"/api/users?q={nrp}&active=all")
    assert status == 200, body
    (item,) = [i for i in body["data"] if i["user_id"] == nrp]
    return int(item["version"])


async def patch(b: Browser, nrp: str, body: dict[str, Any], at: int | None = None) -> tuple[int, Any, Any]:
    v = await version(b, nrp) if at is None else at
    return await b.request("PATCH", f"/api/users/{nrp}", body, headers={"If-Match": f'"{v}"'})


def xlsx(header: list[Any], rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

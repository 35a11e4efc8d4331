"""`/personil` and `/personil/{nrp}` (api.md §3): the staff directory with its filters,
completeness per unit, the Excel export, adding a person and importing a file; and one
person's page with the edit form (If-Match), status, roles, the password link and their
history from the audit log. The data is the JSON API's (cicero.web.api.users)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from cicero.conversations.facts import menu_config, staff_view
from cicero.dashboard import staff as service
from cicero.db import staff as db
from cicero.domain.auth.access import Who
from cicero.domain.menus.fields import units_for
from cicero.domain.people import directory
from cicero.web.api import audit as audit_api
from cicero.web.api.users import account_role, clients_asked, directory_data, refusal
from cicero.web.context import ctx
from cicero.web.render import page
from cicero.web.request_state import principal

MISSING_WORDS = {"": "Semua", "username": "Belum isi username (IG/TikTok)",
                 "instagram": "Belum isi Instagram", "tiktok": "Belum isi TikTok",
                 "whatsapp": "Belum terhubung WhatsApp"}  # fmt: skip
ACTIVE_WORDS = {"true": "Aktif", "false": "Nonaktif", "all": "Semua"}


def _query_string(q: directory.Query, client: str, **change: Any) -> str:
    params = {"client_id": client, "q": q.q, "unit": q.unit, "active": q.active.value,
              "missing": q.missing.value if q.missing else "", "page": q.page}  # fmt: skip
    params.update(change)
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


async def directory_page(request: web.Request) -> web.Response:
    data = await directory_data(request)
    q: directory.Query = data["query"]
    chosen = data["client"]
    client = chosen.client_id if chosen else ""
    clients, _ = await clients_asked(request)
    ids = [chosen.client_id] if chosen else [x.client_id for x in clients]
    async with ctx(request).db().acquire() as conn:
        units = await db.completeness(conn, ids)
    total, pages = data["meta"]["total"], max(1, -(-data["meta"]["total"] // q.per_page))
    data.update(
        completeness=units, active_words=ACTIVE_WORDS, missing_words=MISSING_WORDS,
        pages=pages, total=total,
        previous=f"/personil?{_query_string(q, client, page=q.page - 1)}" if q.page > 1 else "",
        following=f"/personil?{_query_string(q, client, page=q.page + 1)}" if q.page < pages else "",
        xlsx_url=f"/api/exports/users.xlsx?{_query_string(q, client, page='')}",
        import_clients=[c for c in clients if principal(request).covers_client(c.client_id)],
        ranks=menu_config(ctx(request).settings).ranks,
    )  # fmt: skip
    return page(request, "personil.html", data, title="Personil")


async def person_page(request: web.Request) -> web.Response:
    c = ctx(request)
    who = principal(request)
    nrp = request.match_info["nrp"]
    async with c.db().acquire() as conn:
        try:
            person = await service.in_scope(conn, who, nrp)
        except service.Refused as r:
            raise refusal(r) from None
        view = await staff_view(conn, nrp)
        menus = await service.menu_context(conn, c.settings, person.client_id)
        known = await service.known_roles(conn)
        grantable = await service.grantable(conn, who, account_role(request), person.client_id)
        history = await audit_api.history(conn, nrp)
    assert view is not None
    ranks = list(menus.config.ranks)
    if person.rank and person.rank not in ranks:
        ranks.insert(0, person.rank)  # an imported rank outside the list stays selectable as is
    data = {
        "p": service.person_json(person), "ranks": ranks, "units": units_for(view, menus),
        "roles": sorted(known), "grantable": grantable, "history": history,
        "is_admin": who.who is Who.ADMIN, "in_words": audit_api.in_words,
    }
    return page(request, "personil_detail.html", data, title=f"{person.rank} {person.name}")

"""The account pages (api.md §3): `/login`, `/daftar`, `/lupa-password`, `/reset-password`,
`/akun`, `/admin/pengguna`. Each renders server-side; its form posts to the JSON API."""

from __future__ import annotations

from aiohttp import web

from cicero.dashboard.accounts import known_clients
from cicero.db import dashboard as db
from cicero.domain.auth import password_links as links
from cicero.domain.auth import passwords
from cicero.domain.auth.access import Who
from cicero.domain.auth.dashboard import REGISTRABLE, ROLE_LABEL, Role
from cicero.web.api.admin_users import accounts_data
from cicero.web.api.dashboard_auth import RESET_TTL, me_data, safe_next
from cicero.web.context import ctx
from cicero.web.nav import home_for
from cicero.web.render import page
from cicero.web.request_state import principal


async def login_page(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    if who.who not in (Who.ANONYMOUS, Who.SCRAPER):
        raise web.HTTPSeeOther(home_for(who.who))
    nxt = safe_next(request.query.get("next"), "")
    return page(request, "login.html", {"next": nxt}, title="Masuk", form=True)


async def register_page(request: web.Request) -> web.Response:
    async with ctx(request).db().acquire() as conn:
        rows = await conn.fetch("SELECT client_id, name FROM client WHERE active ORDER BY type DESC, name")
    roles = [(r.value, ROLE_LABEL[r]) for r in REGISTRABLE]
    return page(
        request, "daftar.html",
        {"roles": roles, "clients": [dict(r) for r in rows], "minimum": passwords.MIN_DASHBOARD},
        title="Daftar akun dashboard", form=True,
    )  # fmt: skip


async def forgot_page(request: web.Request) -> web.Response:
    minutes = int(RESET_TTL.total_seconds() // 60)
    return page(request, "lupa_password.html", {"minutes": minutes}, title="Lupa password", form=True)


async def reset_page(request: web.Request) -> web.Response:
    c = ctx(request)
    token = request.query.get("t", "")
    digest = links.digest(token)
    row = None
    if digest is not None:
        async with c.db().acquire() as conn:
            row = await db.find_reset(conn, digest, c.now())
    data = {
        "valid": row is not None, "token": token if row else "",
        "username": row.username if row else "", "minimum": passwords.MIN_DASHBOARD,
    }  # fmt: skip
    return page(request, "reset_password.html", data, title="Password baru", form=True,
                status=200 if row else 404)  # fmt: skip


async def account_page(request: web.Request) -> web.Response:
    me = await me_data(request)
    c = ctx(request)
    async with c.db().acquire() as conn:
        row = await db.by_id(conn, me["id"])
    assert row is not None
    data = {
        "account": row, "role_label": ROLE_LABEL[row.role], "all_clients": me["all_clients"],
        "clients": me["clients"], "minimum": passwords.MIN_DASHBOARD,
    }  # fmt: skip
    return page(request, "akun.html", data, title="Akun saya")


async def users_page(request: web.Request) -> web.Response:
    roles = [(r.value, ROLE_LABEL[r]) for r in Role if r is not Role.ADMIN]
    async with ctx(request).db().acquire() as conn:
        clients = await known_clients(conn)
    return page(
        request, "pengguna.html",
        {"accounts": await accounts_data(request), "roles": roles, "clients": clients},
        title="Pengguna dashboard",
    )  # fmt: skip

"""`/akun/password?t=…` (menus.md §4 "Password aplikasi"): the page where a member of staff
sets the app's password from the single-use link WhatsApp brought them. Indonesian, one
form, no script; the token travels in the form, never in a Referer (no-referrer)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiohttp import web

from cicero.db import audit
from cicero.db import auth as db
from cicero.domain.auth import lockout, passwords
from cicero.domain.auth import password_links as links
from cicero.domain.auth.tokens import Revocation, TokenKind
from cicero.web.context import WebContext, ctx
from cicero.web.request_state import request_id

GONE = (
    "Link ini tidak berlaku lagi (sudah dipakai, kedaluwarsa, atau bukan link yang benar). "
    "Minta link baru di WhatsApp: ketik <b>userrequest</b>, balas <b>ya</b>, lalu pilih "
    "<b>Password aplikasi</b>."
)


def _page(title: str, body: str, status: int = 200) -> web.Response:
    html = (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{escape(title)} – Cicero</title>"
        "<style>body{font-family:sans-serif;max-width:28em;margin:2em auto;padding:0 1em;"
        "line-height:1.5}label{display:block;margin-top:1em}input{width:100%;padding:.5em;"
        "font-size:1em;box-sizing:border-box}button{margin-top:1.5em;padding:.6em 1.2em;"
        "font-size:1em}.salah{color:#a00}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )
    return web.Response(text=html, content_type="text/html", status=status)


def _form(token: str, name: str, problem: str = "") -> str:
    note = f"<p class='salah' role='alert'>{escape(problem)}</p>" if problem else ""
    return (
        f"<p>Halo, <b>{escape(name)}</b>. Buat password untuk aplikasi <b>Cicero Reposter</b>. "
        f"Minimal {passwords.MIN_STAFF} karakter, bukan NRP/NIP, nomor WhatsApp, atau password "
        f"yang umum.</p>{note}"
        "<form method='post' action='/akun/password'>"
        f"<input type='hidden' name='t' value='{escape(token)}'>"
        "<label for='p1'>Password baru</label>"
        f"<input id='p1' type='password' name='password' required minlength='{passwords.MIN_STAFF}'"
        f" maxlength='{passwords.MAX_LENGTH}' autocomplete='new-password'>"
        "<label for='p2'>Ulangi password</label>"
        "<input id='p2' type='password' name='confirm' required autocomplete='new-password'>"
        "<button type='submit'>Simpan password</button></form>"
    )


async def _valid(c: WebContext, token: str, now: datetime) -> tuple[bytes, db.LinkRow] | None:
    digest = links.digest(token)
    if digest is None:
        return None
    async with c.db().acquire() as conn:
        row = await db.find_link(conn, digest)
    if row is None or row.used_at is not None or now >= row.expires_at or not row.active:
        return None
    return digest, row


async def show(request: web.Request) -> web.Response:
    c = ctx(request)
    token = request.query.get("t", "")
    found = await _valid(c, token, c.now())
    if found is None:
        return _page("Link tidak berlaku", f"<p>{GONE}</p>", status=404)
    return _page("Password aplikasi", _form(token, found[1].name))


async def save(request: web.Request) -> web.Response:
    c = ctx(request)
    form = await request.post()
    token = str(form.get("t", ""))
    password, confirm = str(form.get("password", "")), str(form.get("confirm", ""))
    now = c.now()
    found = await _valid(c, token, now)
    if found is None:
        return _page("Link tidak berlaku", f"<p>{GONE}</p>", status=404)
    digest, row = found
    problem = passwords.problem(password, nrp=row.nrp, phone=row.whatsapp or "")
    if problem is None and password != confirm:
        problem = "Kedua password tidak sama."
    if problem is not None:
        return _page("Password aplikasi", _form(token, row.name, problem), status=422)
    hashed = await c.passwords.hash(password)
    async with c.db().acquire() as conn, conn.transaction():
        if not await db.use_link(conn, digest, now):  # spent by a racing submit
            return _page("Link tidak berlaku", f"<p>{GONE}</p>", status=404)
        await db.set_password(conn, row.nrp, hashed, now)
        # A new password ends every login made with the old one, and any lockout streak.
        await db.revoke_subject(
            conn, (TokenKind.STAFF_ACCESS, TokenKind.STAFF_REFRESH), row.nrp,
            Revocation.PASSWORD_CHANGED, now,
        )  # fmt: skip
        await db.record_attempt(
            conn, db.staff_account(row.nrp), c.client_ip(request), lockout.Outcome.RESET, now
        )
        await audit.record(
            conn,
            audit.Entry(f"staff:{row.nrp}", audit.Channel.WEB, "staff.password_set",
                        f"staff:{row.nrp}", after={"password": "diubah lewat /akun/password"},
                        request_id=request_id(request)),
            now,
        )  # fmt: skip
    return _page(
        "Password tersimpan",
        "<p>Password aplikasi Anda sudah dibuat. Buka <b>Cicero Reposter</b>, lalu login dengan "
        "NRP/NIP dan password baru tersebut. Login lama di perangkat lain sudah diakhiri.</p>",
    )

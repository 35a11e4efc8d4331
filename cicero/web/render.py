"""Server-rendered pages (api.md §3): Jinja2 templates under cicero/web/templates, autoescaped
(a staff name holding HTML shows as text), one base layout with the navigation of the
signed-in account, its CSRF token for the page's script, and Indonesian throughout.

A page handler computes its data once and renders it here; the same data is what the
page's JSON API returns (STYLE §6)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

import jinja2
from aiohttp import web

from cicero.domain.auth.access import Who
from cicero.domain.text.calendar_id import BULAN
from cicero.domain.timezone import WIB
from cicero.web.cookies import form_token, remember_form_token
from cicero.web.identify import session_of
from cicero.web.nav import items_for
from cicero.web.request_state import principal, request_id


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cicero.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tanggal"] = tanggal
    env.filters["jam"] = jam
    env.filters["waktu"] = waktu
    env.filters["angka"] = angka
    return env


def tanggal(value: date | datetime | None) -> str:
    """6 Februari 2026 (a datetime in WIB)."""
    if value is None:
        return "–"
    d = value.astimezone(WIB).date() if isinstance(value, datetime) else value
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


def jam(value: datetime | None) -> str:
    """HH.MM WIB, as Indonesian texts write times."""
    return "–" if value is None else value.astimezone(WIB).strftime("%H.%M")


def waktu(value: datetime | None) -> str:
    return "–" if value is None else f"{tanggal(value)} {jam(value)} WIB"


def angka(value: int | float | None) -> str:
    """1.234 (Indonesian thousands separator)."""
    if value is None:
        return "–"
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value:.1f}".replace(".", ",")


def page(
    request: web.Request,
    template: str,
    data: Mapping[str, Any] | None = None,
    *,
    title: str,
    status: int = 200,
    form: bool = False,
) -> web.Response:
    """Render `template` in the base layout. `form`: the page posts before any session, so it
    carries the double-submit value (api.md §5)."""
    who = principal(request)
    session = session_of(request)
    token = form_token(request) if form else (session.csrf if session else "")
    context = {
        **(data or {}),
        "title": title,
        "csrf": token,
        "me": session,
        "who": who.who,
        "nav": items_for(who.who) if who.who is not Who.ANONYMOUS else [],
        "path": request.path,
        "request_id": request_id(request),
    }
    html = environment().get_template(template).render(context)
    response = web.Response(text=html, content_type="text/html", status=status)
    if form:
        remember_form_token(response, token)
    return response

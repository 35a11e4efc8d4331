"""The ops page and its calls (api.md §4): `/status` and `GET /api/ops/status` for ops and
admins (no-store); for admins the pairing QR as a server-drawn SVG, pair codes and re-pairing,
job pause / resume / run now, in_doubt rows marked sent or sent again, and ending an
account's sessions. Every action is CSRF-checked by the server and audited in its own
transaction; a pair code or QR is never logged, cached or stored."""

from __future__ import annotations

import io
from typing import Any

import segno
from aiohttp import web

from cicero.actors.messages import PairingReply, PairingRequest, RunNow
from cicero.dashboard import ops
from cicero.db import audit
from cicero.db import dashboard as accounts_db
from cicero.db.auth import revoke_subject
from cicero.domain.auth.access import Who
from cicero.domain.auth.tokens import Revocation, TokenKind
from cicero.domain.people.phones import JidError, normalize_phone
from cicero.domain.runtime.names import CLOCK, session_actor
from cicero.web.actor_bridge import NoAnswer
from cicero.web.bodies import Field, check, read_json
from cicero.web.context import GATHER, STATUS, ctx
from cicero.web.errors import ApiError
from cicero.web.identify import session_of
from cicero.web.render import page
from cicero.web.request_state import principal, request_id
from cicero.web.server import json_ok

REASON_FIELDS = {"reason": Field(str, max_length=500)}
PAIR_FIELDS = {"phone": Field(str, max_length=32, description="a pair code for this number")}
POLL_S = 5


def _entry(request: web.Request, reason: str = "") -> audit.Entry:
    session = session_of(request)
    actor = f"dash:{session.username}" if session else "dash:?"
    return audit.Entry(
        actor, audit.Channel.WEB, "ops", reason=reason, request_id=request_id(request)
    )


async def status_data(request: web.Request) -> dict[str, Any]:
    c = ctx(request)
    body = await request.app[GATHER](request)
    admin = principal(request).who is Who.ADMIN
    async with c.db().acquire() as conn:
        data = await ops.ops_status(conn, body, sorted(c.settings.config.jobs), c.now(), admin)
    data["admin"] = admin
    return data


async def status_json(request: web.Request) -> web.Response:
    return json_ok(await status_data(request))


async def status_page(request: web.Request) -> web.Response:
    data = await status_data(request)
    return page(request, "status.html", {**data, "poll_s": POLL_S}, title="Status layanan")


def _pairing_code(request: web.Request) -> str:
    session = request.match_info["session"]
    snapshot, _age = request.app[STATUS]()
    report = ((snapshot or {}).get("reports") or {}).get(session_actor(session)) or {}
    code = str(report.get("qr") or "") if report.get("state") == "pairing" else ""
    if not code:
        raise ApiError(
            404, "not_found", "Tidak ada kode QR: sesi ini tidak sedang menunggu pairing."
        )
    return code


# What the status page's image shows when the code it named (`?v=`) ended as it loaded: the
# session was paired, or stopped pairing, between the page's poll and the image's request.
QR_ENDED = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='180' height='180' viewBox='0 0 180 180'>"
    "<rect width='180' height='180' fill='#eee'/><text x='90' y='95' font-size='13' "
    "text-anchor='middle' fill='#555'>Kode QR tidak berlaku</text></svg>"
)


async def qr_svg(request: web.Request) -> web.Response:
    """The session's current pairing QR, drawn here (dark on light for phone cameras). The
    page's image asks with `?v=` (the code it saw): once no code is live it gets a
    placeholder rather than a failed image; a call without `v` gets the 404."""
    try:
        code = _pairing_code(request)
    except ApiError:
        if "v" not in request.query:
            raise
        return web.Response(text=QR_ENDED, content_type="image/svg+xml",
                            headers={"Cache-Control": "no-store"})  # fmt: skip
    out = io.BytesIO()
    segno.make_qr(code, error="l").save(
        out, kind="svg", scale=6, border=2, dark="#000", light="#fff", xmldecl=False
    )
    return web.Response(body=out.getvalue(), content_type="image/svg+xml",
                        headers={"Cache-Control": "no-store"})  # fmt: skip


async def pair(request: web.Request) -> web.Response:
    """Fresh QR codes (no phone) or a pair code for a number; also "pair again" after a
    terminal state. Audited without the code."""
    c = ctx(request)
    body = check(await read_json(request), PAIR_FIELDS)
    session = request.match_info["session"]
    if session not in c.settings.config.sessions:
        raise ApiError(404, "not_found", "Sesi WhatsApp tidak dikenal.")
    phone = None
    if body.get("phone"):
        try:
            phone = normalize_phone(body["phone"])
        except JidError:
            raise ApiError(422, "invalid", fields={"phone": "nomor WhatsApp tidak valid"}) from None
    if c.actors is None:
        raise ApiError(
            503, "unavailable", "Pairing hanya dapat diminta dari layanan yang berjalan."
        )
    entry = _entry(request)
    async with c.db().acquire() as conn, conn.transaction():
        await audit.record(
            conn,
            audit.Entry(entry.actor, entry.channel, "session.pair_code" if phone else "session.pair",
                        session_actor(session), after={"by_phone": bool(phone)},
                        request_id=entry.request_id),
            c.now(),
        )  # fmt: skip
    try:
        reply = await c.actors.ask("supervisor", lambda _t: PairingRequest(session, phone))
    except NoAnswer:
        raise ApiError(503, "unavailable", "Sesi WhatsApp tidak menjawab. Coba lagi.") from None
    if not isinstance(reply, PairingReply) or not reply.ok:
        message = reply.message if isinstance(reply, PairingReply) else "Permintaan gagal."
        raise ApiError(409, "conflict", message)
    return json_ok({"session": session, "message": reply.message, "code": reply.code})


async def job_action(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), REASON_FIELDS)
    job, action = request.match_info["job"], request.match_info["action"]
    if job not in c.settings.config.jobs or action not in ("pause", "resume", "run"):
        raise ApiError(404, "not_found", "Job tidak dikenal.")
    entry = _entry(request, body.get("reason", ""))
    now = c.now()
    if action == "run":
        if c.actors is None:
            raise ApiError(
                503, "unavailable", "Job hanya dapat dijalankan dari layanan yang berjalan."
            )
        async with c.db().acquire() as conn, conn.transaction():
            await audit.record(
                conn,
                audit.Entry(entry.actor, entry.channel, "job.run_now", f"job:{job}",
                            reason=entry.reason, request_id=entry.request_id),
                now,
            )  # fmt: skip
        try:
            await c.actors.tell(CLOCK, RunNow(job))
        except NoAnswer:
            raise ApiError(503, "unavailable", "Clock tidak menjawab. Coba lagi.") from None
        return json_ok({"job": job, "queued": True})
    async with c.db().acquire() as conn, conn.transaction():
        changed = await ops.pause(conn, job, action == "pause", now, entry)
    return json_ok({"job": job, "paused": action == "pause", "changed": changed})


async def outbox_action(request: web.Request) -> web.Response:
    c = ctx(request)
    body = check(await read_json(request), REASON_FIELDS)
    raw, action = request.match_info["row_id"], request.match_info["action"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or action not in ("sent", "resend"):
        raise ApiError(404, "not_found")
    async with c.db().acquire() as conn, conn.transaction():
        done = await ops.resolve_in_doubt(
            conn, int(raw), action == "sent", c.now(), _entry(request, body.get("reason", ""))
        )
    if not done:
        raise ApiError(409, "conflict", "Pesan ini tidak lagi berstatus in_doubt.")
    return json_ok({"id": int(raw), "status": "sent" if action == "sent" else "pending"})


async def revoke_sessions(request: web.Request) -> web.Response:
    """An admin ends every session of a dashboard account (e.g. a lost phone)."""
    c = ctx(request)
    body = check(await read_json(request), REASON_FIELDS)
    raw = request.match_info["account_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ApiError(404, "not_found")
    now, entry = c.now(), _entry(request, body.get("reason", ""))
    async with c.db().acquire() as conn, conn.transaction():
        row = await accounts_db.by_id(conn, int(raw))
        if row is None:
            raise ApiError(404, "not_found")
        n = await revoke_subject(conn, (TokenKind.DASHBOARD_SESSION,), raw, Revocation.ADMIN, now)
        await audit.record(
            conn,
            audit.Entry(entry.actor, entry.channel, "dashboard_account.revoke_sessions",
                        f"dashboard_account:{row.id}", after={"revoked": n}, reason=entry.reason,
                        request_id=entry.request_id),
            now,
        )  # fmt: skip
    return json_ok({"id": row.id, "revoked": n})

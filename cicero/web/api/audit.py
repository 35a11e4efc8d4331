"""The audit log in the dashboard (api.md §5): `GET /api/admin/audit` and `/admin/audit`, newest
first, a keyset page (`cursor` = the last id seen, so a page stays right while entries are
added); and a person's own history for `/personil/{nrp}`. Read-only: no route writes,
edits or deletes an entry (the table refuses it too). Numbers are shown masked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from cicero.db import audit
from cicero.domain.people.directory import printable
from cicero.domain.people.phones import mask_phone
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.render import page
from cicero.web.route import Param
from cicero.web.server import json_ok

PER_PAGE, PER_PAGE_MAX = 50, 200
CHANNELS = {c.value for c in audit.Channel}
QUERY = (
    Param("cursor", {"type": "string", "pattern": "^[0-9]+$"},
          description="the last id of the previous page (meta.next_cursor)"),
    Param("per_page", {"type": "string", "pattern": "^[0-9]+$"}, description="50, at most 200"),
    Param("channel", {"enum": sorted(CHANNELS)}),
    Param("entity", {"type": "string", "maxLength": 100}, description="e.g. staff:75020001"),
    Param("actor", {"type": "string", "maxLength": 100}, description="e.g. dash:op.polresa"),
)  # fmt: skip

ACTION_WORDS = {
    "staff.create": "Tambah personil", "staff.update": "Ubah data personil",
    "staff.status": "Ubah status personil", "staff.roles": "Ubah role personil",
    "staff.bind_whatsapp": "Hubungkan WhatsApp", "staff.exception": "Ubah pengecualian",
    "staff.move": "Pindah satker", "staff.opt_in": "Notifikasi WhatsApp",
    "staff.import": "Impor personil", "staff.password_link": "Kirim link password aplikasi",
    "staff.password_set": "Password aplikasi dibuat", "link_report.delete": "Hapus laporan link",
    "dashboard_account.register": "Daftar akun dashboard",
    "dashboard_account.approve": "Setujui akun dashboard",
    "dashboard_account.reject": "Tolak akun dashboard",
    "dashboard_account.disable": "Nonaktifkan akun dashboard",
    "dashboard_account.admin_add": "Tambah admin",
    "dashboard_account.password_change": "Ganti password dashboard",
    "dashboard_account.revoke_sessions": "Akhiri sesi akun",
    "job.pause": "Jeda job", "job.resume": "Lanjutkan job", "job.run_now": "Jalankan job",
    "outbox.in_doubt_sent": "Pesan ragu: tandai terkirim",
    "outbox.in_doubt_resend": "Pesan ragu: kirim ulang",
    "session.pair": "Pairing ulang", "session.pair_code": "Kode pairing",
}  # fmt: skip
FIELD_WORDS = {
    "name": "Nama", "rank": "Pangkat", "unit": "Satfung", "position": "Jabatan",
    "village": "Desa binaan", "instagram": "Instagram", "tiktok": "TikTok",
    "whatsapp": "WhatsApp", "email": "Email", "active": "Aktif", "exception": "Pengecualian",
    "wa_opt_in": "Notifikasi WhatsApp", "client_id": "Client", "roles": "Role",
    "role_dropped": "Role dilepas", "password": "Password", "link_sent_to": "Link dikirim ke",
    "valid_minutes": "Berlaku (menit)", "status": "Status", "role": "Peran",
    "client_ids": "Client", "paused": "Dijeda", "username": "Username",
}  # fmt: skip
CHANNEL_WORDS = {"web": "Dashboard", "whatsapp": "WhatsApp", "import": "Impor", "cli": "CLI",
                 "system": "Sistem"}  # fmt: skip


def _masked(value: Any) -> Any:
    """Phone numbers in before/after shown as 62*******5678."""
    if isinstance(value, Mapping):
        return {k: (mask_phone(v) if k in ("whatsapp", "phone") and isinstance(v, str) and v
                    else _masked(v)) for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _actor(actor: str) -> str:
    kind, _, rest = actor.partition(":")
    return f"wa:{mask_phone(rest)}" if kind == "wa" and rest else actor


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def in_words(values: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Before/after as the pages show them: Indonesian labels, ya/tidak, – for nothing."""
    if not isinstance(values, Mapping):
        return []
    return [(FIELD_WORDS.get(k, k), _shown(v)) for k, v in values.items()]


def entry_json(e: audit.Logged) -> dict[str, Any]:
    return {
        "id": e.id, "at": e.at, "actor": _actor(e.actor), "channel": e.channel,
        "channel_label": CHANNEL_WORDS.get(e.channel, e.channel), "action": e.action,
        "action_label": ACTION_WORDS.get(e.action, e.action), "entity": e.entity,
        "before": _masked(e.before), "after": _masked(e.after), "reason": e.reason,
        "request_id": e.request_id,
    }  # fmt: skip


def _asked(request: web.Request) -> dict[str, Any]:
    q = request.query
    problems: dict[str, str] = {}
    cursor = q.get("cursor") or None
    if cursor is not None and not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        problems["cursor"] = "bilangan dari meta.next_cursor"
    raw = q.get("per_page") or str(PER_PAGE)
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= PER_PAGE_MAX):
        problems["per_page"] = f"bilangan 1–{PER_PAGE_MAX}"
    channel = q.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        problems["channel"] = ", ".join(sorted(CHANNELS))
    for name in ("entity", "actor"):
        if len(q.get(name, "")) > 100 or printable(q.get(name, "")) != q.get(name, ""):
            problems[name] = "maksimal 100 karakter, tanpa karakter kontrol"
    if problems:
        raise ApiError(400, "bad_request", fields=problems)
    return {
        "cursor": int(cursor) if cursor else None, "per_page": int(raw), "channel": channel,
        "entity": q.get("entity", "").strip() or None, "actor": q.get("actor", "").strip() or None,
    }  # fmt: skip


async def audit_data(request: web.Request) -> dict[str, Any]:
    a = _asked(request)
    async with ctx(request).db().acquire() as conn:
        rows = await audit.recent(
            conn, a["per_page"] + 1, a["cursor"], entity=a["entity"], channel=a["channel"],
            actor=a["actor"],
        )  # fmt: skip
    more = len(rows) > a["per_page"]
    rows = rows[: a["per_page"]]
    return {
        "items": [entry_json(e) for e in rows],
        "meta": {"per_page": a["per_page"], "next_cursor": str(rows[-1].id) if more else None},
        "asked": a,
    }


async def audit_json(request: web.Request) -> web.Response:
    data = await audit_data(request)
    return json_ok(data["items"], meta=data["meta"])


async def audit_page(request: web.Request) -> web.Response:
    from urllib.parse import urlencode

    data = await audit_data(request)
    a = data["asked"]
    kept = {k: a[k] for k in ("channel", "entity", "actor") if a[k]}
    cursor = data["meta"]["next_cursor"]
    data["next"] = f"/admin/audit?{urlencode({**kept, 'cursor': cursor})}" if cursor else ""
    data["first"] = f"/admin/audit?{urlencode(kept)}" if a["cursor"] else ""
    data["channels"] = CHANNEL_WORDS
    data["in_words"] = in_words
    return page(request, "audit.html", data, title="Log audit")


async def history(conn: Any, nrp: str, limit: int = 20) -> list[dict[str, Any]]:
    """A person's latest entries, for their page."""
    return [entry_json(e) for e in await audit.recent(conn, limit, entity=f"staff:{nrp}")]

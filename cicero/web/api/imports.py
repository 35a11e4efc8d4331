"""Staff import from the browser (api.md §3): `POST /api/imports?client_id=…&file_name=…` with
the file as the body gives the preview; `POST /api/imports/{import_id}/confirm` applies it.
The file is read here with its own bound (the app's JSON limit is far smaller)."""

from __future__ import annotations

from aiohttp import web

from cicero.dashboard import imports as service
from cicero.dashboard.staff import Refused
from cicero.domain.people.directory import printable
from cicero.imports.read import MAX_BYTES, too_big
from cicero.web.api.users import actor, optional_body, refusal
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.request_state import principal, request_id
from cicero.web.route import Param
from cicero.web.server import json_ok

QUERY = (
    Param("client_id", required=True, description="the client the staff belong to"),
    Param("file_name", {"type": "string", "maxLength": 200}, required=True,
          description="the file's name: .xlsx or .csv"),
)  # fmt: skip
CHUNK = 64 * 1024


async def upload(request: web.Request) -> bytes:
    """The body, at most MAX_BYTES (413 past it, before more is read)."""
    if request.content_length is not None and request.content_length > MAX_BYTES:
        raise ApiError(413, "too_large", f"File {too_big()}.")
    data = bytearray()
    async for chunk in request.content.iter_chunked(CHUNK):
        data += chunk
        if len(data) > MAX_BYTES:
            raise ApiError(413, "too_large", f"File {too_big()}.")
    if not data:
        raise ApiError(400, "bad_request", "Pilih file .xlsx atau .csv.", {"file": "kosong"})
    return bytes(data)


async def preview(request: web.Request) -> web.Response:
    c = ctx(request)
    name = request.query.get("file_name", "").strip()
    client_id = request.query.get("client_id", "")
    problems = {}
    if not name or len(name) > 200 or printable(name) != name:
        problems["file_name"] = "wajib, maksimal 200 karakter, tanpa karakter kontrol"
    if not client_id:
        problems["client_id"] = "wajib"
    if problems:
        raise ApiError(400, "bad_request", fields=problems)
    data = await upload(request)
    try:
        async with c.db().acquire() as conn:
            report = await service.preview(conn, principal(request), client_id, name, data,
                                           actor(request), c.now())  # fmt: skip
    except Refused as r:
        raise refusal(r) from None
    return json_ok(report, status=201)


async def confirm(request: web.Request) -> web.Response:
    c = ctx(request)
    await optional_body(request, {})
    raw = request.match_info["import_id"]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise ApiError(404, "not_found")
    try:
        async with c.db().acquire() as conn:
            report = await service.confirm(conn, principal(request), int(raw), actor(request),
                                           c.now(), request_id(request))  # fmt: skip
    except Refused as r:
        raise refusal(r) from None
    return json_ok(report)

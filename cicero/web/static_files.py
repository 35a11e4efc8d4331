"""The dashboard's script and style sheet, served from the package (no build step): only the
files listed here, with their types."""

from __future__ import annotations

from functools import cache
from importlib import resources

from aiohttp import web

from cicero.web.errors import ApiError

FILES = {"cicero.js": "text/javascript", "cicero.css": "text/css", "personil.js": "text/javascript"}


@cache
def _read(name: str) -> bytes:
    return resources.files("cicero.web").joinpath("static", name).read_bytes()


async def static(request: web.Request) -> web.Response:
    name = request.path.rsplit("/", 1)[-1]
    if name not in FILES:
        raise ApiError(404, "not_found")
    return web.Response(
        body=_read(name), content_type=FILES[name], charset="utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )  # fmt: skip

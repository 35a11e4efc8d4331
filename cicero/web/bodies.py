"""Request bodies: read once, bounded, checked against a small declaration that also gives
the OpenAPI schema. What the app sends is known field by field (api.md §2); anything else
(malformed JSON, a list, a wrong type, an unknown key, a JSON `null`, which org.json never
sends because it drops such keys) is a 400 naming the fields, before anything is stored."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from cicero.web.errors import ApiError

_JSON_TYPE = {str: "string", bool: "boolean", int: "integer", list: "array"}
MAX_ITEMS = 100  # a list field holds short strings, at most this many


@dataclass(frozen=True)
class Field:
    kind: type
    required: bool = False
    description: str = ""
    max_length: int = 2048


Fields = Mapping[str, Field]


def schema(fields: Fields) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, f in fields.items():
        prop: dict[str, Any] = {"type": _JSON_TYPE[f.kind]}
        if f.kind is str:
            prop["maxLength"] = f.max_length
        if f.kind is list:
            prop["items"] = {"type": "string", "maxLength": 64}
            prop["maxItems"] = MAX_ITEMS
        if f.description:
            prop["description"] = f.description
        props[name] = prop
    return {
        "type": "object",
        "properties": props,
        "required": [n for n, f in fields.items() if f.required],
        "additionalProperties": False,
    }


_PARSED: web.RequestKey[Any] = web.RequestKey("parsed_json", object)


async def read_json(request: web.Request) -> Any:
    """The request's JSON body, parsed once per request (a route whose first query runs with
    the token check reads it before its handler does)."""
    if _PARSED in request:
        return request[_PARSED]
    try:
        raw = await request.read()  # bounded by the app's client_max_size (413 past it)
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "bad_request", "Isi permintaan bukan JSON yang valid.") from None
    request[_PARSED] = body
    return body


def check(body: Any, fields: Fields) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "Isi permintaan harus berupa objek JSON.")
    problems: dict[str, str] = {}
    for name, value in body.items():
        f = fields.get(name)
        if f is None:
            problems[name] = "tidak dikenal"
        elif value is None:
            problems[name] = "tidak boleh null"
        elif type(value) is not f.kind:
            problems[name] = f"harus {_JSON_TYPE[f.kind]}"
        elif isinstance(value, str) and len(value) > f.max_length:  # f.kind is str
            problems[name] = f"maksimal {f.max_length} karakter"
        elif isinstance(value, list) and (  # f.kind is list
            len(value) > MAX_ITEMS or any(type(v) is not str or len(v) > 64 for v in value)
        ):
            problems[name] = f"harus daftar teks pendek (maksimal {MAX_ITEMS})"
    for name, f in fields.items():
        if f.required and name not in body:
            problems.setdefault(name, "wajib diisi")
    if problems:
        raise ApiError(400, "bad_request", fields=problems)
    return dict(body)

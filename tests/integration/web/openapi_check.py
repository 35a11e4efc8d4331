"""Every response a web test receives is checked against the OpenAPI document built from
the route table: the status must be documented for the route (or the error envelope's),
and the body must match its schema."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from cicero.web.openapi import document
from cicero.web.routes import ROUTES


@cache
def _doc() -> dict[str, Any]:
    return document(ROUTES)


@cache
def _paths() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for path in _doc()["paths"]:
        pattern = re.sub(r"\\{(\w+)\\}", r"[^/]+", re.escape(path))
        out.append((re.compile(f"^{pattern}$"), path))
    # As the router does: a literal path (/api/users/completeness) before a template that
    # would also match it (/api/users/{user_id}).
    return sorted(out, key=lambda found: found[1].count("{"))


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    registry: Registry = Registry().with_resource(
        "urn:cicero", Resource.from_contents(_doc(), default_specification=_spec())
    )
    fixed = _rebase(schema)
    return Draft202012Validator(fixed, registry=registry)


def _spec() -> Any:
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def _rebase(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: ("urn:cicero" + v if k == "$ref" and v.startswith("#/") else _rebase(v))
                for k, v in schema.items()}  # fmt: skip
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


def check_response(method: str, path: str, status: int, body: Any, media: str) -> None:
    bare = path.split("?", 1)[0]
    template = next((t for rx, t in _paths() if rx.match(bare)), None)
    if template is None or method.lower() not in _doc()["paths"][template]:
        assert status in (404, 405), (method, path, status)
        _validator({"$ref": "#/components/schemas/Error"}).validate(body)
        return
    op = _doc()["paths"][template][method.lower()]
    answer = op["responses"].get(str(status))
    assert answer is not None, f"{method} {template}: status {status} is not documented"
    content = answer["content"]
    kind = media.split(";")[0].strip()
    assert kind in content, f"{method} {template} {status}: {kind} not documented ({list(content)})"
    schema = content[kind].get("schema")
    if schema is not None and kind == "application/json":
        _validator(schema).validate(body)

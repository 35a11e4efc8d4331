"""The OpenAPI 3.1 document, built from the route table (so it cannot drift from the
router): paths, parameters, bodies, answers, and who may call each route
(`x-cicero-identities`, `x-cicero-scope`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cicero import __version__
from cicero.web.api.schemas import ERROR
from cicero.web.route import Route

_PARAM = re.compile(r"{(\w+)(?::[^}]*)?}")


def document(routes: Sequence[Route]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = _PARAM.sub(r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cicero",
            "version": __version__,
            "description": "The staff app's API (Cicero Reposter), the dashboard's calls and "
            "the ops pages. Errors share one envelope; every route declares who may call it.",
        },
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "staffBearer": {"type": "http", "scheme": "bearer", "description": "cst_…"},
                "scrapeToken": {"type": "http", "scheme": "bearer"},
                "dashboardCookie": {"type": "apiKey", "in": "cookie", "name": "__Host-cicero"},
            },
        },
    }


def _operation(route: Route) -> dict[str, Any]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(route.path)
    ]
    for p in route.query:
        schema = {"type": "array", "items": p.schema} if p.repeated else p.schema
        params.append(
            {"name": p.name, "in": "query", "required": p.required, "schema": schema,
             **({"description": p.description} if p.description else {})}
        )  # fmt: skip
    op: dict[str, Any] = {
        "summary": route.summary,
        "operationId": _operation_id(route),
        "tags": [route.tag],
        "parameters": params,
        "responses": _responses(route),
        "x-cicero-identities": sorted(route.access.identities),
        "x-cicero-scope": route.access.scope.value,
    }
    if route.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": route.body}},
        }
    if route.form:
        op["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
        }
    if route.upload:
        op["requestBody"] = {
            "required": True,
            "content": {"application/octet-stream": {"schema": {
                "type": "string", "contentMediaType": "application/octet-stream",
                "description": "the file's bytes: .xlsx (first sheet) or UTF-8 .csv"}}},
        }  # fmt: skip
    if not route.access.public:
        op["security"] = [{"staffBearer": []}, {"scrapeToken": []}, {"dashboardCookie": []}]
    return op


def _responses(route: Route) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, reply in sorted(route.replies.items()):
        content = (
            {reply.media: {"schema": reply.schema}}
            if reply.schema is not None
            else {reply.media: {}}
        )
        out[str(code)] = {"description": reply.description, "content": content}
    errors = {"404": "not found", "500": "server error (no details)", "503": "database down"}
    if route.body is not None or route.query or route.form or route.upload:
        errors["400"] = "malformed or unknown input"
        errors["413"] = "body over the limit"
    if not route.access.public:
        errors["401"] = "no credential, or an expired or revoked one"
        errors["403"] = "not this identity, scope or person"
    if route.budget is not None:
        errors["429"] = "over the per-person budget (Retry-After)"
    if route.double_submit:
        errors["403"] = "csrf: the form's double-submit value or the Origin is wrong"
    if route.page and route.method == "GET":
        # A page answers in HTML: signed out, a redirect to /login; refused, a page in words.
        html: dict[str, dict[str, object]] = {"text/html": {}}
        if not route.access.public:
            out.setdefault("303", {"description": "signed out: to /login?next=…", "content": html})
        for status in ("403", "404") if not route.access.public else ("404",):
            out.setdefault(status, {"description": errors.pop(status), "content": html})
        if not route.access.public:
            errors.pop("401", None)
    for status, text in errors.items():
        out.setdefault(
            status,
            {"description": text,
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        )  # fmt: skip
    return out


def _operation_id(route: Route) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", route.path.lower()).strip("_") or "root"
    return f"{route.method.lower()}_{slug}"

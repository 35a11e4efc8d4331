"""The route table is the one source: every route declares identities and a scope, the
router holds exactly its routes, and the OpenAPI document is built from it."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from jsonschema import Draft202012Validator

from cicero.domain.auth.access import Access, Scope, Who
from cicero.web.app import build_app
from cicero.web.context import WebContext, default_settings
from cicero.web.openapi import document
from cicero.web.route import Reply, Route
from cicero.web.routes import ROUTES
from cicero.web.server import mount


def test_every_route_declares_identities_and_a_scope() -> None:
    assert ROUTES
    for route in ROUTES:
        assert isinstance(route.access, Access), route.path
        assert route.access.identities, route.path
        assert isinstance(route.access.scope, Scope), route.path
        assert route.replies, f"{route.path}: no documented answer"


def test_a_route_without_identities_cannot_be_declared() -> None:
    with pytest.raises(ValueError, match="at least one identity"):
        Route("GET", "/x", "h", Access(frozenset()), "x", {200: Reply("ok")})


def test_a_route_declared_twice_is_refused() -> None:
    app = web.Application()
    with pytest.raises(ValueError, match="twice"):
        mount(app, (*ROUTES, ROUTES[-1]), WebContext(default_settings(), lambda: None),  # type: ignore[arg-type,return-value]
              {"healthz": _h, "metrics": _h, "status_page": _h})  # fmt: skip


async def _h(request: web.Request) -> web.Response:
    return web.Response()


def test_the_router_serves_exactly_the_table() -> None:
    app = build_app(lambda: (None, 0.0), None, [])
    served = {
        (r.method, r.resource.canonical) for r in app.router.routes() if r.resource is not None
    }
    assert served == {(r.method, r.path) for r in ROUTES}


def test_the_openapi_document_lists_every_route_with_who_may_call_it() -> None:
    doc = document(ROUTES)
    assert doc["openapi"] == "3.1.0"
    ops = {
        (method.upper(), path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert set(ops) == {(r.method, re.sub(r"{(\w+)[^}]*}", r"{\1}", r.path)) for r in ROUTES}
    ids = [op["operationId"] for op in ops.values()]
    assert len(ids) == len(set(ids))
    for route in ROUTES:
        op = ops[route.method, route.path]
        assert op["x-cicero-identities"] == sorted(route.access.identities)
        assert op["x-cicero-scope"] == route.access.scope.value
        if not route.access.public:  # a page sends the signed-out to /login instead of a 401
            signed_out = "303" if route.page and route.method == "GET" else "401"
            assert {signed_out, "403"} <= set(op["responses"])
        for answer in op["responses"].values():
            for media in answer["content"].values():
                if "schema" in media and "$ref" not in media["schema"]:
                    Draft202012Validator.check_schema(media["schema"])
        if "requestBody" in op:
            for media in op["requestBody"]["content"].values():
                Draft202012Validator.check_schema(media["schema"])


def test_staff_routes_are_staff_only_and_public_routes_are_few() -> None:
    public = sorted(r.path for r in ROUTES if r.access.public)
    assert public == sorted(
        ["/healthz", "/api/openapi.json", "/api/auth/user-login", "/api/auth/refresh",
         "/static/cicero.js", "/static/cicero.css", "/static/personil.js",
         # the dashboard's forms before a session, each CSRF-checked by the double-submit cookie
         *[r.path for r in ROUTES if r.double_submit],
         *[r.path for r in ROUTES if r.page and r.access.public]]
    )  # fmt: skip
    assert all(r.method == "POST" for r in ROUTES if r.double_submit)
    dashboard = frozenset({Who.OPERATOR, Who.DIRECTORATE, Who.ADMIN})
    # The staff directory shares /api/users with the app (api.md §3): those routes are the
    # dashboard's readers', the app's its staff's; no route admits both kinds of caller.
    directory = {(r.method, r.path) for r in ROUTES if r.path.startswith("/api/users")
                 and r.access.identities <= dashboard}  # fmt: skip
    assert ("GET", "/api/users/{user_id}") not in directory
    for route in ROUTES:
        if route.path.startswith(("/api/users", "/api/insta", "/api/link-reports")) and (
            route.method != "DELETE"  # an operator deletes a wrong report (api.md §3)
        ) and (route.method, route.path) not in directory:
            assert route.access.identities == frozenset({Who.STAFF}), route.path

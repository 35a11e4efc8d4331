"""CORS rules: only exact listed origins, only the path's methods, only known headers."""

from __future__ import annotations

from cicero.domain.auth import cors

LISTED = ("https://dash.polda.example",)
METHODS = {"GET", "POST"}


def test_a_listed_origin_gets_its_preflight_for_a_method_the_path_serves() -> None:
    got = cors.preflight(LISTED[0], "POST", "authorization, content-type", LISTED, METHODS)
    assert got is not None
    assert got["Access-Control-Allow-Origin"] == LISTED[0]
    assert got["Access-Control-Allow-Methods"] == "GET, POST"
    assert "X-CSRF-Token" in got["Access-Control-Allow-Headers"]
    assert got["Vary"] == "Origin"


def test_anything_else_is_refused() -> None:
    refused = [
        cors.preflight("https://evil.example", "GET", None, LISTED, METHODS),
        cors.preflight("https://dash.polda.example.evil", "GET", None, LISTED, METHODS),
        cors.preflight("null", "GET", None, LISTED, METHODS),
        cors.preflight(None, "GET", None, LISTED, METHODS),
        cors.preflight(LISTED[0], "DELETE", None, LISTED, METHODS),
        cors.preflight(LISTED[0], None, None, LISTED, METHODS),
        cors.preflight(LISTED[0], "GET", "x-evil", LISTED, METHODS),
        cors.preflight(LISTED[0], "GET", None, (), METHODS),  # none listed: the default
    ]
    assert refused == [None] * len(refused)
    assert not cors.listed("HTTPS://DASH.POLDA.EXAMPLE", LISTED)  # exact, as configured

"""`upstream_fault` end to end: each fault met is a `fault` line; a recovered one leaves the
data flowing, an unrecovered one fails its stage for that run only and keeps what was stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.simulated import FAULTS, Line, simulate

pytestmark = pytest.mark.slow
SCENARIO = FAULTS / "upstream-faults.toml"


def at(hhmm: str) -> str:
    return f"2026-11-23T{hhmm}:00+07:00"


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    return simulate(SCENARIO, pg_server, tmp_path_factory)


def faults(lines: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(x["t"], x["where"], x["what"]) for x in lines if x["type"] == "fault"]


def ingested(lines: list[dict[str, Any]], platform: str) -> list[tuple[str, int]]:
    return [
        (x["t"], x["engagements"])
        for x in lines
        if x["type"] == "ingest" and x["platform"] == platform
    ]


def test_every_fault_met_is_a_line_and_only_the_unrecovered_one_fails_its_stage(
    lines: list[dict[str, Any]],
) -> None:
    assert faults(lines) == [
        (at("06:30"), "upstream:instagram:likes", "injected 429, met by 1 request"),
        (at("07:00"), "upstream:tiktok:POLRES_A", "comments: server (failed)"),
        (at("07:00"), "upstream:tiktok:comments", "injected 500, met by 3 requests"),
    ]


def test_the_retry_recovers_the_429_and_the_likes_arrive_at_once(
    lines: list[dict[str, Any]],
) -> None:
    assert ingested(lines, "instagram")[:1] == [(at("06:30"), 1)]


def test_the_failed_comments_stage_is_fetched_again_at_the_next_fire_time(
    lines: list[dict[str, Any]],
) -> None:
    assert ingested(lines, "tiktok") == [(at("06:30"), 0), (at("07:00"), 0), (at("07:30"), 1)]
    (run,) = [
        x for x in lines if x["type"] == "job" and x["job"] == "ingest_social"
        and x["fire_time"] == at("07:00")
    ]  # fmt: skip
    assert (
        run["reason"]
        == "instagram: 1 clients ok; tiktok: 0 clients ok, 1 failed (POLRES_A: server)"
    )

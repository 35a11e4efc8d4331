"""Ingestion runs as one actor per platform: a crash of one leaves the other working."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.simulated import FAULTS, Line, of, simulate

pytestmark = pytest.mark.slow
SCENARIO = FAULTS / "ingestor-crash.toml"


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    return simulate(SCENARIO, pg_server, tmp_path_factory)


def test_the_crash_is_injected_into_the_instagram_ingestor(lines: list[dict[str, Any]]) -> None:
    (fault,) = of(lines, "fault", where="ingestor:instagram")
    assert fault["what"] == "crash injected"


def test_the_crashed_run_fails_naming_the_platform_and_tiktok_still_ingests(
    lines: list[dict[str, Any]],
) -> None:
    (run,) = of(lines, "job", job="ingest_social", fire_time="2026-11-23T06:30:00+07:00")
    assert run["status"] == "failed"
    assert run["reason"].startswith("instagram: worker crashed")
    assert "tiktok: 1 clients ok" in run["reason"]
    at_0630 = [x for x in of(lines, "ingest") if x["t"] == "2026-11-23T06:30:00+07:00"]
    assert [x["platform"] for x in at_0630] == ["tiktok"]
    assert at_0630[0]["engagements"] == 1


def test_the_restarted_instagram_ingestor_takes_the_next_fire_time(
    lines: list[dict[str, Any]],
) -> None:
    (first,) = [x for x in of(lines, "ingest", platform="instagram") if x["new_posts"]]
    assert first["t"] == "2026-11-23T07:00:00+07:00" and first["engagements"] == 1
    later = of(lines, "job", job="ingest_social")[1:]
    assert [x["status"] for x in later] == ["done", "done", "done"]
    assert all(x["reason"] == "instagram: 1 clients ok; tiktok: 1 clients ok" for x in later)


def test_one_job_line_per_fire_time_and_no_part_rows(lines: list[dict[str, Any]]) -> None:
    jobs = of(lines, "job")
    assert not [x for x in jobs if "/" in x["job"]]
    keys = [(x["job"], x["fire_time"]) for x in jobs]
    assert len(keys) == len(set(keys))

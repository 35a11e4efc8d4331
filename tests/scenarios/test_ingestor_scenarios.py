"""Ingestion runs as one actor per platform: a crash of one leaves the other working, and
the crashed part is tried again within the job's grace (DESIGN §5.6)."""

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


def test_the_crashed_part_is_tried_again_alone_and_the_run_is_done(
    lines: list[dict[str, Any]],
) -> None:
    """The Instagram part crashed on the 06:30 run; 30 s later (within the job's grace) it is
    tried again, alone: TikTok, which ingested at 06:30, is not run twice."""
    (run,) = of(lines, "job", job="ingest_social", fire_time="2026-11-23T06:30:00+07:00")
    assert (run["t"], run["status"]) == ("2026-11-23T06:30:30+07:00", "done")
    assert run["reason"] == "instagram: 1 clients ok; tiktok: 1 clients ok"
    early = [x for x in of(lines, "ingest") if x["t"] < "2026-11-23T07:00:00+07:00"]
    assert [(x["t"][11:19], x["platform"]) for x in early] == [
        ("06:30:00", "tiktok"),
        ("06:30:30", "instagram"),
    ]
    assert all(x["engagements"] == 1 for x in early)


def test_the_next_fire_times_run_as_usual(lines: list[dict[str, Any]]) -> None:
    later = of(lines, "job", job="ingest_social")[1:]
    assert [x["status"] for x in later] == ["done", "done", "done"]
    assert all(x["reason"] == "instagram: 1 clients ok; tiktok: 1 clients ok" for x in later)


def test_one_job_line_per_fire_time_and_no_part_rows(lines: list[dict[str, Any]]) -> None:
    jobs = of(lines, "job")
    assert not [x for x in jobs if "/" in x["job"]]
    keys = [(x["job"], x["fire_time"]) for x in jobs]
    assert len(keys) == len(set(keys))

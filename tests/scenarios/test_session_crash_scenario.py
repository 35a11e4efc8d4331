"""`crash_actor session:gateway`: the replacement session starts at the crash's instant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.scenarios.simulated import FAULTS, Line, simulate

pytestmark = pytest.mark.slow
SCENARIO = FAULTS / "session-crash.toml"
CRASH = "2026-11-23T07:00:00+07:00"


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    return simulate(SCENARIO, pg_server, tmp_path_factory)


def test_the_replacement_session_starts_at_the_crash_not_at_the_runs_start(
    lines: list[dict[str, Any]],
) -> None:
    gateway = [
        (x["t"], x["state"]) for x in lines if x["type"] == "session" and x["session"] == "gateway"
    ]
    assert gateway == [
        ("2026-11-23T06:00:00+07:00", "starting"),
        ("2026-11-23T06:00:00+07:00", "ready"),
        (CRASH, "starting"),
        (CRASH, "ready"),
    ]


def test_the_replacement_sends_the_next_broadcast(lines: list[dict[str, Any]]) -> None:
    sent = [x["t"] for x in lines if x["type"] == "wa" and x["job"] == "task_broadcast"]
    assert sent == ["2026-11-23T06:30:00+07:00", "2026-11-23T07:30:00+07:00"]


def test_the_transcript_is_in_time_order(lines: list[dict[str, Any]]) -> None:
    times = [datetime.fromisoformat(x["t"]) for x in lines]
    assert times == sorted(times)

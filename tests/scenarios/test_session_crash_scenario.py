"""`crash_actor session:gateway`: the replacement session starts at the crash's instant."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cicero.config import load_settings
from cicero.sim import driver
from cicero.sim.scenario import load_scenario

pytestmark = pytest.mark.slow
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "faults" / "session-crash.toml"
CRASH = "2026-11-23T07:00:00+07:00"


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    from tests.conftest import fresh_database

    tmp = tmp_path_factory.mktemp("session-crash")
    scenario = load_scenario(SCENARIO, driver.SUPPORTED_KINDS)
    settings = load_settings({}, overrides=scenario.settings_overrides)
    settings = replace(settings, env=replace(settings.env, data_dir=tmp))
    out = tmp / "transcript.jsonl"
    driver.run(scenario, settings, fresh_database(pg_server), out)
    return [json.loads(line) for line in out.read_text().splitlines()]


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

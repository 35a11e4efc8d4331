"""End to end through `cicero simulate`: broadcasts survive SIGKILLs and a flapping gateway."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cicero.config import load_settings
from cicero.domain.timezone import WIB
from cicero.sim import driver
from cicero.sim.parse import parse_scenario

pytestmark = pytest.mark.slow
REGISTRY = "tests.integration.jobs:registry"
DAY = datetime(2026, 11, 23, tzinfo=WIB)


def at(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return DAY.replace(hour=hh, minute=mm, second=ss)


def local(t: datetime) -> datetime:
    return t.replace(tzinfo=None)  # scenario files write WIB wall time


def simulate(tmp_path: Path, pg_server, data: dict) -> list[dict]:  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    scenario = parse_scenario(data, driver.SUPPORTED_KINDS)
    settings = load_settings({}, overrides=scenario.settings_overrides)
    settings = settings.__class__(
        # Only the scenario's own jobs: these tests are about the outbox, not the day's schedule.
        config=settings.config.model_copy(
            update={
                "jobs": {
                    k: v for k, v in scenario.config.jobs.items() if k in data["config"]["jobs"]
                }
            }
        ),
        env=settings.env,
        extra_admins=settings.extra_admins,
    )
    out = tmp_path / "transcript.jsonl"
    driver.run(scenario, settings, fresh_database(pg_server), out, registry=REGISTRY)
    return [json.loads(line) for line in out.read_text().splitlines()]


def fanout_config(count: int, crons: list[str], throttle: int = 60) -> dict:
    return {
        "sessions": {"gateway": {"throttle_per_minute": throttle}},
        "jobs": {
            "fanout": {
                "name": "Broadcast",
                "bucket": "gateway",
                "crons": crons,
                "grace": "30m",
                "params": {"count": count},
            }
        },
    }


def test_kill_at_20_random_instants_during_a_200_message_broadcast(
    tmp_path: Path, pg_server
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20)
    kills = sorted(at(6, 0) + timedelta(seconds=rng.uniform(1, 400)) for _ in range(20))
    data = {
        "scenario": {
            "name": "kill during broadcast",
            "start": local(at(5, 55)),
            "end": local(at(6, 30)),
            "seed": 7,
        },
        "sessions": {"operator": "ready", "gateway": "ready"},
        "config": fanout_config(200, ["0 6 * * *"]),
        "event": [{"at": local(t), "kind": "kill_process"} for t in kills],
    }
    lines = simulate(tmp_path, pg_server, data)
    (tmp_path / "kept.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    sent = [line for line in lines if line["type"] == "wa" and line["job"] == "fanout"]
    keys = Counter(line["key"] for line in sent)
    assert len(keys) == 200 and set(keys.values()) == {1}, "every message exactly once"
    assert len({line["id"] for line in sent}) == 200
    assert (
        sum(
            1 for line in lines if line["type"] == "fault" and line["what"] == "killed with SIGKILL"
        )
        == 20
    )
    assert lines[-1]["type"] == "end" and lines[-1]["outbox"] == {"sent": 200}
    jobs = [line for line in lines if line["type"] == "job" and line["job"] == "fanout"]
    assert [(j["fire_time"], j["status"]) for j in jobs] == [("2026-11-23T06:00:00+07:00", "done")]


def test_a_gateway_that_flaps_all_day_never_sends_while_down_and_loses_nothing(
    tmp_path: Path, pg_server
) -> None:  # type: ignore[no-untyped-def]
    events = []
    for hour in range(6, 22):
        events.append({"at": local(at(hour, 10)), "kind": "session_lost", "session": "gateway"})
        events.append({"at": local(at(hour, 25)), "kind": "session_ready", "session": "gateway"})
    data = {
        "scenario": {
            "name": "flapping gateway",
            "start": local(at(5, 0)),
            "end": local(at(23, 0)),
            "seed": 3,
        },
        "sessions": {"operator": "ready", "gateway": "ready"},
        "config": fanout_config(30, ["8 6-21 * * *"], throttle=20),
        "event": events,
    }
    lines = simulate(tmp_path, pg_server, data)
    down = False
    for line in lines:
        if line["type"] == "session" and line["session"] == "gateway":
            down = line["state"] != "ready"
        if line["type"] == "wa" and line["session"] == "gateway":
            assert not down, f"sent while the gateway was down: {line}"
    sent = [line for line in lines if line["type"] == "wa"]
    assert len(sent) == 16 * 30 and len({line["key"] for line in sent}) == 16 * 30
    assert lines[-1]["outbox"] == {"sent": 16 * 30}
    jobs = [line for line in lines if line["type"] == "job" and line["job"] == "fanout"]
    assert len(jobs) == 16 and {j["status"] for j in jobs} == {"done"}


def test_rows_of_a_gateway_down_past_fallback_after_go_out_through_the_operator(
    tmp_path: Path, pg_server
) -> None:  # type: ignore[no-untyped-def]
    data = {
        "scenario": {
            "name": "sender fallback",
            "start": local(at(5, 50)),
            "end": local(at(7, 0)),
            "seed": 5,
        },
        "sessions": {"operator": "ready", "gateway": "ready"},
        "config": {
            **fanout_config(40, ["58 5 * * *"], throttle=6),
            "senders": {"fallback_after": "10m"},
        },
        "event": [{"at": local(at(6, 0)), "kind": "session_lost", "session": "gateway"}],
    }
    lines = simulate(tmp_path, pg_server, data)
    sent = [line for line in lines if line["type"] == "wa" and line["job"] == "fanout"]
    by_gateway = [line for line in sent if line["session"] == "gateway"]
    by_operator = [line for line in sent if line["session"] == "operator"]
    assert by_gateway and by_operator, "some before the loss, the rest through the fallback"
    assert all(line["t"] < "2026-11-23T06:00:00+07:00" for line in by_gateway)
    assert all(line["t"] >= "2026-11-23T06:10:00+07:00" for line in by_operator)
    assert len({line["key"] for line in sent}) == 40 == len(sent)

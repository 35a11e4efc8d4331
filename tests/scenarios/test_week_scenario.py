"""A week with a two-day retention and a kill (scenarios/faults/week-short-retention.toml).

Housekeeping purges the ledger and the outbox behind the run each night. The transcript
used to be read back from those tables at the end, so the first days lost their `job`
lines and their messages lost `key`, `job` and `fire_time`; lines are now written as the
run goes."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from tests.scenarios.simulated import FAULTS, Line, of, simulate

pytestmark = pytest.mark.slow
SCENARIO = FAULTS / "week-short-retention.toml"
DAYS = [date(2026, 11, 23) + timedelta(days=n) for n in range(8)]


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    return simulate(SCENARIO, pg_server, tmp_path_factory)


def day(line: Line) -> date:
    return datetime.fromisoformat(line["t"]).date()


def test_retention_really_purged_behind_the_run(lines: list[Line]) -> None:
    purged = [x["reason"] for x in of(lines, "job", job="housekeeping", status="done")]
    assert len(purged) == 7
    assert sum(int(r.split("job_run -")[1].split(",")[0]) for r in purged) > 100
    assert sum(int(r.split("outbox -")[1].split(",")[0]) for r in purged) > 10


def test_every_day_keeps_its_job_lines(lines: list[Line]) -> None:
    per_day = Counter(day(x) for x in of(lines, "job"))
    assert sorted(per_day) == DAYS
    assert all(per_day[d] >= 25 for d in DAYS), per_day
    for d in DAYS:
        ingest = [x for x in of(lines, "job", job="ingest_social") if day(x) == d]
        assert [x["status"] for x in ingest] == ["done", "done"], (d, ingest)


def test_every_scheduled_message_keeps_its_key_job_and_fire_time(lines: list[Line]) -> None:
    sent = of(lines, "wa")
    assert {day(x) for x in sent} >= {DAYS[0], DAYS[4]}
    for x in sent:
        assert x["key"] and x["job"] and x["fire_time"], x
        assert x["key"].startswith(f"{x['job']}|{x['fire_time']}|"), x
    first_day = [x for x in sent if day(x) == DAYS[0]]
    assert {x["job"] for x in first_day} >= {"task_broadcast", "org_engagement_recap"}


def test_the_kill_is_survived_and_the_transcript_is_in_order(lines: list[Line]) -> None:
    assert [(x["t"], x["what"]) for x in of(lines, "fault", where="process")] == [
        ("2026-11-25T12:00:00+07:00", "killed with SIGKILL"),
        ("2026-11-25T12:05:00+07:00", "restarted on the same database"),
    ]
    after = [x for x in of(lines, "job", job="ingest_social") if x["t"] > "2026-11-25T12:05"]
    assert after and all(x["status"] == "done" for x in after)
    times = [datetime.fromisoformat(x["t"]) for x in lines]
    assert times == sorted(times) and lines[-1]["type"] == "end"

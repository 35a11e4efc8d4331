"""A fire time missed while the process was down runs when the runtime is back (invariant 4),
even though the clock's first tick comes before the supervisor has listed the workers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.simulated import FAULTS, Line, of, simulate

pytestmark = pytest.mark.slow
SCENARIO = FAULTS / "restart-catch-up.toml"
BACK = "2026-11-23T07:10:00+07:00"


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    return simulate(SCENARIO, pg_server, tmp_path_factory)


def test_the_fire_time_missed_while_down_runs_once_when_the_runtime_is_back(
    lines: list[dict[str, Any]],
) -> None:
    (missed,) = of(lines, "job", job="ingest_social", fire_time="2026-11-23T07:00:00+07:00")
    assert missed["t"] == BACK
    assert missed["status"] == "done", missed["reason"]
    assert missed["reason"] == "instagram: 1 clients ok; tiktok: 1 clients ok"


def test_the_catch_up_run_ingests_what_appeared_while_down(lines: list[dict[str, Any]]) -> None:
    back = [x for x in of(lines, "ingest") if x["t"] == BACK]
    assert sorted((x["platform"], x["engagements"]) for x in back) == [
        ("instagram", 1),
        ("tiktok", 1),
    ]


def test_the_kill_and_restart_are_in_the_transcript(lines: list[dict[str, Any]]) -> None:
    assert [x["what"] for x in of(lines, "fault", where="process")] == [
        "killed with SIGKILL",
        "restarted on the same database",
    ]


def test_a_kill_then_smtp_down_still_delivers_the_otp_mail(
    pg_server: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The restarted actors once inherited the driver's listening sockets: the SMTP sink could
    # not listen again after `smtp_down` ("address already in use") and the run died.
    lines = simulate(FAULTS / "kill-then-smtp-down.toml", pg_server, tmp_path_factory)
    assert [x["what"] for x in of(lines, "fault", where="process")] == [
        "killed with SIGKILL",
        "restarted on the same database",
    ]
    (mail,) = of(lines, "email")
    assert "2026-11-23T09:02:00+07:00" <= mail["t"] < "2026-11-23T09:05:20+07:00"
    bound = [x for x in of(lines, "wa", in_reply_to="S3") if "telah dihubungkan" in x["text"]]
    assert bound, [x["text"][:80] for x in of(lines, "wa")]

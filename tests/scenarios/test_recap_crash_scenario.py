"""A recap whose worker crashes is tried again within its grace and sent once (DESIGN §5.6).

scenarios/faults/recap-crash.toml: the DITBINMAS 15:20 group recap is owed while the gateway
is away; the recap worker is made to crash on its next message, which is that run when the
gateway is back at 15:50. The run used to be recorded failed ("worker crashed") and the
recap never sent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.simulated import FAULTS, Line, of, simulate

pytestmark = pytest.mark.slow
GROUP = "120363100000000001@g.us"
FIRE = "2026-11-24T15:20:00+07:00"


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    return simulate(FAULTS / "recap-crash.toml", pg_server, tmp_path_factory)


def test_the_crash_strikes_the_recap_worker(lines: list[dict[str, Any]]) -> None:
    (fault,) = of(lines, "fault", where="recap:ditbinmas")
    assert (fault["t"], fault["what"]) == ("2026-11-24T15:30:00+07:00", "crash injected")


def test_the_crashed_run_is_done_on_its_second_try(lines: list[dict[str, Any]]) -> None:
    (run,) = of(lines, "job", job="ditbinmas_group_recap", fire_time=FIRE)
    assert (run["t"], run["status"]) == ("2026-11-24T15:50:30+07:00", "done")
    assert not of(lines, "job", status="failed")


def test_the_recap_reaches_the_group_once(lines: list[dict[str, Any]]) -> None:
    sent = of(lines, "wa", job="ditbinmas_group_recap", fire_time=FIRE)
    keys = [x["key"] for x in sent]
    assert len(sent) == 7 and len(keys) == len(set(keys))
    assert {x["to"] for x in sent} == {GROUP}
    assert min(x["t"] for x in sent) == "2026-11-24T15:50:30+07:00"
    assert sent[0]["text"].startswith("*Laporan Harian Engagement")

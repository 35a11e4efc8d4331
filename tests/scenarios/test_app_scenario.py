"""The app's API on the virtual clock (issue 15 item 7): `http` events answered at their
instant, `http` lines in the transcript, the token exact to the second, a report through the
API counted by the 15:05 amplification recap, the transition login's reminder sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenarios.simulated import Line, of, simulate

pytestmark = pytest.mark.slow
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "app" / "app-day.toml"


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    return simulate(SCENARIO, pg_server, tmp_path_factory)


def at(hhmmss: str) -> str:
    return f"2026-11-23T{hhmmss}+07:00"


def test_the_token_works_until_11_00_00_exactly(lines: list[Line]) -> None:
    http = of(lines, "http")
    assert [(x["t"], x["status"]) for x in http][:4] == [
        (at("09:00:00"), 200), (at("09:00:30"), 200), (at("10:59:59"), 200), (at("11:00:00"), 401),
    ]  # fmt: skip
    login = http[0]
    assert login["id"] == "login-0900" and login["body"]["expires_at"] == at("11:00:00")
    assert [p["shortcode"] for p in http[1]["body"]["data"]] == ["DAppDay001"]
    assert of(lines, "http", id="expired")[0]["body"]["error"]["code"] == "unauthenticated"


def test_the_report_is_stored_the_duplicate_refused_and_the_recap_counts_it(
    lines: list[Line],
) -> None:
    (report,) = of(lines, "http", id="report")
    assert report["status"] == 201 and report["body"]["data"]["created_at"] == at("11:05:00")
    (dup,) = of(lines, "http", id="duplicate")
    assert dup["status"] == 409 and dup["body"]["duplicates"] == [
        "https://instagram.com/p/BudiRepost1"
    ]
    (recap,) = of(lines, "recap", job="amplify_recap", fire_time=at("15:05:00"))
    people = {p["nrp"]: (p["status"], p["done"]) for p in recap["people"]}
    assert people["75020001"] == ("sudah", 1) and people["75020002"] == ("belum", 0)
    sent = of(lines, "wa", job="amplify_recap", to="6281200000001@s.whatsapp.net")
    assert sent and "Jumlah Personil yang melaksanakan: 1" in sent[0]["text"]


def test_the_transition_login_queues_its_reminder(lines: list[Line]) -> None:
    (login,) = of(lines, "http", id="transition")
    assert login["status"] == 200
    reminders = [x for x in of(lines, "wa", to="6281300000004@s.whatsapp.net")
                 if "Password aplikasi" in x["text"]]  # fmt: skip
    assert len(reminders) == 1 and reminders[0]["t"] == at("12:00:00")

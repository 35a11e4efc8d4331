"""`cicero simulate scenarios/demo-day.toml`, end to end, checked against the scenario file.

The command runs once per module (about 15-25 s here); each test reads its transcript. The
expected attendance is computed from the TOML on its own (who engaged with which post by the
last ingestion before the recap), not from Cicero's code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cicero.domain.timezone import WIB

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "demo-day.toml"
RECAP_JOBS = {
    "org_engagement_recap",
    "bidhumas_evening_recap",
    "ditbinmas_group_recap",
    "ditbinmas_leader_recap",
}

# The cast named at the top of the scenario file.
FULL, NO_USERNAME, EXCEPTION, NOTHING, PARTIAL = (
    "98110003",
    "82020010",
    "98010018",
    "81110046",
    "95070023",
)

Line = dict[str, Any]


@pytest.fixture(scope="module")
def scenario() -> dict[str, Any]:
    return tomllib.loads(SCENARIO.read_text())


@pytest.fixture(scope="module")
def transcript(tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    out = tmp_path_factory.mktemp("demo") / "demo.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "cicero", "simulate", str(SCENARIO), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in out.read_text().splitlines()]


def t(line: Line, key: str = "t") -> datetime:
    return datetime.fromisoformat(line[key])


def wib(value: datetime) -> datetime:
    return value.replace(tzinfo=WIB) if value.tzinfo is None else value.astimezone(WIB)


def outages(lines: list[Line], session: str) -> list[tuple[datetime, datetime, int]]:
    """(from, back, index of the `ready` line) for each time the session left `ready`."""
    found, down_since, was_ready = [], None, False
    for i, line in enumerate(lines):
        if line["type"] != "session" or line["session"] != session:
            continue
        if line["state"] == "ready":
            if down_since is not None:
                found.append((down_since, t(line), i))
            down_since, was_ready = None, True
        elif was_ready and down_since is None:
            down_since = t(line)
    assert down_since is None, f"{session} never came back"
    return found


def test_transcript_has_every_kind_of_line(transcript: list[Line]) -> None:
    types = Counter(line["type"] for line in transcript)
    for kind in ("ingest", "recap", "wa", "job", "session", "end"):
        assert types[kind] > 0, kind
    wa_jobs = Counter(line["job"] for line in transcript if line["type"] == "wa")
    for job in ("task_broadcast", "org_engagement_recap", "ditbinmas_group_recap",
                "ditbinmas_leader_recap", "bidhumas_evening_recap", "amplify_recap",
                "personal_reminder"):  # fmt: skip
        assert wa_jobs[job] > 0, job
    failed = [x for x in transcript if x["type"] == "job" and x["status"] in ("failed", "missed")]
    assert failed == []
    assert [x for x in transcript if x["type"] == "fault"] == []


def test_gateway_never_sends_while_down(transcript: list[Line]) -> None:
    down = outages(transcript, "gateway")
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b, _ in down] == [("15:15", "15:50")]
    for line in transcript:
        if line["type"] == "wa" and line["session"] == "gateway":
            assert not any(a <= t(line) < b for a, b, _ in down), line["key"]


def test_recaps_due_in_the_outage_go_out_once_after_it(transcript: list[Line]) -> None:
    (lost, back, ready_at), *_ = outages(transcript, "gateway")
    due = {
        (x["job"], x["fire_time"])
        for x in transcript
        if x["type"] == "job" and x["job"] in RECAP_JOBS and lost <= t(x, "fire_time") < back
    }
    assert {job for job, _ in due} == {
        "org_engagement_recap",  # 15:20
        "ditbinmas_group_recap",  # 15:20
        "bidhumas_evening_recap",  # 15:45
    }
    for job, fire in due:
        runs = [
            x
            for x in transcript
            if x["type"] == "job" and (x["job"], x["fire_time"]) == (job, fire)
        ]
        assert len(runs) == 1 and runs[0]["status"] == "done", runs
        assert t(runs[0]) >= back  # run when the session came back, not before
        recaps = [
            x
            for x in transcript
            if x["type"] == "recap" and (x["job"], x["fire_time"]) == (job, fire)
        ]
        assert recaps and all(t(x) >= back for x in recaps)
        sent = [
            (i, x)
            for i, x in enumerate(transcript)
            if x["type"] == "wa" and (x["job"], x["fire_time"]) == (job, fire)
        ]
        assert sent and all(i > ready_at and t(x) >= back for i, x in sent)
        # every message the run queued ("…, 16 messages") was sent exactly once
        queued = int(re.search(r"(\d+) messages", runs[0]["reason"]).group(1))  # type: ignore[union-attr]
        assert len(sent) == queued
        assert len({x["key"] for _, x in sent}) == queued


def test_every_wa_key_is_unique_and_nothing_is_dead(transcript: list[Line]) -> None:
    keys = Counter(line["key"] for line in transcript if line["type"] == "wa")
    assert [k for k, n in keys.items() if n > 1] == []
    end = transcript[-1]
    assert end["type"] == "end"
    assert set(end["outbox"]) == {"sent"}, end["outbox"]
    assert end["outbox"]["sent"] == sum(keys.values())


def _expected(
    scenario: dict[str, Any], transcript: list[Line], recap: Line
) -> dict[str, tuple[str, int]]:
    """nrp → (status, done) from the scenario: engagement upstream by the last ingestion."""
    ingested = max(
        t(x)
        for x in transcript
        if x["type"] == "job" and x["job"] == "ingest_social" and t(x) <= t(recap)
    )
    platform = recap["platform"]
    posts = set(recap["posts"])
    engaged: dict[str, set[str]] = {}
    for e in scenario["engagement"]:
        if e["post"] in posts and wib(e["at"]) <= ingested:
            for raw in e["users"]:
                engaged.setdefault(raw.lower().lstrip("@"), set()).add(e["post"])
    out = {}
    for u in scenario["user"]:
        handle = u.get(platform)
        done = len(engaged.get(handle, ())) if handle else 0
        if not handle:
            status = "tanpa_username"
        elif u.get("exception", False) or done >= len(posts):
            status = "sudah"
        else:
            status = "kurang" if done else "belum"
        out[u["nrp"]] = (status, done)
    return out


def test_recap_statuses_agree_with_the_scenario(
    scenario: dict[str, Any], transcript: list[Line]
) -> None:
    recaps = [
        x
        for x in transcript
        if x["type"] == "recap"
        and x["report"] in ("org_engagement_recap", "likes_simple", "comments_simple")
        and x["posts"]
    ]
    assert len(recaps) >= 20
    for recap in recaps:
        expected = _expected(scenario, transcript, recap)
        assert len(recap["people"]) > 0
        for person in recap["people"]:
            assert person["total"] == len(recap["posts"])
            assert (person["status"], person["done"]) == expected[person["nrp"]], (
                recap["job"], recap["fire_time"], recap["scope"], recap["platform"], person,
            )  # fmt: skip


def test_the_cast(transcript: list[Line]) -> None:
    def status(job: str, fire: str, scope: str, platform: str, nrp: str) -> str:
        simple = "likes_simple" if platform == "instagram" else "comments_simple"
        (recap,) = [
            x
            for x in transcript
            if x["type"] == "recap"
            and x["job"] == job
            and x["fire_time"].startswith(f"2026-11-24T{fire}")
            and (x["scope"], x["platform"]) == (scope, platform)
            and x["report"] in (job, simple)
        ]
        (person,) = [p for p in recap["people"] if p["nrp"] == nrp]
        return person["status"]

    for platform in ("instagram", "tiktok"):
        for fire in ("15:20", "18:20", "20:20"):
            assert (
                status("org_engagement_recap", fire, "POLRES_SUKAMAJU", platform, FULL) == "sudah"
            )
            assert (
                status("org_engagement_recap", fire, "POLRES_SUKAMAJU", platform, NO_USERNAME)
                == "tanpa_username"
            )
            assert (
                status("org_engagement_recap", fire, "POLRES_KARANGJATI", platform, EXCEPTION)
                == "sudah"
            )
            assert (
                status("org_engagement_recap", fire, "POLRES_TANJUNGSARI", platform, NOTHING)
                == "belum"
            )
        assert status("ditbinmas_leader_recap", "18:20", "DITBINMAS", platform, FULL) == "sudah"
        assert (
            status("ditbinmas_leader_recap", "18:20", "DITBINMAS", platform, EXCEPTION) == "sudah"
        )
    assert (
        status("org_engagement_recap", "18:20", "POLRES_KARANGJATI", "instagram", PARTIAL)
        == "kurang"
    )
    assert (
        status("org_engagement_recap", "18:20", "POLRES_KARANGJATI", "tiktok", PARTIAL) == "belum"
    )

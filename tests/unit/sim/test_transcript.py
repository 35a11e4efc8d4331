"""Transcript lines carry exactly the spec's keys in a stable order, times in +07:00, and
survive a writer killed mid-line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cicero.domain.timezone import WIB
from cicero.sim.transcript import LINE_KEYS, Transcript, read_transcript

T = datetime(2026, 11, 23, 10, 0, tzinfo=WIB)
FIRE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 15:00 WIB

# scenario.md, "Transcript": the keys of each line type besides `t` and `type`.
SPEC_KEYS = {
    "session": {"session", "state", "reason"},
    "job": {"job", "fire_time", "status", "reason"},
    "wa": {"session", "to", "text", "id", "key", "job", "fire_time", "in_reply_to", "attachment"},
    "email": {"to", "subject", "key"},
    "recap": {"job", "fire_time", "report", "scope", "platform", "posts", "people"},
    "ingest": {"platform", "client", "posts", "new_posts", "engagements"},
    "fault": {"where", "what"},
    "end": {"outbox"},
}


class Person:
    """Stands in for domain.attendance's result: it gives its own transcript entry."""

    def transcript(self) -> dict[str, object]:
        return {"nrp": "75020001", "client": "POLRES_A", "status": "kurang", "done": 1, "total": 2}


def write_one_of_each(tr: Transcript) -> None:
    tr.session(T, session="gateway", state="reconnecting", reason="network lost")
    tr.job(T, job="org_engagement_recap", fire_time=FIRE, status="done")
    tr.wa(
        T, session="gateway", to="120363000000000001@g.us", text="Rekap", id="3EB0AB", key="k1",
        job="org_engagement_recap", fire_time=FIRE,
        attachment={"filename": "r.xlsx", "mimetype": "application/x", "sha256": "ab"},
    )  # fmt: skip
    tr.email(T, to="budi@example.org", subject="OTP", key="otp:1")
    tr.recap(
        T, job="org_engagement_recap", fire_time=FIRE, report="org_engagement_recap",
        scope="POLRES_A", platform="instagram", posts=["C9xYz12AbCd"],
        people=[Person(), {"total": 2, "done": 0, "status": "belum", "client": "POLRES_A",
                           "nrp": "75020002"}],
    )  # fmt: skip
    tr.ingest(T, platform="tiktok", client="POLRES_A", posts=3, new_posts=1, engagements=12)
    tr.fault(T, where="upstream:instagram", what="429")
    tr.end(T, outbox={"sent": 5, "dead": 0, "pending": 1})


def test_each_line_has_exactly_the_spec_keys_in_a_stable_order(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with Transcript(path) as tr:
        write_one_of_each(tr)
    lines = read_transcript(path)
    assert [line["type"] for line in lines] == list(SPEC_KEYS)
    for line in lines:
        assert set(line) - {"t", "type"} == SPEC_KEYS[line["type"]]
        assert list(line) == ["t", "type", *LINE_KEYS[line["type"]]]  # the written order
    wa, recap, end = lines[2], lines[4], lines[7]
    assert wa["attachment"] == {"filename": "r.xlsx", "mimetype": "application/x", "sha256": "ab"}
    assert wa["in_reply_to"] is None and wa["fire_time"] == "2026-11-23T15:00:00+07:00"
    assert [list(p) for p in recap["people"]] == [["nrp", "client", "status", "done", "total"]] * 2
    assert recap["people"][0]["status"] == "kurang"
    assert list(end["outbox"]) == ["dead", "pending", "sent"]
    assert lines[1]["reason"] is None


def test_times_are_iso_8601_in_wib(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with Transcript(path) as tr:
        tr.fault(datetime(2026, 11, 23, 3, 0, 30, tzinfo=UTC), where="x", what="y")
        with pytest.raises(ValueError):  # a naive time is a bug in the caller, never guessed
            tr.fault(datetime(2026, 11, 23, 10), where="x", what="y")
    (line,) = read_transcript(path)
    assert line["t"] == "2026-11-23T10:00:30+07:00"


def test_wrong_people_or_attachment_keys_are_refused(tmp_path: Path) -> None:
    with Transcript(tmp_path / "t.jsonl") as tr:
        with pytest.raises(ValueError, match="missing"):
            tr.recap(T, job="j", fire_time=T, report="r", scope="S", platform="tiktok",
                     posts=[], people=[{"nrp": "1"}])  # fmt: skip
        with pytest.raises(ValueError, match="unexpected"):
            tr.wa(T, session="s", to="6281", text=None, id="i",
                  attachment={"filename": "f", "mimetype": "m", "sha256": "s", "size": 1})  # fmt: skip
    assert read_transcript(tmp_path / "t.jsonl") == []


def test_the_reader_drops_a_torn_last_line_and_reopening_cuts_it(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with Transcript(path) as tr:
        tr.fault(T, where="a", what="first")
    with path.open("ab") as f:
        f.write(b'{"t":"2026-11-23T10:00:00+07:00","type":"fau')  # killed mid-line
    assert [line["what"] for line in read_transcript(path)] == ["first"]
    with Transcript(path) as tr:  # the restarted writer appends after the last whole line
        tr.fault(T, where="a", what="second")
    assert [line["what"] for line in read_transcript(path)] == ["first", "second"]
    assert path.read_bytes().count(b"\n") == 2


def test_a_torn_line_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"t":1}\n{"t":\n{"t":2}\n')
    with pytest.raises(ValueError, match="line 2"):
        read_transcript(path)


WRITER = """
import sys
from datetime import datetime
from cicero.domain.timezone import WIB
from cicero.sim.transcript import Transcript
tr = Transcript(sys.argv[1])
for i in range(3):
    tr.fault(datetime(2026, 11, 23, 10, tzinfo=WIB), where="w", what=str(i))
print("written", flush=True)
sys.stdin.read()  # wait to be killed
"""


def test_lines_written_before_a_sigkill_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"written"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert [line["what"] for line in read_transcript(path)] == ["0", "1", "2"]


def test_text_is_written_as_utf8_not_escaped(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with Transcript(path) as tr:
        tr.wa(T, session="operator", to="6281300000001", text="Salam 🙏 Pagi", id="i")
    raw = path.read_text(encoding="utf-8")
    assert "🙏" in raw and json.loads(raw)["text"] == "Salam 🙏 Pagi"

"""The /healthz verdict: a table of situations and the words ops read, then properties over
generated facts (down exactly when nothing can work, ok exactly when nothing is listed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime.health import (
    STALE_AFTER_S,
    Facts,
    Status,
    session_words,
    verdict,
)
from cicero.domain.timezone import WIB

NOW = datetime(2026, 2, 6, 15, 20, 4, tzinfo=WIB)
SESSION_STATES = (
    "starting",
    "pairing",
    "ready",
    "reconnecting",
    "logged_out",
    "replaced",
    "banned",
)


def iso(hours: float = 0, minutes: float = 0) -> str:
    return (NOW - timedelta(hours=hours, minutes=minutes)).isoformat()


def running(*names: str) -> dict[str, Any]:
    return {n: {"state": "running", "restarts": 0, "restart_type": "permanent"} for n in names}


def session(state: str, **kw: Any) -> dict[str, Any]:
    return {"state": state, "reason": "", "since": iso(minutes=10), "attempt": 0, **kw}


def snapshot(**sessions: dict[str, Any]) -> dict[str, Any]:
    actors = running("clock", "router", *(f"session:{n}" for n in sessions))
    return {
        "escalated": "",
        "actors": actors,
        "reports": {f"session:{n}": r for n, r in sessions.items()},
    }


HEALTHY = snapshot(operator=session("ready"), gateway=session("ready"))


def test_all_well_is_ok_with_the_spec_checks() -> None:
    health = verdict(Facts(NOW, HEALTHY, 1.0))
    assert health.status is Status.OK and health.problems == () and health.http_status == 200
    assert health.checks == {
        "database": "ok",
        "supervisor": "ok",
        "sessions": {"gateway": "ready", "operator": "ready"},
        "outbox": {"pending": 0, "in_doubt": 0, "dead_recent": 0},
        "upstream": {},
    }


def test_no_network_both_sessions_reconnecting_is_degraded_in_words() -> None:
    # The field report: neonize with no network, both sessions in a reconnect loop. This was
    # 200 "All well"; it is 200 degraded, each session said with its loop and failure.
    since = datetime(2026, 2, 6, 15, 10, tzinfo=WIB).isoformat()
    loop = session("reconnecting", since=since, attempt=7, reason="dial failed")
    health = verdict(Facts(NOW, snapshot(operator=loop, gateway=loop), 0.5))
    assert health.status is Status.DEGRADED and health.http_status == 200
    assert health.words == [
        "gateway: menyambung ulang sejak 15.10, percobaan 7: dial failed",
        "operator: menyambung ulang sejak 15.10, percobaan 7: dial failed",
    ]
    assert health.checks["sessions"] == {"gateway": "reconnecting", "operator": "reconnecting"}


@pytest.mark.parametrize(
    ("report", "words"),
    [
        (session("starting"), "gateway: memulai koneksi sejak 15.10"),
        (session("pairing"), "gateway: menunggu pairing sejak 15.10 (pindai QR"),
        (session("reconnecting", reason="disconnected"), "gateway: menyambung ulang sejak 15.10: disconnected"),
        (session("logged_out", reason="LOGGED_OUT"), "gateway: keluar, perlu pairing ulang (LOGGED_OUT)"),
        (session("replaced"), "gateway: digantikan koneksi lain, perlu pairing ulang"),
        (
            session("banned", reason="SEND_TO_TOO_MANY_PEOPLE", until=(NOW + timedelta(hours=2)).isoformat()),
            "gateway: diblokir sampai 17.20 (SEND_TO_TOO_MANY_PEOPLE)",
        ),
        (session("banned", reason="X"), "gateway: diblokir, perlu pairing ulang (X)"),
        (session("starting", since=iso(hours=24)), "gateway: memulai koneksi sejak 05/02 15.20"),
        ({}, "gateway: belum melapor"),
    ],
)  # fmt: skip
def test_every_session_state_but_ready_is_degraded_and_said(report: dict, words: str) -> None:
    snap = snapshot(operator=session("ready"), gateway=report)
    health = verdict(Facts(NOW, snap, 0.5))
    assert health.status is Status.DEGRADED
    assert [p.check for p in health.problems] == ["sessions"]
    assert health.words[0].startswith(words)


def test_a_session_that_keeps_dropping_is_degraded_while_ready() -> None:
    flapping = session("ready", losses=[iso(minutes=50), iso(minutes=30), iso(minutes=5)])
    health = verdict(Facts(NOW, snapshot(gateway=flapping), 0.5))
    assert health.words == ["gateway: terputus 3 kali dalam 1 jam terakhir"]
    long_ago = session("ready", losses=[iso(hours=3), iso(minutes=30), iso(minutes=5)])
    assert verdict(Facts(NOW, snapshot(gateway=long_ago), 0.5)).ok


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (Facts(NOW, HEALTHY, 0.5, database_error="ConnectionRefusedError: [Errno 111]"),
         "database: tidak dapat dihubungi (ConnectionRefusedError: [Errno 111])"),
        (Facts(NOW, None), "supervisor: belum melapor (layanan sedang mulai)"),
        (Facts(NOW, HEALTHY, STALE_AFTER_S + 20), "supervisor: tidak menjawab selama 30 detik"),
        (Facts(NOW, {**HEALTHY, "escalated": "clock: 6 restarts within 60s"}, 0.5),
         "supervisor: menyerah, layanan berhenti: clock: 6 restarts within 60s"),
    ],
)  # fmt: skip
def test_database_or_supervisor_gone_is_down(facts: Facts, words: str) -> None:
    health = verdict(facts)
    assert health.status is Status.DOWN and health.http_status == 503
    assert words in health.words


def test_the_other_problems_in_words() -> None:
    snap = snapshot(gateway=session("ready"))
    snap["actors"]["router"] = {
        "state": "restarting",
        "restarts": 2,
        "last_error": "ValueError: boom\nline 2",
        "restart_type": "permanent",
    }
    snap["actors"]["backup"] = {"state": "down", "restarts": 6, "restart_type": "permanent"}
    snap["actors"]["once"] = {"state": "stopped", "restarts": 0, "restart_type": "transient"}
    facts = Facts(
        NOW, snap, 0.5,
        outbox={"gateway": {"pending": 12, "oldest_pending": iso(minutes=45), "in_doubt": 1,
                            "dead": 9, "dead_recent": 2},
                "operator": {"pending": 3, "oldest_pending": iso(minutes=5), "dead": 4}},
        upstream={
            "instagram": {"status": "failing", "last_error": "auth: HTTP 401",
                          "last_error_at": iso(minutes=20)},
            "tiktok": {"status": "over_budget", "calls_today": 3000, "daily_budget": 3000},
            "tiktok_fallback": {"status": "rate_limited", "paused_until": iso(minutes=-3)},
            "instagram_fallback": {"status": "failing", "last_error": "server: HTTP 500"},
        },
        jobs={
            "ingest_social": {"status": "failed", "fire_time": iso(minutes=20), "reason": "bug"},
            "old_recap": {"status": "failed", "fire_time": iso(hours=30), "reason": "long ago"},
            "task_broadcast": {"status": "done", "fire_time": iso(minutes=5), "reason": ""},
        },
    )  # fmt: skip
    health = verdict(facts)
    assert health.status is Status.DEGRADED
    assert health.words == [
        "aktor backup: berhenti (down)",
        "aktor router: dimulai ulang setelah galat: ValueError: boom line 2",
        "gateway: 1 pesan diragukan (proses mati saat mengirim): periksa apakah sudah sampai, "
        "lalu tandai terkirim atau kirim ulang",
        "gateway: 2 pesan gagal terkirim dalam 24 jam terakhir",
        "gateway: 12 pesan menunggu, yang tertua sejak 14.35 (45 menit)",
        "jadwal ingest_social 15.00: gagal: bug",
        "upstream instagram: kunci API ditolak sejak 15.00: auth: HTTP 401",
        "upstream instagram_fallback: gagal: server: HTTP 500",
        "upstream tiktok: batas panggilan harian habis (3000/3000)",
    ]
    assert health.checks["outbox"] == {
        "pending": 15, "oldest_pending_age_s": 2700, "in_doubt": 1, "dead_recent": 2
    }  # fmt: skip
    assert health.checks["upstream"]["tiktok_fallback"] == "rate_limited"  # shown, waited out


def test_session_words_for_the_status_page() -> None:
    assert session_words("operator", session("ready"), NOW) == "operator: siap sejak 15.10"


# --- properties ----------------------------------------------------------------------------

reports = st.one_of(
    st.just({}),
    st.builds(
        lambda state, attempt, minutes, reason: session(
            state, attempt=attempt, since=iso(minutes=minutes), reason=reason
        ),
        st.sampled_from(SESSION_STATES),
        st.integers(0, 10**6),
        st.integers(0, 60 * 24 * 30),
        st.text(max_size=300),
    ),
)
actors = st.fixed_dictionaries(
    {
        "state": st.sampled_from(["running", "restarting", "down", "stopped"]),
        "restarts": st.integers(0, 50),
        "restart_type": st.sampled_from(["permanent", "transient"]),
        "last_error": st.text(max_size=50),
    }
)
snapshots = st.one_of(
    st.none(),
    st.builds(
        lambda sessions, others, escalated: {
            "escalated": escalated,
            "actors": {**others, **{f"session:{n}": actors_running() for n in sessions}},
            "reports": {f"session:{n}": r for n, r in sessions.items()},
        },
        st.dictionaries(st.sampled_from(["operator", "gateway", "user"]), reports, max_size=3),
        st.dictionaries(st.sampled_from(["clock", "router", "web", "mailer"]), actors, max_size=4),
        st.sampled_from(["", "", "", "clock: 6 restarts"]),
    ),
)


def actors_running() -> dict[str, Any]:
    return {"state": "running", "restarts": 0, "restart_type": "permanent"}


counts = st.fixed_dictionaries(
    {"pending": st.integers(0, 100)},
    optional={
        "in_doubt": st.integers(0, 3),
        "dead_recent": st.integers(0, 3),
        "oldest_pending": st.integers(0, 600).map(lambda m: iso(minutes=m)),
    },
)
facts = st.builds(
    Facts,
    now=st.just(NOW),
    snapshot=snapshots,
    snapshot_age_s=st.floats(0, 120),
    database_error=st.one_of(st.none(), st.text(max_size=80)),
    outbox=st.dictionaries(st.sampled_from(["operator", "gateway", "mail"]), counts, max_size=3),
    upstream=st.dictionaries(
        st.sampled_from(["instagram", "tiktok"]),
        st.fixed_dictionaries(
            {
                "status": st.sampled_from(
                    ["ok", "unused", "rate_limited", "failing", "over_budget"]
                ),
                "last_error": st.text(max_size=40),
                "calls_today": st.integers(0, 10),
                "daily_budget": st.integers(0, 10),
            }
        ),
        max_size=2,
    ),
)


@given(facts)
def test_down_exactly_when_the_database_or_the_supervisor_is_gone(f: Facts) -> None:
    health = verdict(f)
    gone = (
        f.database_error is not None
        or f.snapshot is None
        or bool(f.snapshot.get("escalated"))
        or f.snapshot_age_s > STALE_AFTER_S
    )
    assert (health.status is Status.DOWN) == gone
    assert (health.http_status == 503) == gone


@given(facts)
def test_ok_exactly_when_no_problem_is_listed_each_one_line(f: Facts) -> None:
    health = verdict(f)
    assert (health.status is Status.OK) == (health.problems == ())
    for words in health.words:
        assert words and "\n" not in words and len(words) < 400


@given(facts)
def test_a_session_not_ready_is_never_ok(f: Facts) -> None:
    health = verdict(f)
    states = health.checks["sessions"].values()
    if any(state != "ready" for state in states):
        assert health.status is not Status.OK


@given(
    facts,
    st.sampled_from(["operator", "gateway"]),
    st.sampled_from(SESSION_STATES[:2] + SESSION_STATES[3:]),
)
def test_losing_a_session_never_makes_things_look_better(f: Facts, name: str, state: str) -> None:
    if f.snapshot is None:
        return
    worse = dict(f.snapshot)
    worse["actors"] = {**worse["actors"], f"session:{name}": actors_running()}
    worse["reports"] = {**worse["reports"], f"session:{name}": session(state)}
    rank = {Status.OK: 0, Status.DEGRADED: 1, Status.DOWN: 2}
    before, after = verdict(f), verdict(Facts(**{**f.__dict__, "snapshot": worse}))
    assert rank[after.status] >= max(rank[before.status], 1)

"""Job runs counted by PostgreSQL as the ledger settles them (migration 0060), through the
ledger's own functions: each settled run once, whoever settles it; durations of the runs a
worker claimed; no label from a ledger key that holds a chat; totals outlive retention."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from cicero.db import job_tally, ledger
from cicero.db.connect import connect
from cicero.domain.runtime.series import JOB_RUNS, JOB_SECONDS, job_label
from cicero.domain.timezone import WIB

LEASE = timedelta(minutes=10)
FETCH_KEY = "manual_fetch/POLRES_A/instagram/posts/-/operator/6281300000001%40s.whatsapp.net/M1"


def at(hh: int, mm: int = 0, ss: float = 0) -> datetime:
    return datetime(2026, 11, 23, hh, mm, tzinfo=WIB) + timedelta(seconds=ss)


def test_settled_runs_are_counted_once_with_their_durations(database_url: str) -> None:
    async def go() -> Any:
        conn = await connect(database_url)
        try:
            # a worker's run: claimed at 06:00, done 2.5 s later; a second finish changes nothing
            await ledger.claim(conn, "recap", at(6), "w1", at(6), LEASE)
            assert await ledger.finish(conn, "recap", at(6), "w1", "done", "ok", at(6, 0, 2.5))
            assert not await ledger.finish(conn, "recap", at(6), "w1", "failed", "x", at(6, 1))
            # a part's run that fails after 400 s, and one done in 0.05 s
            await ledger.claim(conn, "ingest_social/instagram", at(7), "w2", at(7), LEASE)
            await ledger.finish(conn, "ingest_social/instagram", at(7), "w2", "failed", "bug",
                                at(7, 6, 40))  # fmt: skip
            await ledger.claim(conn, "ingest_social/instagram", at(8), "w2", at(8), LEASE)
            await ledger.finish(conn, "ingest_social/instagram", at(8), "w2", "done", "",
                                at(8, 0, 0.05))  # fmt: skip
            # the clock's records: a missed fire time, a queued run skipped, a run it failed
            await ledger.record(conn, "recap", at(9), "missed", "down", at(10))
            await ledger.enqueue(conn, "recap", at(11))
            await ledger.record(conn, "recap", at(11), "skipped", "disabled", at(11))
            await ledger.record(conn, "recap", at(11), "missed", "again", at(12))  # settled: no
            # a fetch asked from a menu: its key holds a chat
            await ledger.claim(conn, FETCH_KEY, at(12), "w3", at(12), LEASE)
            await ledger.finish(conn, FETCH_KEY, at(12), "w3", "done", "", at(12, 0, 1))
            first = await job_tally.load(conn)
            # retention deletes old ledger rows: the totals stay
            await conn.execute("DELETE FROM job_run")
            return first, await job_tally.load(conn)
        finally:
            await conn.close()

    tally, after_purge = asyncio.run(go())
    runs = dict(tally.counter(JOB_RUNS.name))
    assert runs == {
        ("ingest_social/instagram", "done"): 1,
        ("ingest_social/instagram", "failed"): 1,
        ("manual_fetch", "done"): 1,
        ("recap", "done"): 1,
        ("recap", "missed"): 1,
        ("recap", "skipped"): 1,
    }
    hist = dict(tally.histogram(JOB_SECONDS.name))
    assert hist.keys() == {("ingest_social/instagram",), ("manual_fetch",), ("recap",)}
    ingest = hist["ingest_social/instagram",]
    assert ingest.bounds == JOB_SECONDS.bounds  # the SQL bounds are the series'
    assert ingest.count == 2 and ingest.total == 400.05
    assert dict(ingest.cumulative())["0.1"] == 1 and dict(ingest.cumulative())["300.0"] == 1
    assert dict(ingest.cumulative())["900.0"] == 2
    assert hist["recap",].count == 1 and hist["recap",].total == 2.5  # missed, skipped: untimed
    assert dict(after_purge.counter(JOB_RUNS.name)) == runs


def test_the_sql_label_is_the_python_one(database_url: str) -> None:
    keys = ["recap", "ingest_social/tiktok", FETCH_KEY, "6281300000001/x", "a/b/c", "Job-1.x"]

    async def go() -> list[str]:
        conn = await connect(database_url)
        try:
            return [await conn.fetchval("SELECT job_run_tally_label($1)", k) for k in keys]
        finally:
            await conn.close()

    assert asyncio.run(go()) == [job_label(k) for k in keys]

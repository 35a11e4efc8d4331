"""The job ledger on a real PostgreSQL: one winner per (job, fire time), leases, overlap, pause."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from cicero.db import ledger
from cicero.db.connect import connect
from cicero.domain.timezone import WIB

LEASE = timedelta(minutes=10)


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, 23, hh, mm, tzinfo=WIB)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _status(conn, job: str, fire_time: datetime) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    row = await conn.fetchrow(
        "SELECT status, reason FROM job_run WHERE job_key=$1 AND fire_time=$2", job, fire_time
    )
    return (row["status"], row["reason"]) if row else None


def test_five_racing_claimers_one_winner(database_url: str) -> None:
    async def go() -> list[ledger.Claim]:
        conns = [await connect(database_url) for _ in range(5)]
        try:
            return await asyncio.gather(
                *(
                    ledger.claim(c, "race", at(6), f"w{i}", at(6), LEASE)
                    for i, c in enumerate(conns)
                )
            )
        finally:
            for c in conns:
                await c.close()

    claims = run(go())
    assert sum(c.won for c in claims) == 1
    assert all(c.reason == "already running" for c in claims if not c.won)


def test_done_runs_are_never_claimed_again(database_url: str) -> None:
    async def go() -> tuple[ledger.Claim, ledger.Claim, tuple[str, str] | None]:
        conn = await connect(database_url)
        first = await ledger.claim(conn, "once", at(7), "w1", at(7), LEASE)
        assert await ledger.finish(conn, "once", at(7), "w1", "done", "ok", at(7, 1))
        later = await ledger.claim(conn, "once", at(7), "w2", at(9), LEASE)  # long after any lease
        status = await _status(conn, "once", at(7))
        await conn.close()
        return first, later, status

    first, later, status = run(go())
    assert first.won and not later.won and later.reason == "already done"
    assert status == ("done", "ok")


def test_an_abandoned_claim_is_taken_over_after_its_lease(database_url: str) -> None:
    async def go() -> tuple[ledger.Claim, ledger.Claim, bool]:
        conn = await connect(database_url)
        await ledger.claim(conn, "lease", at(8), "dead-worker", at(8), LEASE)
        early = await ledger.claim(conn, "lease", at(8), "w2", at(8, 5), LEASE)
        late = await ledger.claim(conn, "lease", at(8), "w2", at(8, 11), LEASE)
        stale_finish = await ledger.finish(
            conn, "lease", at(8), "dead-worker", "done", "", at(8, 12)
        )
        await conn.close()
        return early, late, stale_finish

    early, late, stale_finish = run(go())
    assert not early.won and late.won and late.attempts == 2
    assert stale_finish is False  # the old claimer lost its claim


def test_a_queued_run_is_claimed_once(database_url: str) -> None:
    async def go() -> tuple[list[tuple[str, datetime]], ledger.Claim, ledger.Claim]:
        conn = await connect(database_url)
        await ledger.enqueue(conn, "queued", at(9))
        queued = [q for q in await ledger.load_queued(conn) if q[0] == "queued"]
        a = await ledger.claim(conn, "queued", at(9), "w1", at(9), LEASE)
        b = await ledger.claim(conn, "queued", at(9), "w2", at(9), LEASE)
        await conn.close()
        return queued, a, b

    queued, a, b = run(go())
    assert queued == [("queued", at(9))] and a.won and not b.won


def test_overlap_is_recorded_skipped_in_the_claim_transaction(database_url: str) -> None:
    async def go() -> tuple[ledger.Claim, tuple[str, str] | None]:
        conn = await connect(database_url)
        await ledger.claim(conn, "slow", at(10), "w1", at(10), LEASE)
        second = await ledger.claim(conn, "slow", at(10, 5), "w1", at(10, 5), LEASE)
        status = await _status(conn, "slow", at(10, 5))
        await conn.close()
        return second, status

    second, status = run(go())
    assert not second.won and second.reason.startswith("overlap")
    assert status == ("skipped", second.reason)


def test_a_paused_job_is_skipped_not_run(database_url: str) -> None:
    async def go() -> tuple[ledger.Claim, tuple[str, str] | None]:
        conn = await connect(database_url)
        await conn.execute("INSERT INTO job_pause (job_key, paused_by) VALUES ('paused', 'admin')")
        claim = await ledger.claim(conn, "paused", at(11), "w1", at(11), LEASE)
        status = await _status(conn, "paused", at(11))
        await conn.close()
        return claim, status

    claim, status = run(go())
    assert not claim.won and status == ("skipped", "paused")


def test_records_never_overwrite_a_finished_run(database_url: str) -> None:
    async def go() -> tuple[str, str] | None:
        conn = await connect(database_url)
        await ledger.claim(conn, "rec", at(12), "w1", at(12), LEASE)
        await ledger.finish(conn, "rec", at(12), "w1", "done", "", at(12, 1))
        await ledger.record(conn, "rec", at(12), "missed", "late", at(13))
        await ledger.record(conn, "rec", at(12), "failed", "timed out", at(13))
        status = await _status(conn, "rec", at(12))
        await conn.close()
        return status

    assert run(go()) == ("done", "")


def test_cursors_only_move_forward(database_url: str) -> None:
    async def go() -> dict[str, datetime]:
        conn = await connect(database_url)
        await ledger.advance_cursor(conn, "cur", at(14))
        await ledger.advance_cursor(conn, "cur", at(13))
        cursors = await ledger.load_cursors(conn)
        await conn.close()
        return cursors

    assert run(go())["cur"] == at(14)


def test_fetches_asked_from_menus_have_one_last_outcome_without_their_chats(
    database_url: str,
) -> None:
    """Each request is a ledger key holding the asking chat; the latest outcomes (what
    /healthz and /metrics read) show them as one entry, `manual_fetch`, the latest."""

    async def go() -> dict[str, dict[str, str]]:
        conn = await connect(database_url)
        try:
            for minute, chat, status in (
                (1, "6281111111111", "done"),
                (2, "6282222222222", "missed"),
            ):
                key = f"manual_fetch/POLRES_A/instagram/posts/-/operator/{chat}%40s.whatsapp.net/M{minute}"
                await ledger.record(conn, key, at(7, minute), status, "why", at(7, minute))
            await ledger.record(conn, "outcome_job", at(7), "done", "", at(7))
            return await ledger.last_outcomes(conn)
        finally:
            await conn.close()

    outcomes = run(go())
    assert outcomes["manual_fetch"]["status"] == "missed"  # the later one
    assert outcomes["outcome_job"]["status"] == "done"
    assert not any("62811" in k or "62822" in k for k in outcomes)

"""Fetches asked from menus, on a real database and the real fake upstream over loopback:
queued in the step's transaction, claimed once, one client's stages only, the chat answered
with what came in and then the report it named; paused and stale requests are answered too."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import datetime, timedelta
from typing import Any

import pytest

from cicero.actors.worker import claimant_gone
from cicero.conversations import fetches
from cicero.db import ledger
from cicero.db.inbox import InboxMessage
from cicero.domain.menus.model import TriggerFetch
from cicero.jobs import manual_fetch
from cicero.jobs.registry import JobContext
from cicero.sim.upstream.world import FakeEngagement, FakePost, UpstreamWorld
from tests.conftest import fresh_database
from tests.integration.ingest.harness import IG, TT, Rig, at, rig

LOG = logging.getLogger("test.fetch")
LEASE = timedelta(minutes=5)
CHAT = "6281100000001@s.whatsapp.net"
WORLD = UpstreamWorld(
    posts=(
        FakePost(IG, "polres_a", "A1", at(8, 0)),
        FakePost(IG, "polres_a", "A2", at(9, 0)),
        FakePost(IG, "polres_b", "B1", at(8, 0)),
        FakePost(TT, "polres_a", "7400000000000000001", at(8, 30)),
    ),
    engagements=(FakeEngagement("A1", at(8, 30), ("budi.s", "eko")),),
)


@pytest.fixture
def url(pg_server: object) -> str:
    return fresh_database(pg_server)


def run(url: str, test: Any) -> Any:
    async def main() -> Any:
        async with rig(url, WORLD) as r:
            return await test(r)

    return asyncio.run(main())


def message(message_id: str, at_: datetime) -> InboxMessage:
    return InboxMessage("operator", message_id, CHAT, "6281100000001", False, "12", "", at_)


async def queue(r: Rig, t: TriggerFetch, message_id: str, now: datetime):  # type: ignore[no-untyped-def]
    async with r.pool.acquire() as conn, conn.transaction():
        return await fetches.queue(conn, [t], message(message_id, now), now)


async def execute(r: Rig, key: str, asked: datetime, now: datetime) -> str | None:
    ctx = JobContext(key, asked, now, r.pool, r.settings, LOG, sleep=r.sleep)
    return await manual_fetch.execute(ctx, "worker-1", LEASE)


async def answers(r: Rig, message_id: str) -> list[str]:
    rows = await r.pool.fetch(
        "SELECT body FROM outbox WHERE in_reply_to = $1 ORDER BY key", message_id
    )
    return [x["body"] for x in rows]


def test_a_fetch_runs_once_for_its_client_then_sends_its_report(url: str) -> None:
    async def test(r: Rig) -> None:
        now = at(10)
        asked = TriggerFetch("POLRES_A", "instagram", "all", "likes_attendance")
        said, keys = await queue(r, asked, "M1", now)
        assert said == [] and len(keys) == 1  # the menu's "⏳" is the only answer for now
        status = await r.pool.fetchval("SELECT status FROM job_run WHERE job_key = $1", keys[0])
        assert status == "queued"

        assert await execute(r, keys[0], now, now + timedelta(seconds=5)) == "operator"
        posts = {p["external_id"]: p for p in await r.pool.fetch("SELECT * FROM post")}
        assert set(posts) == {"A1", "A2"}  # not POLRES_B's, not TikTok
        assert ("A1", "like", "budi.s") in await r.engagement()
        summary, recap = await answers(r, "M1")
        assert summary.startswith("📥 *Pengambilan data POLRES_A selesai*")
        assert "✅ Instagram: 2 konten hari ini (2 baru), 2 likes baru" in summary
        assert "📋 *Rekap Akumulasi Likes Instagram*" in recap and "*Jumlah Konten:* 2" in recap
        row = await r.pool.fetchrow(
            "SELECT status, reason FROM job_run WHERE job_key = $1", keys[0]
        )
        assert row["status"] == "done" and row["reason"].startswith("2 stages, 0 failed")

        # What a restarted router would send again: queued fetches only, no scheduled job.
        await r.pool.execute(
            "INSERT INTO job_run (job_key, fire_time, status) VALUES ('ingest_social', $1, 'queued')",
            now,
        )
        _, (later,) = await queue(r, TriggerFetch("POLRES_B", "instagram", "posts"), "M9", now)
        async with r.pool.acquire() as conn:
            assert await fetches.queued(conn) == [(later, now)]

        # Sent again (a restart, a second dispatch): claimed already, nothing more happens.
        assert await execute(r, keys[0], now, now + timedelta(seconds=9)) is None
        assert len(await answers(r, "M1")) == 2

    run(url, test)


def test_requests_that_cannot_run_are_answered_at_once(url: str) -> None:
    async def test(r: Rig) -> None:
        await r.pool.execute(
            "UPDATE client SET tiktok_enabled = false WHERE client_id = 'POLRES_B'"
        )
        said, keys = await queue(r, TriggerFetch("POLRES_B", "tiktok", "posts"), "M2", at(10))
        assert keys == [] and "TikTok tidak aktif" in said[0].body
        said, keys = await queue(r, TriggerFetch("NOPE", "instagram", "posts"), "M3", at(10))
        assert keys == [] and "tidak ditemukan" in said[0].body
        assert await r.pool.fetchval("SELECT count(*) FROM job_run") == 0

    run(url, test)


def test_paused_ingestion_and_stale_requests_are_answered_not_run(url: str) -> None:
    async def test(r: Rig) -> None:
        await r.pool.execute("INSERT INTO job_pause (job_key) VALUES ('ingest_social')")
        _, (paused,) = await queue(r, TriggerFetch("POLRES_A", "instagram", "posts"), "M4", at(10))
        assert await execute(r, paused, at(10), at(10, 1)) == "operator"
        assert "dijeda oleh admin" in (await answers(r, "M4"))[0]
        await r.pool.execute("DELETE FROM job_pause")

        _, (stale,) = await queue(r, TriggerFetch("POLRES_A", "instagram", "posts"), "M5", at(10))
        assert await execute(r, stale, at(10), at(10, 21)) == "operator"
        assert "tidak sempat dijalankan" in (await answers(r, "M5"))[0]
        statuses = await r.pool.fetch("SELECT status FROM job_run ORDER BY fire_time, job_key")
        assert sorted(s["status"] for s in statuses) == ["missed", "skipped"]
        assert await r.pool.fetchval("SELECT count(*) FROM post") == 0

    run(url, test)


def test_a_fetch_whose_ingestor_died_goes_again_once_then_is_answered(url: str) -> None:
    """An ingestor killed mid-fetch leaves the request `running` under a process that is
    gone: the router puts it back and it runs again; a request that takes its ingestor down
    every time is answered "gagal" at the claim after the last try, not run a third time."""

    async def test(r: Rig) -> None:
        now = at(10)
        asked = TriggerFetch("POLRES_A", "instagram", "posts")
        _, (key,) = await queue(r, asked, "M6", now)
        dead = await asyncio.create_subprocess_exec("true")
        await dead.wait()
        holder = f"ingestor:instagram@{socket.gethostname()}:{dead.pid}:1"
        alive = f"ingestor:instagram@{socket.gethostname()}:{os.getpid()}:1"

        async def held_by(who: str, request: str = key) -> None:
            async with r.pool.acquire() as conn:
                won = await ledger.claim(conn, request, now, who, now, LEASE)
                assert won.won

        async def orphans() -> list[str]:
            async with r.pool.acquire() as conn:
                return await fetches.requeue_orphans(
                    conn, lambda h: claimant_gone(h, socket.gethostname())
                )

        await held_by(alive)
        assert await orphans() == []  # its claimer still runs: left to it
        await r.pool.execute("UPDATE job_run SET claimed_by = $1 WHERE job_key = $2", holder, key)
        assert await orphans() == [key]
        assert (await r.pool.fetchrow("SELECT status FROM job_run WHERE job_key = $1", key))[
            0
        ] == "queued"
        async with r.pool.acquire() as conn:
            assert key in [k for k, _ in await fetches.queued(conn)]  # the router sends it again
        await execute(r, key, now, now + timedelta(minutes=1))  # try 2 runs and answers
        assert await r.pool.fetchval("SELECT status FROM job_run WHERE job_key = $1", key) == "done"
        assert await r.pool.fetchval("SELECT count(*) FROM post") > 0

        _, (again,) = await queue(r, asked, "M7", now)
        for _ in range(2):  # two tries, each killed under its claimer
            await held_by(holder, again)
            async with r.pool.acquire() as conn:
                await ledger.requeue(conn, again, now, "killed")
        runs = await r.pool.fetchval("SELECT count(*) FROM ingest_run")
        await execute(r, again, now, now + timedelta(minutes=2))
        row = await r.pool.fetchrow("SELECT status, reason FROM job_run WHERE job_key = $1", again)
        assert (row["status"], row["reason"]) == ("failed", "its ingestor stopped during 2 tries")
        (said,) = await answers(r, "M7")  # one answer, and no third run
        assert "gagal" in said
        assert await r.pool.fetchval("SELECT count(*) FROM ingest_run") == runs

    run(url, test)

"""A worker killed outright in the middle of a run (SIGKILL: no crash hook runs) on the
real process tree: its run is found held by a process that no longer exists when the
supervisor's next directory arrives, put back in the ledger and tried again within grace.
It used to wait out the job's whole timeout and be recorded failed."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import psutil
import pytest

from cicero.actors.clock import ClockOptions
from cicero.actors.messages import ChildSpec, ClockIdle, ClockTick, WhereIs
from cicero.actors.worker import WorkerOptions
from cicero.config import Secret, load_settings
from cicero.config.schema import Config
from cicero.db.connect import connect
from cicero.domain.timezone import WIB

pytestmark = pytest.mark.slow
REGISTRY = "tests.integration.jobs:registry"
T0 = datetime(2026, 11, 23, 6, 55, tzinfo=WIB)
FIRE = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)
JOBS = {"linger": {"name": "Linger", "bucket": "always", "crons": ["0 7 * * *"], "grace": "30m"}}


def ledger_row(url: str) -> tuple[str, str] | None:
    async def read() -> tuple[str, str] | None:
        conn = await connect(url)
        try:
            row = await conn.fetchrow(
                "SELECT status, reason FROM job_run WHERE job_key = 'linger' AND fire_time = $1",
                FIRE,
            )
            return (row["status"], row["reason"]) if row else None
        finally:
            await conn.close()

    return asyncio.run(read())


def worker_pid() -> int:
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.cmdline() and proc.cmdline()[0].startswith("JobWorker"):
                return proc.pid
        except psutil.Error:
            continue
    raise AssertionError("no JobWorker process")


def test_a_sigkilled_worker_s_run_is_tried_again(tmp_path: Path, database_url: str) -> None:
    from cicero.launcher import start_runtime

    base = load_settings({})
    jobs = Config.model_validate({"jobs": JOBS}).jobs
    settings = replace(
        base,
        config=base.config.model_copy(update={"jobs": jobs}),
        env=replace(base.env, database_url=Secret(database_url), data_dir=tmp_path),
    )
    children = (
        ChildSpec("worker", "cicero.actors.worker:JobWorker", extra=WorkerOptions(REGISTRY, True)),
        ChildSpec(
            "clock", "cicero.actors.clock:Clock", extra=ClockOptions(REGISTRY, virtual_start=T0)
        ),
    )
    runtime = start_runtime(settings, REGISTRY, children)
    try:
        clock = runtime.system.ask(runtime.root, WhereIs(), 10).addresses["clock"]
        runtime.system.tell(clock, ClockTick(FIRE))
        deadline = time.monotonic() + 30
        while (ledger_row(database_url) or ("",))[0] != "running":
            assert time.monotonic() < deadline, ledger_row(database_url)
            time.sleep(0.1)
        os.kill(worker_pid(), signal.SIGKILL)
        idle = runtime.system.listen(30)  # the answer to the tick, once the run is accounted for
        assert isinstance(idle, ClockIdle), idle
        assert idle.next_fire == FIRE + timedelta(seconds=30)
        status, reason = ledger_row(database_url) or ("", "")
        assert status == "queued" and "killed" in reason
        again = runtime.system.ask(clock, ClockTick(idle.next_fire), 30)
        assert isinstance(again, ClockIdle), again
        assert ledger_row(database_url) == ("done", "try 2")
    finally:
        runtime.stop(10)

"""Runtime figures (issue 4): dispatch overhead, restart latency, virtual-clock throughput.

1. The clock's pure decision per fire time (schedule.handle), and the whole
   round trip per fire time through real actors and the real ledger
   (Clock -> queued row -> JobWorker claim -> no-op handler -> done -> JobDone).
2. SIGKILL of a supervised child on multiprocTCPBase until its replacement
   answers a message, 50 kills: median and p95 (goal: p95 <= 1 s), and what went
   wrong on the way: crashes of a replacement (a message reaching it before its
   Start used to be one) and escalations (goal: 0).
3. Fire times processed per second on the virtual clock (the same round trip).

Run: .venv/bin/python bench/runtime.py
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from thespian.actors import ActorSystem

from cicero.actors import listen
from cicero.actors.base import ACTOR_PROCESS_ENV
from cicero.actors.clock import ClockOptions
from cicero.actors.messages import (
    ChildSpec,
    ClockIdle,
    ClockTick,
    Directory,
    StatusRequest,
    StatusSnapshot,
    SupervisorStart,
    WhereIs,
)
from cicero.actors.supervisor import Supervisor
from cicero.actors.worker import WorkerOptions
from cicero.config import Secret, load_settings
from cicero.config.schema import Config
from cicero.db.connect import connect
from cicero.db.migrate import migrate
from cicero.domain.runtime import schedule
from cicero.domain.runtime.jobs import JobSpec
from cicero.domain.runtime.supervision import SupFlags
from cicero.domain.timezone import WIB
from cicero.launcher import PR_SET_CHILD_SUBREAPER, reap_zombies
from cicero.logs import log_defs
from cicero.loopback import free_port
from tests.protocol.actors import Count, Counted

T0 = datetime(2026, 11, 23, 0, 0, tzinfo=WIB)
FIRES = 600


def pure_decision_cost() -> float:
    spec = JobSpec("noop", "Noop", "always", ("* * * * *",), grace=timedelta(minutes=5))
    state, _ = schedule.initial([spec], {"noop"}, T0)
    started = time.perf_counter()
    for minute in range(1, FIRES + 1):
        now = T0 + timedelta(minutes=minute)
        state, _ = schedule.handle(state, schedule.Tick(now))
        state, _ = schedule.handle(state, schedule.RunEnded("noop", now, "done"))
    return (time.perf_counter() - started) / FIRES


def embedded_database(tmp: Path) -> tuple[str, object]:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp / "run"))
    (tmp / "run").mkdir(exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(tmp / "pg", cleanup_mode="delete")
    server.psql('CREATE DATABASE "bench";')
    url = server.get_uri("bench")

    async def prepare() -> None:
        conn = await connect(url)
        await migrate(conn)
        await conn.close()

    asyncio.run(prepare())
    return url, server


def virtual_round_trips(url: str) -> float:
    settings = load_settings({})
    jobs = Config.model_validate(
        {
            "jobs": {
                "noop": {"name": "Noop", "bucket": "always", "crons": ["* * * * *"], "grace": "5m"}
            }
        }
    ).jobs
    settings = replace(
        settings,
        config=settings.config.model_copy(update={"jobs": jobs}),
        env=replace(settings.env, database_url=Secret(url)),
    )
    registry = "tests.integration.jobs:registry"
    system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
    try:
        root = system.createActor(Supervisor)
        children = (
            ChildSpec(
                "worker",
                "cicero.actors.worker:JobWorker",
                extra=WorkerOptions(registry, virtual=True),
            ),
            ChildSpec(
                "clock", "cicero.actors.clock:Clock", extra=ClockOptions(registry, virtual_start=T0)
            ),
        )
        system.tell(root, SupervisorStart("root", SupFlags(), children, settings))
        clock = system.ask(root, WhereIs(), 5).addresses["clock"]
        started = time.perf_counter()
        for minute in range(1, FIRES + 1):
            reply = system.ask(clock, ClockTick(T0 + timedelta(minutes=minute)), 5)
            assert isinstance(reply, ClockIdle)
        return (time.perf_counter() - started) / FIRES
    finally:
        system.shutdown()


KILLS = 50


def is_counter(proc: object) -> bool:
    import psutil

    try:
        return (proc.cmdline() or [""])[0].startswith("Counter")  # type: ignore[attr-defined]
    except psutil.Error:
        return False


def restart_latencies(kills: int = KILLS) -> tuple[list[float], int, str]:
    """Latencies, restarts beyond the kills (crashes), and the escalation reason ('' if none)."""
    import ctypes

    import psutil

    # As the launcher does: the actors stay our descendants, so only ours are killed.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    os.environ[ACTOR_PROCESS_ENV] = "1"
    settings = load_settings({})
    listen.confine(settings.config.runtime.actor_host)
    system = ActorSystem(
        "multiprocTCPBase",
        {"Admin Port": free_port()},
        transientUnique=True,
        logDefs=log_defs("text", "ERROR"),
    )
    latencies = []
    try:
        root = system.createActor(Supervisor)
        flags = SupFlags(intensity=kills + 5, period_s=3600, backoff_min_s=0.01, backoff_max_s=0.02)
        system.tell(
            root,
            SupervisorStart(
                "bench", flags, (ChildSpec("a", "tests.protocol.actors:Counter"),), settings
            ),
        )
        for _ in range(kills):
            address = system.ask(root, WhereIs(), 5).addresses["a"]
            assert isinstance(system.ask(address, Count(), 5), Counted)
            reap_zombies()  # killed actors are ours to reap now
            pid = next(p.pid for p in psutil.Process().children(recursive=True) if is_counter(p))
            started = time.perf_counter()
            os.kill(pid, signal.SIGKILL)
            while True:
                directory = system.ask(root, WhereIs(), 5)
                fresh = isinstance(directory, Directory) and directory.addresses.get("a") not in (
                    None,
                    address,
                )
                if fresh and isinstance(system.ask(directory.addresses["a"], Count(), 5), Counted):
                    break
                time.sleep(0.002)
            latencies.append(time.perf_counter() - started)
        status = system.ask(root, StatusRequest(), 5)
        assert isinstance(status, StatusSnapshot)
        crashes = status.data["actors"]["a"]["restarts"] - kills
        escalated = status.data["escalated"]
    finally:
        system.shutdown()
    return latencies, crashes, escalated


def main() -> None:
    core = pure_decision_cost()
    with tempfile.TemporaryDirectory() as tmp:
        url, server = embedded_database(Path(tmp))
        per_fire = virtual_round_trips(url)
        server.cleanup()  # type: ignore[attr-defined]
    measured, crashes, escalated = restart_latencies()
    latencies = sorted(measured)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"clock decision (pure core) per fire time: {core * 1e6:.0f} us")
    print(
        f"dispatch round trip per fire time (clock -> ledger -> worker -> done): {per_fire * 1e3:.2f} ms"
    )
    print(f"fire times processed per second on the virtual clock: {1 / per_fire:.0f}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"SIGKILLed child -> replacement answering, {len(latencies)} kills: "
        f"median {statistics.median(latencies) * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms "
        f"(goal: p95 <= 1000 ms); replacements crashed: {crashes}; "
        f"escalations: {1 if escalated else 0} (load average {load})"
    )


if __name__ == "__main__":
    main()

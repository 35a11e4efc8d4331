"""Clock + JobWorker + Supervisor as real actors on a virtual clock, with the real ledger.

simpleSystemBase runs the actors in this process; `ask(clock, Pump(t))` (the simulator's
control port) returns once every run dispatched so far has ended, so the test reads the
ledger after each step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from thespian.actors import ActorSystem, ActorTypeDispatcher

from cicero.actors.clock import ClockOptions
from cicero.actors.messages import (
    ChildSpec,
    Directory,
    JobDone,
    Ports,
    RunJob,
    SessionLost,
    SessionReady,
    StatusRequest,
    SupervisorStart,
    WhereIs,
)
from cicero.actors.worker import WorkerOptions
from cicero.config import Secret, load_settings
from cicero.config.schema import Config
from cicero.db.connect import connect
from cicero.domain.runtime.supervision import SupFlags
from cicero.domain.timezone import WIB
from cicero.sim.clock import VirtualTime
from cicero.sim.control import CrashNext, Pump, Pumped, SimControl

REGISTRY = "tests.integration.jobs:registry"
T0 = datetime(2026, 11, 23, 6, 0, tzinfo=WIB)
JOBS = {
    "jobs": {
        "probe": {"name": "Probe", "bucket": "always", "crons": ["*/10 * * * *"], "grace": "5m"},
        "gated": {"name": "Gated", "bucket": "gateway", "crons": ["5 * * * *"], "grace": "30m"},
        "chained": {"name": "Chained", "bucket": "gateway", "after": "probe", "grace": "20m"},
        "explode": {"name": "Explode", "bucket": "always", "crons": ["0 7 * * *"], "grace": "5m"},
        "absent": {"name": "No handler", "bucket": "always", "crons": ["*/10 * * * *"]},
    }
}


def at(hh: int, mm: int = 0) -> datetime:
    return T0.replace(hour=hh, minute=mm)


class World:
    def __init__(self, database_url: str, tmp: Path) -> None:
        from cicero.actors.supervisor import Supervisor

        settings = load_settings({})
        only_these = Config.model_validate({**JOBS, "sessions": {"gateway": {"role": "gateway"}}})
        settings = replace(
            settings,
            config=settings.config.model_copy(update={"jobs": only_these.jobs}),
            env=replace(settings.env, database_url=Secret(database_url)),
        )
        self.url = database_url
        self.system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
        self.root = self.system.createActor(Supervisor)
        self.time = VirtualTime(tmp / "clock", T0)
        ports = Ports(self.time.clock(), SimControl())
        children = (
            ChildSpec(
                "worker",
                "cicero.actors.worker:JobWorker",
                extra=WorkerOptions(REGISTRY),
                ports=ports,
            ),
            ChildSpec(
                "clock", "cicero.actors.clock:Clock", extra=ClockOptions(REGISTRY), ports=ports
            ),
        )
        flags = SupFlags(intensity=10, period_s=3600, backoff_min_s=0.001, backoff_max_s=0.002)
        self.system.tell(self.root, SupervisorStart("root", flags, children, settings))

    def address(self, name: str):  # type: ignore[no-untyped-def]
        self.system.listen(0.02)
        reply = self.system.ask(self.root, WhereIs(), 2)
        assert isinstance(reply, Directory)
        return reply.addresses[name]

    def tick(self, now: datetime) -> Pumped:
        clock = self.address("clock")  # started before time moves
        self.time.set(now)
        reply = self.system.ask(clock, Pump(now), 5)
        assert isinstance(reply, Pumped), reply
        return reply

    def ledger(self) -> dict[tuple[str, datetime], tuple[str, str]]:
        async def read():  # type: ignore[no-untyped-def]
            conn = await connect(self.url)
            rows = await conn.fetch("SELECT job_key, fire_time, status, reason FROM job_run")
            await conn.close()
            return {(r["job_key"], r["fire_time"]): (r["status"], r["reason"]) for r in rows}

        return asyncio.run(read())

    def close(self) -> None:
        from tests.conftest import end_connections

        self.system.shutdown()
        end_connections(self.url)


@pytest.fixture
def world(pg_server, tmp_path: Path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    w = World(fresh_database(pg_server), tmp_path)
    yield w
    w.close()


def test_always_jobs_run_on_virtual_time_and_are_recorded_done(world: World) -> None:
    idle = world.tick(at(6, 10))
    ledger = world.ledger()
    assert ledger[("probe", at(6, 10))] == ("done", "probed")
    assert ("absent", at(6, 10)) not in ledger  # no handler: never dispatched
    assert idle.next_due == at(6, 20)


def test_gated_job_waits_for_its_session_and_after_jobs_follow(world: World) -> None:
    world.tick(at(6, 10))
    assert ("gated", at(6, 5)) not in world.ledger()
    world.system.tell(world.address("clock"), SessionReady("gateway"))
    world.tick(at(6, 20))
    ledger = world.ledger()
    assert ledger[("gated", at(6, 5))] == ("done", "probed")
    assert ledger[("chained", at(6, 20))] == ("done", "probed")
    world.system.tell(world.address("clock"), SessionLost("gateway", "network"))
    world.tick(at(7, 6))
    assert ("gated", at(7, 5)) not in world.ledger()


def test_a_failing_handler_is_tried_again_then_failed_and_its_worker_restarted(
    world: World,
) -> None:
    """A raising handler crashes its worker (let it crash); the run goes back in the ledger
    and is tried again after 30 s and 2 min (within its 5-minute grace), then failed."""
    idle = world.tick(at(7, 0))
    first_retry = at(7, 0) + timedelta(seconds=30)
    assert idle.next_due == first_retry  # the simulation's clock stops at the next try
    assert world.ledger()[("explode", at(7, 0))] == (
        "queued",
        "worker crashed: RuntimeError: upstream said no",
    )
    idle = world.tick(first_retry)
    assert idle.next_due == first_retry + timedelta(minutes=2)
    world.tick(idle.next_due)
    assert world.ledger()[("explode", at(7, 0))] == (
        "failed",
        "worker crashed, 3 tries: RuntimeError: upstream said no",
    )
    world.system.listen(0.05)
    status = world.system.ask(world.root, StatusRequest(), 2).data
    assert status["actors"]["worker"]["restarts"] == 3
    world.tick(at(7, 10))
    assert world.ledger()[("probe", at(7, 10))] == ("done", "probed")


def test_a_worker_that_crashes_on_the_run_itself_is_tried_again(world: World) -> None:
    """`crash_actor` on a worker: its next message, the RunJob, raises before any claim.
    The run used to be failed ("worker crashed") and never done."""
    world.tick(at(6, 5))
    world.system.tell(world.address("worker"), CrashNext())
    idle = world.tick(at(6, 10))
    assert world.ledger()[("probe", at(6, 10))][0] == "queued"
    world.tick(idle.next_due)
    assert world.ledger()[("probe", at(6, 10))] == ("done", "probed")


def test_a_restarted_clock_runs_nothing_twice(world: World) -> None:
    world.tick(at(6, 10))
    clock = world.address("clock")
    world.system.tell(clock, CrashNext())
    world.system.tell(clock, "boom")
    world.tick(at(6, 12))  # the replacement reloads cursors from the ledger
    world.tick(at(6, 20))
    ledger = world.ledger()
    assert ledger[("probe", at(6, 10))] == ("done", "probed")
    assert ledger[("probe", at(6, 20))] == ("done", "probed")

    async def hits() -> int:
        conn = await connect(world.url)
        n = await conn.fetchval("SELECT count(*) FROM probe_hits WHERE fire_time = $1", at(6, 10))
        await conn.close()
        return n

    assert asyncio.run(hits()) == 1


def test_a_job_key_not_in_config_is_refused_by_the_worker(world: World) -> None:
    reply = world.system.ask(world.address("worker"), RunJob("no_such_job", at(6)), 2)
    assert reply.status == "skipped" and reply.reason == "unknown job"


def test_a_clock_thrown_back_an_hour_reruns_nothing(world: World) -> None:
    world.tick(at(6, 10))
    before = world.ledger()
    world.tick(at(5, 10))
    world.tick(at(6, 11))
    assert world.ledger() == before
    assert timedelta(0) < at(6, 11) - at(6, 10)


class Inbox(ActorTypeDispatcher):
    """Keeps the JobDone answers it is sent; asked with any text, answers them."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[JobDone] = []

    def receiveMsg_JobDone(self, message: JobDone, sender: Any) -> None:
        self.got.append(message)

    def receiveMsg_str(self, message: str, sender: Any) -> None:
        self.send(sender, list(self.got))


def test_the_answer_to_a_run_goes_to_the_clock_whoever_delivered_it(world: World) -> None:
    """A RunJob sent to a worker that died on the way is handed to its replacement by the
    supervisor, which is then the sender: the JobDone must still reach the clock named in
    the run, or the clock waits for it until the run's timeout (a simulation, for ever)."""
    clock = world.system.createActor(Inbox)
    world.system.tell(world.address("worker"), RunJob("no_such_job", at(6), reply_to=clock))
    got = world.system.ask(clock, "answers?", 2)
    assert [(d.job, d.status) for d in got] == [("no_such_job", "skipped")]

"""A job worker: claims (job, fire time) in the ledger, runs the handler, records the end.

Handlers come from a registry named in the Start message. A handler that
raises crashes the actor on purpose, so its replacement starts clean (let it
crash); on the way out the run is put back in the ledger (`queued`) and the clock
is told it crashed, and decides whether to try it again (cicero.domain.runtime.job_retry).
"""

from __future__ import annotations

import os
import socket
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psutil

from cicero.actors.base import CiceroActor
from cicero.actors.messages import JobDone, OutboxNew, RunFetch, RunJob, Start
from cicero.collector import collector_paused
from cicero.db import ledger
from cicero.domain.runtime.job_parts import ledger_key
from cicero.domain.runtime.names import RunStatus, session_actor
from cicero.jobs import manual_fetch
from cicero.jobs.registry import DEFAULT_REGISTRY, JobContext, Registry, load_registry


@dataclass(frozen=True)
class WorkerOptions:
    registry: str = DEFAULT_REGISTRY


FETCH_TIMEOUT = timedelta(minutes=30)  # when ingest_social (whose timeout it borrows) is absent


def claimant(name: str, host: str, pid: int) -> str:
    """Who claims a run in the ledger (`job_run.claimed_by`): `name@host:pid:stamp`."""
    return f"{name}@{host}:{pid}:{time.monotonic_ns()}"


def claimant_gone(claimed_by: str, host: str) -> bool:
    """The process that claimed a run has exited; False when that cannot be told from here
    (another host, another format of id)."""
    where, _, rest = claimed_by.rpartition("@")
    claimed_host, _, pid_text = rest.partition(":")
    pid_text = pid_text.partition(":")[0]
    if not where or claimed_host != host or not pid_text.isascii() or not pid_text.isdigit():
        return False
    try:
        return psutil.Process(int(pid_text)).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False


class JobWorker(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.registry = Registry()
        self.worker_id = ""
        self.answered: RunJob | None = None  # the last RunJob that got its JobDone

    def on_start(self, message: Start) -> None:
        options: WorkerOptions = message.extra or WorkerOptions()
        self.registry = load_registry(options.registry)
        self.worker_id = claimant(message.name, socket.gethostname(), os.getpid())

    def receiveMsg_RunJob(self, message: RunJob, sender: Any) -> None:
        assert self.settings is not None
        handler = self.registry.get(message.job, message.part)
        specs = {s.key: s for s in self.settings.config.job_specs()}
        spec = specs.get(message.job)

        def done(status: RunStatus, reason: str) -> None:
            self.answered = message
            self.send(
                message.reply_to or sender,
                JobDone(message.job, message.fire_time, status, reason, message.part),
            )

        if handler is None or spec is None:
            # A job key this worker does not know: answer, so the clock does not wait on it.
            self.log.warning("unknown job %r part %r", message.job, message.part)
            done(RunStatus.SKIPPED, "unknown job")
            return
        claim = self.run(self._claim(message, self.clock.now(), spec.timeout))
        if not claim.won:
            done(RunStatus.SKIPPED, claim.reason)
            return
        # A handler that raises (or overruns its timeout) crashes this actor: see on_crash.
        # A recap builds a burst of short-lived objects (20,000 people in a directorate's):
        # no collection walks them while it runs (cicero.collector).
        with collector_paused() if handler.reads_engagement else nullcontext():
            outcome = self.run(self._execute(handler.run, message), spec.timeout.total_seconds())
        self.run(self._finish(message, RunStatus.DONE, outcome or "", self.clock.now()))
        done(RunStatus.DONE, outcome or "")

    def receiveMsg_RunFetch(self, message: RunFetch, sender: Any) -> None:
        """A fetch asked from a menu (cicero.jobs.manual_fetch): claimed in the ledger like
        a job; its answers go to the asking chat, so that chat's session is woken."""
        assert self.settings is not None
        spec = {s.key: s for s in self.settings.config.job_specs()}.get(manual_fetch.PAUSE_KEY)
        lease = spec.timeout if spec is not None else FETCH_TIMEOUT
        ctx = JobContext(
            job=message.key,
            fire_time=message.fire_time,
            now=self.clock.now(),
            pool=self.run(self.pool()),
            settings=self.settings,
            log=self.log,
            sleep=self.clock.pause,
            tally=self.tally,
        )
        session = self.run(manual_fetch.execute(ctx, self.worker_id, lease), lease.total_seconds())
        address = self.directory.get(session_actor(session)) if session else None
        if address is not None:
            self.send(address, OutboxNew())

    def on_crash(self, message: Any, sender: Any, err: BaseException) -> None:
        """A run this worker will never answer (its handler raised, or the actor crashed on
        the RunJob itself): its row goes back to queued and the clock hears it crashed, at
        once rather than at the run's timeout; the clock tries it again or fails it."""
        if isinstance(message, RunFetch):  # the chat still waits: the router sends it again
            self.run(self._requeue_fetch(message, f"{type(err).__name__}: {err}"[:500]), 10)
            return
        if not isinstance(message, RunJob) or self.answered is message:
            return
        reason = f"{type(err).__name__}: {err}"[:500]
        self.run(self._requeue(message, reason), 10)
        self.send(
            message.reply_to or sender,
            JobDone(message.job, message.fire_time, RunStatus.CRASHED, reason, message.part),
        )

    async def _requeue(self, message: RunJob, reason: str) -> None:
        async with (await self.pool()).acquire() as conn:
            key = ledger_key(message.job, message.part)
            await ledger.requeue(conn, key, message.fire_time, f"worker crashed: {reason}")

    async def _requeue_fetch(self, message: RunFetch, reason: str) -> None:
        """A fetch that raised was answered and recorded failed (left so by this); one cut off
        (its lease ran out in this actor) is claimable again, as another try."""
        async with (await self.pool()).acquire() as conn:
            await ledger.requeue(conn, message.key, message.fire_time, f"worker crashed: {reason}")

    async def _claim(self, message: RunJob, now: datetime, lease: timedelta) -> ledger.Claim:
        async with (await self.pool()).acquire() as conn:
            return await ledger.claim(
                conn,
                ledger_key(message.job, message.part),
                message.fire_time,
                self.worker_id,
                now,
                lease,
                pause_key=message.job,
            )

    async def _execute(self, run: Any, message: RunJob) -> str | None:
        ctx = JobContext(
            job=message.job,
            fire_time=message.fire_time,
            now=self.clock.now(),
            pool=await self.pool(),
            settings=self.settings,
            log=self.log,
            sleep=self.clock.pause,
            readers=self.registry.engagement_readers(),
            tally=self.tally,
        )
        return await run(ctx)

    async def _finish(self, message: RunJob, status: str, reason: str, now: datetime) -> None:
        async with (await self.pool()).acquire() as conn:
            await ledger.finish(
                conn,
                ledger_key(message.job, message.part),
                message.fire_time,
                self.worker_id,
                status,
                reason,
                now,
            )

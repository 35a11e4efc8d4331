"""The Clock: croniter schedules in, RunJob to ready buckets out.

Rules live in cicero.domain.runtime.schedule; this actor feeds it time and readiness,
performs its effects (dispatch, ledger records, cursor writes) and reports status. Time
comes from its Clock port: after every step it asks to be woken at the next fire time,
capped (`on_due`); readiness waits for that look, which a session's news asks for at once.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cicero.actors.base import CiceroActor
from cicero.actors.messages import (
    Directory,
    JobDone,
    Poke,
    RunJob,
    RunNow,
    SessionLost,
    SessionReady,
    Start,
    StatusReport,
)
from cicero.actors.ports import Due
from cicero.actors.worker import claimant_gone
from cicero.db import ledger
from cicero.domain.ingestion import manual_fetch
from cicero.domain.runtime import job_parts, schedule
from cicero.domain.runtime.names import RunStatus
from cicero.domain.runtime.supervision import back_within
from cicero.domain.timezone import to_wib
from cicero.jobs.registry import DEFAULT_REGISTRY, load_registry


@dataclass(frozen=True)
class Parked:
    """A run (or part) whose worker was not in the directory when it was dispatched: the
    clock's first ticks come before the supervisor's first directory, and a worker being
    restarted is absent for its backoff. It goes out when the worker is listed again."""

    job: str
    fire_time: datetime
    dispatched_at: datetime  # the clock's now when it was dispatched
    part: str
    actor: str
    since: float  # time.monotonic()


@dataclass(frozen=True)
class ClockOptions:
    registry: str = DEFAULT_REGISTRY


class Clock(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.state: schedule.ClockState | None = None
        self.parts_of: dict[str, tuple[tuple[str, str], ...]] = {}  # job → (part, actor)…
        self.gathering: dict[tuple[str, datetime], job_parts.Gathering] = {}
        self.cap = timedelta(seconds=30)
        self.ready_pending: set[str] = set()  # readiness waiting for the next look at the time
        self.parked: list[Parked] = []

    def on_start(self, message: Start) -> None:
        options: ClockOptions = message.extra or ClockOptions()
        assert self.settings is not None
        registry = load_registry(options.registry)
        self.parts_of = {
            h.key: tuple((p.part, p.actor) for p in registry.parts(h.key)) for h in registry
        }
        self.cap = timedelta(seconds=self.settings.config.runtime.clock_max_sleep_s)
        self.clock.attach(self)
        now = self.clock.now()
        cursors, queued = self.run(self._load_ledger())
        self.state, effects = schedule.initial(
            self.settings.config.job_specs(), registry.keys(), now, cursors, queued
        )
        if effects:
            self.run(self._perform(effects))
        self._step(schedule.Tick(now))

    async def _load_ledger(self) -> tuple[dict[str, datetime], list[tuple[str, datetime]]]:
        async with (await self.pool()).acquire() as conn:
            queued = await ledger.load_queued(conn)
            # Fetches asked from menus are the router's to resend, not scheduled jobs.
            scheduled = [(k, t) for k, t in queued if not manual_fetch.is_key(k)]
            return await ledger.load_cursors(conn), scheduled

    # ---- inputs ----------------------------------------------------------------
    def receiveMsg_Directory(self, message: Directory, sender: Any) -> None:
        super().receiveMsg_Directory(message, sender)
        self._unpark()
        self._find_vanished_runs()

    def _find_vanished_runs(self) -> None:
        """A worker killed outright (SIGKILL, the OOM killer) has no crash hook to say so; the
        supervisor's new directory after its restart is the cue to look: a run still held in
        the ledger by a process that has exited crashed, and is tried again like any crash."""
        if self.state is None or not self.state.running:
            return
        host = socket.gethostname()
        for job, run in list(self.state.running.items()):
            parts = self.parts_of.get(job, ())
            keys = (
                {job_parts.ledger_key(job, p): p for p, _ in parts} if len(parts) > 1 else {job: ""}
            )
            holders = self.run(self._holders(list(keys), run.fire_time))
            gone = [
                key for key, holder in holders.items() if holder and claimant_gone(holder, host)
            ]
            if not gone:
                continue
            reason = "its worker stopped without a word (killed)"
            gathering = self.gathering.get((job, to_wib(run.fire_time)))
            for key in gone:
                if keys[key]:  # a part: its own row, and sent again with the job's next try
                    self.run(self._requeue(key, run.fire_time, reason))
                    if gathering is not None:
                        gathering.crashed.add(keys[key])
            self.log.warning("%s at %s: %s", job, run.fire_time.isoformat(), reason)
            self._step(schedule.RunCrashed(job, run.fire_time, reason))

    async def _holders(self, keys: list[str], fire_time: datetime) -> dict[str, str | None]:
        async with (await self.pool()).acquire() as conn:
            return {key: await ledger.claimed_by(conn, key, fire_time) for key in keys}

    async def _requeue(self, key: str, fire_time: datetime, reason: str) -> None:
        async with (await self.pool()).acquire() as conn:
            await ledger.requeue(conn, key, fire_time, f"worker crashed: {reason}")

    def on_wakeup(self, payload: Any) -> None:
        if payload == "parked":
            self._unpark()

    def receiveMsg_RunNow(self, message: RunNow, sender: Any) -> None:
        if self.state is None:
            return
        self._step(schedule.Tick(self.clock.now()))  # owed at the clock's now, not its last look's
        self._step(schedule.RunNow(message.job))

    def on_due(self) -> Due:
        # Time first, then the readiness that arrived since the last look: fires owed to those
        # buckets then run at this instant, not at the last look's.
        if self.state is None:
            return Due()
        pending, self.ready_pending = self.ready_pending, set()
        self._step(schedule.Tick(self.clock.now()))
        for name in sorted(pending):
            self._step(schedule.BucketReady(name))
        return self.standing()

    def on_timer(self, payload: Any) -> None:
        pass  # sets none

    def standing(self) -> Due:
        """The next fire time, the ready buckets, and whether every dispatched run ended."""
        if self.state is None:
            return Due()
        state = self.state
        upcoming = [
            t
            for key, spec in state.jobs.items()
            for t in schedule.next_fire_times(spec, max(state.cursor[key], state.now), 1)
        ] + [waiting.at for waiting in state.retrying.values()]
        settled = not state.running and not self._parts_out()
        return Due(False, min(upcoming, default=None), frozenset(state.ready), settled)

    def receiveMsg_Poke(self, message: Poke, sender: Any) -> None:
        self.clock.nudge()

    def receiveMsg_SessionReady(self, message: SessionReady, sender: Any) -> None:
        # A session that comes back reports before its instant reaches this actor's clock:
        # evaluated at once, fires owed to its bucket would run at the last look's (stale) time.
        self.ready_pending.add(message.name)
        self.clock.nudge()

    def receiveMsg_SessionLost(self, message: SessionLost, sender: Any) -> None:
        self.ready_pending.discard(message.name)
        self._step(schedule.BucketLost(message.name))

    def receiveMsg_JobDone(self, message: JobDone, sender: Any) -> None:
        if message.part:
            self._part_done(message)
        elif message.status == RunStatus.CRASHED:
            self._step(schedule.RunCrashed(message.job, message.fire_time, message.reason))
        else:
            self._step(
                schedule.RunEnded(message.job, message.fire_time, message.status, message.reason)
            )

    def _part_done(self, message: JobDone) -> None:
        run = (message.job, message.fire_time)
        gathering = self.gathering.get(run)
        if gathering is None:
            if (
                message.status == RunStatus.CRASHED
            ):  # nobody follows this run to try it again: close it
                key = job_parts.ledger_key(message.job, message.part)
                self.run(self._record(key, message.fire_time, RunStatus.FAILED, message.reason))
            return  # news of a run this clock did not dispatch (it restarted since)
        if message.status == RunStatus.CRASHED:
            # The part is tried again with the job's next try (the others keep their outcome).
            gathering.crashed.add(message.part)
            self._step(schedule.RunCrashed(message.job, message.fire_time, message.reason))
            return
        outcome = job_parts.PartOutcome(message.status, message.reason)
        combined = gathering.add(message.part, outcome)
        if combined is None:
            return  # (a simulation's control port looks again after every message)
        del self.gathering[run]
        # The job's own row gets the combined outcome (each part closed its own row).
        self.run(self._record(message.job, message.fire_time, combined.status, combined.reason))
        self._step(
            schedule.RunEnded(message.job, message.fire_time, combined.status, combined.reason)
        )

    async def _record(self, job: str, fire_time: datetime, status: str, reason: str) -> None:
        assert self.state is not None
        async with (await self.pool()).acquire() as conn:
            await ledger.record(conn, job, fire_time, status, reason, self.state.now)

    # ---- effects ---------------------------------------------------------------
    def _step(self, event: schedule.Event) -> None:
        if self.state is None:
            return  # not started yet; readiness arrives again on the session's next report
        if isinstance(event, schedule.Tick) and event.now > self.state.now + timedelta(hours=1):
            self.log.warning(
                "clock jumped forward to %s; missed fire times coalesce", event.now.isoformat()
            )
        self.state, effects = schedule.handle(self.state, event)
        if effects:
            self.run(self._perform(effects))
        self._report()
        self.clock.wake_at(schedule.next_wakeup(self.state, self.cap))

    async def _perform(self, effects: list[schedule.Effect]) -> None:
        assert self.state is not None
        now = self.state.now
        # One transaction: what was settled, what is owed and how far the cursors
        # moved land together, and only then are RunJobs sent. A crash before the
        # commit re-plans the same fire times; after it, queued rows are re-dispatched.
        async with (await self.pool()).acquire() as conn, conn.transaction():
            for effect in effects:
                if isinstance(effect, schedule.Record):
                    await ledger.record(
                        conn, effect.job, effect.fire_time, effect.status, effect.reason, now
                    )
                    if effect.status == RunStatus.FAILED:
                        await self._close_parts(conn, effect, now)
                elif isinstance(effect, schedule.Advance):
                    await ledger.advance_cursor(conn, effect.job, effect.through)
                elif isinstance(effect, (schedule.Dispatch, schedule.Owe)):
                    await ledger.enqueue(conn, effect.job, effect.fire_time)
                elif isinstance(effect, schedule.Requeue):
                    await ledger.requeue(conn, effect.job, effect.fire_time, effect.reason)
        for effect in effects:
            if isinstance(effect, schedule.Dispatch):
                await self._dispatch(effect, now)

    async def _close_parts(self, conn: Any, effect: schedule.Record, now: datetime) -> None:
        """A job failed after a part crashed: the crashed parts' rows, left queued for a try
        that will not come, are failed too (the other parts keep their own outcome)."""
        run = (effect.job, to_wib(effect.fire_time))
        gathering = self.gathering.get(run)
        if gathering is None or not gathering.crashed:
            return
        del self.gathering[run]
        for part in sorted(gathering.crashed):
            key = job_parts.ledger_key(effect.job, part)
            await ledger.record(conn, key, effect.fire_time, RunStatus.FAILED, effect.reason, now)

    async def _dispatch(self, effect: schedule.Dispatch, now: datetime) -> None:
        parts = self.parts_of.get(effect.job, ())
        if len(parts) > 1:
            self._dispatch_parts(effect, parts, now)
            return
        self._send_or_park(effect.job, effect.fire_time, now, "", parts[0][1] if parts else "")

    def _dispatch_parts(
        self, effect: schedule.Dispatch, parts: tuple[tuple[str, str], ...], now: datetime
    ) -> None:
        run = (effect.job, to_wib(effect.fire_time))
        retried = self.gathering.get(run)
        if retried is not None and retried.crashed:
            # The job's next try after a part crashed: only the crashed parts go again.
            again, retried.crashed = sorted(retried.crashed), set()
            for part, actor in parts:
                if part in again:
                    self._send_or_park(effect.job, run[1], now, part, actor)
            return
        # A job runs one fire time at a time: an older gathering of it was given up (a part
        # crashed and the run timed out), so forget it.
        for stale in [r for r in self.gathering if r[0] == effect.job]:
            del self.gathering[stale]
        self.gathering[run] = job_parts.Gathering(tuple(part for part, _ in parts))
        for part, actor in parts:
            self._send_or_park(effect.job, run[1], now, part, actor)

    def _send_or_park(
        self, job: str, fire_time: datetime, now: datetime, part: str, actor: str
    ) -> None:
        worker = self.directory.get(actor)
        if worker is not None:
            self.send(worker, RunJob(job, fire_time, part, self.myAddress))
            return
        self.parked.append(Parked(job, fire_time, now, part, actor, time.monotonic()))
        self.wakeupAfter(self._park_limit(), payload="parked")

    def _park_limit(self) -> timedelta:
        assert self.settings is not None
        return timedelta(seconds=back_within(self.settings.config.supervisor.backoff_max_s))

    def _unpark(self) -> None:
        """Send parked runs whose worker is listed again; fail those that waited too long."""
        if not self.parked:
            return
        waiting, limit = [], self._park_limit().total_seconds()
        for run in self.parked:
            worker = self.directory.get(run.actor)
            if worker is not None:
                self.send(worker, RunJob(run.job, run.fire_time, run.part, self.myAddress))
            elif time.monotonic() - run.since >= limit:
                self.run(self._give_up(run))
            else:
                waiting.append(run)
        self.parked = waiting

    async def _give_up(self, run: Parked) -> None:
        # Said in the ledger rather than left queued, and the job is free for its next fire
        # time. A part's failure joins the others' outcomes (the job's row is written then).
        reason = "no worker available"
        self.log.warning("%s at %s: %s", run.job, run.fire_time.isoformat(), reason)
        if not run.part:
            async with (await self.pool()).acquire() as conn:
                await ledger.record(
                    conn, run.job, run.fire_time, RunStatus.FAILED, reason, run.dispatched_at
                )
        self.send(
            self.myAddress, JobDone(run.job, run.fire_time, RunStatus.FAILED, reason, run.part)
        )

    def _parts_out(self) -> bool:
        """A part still working for a run that left `running` because another part crashed
        (the run waits for its retry): the instant is not over until the part answers."""
        return any(job_parts.parts_out(g) for g in self.gathering.values())

    def _report(self) -> None:
        if self.supervisor is None or self.state is None:
            return
        state = self.state
        buckets = {b: state.is_ready(b) for b in {s.bucket for s in state.jobs.values()}}
        upcoming = {
            key: [t.isoformat() for t in schedule.next_fire_times(spec, state.now, 3)]
            for key, spec in state.jobs.items()
        }
        self.send(
            self.supervisor,
            StatusReport(
                self.name,
                {
                    "now": state.now.isoformat(),
                    "buckets": buckets,
                    "next": upcoming,
                    "running": {k: r.fire_time.isoformat() for k, r in state.running.items()},
                    "implemented": sorted(state.implemented),
                },
            ),
        )

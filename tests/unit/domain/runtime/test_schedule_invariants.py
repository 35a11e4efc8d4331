"""DESIGN §5 invariants 1–4 (and 6's retry of crashed runs) as hypothesis state machines
over the clock's pure core.

The harness plays what the actors do around the core: it writes Record/Advance/
Owe/Dispatch/Requeue effects to a ledger model with the same rules as cicero/db/ledger.py
(claim only a queued row; settle only an absent or queued row), runs workers that
finish, fail, crash (and say so) or die silently, and restarts the whole process (fresh clock from stored
cursors and queued rows, sessions down, in-flight work lost). Time is a rule.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cicero.domain.runtime import job_retry
from cicero.domain.runtime import schedule as s
from cicero.domain.runtime.jobs import ALWAYS, JobSpec
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 5, 50, tzinfo=WIB)
JOBS = (
    JobSpec(
        "ingest",
        "Ingest",
        ALWAYS,
        ("0,30 6-21 * * *",),
        grace=timedelta(minutes=20),
        timeout=timedelta(minutes=50),
    ),
    JobSpec("broadcast", "Broadcast", "gateway", after="ingest", grace=timedelta(minutes=20)),
    JobSpec("recap", "Recap", "gateway", ("20 */2 * * *",), grace=timedelta(minutes=60)),
    JobSpec("remind", "Reminder", "operator", ("5,35 * * * *",), grace=timedelta(minutes=30)),
    JobSpec("off", "Disabled", ALWAYS, ("*/20 * * * *",), enabled=False),
    JobSpec("todo", "Not implemented", ALWAYS, ("*/15 * * * *",)),
)
SPECS = {j.key: j for j in JOBS}
IMPLEMENTED = {"ingest", "broadcast", "recap", "remind", "off"}
BUCKETS = ("gateway", "operator")
FINAL = {"done", "failed", "skipped", "missed"}


class ClockWorld(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.ledger: dict[tuple[str, datetime], str] = {}
        self.cursors: dict[str, datetime] = {}
        self.ready: set[str] = set()
        self.in_flight: list[tuple[str, datetime]] = []
        self.started: Counter[tuple[str, datetime]] = Counter()
        self.crashed: Counter[tuple[str, datetime]] = Counter()
        self.dispatch_log: list[
            tuple[str, datetime, bool]
        ] = []  # job, fire time, bucket ready then
        self.overlap_violations: list[str] = []
        self.coalesce_violations: list[str] = []
        self.checked_to: dict[str, datetime] = {}
        self.clock, effects = s.initial(JOBS, IMPLEMENTED, self.now)
        self.apply(effects)

    # ---- the shell around the core ------------------------------------------
    def step(self, event: s.Event) -> list[s.Effect]:
        self.clock, effects = s.handle(self.clock, event)
        self.apply(effects)
        return effects

    def apply(self, effects: list[s.Effect]) -> None:
        for e in effects:
            gave_up = isinstance(e, s.Record) and e.reason.startswith("timed out")
            if gave_up and (e.job, e.fire_time) in self.in_flight:
                # The worker enforces the same timeout (asyncio.wait_for), so its run ends too.
                self.in_flight.remove((e.job, e.fire_time))
            if isinstance(e, s.Record):
                current = self.ledger.get((e.job, e.fire_time))
                if e.status == "failed":
                    if current in ("queued", "running"):
                        self.ledger[(e.job, e.fire_time)] = "failed"
                elif current in (None, "queued"):
                    self.ledger[(e.job, e.fire_time)] = e.status
            elif isinstance(e, s.Advance):
                self.cursors[e.job] = max(self.cursors.get(e.job, e.through), e.through)
            elif isinstance(e, (s.Dispatch, s.Owe)):
                self.ledger.setdefault((e.job, e.fire_time), "queued")
            elif isinstance(e, s.Requeue) and self.ledger.get((e.job, e.fire_time)) in (
                "queued",
                "running",
            ):
                self.ledger[(e.job, e.fire_time)] = "queued"
        for e in effects:
            if isinstance(e, s.Dispatch):
                bucket = SPECS[e.job].bucket
                self.dispatch_log.append(
                    (e.job, e.fire_time, bucket == ALWAYS or bucket in self.ready)
                )
                if any(job == e.job for job, _ in self.in_flight):
                    self.overlap_violations.append(f"{e.job} dispatched while running")
                if self.ledger.get((e.job, e.fire_time)) == "queued":  # the worker's claim
                    self.ledger[(e.job, e.fire_time)] = "running"
                    self.started[(e.job, e.fire_time)] += 1
                    self.in_flight.append((e.job, e.fire_time))

    # ---- rules ---------------------------------------------------------------
    @rule(minutes=st.integers(1, 240))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        self.step(s.Tick(self.now))

    @rule(minutes=st.integers(1, 600))
    def clock_jumps_backwards(self, minutes: int) -> None:
        self.step(s.Tick(self.now - timedelta(minutes=minutes)))

    @rule(bucket=st.sampled_from(BUCKETS))
    def session_ready(self, bucket: str) -> None:
        was_down = bucket not in self.ready
        self.ready.add(bucket)
        effects = self.step(s.BucketReady(bucket))
        if was_down:
            self.check_coalescing(effects)

    @rule(bucket=st.sampled_from(BUCKETS))
    def session_lost(self, bucket: str) -> None:
        self.ready.discard(bucket)
        self.step(s.BucketLost(bucket))

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data(), outcome=st.sampled_from(["done", "failed"]))
    def run_ends(self, data: st.DataObject, outcome: str) -> None:
        job, fire_time = data.draw(st.sampled_from(self.in_flight))
        self.in_flight.remove((job, fire_time))
        if self.ledger[(job, fire_time)] == "running":
            self.ledger[(job, fire_time)] = outcome
        self.step(s.RunEnded(job, fire_time, outcome))

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data())
    def worker_dies(self, data: st.DataObject) -> None:
        # Killed mid-run: no result ever comes; the ledger row stays running.
        self.in_flight.remove(data.draw(st.sampled_from(self.in_flight)))

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data())
    def worker_crashes(self, data: st.DataObject) -> None:
        # The worker's crash hook puts its row back to queued and tells the clock.
        job, fire_time = data.draw(st.sampled_from(self.in_flight))
        self.in_flight.remove((job, fire_time))
        self.crashed[(job, fire_time)] += 1
        if self.ledger[(job, fire_time)] == "running":
            self.ledger[(job, fire_time)] = "queued"
        self.step(s.RunCrashed(job, fire_time, "boom"))

    @rule()
    def process_restarts(self) -> None:
        self.in_flight.clear()
        self.ready.clear()
        queued = [key for key, status in self.ledger.items() if status == "queued"]
        self.clock, effects = s.initial(JOBS, IMPLEMENTED, self.now, self.cursors, queued)
        self.apply(effects)
        self.step(s.Tick(self.now))

    # ---- invariants (DESIGN §5) -------------------------------------------------
    def check_coalescing(self, effects: list[s.Effect]) -> None:
        dispatched = [e for e in effects if isinstance(e, s.Dispatch)]
        per_job = Counter(e.job for e in dispatched)
        for e in dispatched:
            if per_job[e.job] > 1:
                self.coalesce_violations.append(f"{e.job} ran {per_job[e.job]} fire times at once")
            if self.now - e.fire_time > SPECS[e.job].grace:
                self.coalesce_violations.append(f"{e.job} ran {e.fire_time} outside its grace")
            missed = [
                r
                for r in effects
                if isinstance(r, s.Record) and r.job == e.job and r.status == "missed"
            ]
            if any(r.fire_time > e.fire_time for r in missed):
                self.coalesce_violations.append(
                    f"{e.job} ran an older fire time than one it missed"
                )

    @invariant()
    def invariant_1_gating(self) -> None:
        assert all(ready for _, _, ready in self.dispatch_log), (
            "dispatched to a bucket that was not ready"
        )

    @invariant()
    def invariant_2_once_per_fire_time(self) -> None:
        # Begun again only after a crash, at most MAX_ATTEMPTS times per clock (a process
        # restart forgets the count; the grace still bounds it).
        for key, n in self.started.items():
            assert n <= 1 + self.crashed[key], (key, n, self.crashed[key])

    @invariant()
    def invariant_6_crashed_runs_are_retried_or_failed(self) -> None:
        for job, fire_time in self.crashed:
            status = self.ledger[(job, fire_time)]
            assert status in ("queued", "running", "failed", "missed", "done"), status
            waiting = self.clock.retrying.get(job)
            if status == "queued" and waiting is not None and waiting.fire_time == fire_time:
                assert waiting.attempt <= job_retry.MAX_ATTEMPTS
                assert waiting.at - fire_time <= SPECS[job].grace

    @invariant()
    def invariant_3_no_overlap(self) -> None:
        assert not self.overlap_violations, self.overlap_violations
        running_jobs = [job for job, _ in self.in_flight]
        assert len(running_jobs) == len(set(running_jobs))

    @invariant()
    def invariant_4_missed_fires_coalesce(self) -> None:
        assert not self.coalesce_violations, self.coalesce_violations

    @invariant()
    def nothing_is_lost_silently(self) -> None:
        # Every cron fire time the clock has settled has a ledger row saying what became of it.
        for key in ("ingest", "recap", "remind", "off"):
            spec = SPECS[key]
            cursor = self.cursors.get(key)
            if cursor is None:
                continue
            for t in s.fire_times(spec, self.checked_to.get(key, T0), cursor):
                assert (key, t) in self.ledger, f"{key} at {t} vanished"
            self.checked_to[key] = cursor  # settled rows are never removed, so check each once

    @invariant()
    def disabled_and_unimplemented_never_run(self) -> None:
        assert not any(job in ("off", "todo") for job, _, _ in self.dispatch_log)


ClockWorld.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
TestClockInvariants = ClockWorld.TestCase

"""The clock's brain: which (job, fire time) pairs to dispatch, record or hold.

A sans-I/O state machine in the h11 manner. The Clock actor feeds it `Tick(now)`,
bucket readiness and run completions; it answers with effects (`Dispatch`,
`Record`, `Advance`) that the actor performs. Time is always an argument.

Invariants it keeps (DESIGN §5): a job of bucket B is dispatched only while B is
ready; a fire time is dispatched at most once by this state (the ledger makes
that hold across processes); a job still running is not started again (the
fire time is recorded skipped); fire times missed while a bucket was down
coalesce to the newest within grace, older ones are recorded missed; a run whose
worker crashed is tried again after a backoff while within grace, a bounded number
of times (cicero.domain.runtime.job_retry), and only then recorded failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from croniter import CroniterBadDateError, croniter

from cicero.domain.runtime import job_retry
from cicero.domain.runtime.jobs import ALWAYS, JobSpec
from cicero.domain.runtime.names import RunStatus
from cicero.domain.timezone import to_wib

_V = TypeVar("_V")

# Enumerating fire times is bounded so a long outage cannot stall the clock:
# beyond this many, the oldest are recorded missed in one summary record.
MAX_ENUMERATED = 2000


# ---- events -----------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    now: datetime


@dataclass(frozen=True)
class BucketReady:
    bucket: str


@dataclass(frozen=True)
class BucketLost:
    bucket: str


@dataclass(frozen=True)
class RunEnded:
    job: str
    fire_time: datetime
    status: str  # done | failed | skipped
    reason: str = ""


@dataclass(frozen=True)
class RunNow:
    """An admin asks for a run of `job` now (the status page's "run now"): owed at the
    clock's instant, it waits for its bucket and for a running one to end, like any owed run,
    and coalesces with one already owed."""

    job: str


@dataclass(frozen=True)
class RunCrashed:
    """The run's worker crashed (or vanished) before it could say how the run ended."""

    job: str
    fire_time: datetime
    reason: str = ""


Event = Tick | BucketReady | BucketLost | RunEnded | RunCrashed | RunNow

# ---- effects ----------------------------------------------------------------


@dataclass(frozen=True)
class Dispatch:
    job: str
    fire_time: datetime


@dataclass(frozen=True)
class Record:
    """A fire time that reaches its final status without running."""

    job: str
    fire_time: datetime
    status: str
    reason: str


@dataclass(frozen=True)
class Advance:
    """Fire times up to `through` are handled for `job`: persist it so a restart resumes there."""

    job: str
    through: datetime


@dataclass(frozen=True)
class Owe:
    """An after-job's fire time is owed: persist it (ledger `queued`) while it waits."""

    job: str
    fire_time: datetime


@dataclass(frozen=True)
class Requeue:
    """A crashed run will be tried again: its ledger row goes back to `queued` (claimable)."""

    job: str
    fire_time: datetime
    reason: str


Effect = Dispatch | Record | Advance | Owe | Requeue

# ---- fire times -------------------------------------------------------------


def fire_times(
    spec: JobSpec, after: datetime, until: datetime, limit: int = MAX_ENUMERATED
) -> list[datetime]:
    """Fire times of `spec` strictly after `after` and at or before `until`, oldest first."""
    after, until = to_wib(after), to_wib(until)
    upcoming = next_fire_times(spec, after, 1)  # remembered: most looks find nothing due
    if not upcoming or upcoming[0] > until:
        return []
    found: set[datetime] = set()
    for expr in spec.crons:
        it = croniter(expr, after)
        for _ in range(limit):
            try:
                t = it.get_next(datetime)
            except CroniterBadDateError:  # a cron that never fires is simply never due
                break
            if t > until:
                break
            found.add(t)
    return sorted(found)


# The clock asks for every job's next fire times several times an instant (its tick, its
# wake-up, its report, a simulation's pump), and a croniter walk costs ~0.1 ms: a simulated
# day spent seconds of the clock's CPU there. The fire times after `after` are those after
# any later instant before the first of them, so the last answer per (crons, count) holds
# until time reaches that first fire time.
_LAST_NEXT: dict[tuple[tuple[str, ...], int], tuple[datetime, tuple[datetime, ...]]] = {}


def next_fire_times(spec: JobSpec, after: datetime, count: int) -> list[datetime]:
    """The next `count` fire times strictly after `after` (an empty list for after-jobs)."""
    after = to_wib(after)
    key = (spec.crons, count)
    last = _LAST_NEXT.get(key)
    if last is not None:
        since, times = last
        if since <= after and (not times or after < times[0]):
            return list(times)
    found: set[datetime] = set()
    for expr in spec.crons:
        it = croniter(expr, after)
        for _ in range(count):
            try:
                found.add(it.get_next(datetime))
            except CroniterBadDateError:
                break
    times = tuple(sorted(found)[:count])
    _LAST_NEXT[key] = (after, times)
    return list(times)


# ---- state ------------------------------------------------------------------


@dataclass(frozen=True)
class Running:
    fire_time: datetime
    deadline: datetime
    attempt: int = 1


@dataclass(frozen=True)
class Retrying:
    """A crashed run waiting for its next try."""

    fire_time: datetime
    at: datetime
    attempt: int  # the number of the try to come


@dataclass(frozen=True)
class ClockState:
    jobs: Mapping[str, JobSpec]
    implemented: frozenset[str]
    now: datetime
    cursor: Mapping[str, datetime]  # cron fire times at or before it are settled
    ready: frozenset[str] = frozenset({ALWAYS})
    running: Mapping[str, Running] = field(default_factory=dict)
    # Owed but not dispatched: after-jobs waiting for readiness, and runs queued
    # before a restart that no worker claimed. At most one per job.
    held: Mapping[str, datetime] = field(default_factory=dict)
    retrying: Mapping[str, Retrying] = field(default_factory=dict)

    def is_ready(self, bucket: str) -> bool:
        return bucket == ALWAYS or bucket in self.ready

    def dispatchable(self, spec: JobSpec) -> bool:
        return spec.enabled and spec.key in self.implemented


COALESCED = "coalesced into a later fire time"
DISABLED = "disabled"  # the reason of a fire time skipped because its job is switched off


def initial(
    jobs: Iterable[JobSpec],
    implemented: Iterable[str],
    now: datetime,
    cursors: Mapping[str, datetime] | None = None,
    queued: Iterable[tuple[str, datetime]] = (),
) -> tuple[ClockState, list[Effect]]:
    """A clock after a (re)start, from what the ledger holds.

    `cursors`: per job, cron fire times settled so far; a job never seen starts
    at `now` (fire times before the very first start are not owed).
    `queued`: runs dispatched or owed but never claimed; they run again if still
    within grace, the newest per job, like any missed fire time.
    """
    now = to_wib(now)
    specs = {j.key: j for j in jobs}
    stored = cursors or {}
    state = ClockState(
        jobs=specs,
        implemented=frozenset(implemented),
        now=now,
        cursor={k: to_wib(stored.get(k, now)) for k in specs},
    )
    held: dict[str, datetime] = {}
    # A job seen for the first time gets its cursor stored now, so that fire times
    # held back before a restart are still owed after it.
    effects: list[Effect] = [Advance(k, now) for k in specs if k not in stored]
    for job, fire_time in sorted(queued, key=lambda q: q[1]):
        fire_time = to_wib(fire_time)
        if job not in specs or not state.dispatchable(specs[job]):
            effects.append(
                Record(job, fire_time, RunStatus.SKIPPED, "not enabled or not implemented")
            )
            continue
        if job in held:
            effects.append(Record(job, held[job], RunStatus.MISSED, COALESCED))
        held[job] = fire_time
    return replace(state, held=held), effects


def handle(state: ClockState, event: Event) -> tuple[ClockState, list[Effect]]:
    if isinstance(event, Tick):
        # A clock that jumps backwards keeps its cursors: nothing is redone.
        return _evaluate(replace(state, now=max(state.now, to_wib(event.now))))
    if isinstance(event, BucketReady):
        return _evaluate(replace(state, ready=state.ready | {event.bucket}))
    if isinstance(event, BucketLost):
        if event.bucket == ALWAYS:
            return state, []
        return replace(state, ready=state.ready - {event.bucket}), []
    if isinstance(event, RunEnded):
        return _run_ended(state, event)
    if isinstance(event, RunNow):
        return _run_now(state, event.job)
    if isinstance(event, RunCrashed):
        return _run_crashed(state, event)
    raise TypeError(f"clock cannot handle {type(event).__name__}")


def _evaluate(state: ClockState) -> tuple[ClockState, list[Effect]]:
    effects: list[Effect] = []
    now = state.now
    # Runs that outlived their timeout are given up, so one lost worker cannot
    # block a job forever; the ledger lease lets the row be taken over.
    running = dict(state.running)
    for key, run in list(running.items()):
        if now > run.deadline:
            del running[key]
            effects.append(
                Record(key, run.fire_time, RunStatus.FAILED, "timed out: no result from the worker")
            )
    state = replace(state, running=running)
    cursor = dict(state.cursor)
    for key, spec in state.jobs.items():
        if not spec.crons:
            continue
        due = fire_times(spec, cursor[key], now)
        if not due:
            continue
        if not spec.enabled:
            effects += [Record(key, t, RunStatus.SKIPPED, DISABLED) for t in due]
        elif key not in state.implemented:
            pass  # shown as not implemented; never dispatched, nothing owed
        elif not state.is_ready(spec.bucket):
            continue  # held back: the cursor stays, so readiness or a restart re-evaluates them
        else:
            state, more = _fire(state, spec, due)
            effects += more
        cursor[key] = due[-1]
        effects.append(Advance(key, due[-1]))
    state = replace(state, cursor=cursor)
    state, more = _retry_due(state)
    effects += more
    state, more = _release_held(state)
    return state, effects + more


def _fire(state: ClockState, spec: JobSpec, due: list[datetime]) -> tuple[ClockState, list[Effect]]:
    """Coalesce: the newest due fire time runs if within grace; older ones are missed."""
    older = list(due[:-1])
    if spec.key in state.held:  # a run owed from before a restart is older than these
        older.insert(0, state.held[spec.key])
        state = replace(state, held={k: v for k, v in state.held.items() if k != spec.key})
    if spec.key in state.retrying:  # so is a crashed run waiting for its next try
        older.insert(0, state.retrying[spec.key].fire_time)
        state = replace(state, retrying=_without(state.retrying, spec.key))
    effects: list[Effect] = [Record(spec.key, t, RunStatus.MISSED, COALESCED) for t in older]
    return _start_if_fresh(state, spec, due[-1], effects)


def _start_if_fresh(
    state: ClockState, spec: JobSpec, fire_time: datetime, effects: list[Effect]
) -> tuple[ClockState, list[Effect]]:
    if state.now - fire_time > spec.grace:
        return state, [
            *effects,
            Record(spec.key, fire_time, RunStatus.MISSED, f"older than grace {spec.grace}"),
        ]
    busy = state.running.get(spec.key)
    if busy is not None:
        reason = f"overlap: still running {busy.fire_time.isoformat()}"
        return state, [*effects, Record(spec.key, fire_time, RunStatus.SKIPPED, reason)]
    running = {**state.running, spec.key: Running(fire_time, state.now + spec.timeout)}
    return replace(state, running=running), [*effects, Dispatch(spec.key, fire_time)]


def _run_ended(state: ClockState, event: RunEnded) -> tuple[ClockState, list[Effect]]:
    run = state.running.get(event.job)
    if run is None or run.fire_time != to_wib(event.fire_time):
        return state, []  # stale news of a run already given up
    state = replace(state, running={k: v for k, v in state.running.items() if k != event.job})
    held = dict(state.held)
    effects: list[Effect] = []
    if event.status == RunStatus.DONE:
        for spec in state.jobs.values():
            if spec.after == event.job and state.dispatchable(spec):
                if spec.key in held:
                    effects.append(Record(spec.key, held[spec.key], RunStatus.MISSED, COALESCED))
                held[spec.key] = run.fire_time
                effects.append(Owe(spec.key, run.fire_time))
    state, more = _release_held(replace(state, held=held))
    return state, effects + more


def _run_now(state: ClockState, job: str) -> tuple[ClockState, list[Effect]]:
    spec = state.jobs.get(job)
    if spec is None or not state.dispatchable(spec):
        return state, [Record(job, state.now, RunStatus.SKIPPED, "not enabled or not implemented")]
    held = dict(state.held)
    effects: list[Effect] = []
    if job in held:
        effects.append(Record(job, held[job], RunStatus.MISSED, COALESCED))
    held[job] = state.now
    effects.append(Owe(job, state.now))
    state, more = _release_held(replace(state, held=held))
    return state, effects + more


def _run_crashed(state: ClockState, event: RunCrashed) -> tuple[ClockState, list[Effect]]:
    run = state.running.get(event.job)
    if run is None or run.fire_time != to_wib(event.fire_time):
        return state, []  # stale: a run already given up, or news repeated
    state = replace(state, running=_without(state.running, event.job))
    spec = state.jobs[event.job]
    decision = job_retry.after_crash(
        run.attempt, run.fire_time, state.now, spec.grace, event.reason or "no reason given"
    )
    if isinstance(decision, job_retry.RetryAt):
        waiting = Retrying(run.fire_time, decision.at, decision.attempt)
        state = replace(state, retrying={**state.retrying, event.job: waiting})
        return state, [Requeue(event.job, run.fire_time, f"worker crashed: {event.reason}")]
    state, more = _release_held(state)
    return state, [Record(event.job, run.fire_time, RunStatus.FAILED, decision.reason), *more]


def _retry_due(state: ClockState) -> tuple[ClockState, list[Effect]]:
    """Crashed runs whose next try is due go out again, once their bucket is ready; one
    whose grace ran out while it waited is failed."""
    effects: list[Effect] = []
    for key, waiting in list(state.retrying.items()):
        spec = state.jobs[key]
        if waiting.at > state.now or not state.is_ready(spec.bucket) or key in state.running:
            continue
        state = replace(state, retrying=_without(state.retrying, key))
        if state.now - waiting.fire_time > spec.grace:
            reason = f"worker crashed; its next try came after grace {spec.grace}"
            effects.append(Record(key, waiting.fire_time, RunStatus.FAILED, reason))
            continue
        running = Running(waiting.fire_time, state.now + spec.timeout, waiting.attempt)
        state = replace(state, running={**state.running, key: running})
        effects.append(Dispatch(key, waiting.fire_time))
    return state, effects


def _without(mapping: Mapping[str, _V], key: str) -> dict[str, _V]:
    return {k: v for k, v in mapping.items() if k != key}


def _release_held(state: ClockState) -> tuple[ClockState, list[Effect]]:
    """Dispatch owed runs whose bucket is ready and whose job is idle."""
    effects: list[Effect] = []
    for key, fire_time in list(state.held.items()):
        spec = state.jobs[key]
        if not state.is_ready(spec.bucket) or key in state.running:
            continue
        state = replace(state, held={k: v for k, v in state.held.items() if k != key})
        state, effects = _start_if_fresh(state, spec, fire_time, effects)
    return state, effects


def next_wakeup(state: ClockState, cap: timedelta) -> datetime:
    """When the clock should look again: the earliest upcoming fire time, capped."""
    soonest = state.now + cap
    for key, spec in state.jobs.items():
        for t in next_fire_times(spec, max(state.cursor[key], state.now), 1):
            soonest = min(soonest, t)
    for waiting in state.retrying.values():
        soonest = min(soonest, max(waiting.at, state.now))
    return soonest

"""A run whose worker crashed is tried again within grace, boundedly (invariant 6)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime import job_retry
from cicero.domain.runtime import schedule as s
from cicero.domain.runtime.jobs import JobSpec
from cicero.domain.timezone import WIB
from tests.unit.domain.runtime.test_schedule import dispatches, records

RECAP = JobSpec("recap", "Recap", "gateway", ("20 15 * * *",), grace=timedelta(minutes=60))
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=WIB)
FIRE = datetime(2026, 11, 23, 15, 20, tzinfo=WIB)


def clock_running_recap(now: datetime = FIRE) -> s.ClockState:
    state, _ = s.initial([RECAP], {"recap"}, T0)
    state, _ = s.handle(state, s.BucketReady("gateway"))
    state, effects = s.handle(state, s.Tick(now))
    assert dispatches(effects) == [("recap", FIRE)]
    return state


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_a_crashed_run_is_requeued_and_tried_again_after_its_backoff() -> None:
    state = clock_running_recap()
    state, effects = s.handle(state, s.RunCrashed("recap", FIRE, "RuntimeError: boom"))
    assert effects == [s.Requeue("recap", FIRE, "worker crashed: RuntimeError: boom")]
    assert "recap" not in state.running  # nothing running: a simulation's clock may move on
    assert s.next_wakeup(state, timedelta(minutes=5)) == FIRE + job_retry.FIRST_BACKOFF
    state, effects = s.handle(state, s.Tick(FIRE + seconds(29)))
    assert dispatches(effects) == []
    state, effects = s.handle(state, s.Tick(FIRE + seconds(30)))
    assert dispatches(effects) == [("recap", FIRE)]
    state, effects = s.handle(state, s.RunEnded("recap", FIRE, "done"))
    assert records(effects) == [] and not state.retrying and not state.running


def test_failed_only_after_the_last_try() -> None:
    state, now = clock_running_recap(), FIRE
    for attempt in range(1, job_retry.MAX_ATTEMPTS):
        state, effects = s.handle(state, s.RunCrashed("recap", FIRE, "KeyError: x"))
        assert records(effects, "failed") == []
        now += job_retry.backoff(attempt)
        state, effects = s.handle(state, s.Tick(now))
        assert dispatches(effects) == [("recap", FIRE)]
    state, effects = s.handle(state, s.RunCrashed("recap", FIRE, "KeyError: x"))
    assert records(effects, "failed") == [("recap", FIRE, "worker crashed, 3 tries: KeyError: x")]
    assert not state.retrying and not state.running


def test_no_try_past_grace() -> None:
    late = FIRE + RECAP.grace - seconds(10)  # a run begun near the end of its grace
    state = clock_running_recap(late)
    state, effects = s.handle(state, s.RunCrashed("recap", FIRE, "boom"))
    [(_, _, reason)] = records(effects, "failed")
    assert reason.startswith("worker crashed, no time for another try within grace")


def test_a_due_retry_waits_for_its_bucket_and_fails_if_grace_runs_out() -> None:
    state = clock_running_recap()
    state, _ = s.handle(state, s.RunCrashed("recap", FIRE, "boom"))
    state, _ = s.handle(state, s.BucketLost("gateway"))
    state, effects = s.handle(state, s.Tick(FIRE + seconds(40)))
    assert dispatches(effects) == []
    back, effects = s.handle(state, s.BucketReady("gateway"))
    assert dispatches(effects) == [("recap", FIRE)]
    state, _ = s.handle(state, s.Tick(FIRE + RECAP.grace + seconds(1)))
    state, effects = s.handle(state, s.BucketReady("gateway"))
    assert dispatches(effects) == [] and [r[1] for r in records(effects, "failed")] == [FIRE]


def test_a_newer_fire_time_supersedes_a_pending_retry() -> None:
    spec = JobSpec("ingest", "Ingest", "always", ("*/1 * * * *",), grace=timedelta(minutes=20))
    state, _ = s.initial([spec], {"ingest"}, FIRE)
    state, _ = s.handle(state, s.Tick(FIRE + seconds(60)))
    first = FIRE + seconds(60)
    state, _ = s.handle(state, s.RunCrashed("ingest", first, "boom"))
    state, effects = s.handle(state, s.Tick(FIRE + seconds(120)))
    assert dispatches(effects) == [("ingest", FIRE + seconds(120))]
    assert [r[1] for r in records(effects, "missed")] == [first]
    assert not state.retrying


def test_news_of_a_crash_for_a_run_not_running_changes_nothing() -> None:
    state = clock_running_recap()
    same, effects = s.handle(state, s.RunCrashed("recap", FIRE - seconds(60), "boom"))
    assert (same, effects) == (state, [])


@given(st.integers(1, 6), st.integers(0, 7200), st.integers(60, 7200))
def test_retry_policy_stays_bounded_and_within_grace(attempt: int, late_s: int, grace_s: int):
    now = FIRE + seconds(late_s)
    decision = job_retry.after_crash(attempt, FIRE, now, seconds(grace_s), "e")
    if isinstance(decision, job_retry.RetryAt):
        assert attempt < job_retry.MAX_ATTEMPTS and decision.attempt == attempt + 1
        assert now < decision.at and decision.at - FIRE <= seconds(grace_s)
    else:
        assert attempt >= job_retry.MAX_ATTEMPTS or now + job_retry.backoff(
            attempt
        ) - FIRE > seconds(grace_s)

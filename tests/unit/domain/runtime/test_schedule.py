"""The clock's pure core, example by example (the properties are in test_schedule_invariants.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime import schedule as s
from cicero.domain.runtime.jobs import JobSpec, cron_problem
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 5, 0, tzinfo=WIB)
INGEST = JobSpec(
    "ingest", "Ingest", "always", ("0,30 6-21 * * *", "0 22 * * *"), grace=timedelta(minutes=20)
)
RECAP = JobSpec("recap", "Recap", "gateway", ("20 15,18,20 * * *",), grace=timedelta(minutes=60))
BROADCAST = JobSpec(
    "broadcast", "Broadcast", "gateway", after="ingest", grace=timedelta(minutes=20)
)
OFF = JobSpec("off", "Off", "always", ("0 7 * * *",), enabled=False)
TODO = JobSpec("todo", "Todo", "always", ("0 7 * * *",))
JOBS = (INGEST, RECAP, BROADCAST, OFF)
IMPLEMENTED = {"ingest", "recap", "broadcast", "off"}


def at(hh: int, mm: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=WIB)


def start(now: datetime = T0, jobs=JOBS, implemented=IMPLEMENTED, **kw) -> s.ClockState:
    state, effects = s.initial(jobs, implemented, now, **kw)
    assert effects == [s.Advance(j.key, now) for j in jobs if j.key not in kw.get("cursors", {})]
    return state


def dispatches(effects) -> list[tuple[str, datetime]]:
    return [(e.job, e.fire_time) for e in effects if isinstance(e, s.Dispatch)]


def records(effects, status: str | None = None) -> list[tuple[str, datetime, str]]:
    return [
        (e.job, e.fire_time, e.reason)
        for e in effects
        if isinstance(e, s.Record) and (status is None or e.status == status)
    ]


def test_fire_times_are_aware_jakarta_times_and_include_both_crons() -> None:
    times = s.fire_times(INGEST, at(21, 0), at(23, 0))
    assert times == [at(21, 30), at(22, 0)]
    assert all(t.utcoffset() == timedelta(hours=7) for t in times)


def test_fire_times_from_a_utc_seed_are_still_read_in_jakarta() -> None:
    utc_seed = datetime(2026, 11, 23, 0, 0, tzinfo=WIB).astimezone(WIB.__class__("UTC"))
    assert s.next_fire_times(INGEST, utc_seed, 1) == [at(6, 0)]


def test_last_day_of_month_cron() -> None:
    monthly = JobSpec("m", "M", "operator", ("0 23 L * *",))
    assert s.next_fire_times(monthly, at(12), 2) == [
        at(23, 0, day=30),
        datetime(2026, 12, 31, 23, tzinfo=WIB),
    ]


def test_cron_problems_are_named() -> None:
    assert cron_problem("0 7 * * *") is None
    assert "6 fields" in (cron_problem("0 0 7 * * *") or "")
    assert "not a valid" in (cron_problem("99 7 * * *") or "")
    assert "never fires" in (cron_problem("0 0 31 2 *") or "")


def test_always_jobs_run_without_any_session() -> None:
    state, effects = s.handle(start(), s.Tick(at(6, 0)))
    assert dispatches(effects) == [("ingest", at(6, 0))]
    assert ("ingest", at(6, 0)) in [(e.job, e.through) for e in effects if isinstance(e, s.Advance)]


def test_gateway_job_waits_for_its_session_then_runs_within_grace() -> None:
    state = start(at(15, 0))
    state, effects = s.handle(state, s.Tick(at(15, 21)))
    assert "recap" not in [j for j, _ in dispatches(effects)]
    state, effects = s.handle(state, s.BucketReady("gateway"))
    assert dispatches(effects) == [("recap", at(15, 20))]


def test_fire_times_missed_while_down_coalesce_to_the_newest_within_grace() -> None:
    state = start(at(15, 0))
    state, _ = s.handle(state, s.Tick(at(18, 50)))  # gateway down across 15:20 and 18:20
    state, effects = s.handle(state, s.BucketReady("gateway"))
    assert dispatches(effects) == [("recap", at(18, 20))]
    assert records(effects, "missed") == [("recap", at(15, 20), s.COALESCED)]


def test_a_fire_time_older_than_grace_is_recorded_missed_not_run() -> None:
    state = start(at(15, 0))
    state, _ = s.handle(state, s.Tick(at(16, 30)))
    state, effects = s.handle(state, s.BucketReady("gateway"))
    assert dispatches(effects) == []
    assert records(effects, "missed") == [("recap", at(15, 20), "older than grace 1:00:00")]


def test_losing_the_session_stops_dispatch() -> None:
    state, _ = s.handle(start(at(15, 0)), s.BucketReady("gateway"))
    state, _ = s.handle(state, s.BucketLost("gateway"))
    state, effects = s.handle(state, s.Tick(at(15, 30)))
    assert "recap" not in [j for j, _ in dispatches(effects)]


def test_overlap_is_recorded_skipped() -> None:
    state, effects = s.handle(start(), s.Tick(at(6, 0)))
    state, effects = s.handle(state, s.Tick(at(6, 30)))
    assert dispatches(effects) == []
    assert records(effects, "skipped") == [
        ("ingest", at(6, 30), "overlap: still running 2026-11-23T06:00:00+07:00")
    ]


def test_after_job_runs_when_its_parent_finishes_for_the_same_fire_time() -> None:
    state, _ = s.handle(start(), s.BucketReady("gateway"))
    state, _ = s.handle(state, s.Tick(at(6, 0)))
    state, effects = s.handle(state, s.RunEnded("ingest", at(6, 0), "done"))
    assert s.Owe("broadcast", at(6, 0)) in effects
    assert dispatches(effects) == [("broadcast", at(6, 0))]


def test_after_job_is_held_until_its_bucket_is_ready() -> None:
    state, _ = s.handle(start(), s.Tick(at(6, 0)))
    state, effects = s.handle(state, s.RunEnded("ingest", at(6, 0), "done"))
    assert dispatches(effects) == []
    state, effects = s.handle(state, s.BucketReady("gateway"))
    assert dispatches(effects) == [("broadcast", at(6, 0))]


def test_failed_parent_does_not_trigger_its_after_job() -> None:
    state, _ = s.handle(start(), s.BucketReady("gateway"))
    state, _ = s.handle(state, s.Tick(at(6, 0)))
    state, effects = s.handle(state, s.RunEnded("ingest", at(6, 0), "failed", "boom"))
    assert dispatches(effects) == []


def test_disabled_jobs_never_run_and_their_fire_times_are_recorded_skipped() -> None:
    state, effects = s.handle(start(), s.Tick(at(7, 1)))
    assert "off" not in [j for j, _ in dispatches(effects)]
    assert records(effects, "skipped") == [("off", at(7, 0), "disabled")]


def test_unimplemented_jobs_are_never_dispatched() -> None:
    state, effects = s.handle(start(jobs=(TODO,), implemented=set()), s.Tick(at(7, 1)))
    assert dispatches(effects) == [] and records(effects) == []


def test_a_clock_jumping_backwards_redoes_nothing() -> None:
    state, first = s.handle(start(), s.Tick(at(6, 0)))
    state, _ = s.handle(state, s.RunEnded("ingest", at(6, 0), "done"))
    state, effects = s.handle(state, s.Tick(at(5, 0)))
    state, effects2 = s.handle(state, s.Tick(at(6, 1)))
    assert dispatches(effects) == [] and dispatches(effects2) == []


def test_a_clock_jumping_forward_by_hours_coalesces() -> None:
    _, effects = s.handle(start(), s.Tick(at(11, 10)))
    # 06:00 … 11:00 fell due at once: 11:00 is within grace and runs, the ten before are missed.
    assert dispatches(effects) == [("ingest", at(11, 0))]
    assert len(records(effects, "missed")) == 10


def test_a_run_that_never_reports_is_given_up_after_its_timeout() -> None:
    state, _ = s.handle(start(), s.Tick(at(6, 0)))
    state, effects = s.handle(state, s.Tick(at(7, 1)))
    assert ("ingest", at(6, 0), "timed out: no result from the worker") in records(
        effects, "failed"
    )


def test_restart_resumes_from_stored_cursors_and_re_dispatches_queued_runs() -> None:
    state, effects = s.initial(
        JOBS, IMPLEMENTED, at(6, 10), cursors={"ingest": at(6, 0)}, queued=[("ingest", at(6, 0))]
    )
    state, effects = s.handle(state, s.Tick(at(6, 10)))
    assert dispatches(effects) == [("ingest", at(6, 0))]


def test_restart_drops_queued_runs_of_jobs_no_longer_enabled() -> None:
    _, effects = s.initial(JOBS, IMPLEMENTED, at(7, 10), queued=[("off", at(7, 0))])
    assert s.Advance("off", at(7, 10)) in effects
    assert records(effects, "skipped") == [("off", at(7, 0), "not enabled or not implemented")]


def test_next_wakeup_is_capped() -> None:
    state = start(at(22, 1))
    assert s.next_wakeup(state, timedelta(seconds=30)) == at(22, 1) + timedelta(seconds=30)
    state = start(
        at(
            5,
            59,
        )
    )
    assert s.next_wakeup(state, timedelta(minutes=5)) == at(6, 0)


def test_a_cron_that_never_fires_is_simply_never_due() -> None:
    # Config refuses it; should one reach the clock anyway, it must not crash or loop.
    never = JobSpec("never", "Never", "always", ("0 0 31 2 *",))
    state = start(jobs=(never,), implemented={"never"})
    state, effects = s.handle(state, s.Tick(at(23, 59)))
    assert dispatches(effects) == [] and s.next_fire_times(never, at(6), 3) == []
    assert s.next_wakeup(state, timedelta(seconds=30)) == at(23, 59) + timedelta(seconds=30)


def test_run_now_waits_for_its_bucket_and_for_a_running_one() -> None:
    state = start(at(10, 0))
    state, effects = s.handle(state, s.RunNow("recap"))  # gateway not ready: owed, not sent
    assert dispatches(effects) == [] and [e for e in effects if isinstance(e, s.Owe)] == [
        s.Owe("recap", at(10, 0))
    ]
    state, effects = s.handle(state, s.BucketReady("gateway"))
    assert dispatches(effects) == [("recap", at(10, 0))]
    # Asked again while it runs: it waits for the end, then runs once.
    state, _ = s.handle(state, s.Tick(at(10, 5)))
    state, effects = s.handle(state, s.RunNow("recap"))
    assert dispatches(effects) == []
    state, effects = s.handle(state, s.RunEnded("recap", at(10, 0), s.RunStatus.DONE))
    assert dispatches(effects) == [("recap", at(10, 5))]
    # A job that is off or unknown is recorded, never run.
    for job in ("off", "nope"):
        _, effects = s.handle(state, s.RunNow(job))
        assert dispatches(effects) == [] and records(effects, "skipped")


@given(
    steps=st.lists(st.integers(min_value=-90, max_value=400), min_size=1, max_size=30),
    count=st.integers(min_value=1, max_value=3),
    until=st.integers(min_value=0, max_value=600),
)
def test_remembered_fire_times_are_those_croniter_walks_to(
    steps: list[int], count: int, until: int
) -> None:
    """The remembered next fire times (reused while time has not reached them) equal a fresh
    walk at every instant, going forward by minutes and seconds or back."""
    now = at(5, 50)
    for step in steps:
        now += timedelta(minutes=step, seconds=step % 7)
        for spec in (INGEST, RECAP, BROADCAST):
            remembered = s.next_fire_times(spec, now, count)
            due = s.fire_times(spec, now, now + timedelta(minutes=until))
            assert remembered == _unremembered(s.next_fire_times, spec, now, count)
            assert due == _unremembered(s.fire_times, spec, now, now + timedelta(minutes=until))


def _unremembered(walk: Callable[..., list[datetime]], *args: object) -> list[datetime]:
    """`walk(*args)` with nothing remembered, leaving what was remembered as it was."""
    kept = dict(s._LAST_NEXT)
    s._LAST_NEXT.clear()
    try:
        return walk(*args)
    finally:
        s._LAST_NEXT.clear()
        s._LAST_NEXT.update(kept)

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime.supervision import (
    ChildRecord,
    Escalate,
    LeaveDown,
    Restart,
    RestartType,
    Strategy,
    SupFlags,
    backoff,
    on_exit,
    restart_set,
)

FLAGS = SupFlags(intensity=3, period_s=10, backoff_min_s=0.1, backoff_max_s=5, backoff_reset_s=60)


def test_backoff_doubles_then_caps() -> None:
    assert [backoff(n, FLAGS, 0.5) for n in (1, 2, 3)] == [0.1, 0.2, 0.4]
    assert backoff(30, FLAGS, 0.99) == 5


@given(st.integers(0, 100), st.floats(0, 0.999))
def test_backoff_stays_within_bounds(failures: int, jitter: float) -> None:
    delay = backoff(failures, FLAGS, jitter)
    assert 0 <= delay <= FLAGS.backoff_max_s
    if failures:
        assert delay >= 0.8 * FLAGS.backoff_min_s


def test_more_than_intensity_restarts_within_the_period_escalates() -> None:
    record, stamps = ChildRecord(RestartType.PERMANENT), ()
    decisions = []
    for t in (1.0, 2.0, 3.0, 4.0):
        record, stamps, decision = on_exit(record, stamps, t, True, FLAGS, 0.5)
        decisions.append(type(decision))
    assert decisions == [Restart, Restart, Restart, Escalate]


def test_restarts_spread_over_time_never_escalate() -> None:
    record, stamps = ChildRecord(RestartType.PERMANENT), ()
    for t in range(0, 200, 4):  # one every 4 s, window 10 s holds at most 3
        record, stamps, decision = on_exit(record, stamps, float(t), True, FLAGS, 0.5)
        assert isinstance(decision, Restart)
    assert record.restarts == 50


def test_backoff_resets_after_a_quiet_period() -> None:
    record = ChildRecord(RestartType.PERMANENT, failures=4, last_start=0.0)
    _, _, decision = on_exit(record, (), 100.0, True, FLAGS, 0.5)
    assert decision == Restart(0.1)


def test_restart_types() -> None:
    _, _, d = on_exit(ChildRecord(RestartType.TEMPORARY), (), 1, True, FLAGS, 0.5)
    assert isinstance(d, LeaveDown)
    _, _, d = on_exit(ChildRecord(RestartType.TRANSIENT), (), 1, False, FLAGS, 0.5)
    assert isinstance(d, LeaveDown)
    _, _, d = on_exit(ChildRecord(RestartType.TRANSIENT), (), 1, True, FLAGS, 0.5)
    assert isinstance(d, Restart)
    _, _, d = on_exit(ChildRecord(RestartType.PERMANENT), (), 1, False, FLAGS, 0.5)
    assert isinstance(d, Restart)


def test_restart_sets() -> None:
    order = ("session", "clock", "router", "web")
    assert restart_set(order, "clock", Strategy.ONE_FOR_ONE) == ("clock",)
    assert restart_set(order, "clock", Strategy.REST_FOR_ONE) == ("clock", "router", "web")


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=40))
def test_escalation_happens_exactly_when_the_window_overflows(gaps: list[float]) -> None:
    record, stamps, now = ChildRecord(RestartType.PERMANENT), (), 0.0
    history: list[float] = []
    for gap in gaps:
        now += gap
        history.append(now)
        record, stamps, decision = on_exit(record, stamps, now, True, FLAGS, 0.5)
        in_window = [t for t in history if t > now - FLAGS.period_s]
        assert isinstance(decision, Escalate) == (len(in_window) > FLAGS.intensity)
        if isinstance(decision, Escalate):
            break


@given(
    failures=st.integers(1, 50),
    backoff_max=st.floats(0.01, 3600),
    jitter=st.floats(0, 0.999),
)
def test_a_child_restarted_twice_in_a_row_is_back_within_back_within(
    failures: int, backoff_max: float, jitter: float
) -> None:
    from cicero.domain.runtime.supervision import START_S, SupFlags, back_within, backoff

    flags = SupFlags(backoff_min_s=min(0.5, backoff_max), backoff_max_s=backoff_max)
    twice = backoff(failures, flags, jitter) + backoff(failures + 1, flags, jitter)
    assert twice + START_S <= back_within(backoff_max)


def test_child_specs_are_checked_before_the_first_start() -> None:
    from cicero.domain.runtime.supervision import spec_problems

    good = [("clock", "cicero.actors.clock:Clock", 5.0), ("session:x", "a.b:C", 0.5)]
    assert spec_problems(good) == []
    bad = [
        ("clock", "cicero.actors.clock:Clock", 5.0),
        ("clock", "cicero.actors.router:Router", 5.0),  # would replace the first silently
        ("", "x:Y", 5.0),
        ("web", "cicero.actors.web.Web", 5.0),
        ("mailer", "m:M", 0.0),
        ("router", "m:M", float("nan")),
    ]
    problems = spec_problems(bad)
    assert problems == [
        "child 'clock' is named twice",
        "child '': a name is needed, without spaces around it",
        "child 'web': actor 'cicero.actors.web.Web' is not 'module:Class'",
        "child 'mailer': shutdown_s 0.0 is not a positive time",
        "child 'router': shutdown_s nan is not a positive time",
    ]

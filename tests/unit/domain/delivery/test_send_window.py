"""Send windows (cicero.domain.delivery.send_window): how many rows a session claims at once."""

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from cicero.domain.delivery.lineup import Lineup, Queued
from cicero.domain.delivery.send_window import pace, plan_window
from cicero.domain.delivery.throttle import FILE_COST, OFF, TEXT_COST, Bucket, ThrottleConfig
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)


def never() -> float:
    return 0.0


def test_throttle_off_and_a_network_that_dedupes_send_every_row_at_once():
    window = plan_window(Bucket(OFF), [TEXT_COST] * 100, T0, never, network_dedupes=True)
    assert (window.size, window.next_at) == (100, None)


def test_a_network_that_cannot_dedupe_gets_one_row_at_a_time():
    window = plan_window(Bucket(OFF), [TEXT_COST] * 100, T0, never, network_dedupes=False)
    assert (window.size, window.next_at) == (1, None)


def test_no_rows_no_window():
    assert plan_window(Bucket(OFF), [], T0, never, network_dedupes=True).size == 0
    assert plan_window(Bucket(OFF), [], T0, never, network_dedupes=False).size == 0


def test_the_minimum_gap_keeps_a_throttled_window_to_one_row():
    window = plan_window(Bucket(), [TEXT_COST] * 5, T0, never, network_dedupes=True)
    assert (window.size, window.next_at) == (1, T0 + timedelta(seconds=2))


def test_a_spent_bucket_sends_nothing_and_says_when():
    spent = Bucket(ThrottleConfig(rate_per_min=6, burst=2, min_gap_s=0, jitter_s=0))
    spent = spent.take(T0, FILE_COST)
    window = plan_window(spent, [TEXT_COST], T0, never, network_dedupes=True)
    assert (window.size, window.next_at) == (0, T0 + timedelta(seconds=10))


def test_jitter_is_drawn_once_per_row_considered():
    draws = itertools.count()

    def jitter() -> float:
        next(draws)
        return 0.5

    plan_window(Bucket(), [TEXT_COST] * 5, T0, jitter, network_dedupes=True)
    assert next(draws) == 2  # the row that went, and the row the gap held back


configs = st.builds(
    ThrottleConfig,
    rate_per_min=st.one_of(st.none(), st.floats(1, 10_000)),
    burst=st.integers(FILE_COST, 50),
    min_gap_s=st.sampled_from([0.0, 0.0, 2.0]),
    jitter_s=st.sampled_from([0.0, 1.0]),
)


@given(
    config=configs,
    spent=st.lists(st.sampled_from([TEXT_COST, FILE_COST]), max_size=5),
    costs=st.lists(st.sampled_from([TEXT_COST, FILE_COST]), max_size=60),
    dedupes=st.booleans(),
    jitters=st.lists(st.floats(0, 0.999), min_size=1, max_size=10),
)
def test_a_window_is_what_the_bucket_allows_now_row_by_row(
    config: ThrottleConfig, spent: list[int], costs: list[int], dedupes: bool, jitters: list[float]
) -> None:
    # A bucket with some history: sends one second apart, as far as it allowed them.
    bucket, t = Bucket(config), T0 - timedelta(minutes=1)
    for cost in spent:
        t = bucket.next_send_at(t, cost)
        bucket = bucket.take(t, cost)
    now = max(t, T0)
    drawn = itertools.cycle(jitters)

    def jitter() -> float:
        return next(drawn)

    window = plan_window(bucket, costs, now, jitter, dedupes)

    assert 0 <= window.size <= len(costs)
    if not dedupes:
        assert window.size <= 1  # a crash may only leave the row in flight in doubt
    # Sending the window now never breaks the throttle (take raises if it would).
    replay = itertools.cycle(jitters)
    for cost in costs[: window.size]:
        assert bucket.next_send_at(now, cost, next(replay)) <= now
        bucket = bucket.take(now, cost)
    # And it is as large as allowed: the first row left out could not go now.
    if window.size < len(costs) and (dedupes or window.size == 0):
        assert window.next_at is not None and window.next_at > now
        assert bucket.next_send_at(now, costs[window.size], next(replay)) == window.next_at
    else:
        assert window.next_at is None


# ---- paced windows: what a session running ahead alone sends, from one fetch ------------


def first_in_line(pending: list[Queued], limit: int) -> list[Queued]:
    """`outbox.due` over an outbox held whole: each recipient's first row, if due."""
    first: dict[str, Queued] = {}
    for row in sorted(pending, key=lambda r: r.id):
        first.setdefault(row.recipient, row)
    return sorted((r for r in first.values() if r.due), key=lambda r: r.order)[:limit]


def drained(
    bucket: Bucket,
    pending: list[Queued],
    now: datetime,
    stop: datetime,
    limit: int,
    jitter: Callable[[], float] = never,
) -> list[tuple[int, datetime]]:
    """The drain asking `due` at every fetch, every row accepted: plan a window at an
    instant and send it, plan again on the rest at the same instant, fetch again when the
    rows are through, visit the instant the throttle names unless it is at or after `stop`."""
    pending, sent = list(pending), []
    while rows := first_in_line(pending, limit):
        while rows:
            window = plan_window(bucket, [r.cost for r in rows], now, jitter, True)
            for row in rows[: window.size]:
                bucket = bucket.take(now, row.cost)
                sent.append((row.id, now))
                pending.remove(row)
            rows = rows[window.size :]
            if window.size == 0:
                assert window.next_at is not None and window.next_at > now
                if window.next_at >= stop:
                    return sent
                now = window.next_at
                break
    return sent


def fetch(pending: list[Queued], limit: int, behind_limit: int) -> Lineup:
    """What the session fetches to pace (cicero.db.outbox.due and .behind)."""
    heads = first_in_line(pending, limit)
    recipients = {r.recipient for r in heads}
    later = [
        r
        for r in sorted(pending, key=lambda r: r.id)
        if r.recipient in recipients and r not in heads
    ]
    waiting = {name: sum(r.recipient == name for r in later) for name in recipients}
    return Lineup.fetched(heads, limit, later[:behind_limit], waiting)


def reminders(people: int, parts: int = 2) -> list[Queued]:
    """A reminder run's rows: each person's parts one after another."""
    return [
        Queued(i * parts + k, 1, f"62813{i:08d}", TEXT_COST)
        for i in range(people)
        for k in range(parts)
    ]


def test_paced_rows_go_the_minimum_gap_apart_until_the_stop():
    rows = reminders(5, parts=1)
    paced = pace(Bucket(), fetch(rows, 100, 100), T0, T0 + timedelta(seconds=7), 100)
    assert paced == [(i, T0 + timedelta(seconds=2 * i)) for i in range(4)]


def test_a_recipients_next_row_steps_up_in_send_order():
    rows = reminders(60)  # 120 rows, 60 in line at a time
    paced = pace(Bucket(), fetch(rows, 100, 100), T0, T0 + timedelta(hours=1), 100)
    assert [row_id for row_id, _ in paced] == list(range(120))


def test_pacing_ends_where_a_row_not_fetched_would_step_up():
    rows = reminders(300)  # 100 in line fetched, and the 100 rows behind them with lowest ids
    paced = pace(Bucket(), fetch(rows, 100, 100), T0, T0 + timedelta(hours=1), 100)
    # Row 198 is the last in line fetched: with it, the drain considers row 200, not fetched.
    assert [row_id for row_id, _ in paced] == list(range(198))
    assert paced == drained(Bucket(), rows, T0, T0 + timedelta(hours=1), 100)[:198]
    # A chain cut short: row 4's predecessor went, and row 4 was not fetched.
    paced = pace(Bucket(), fetch(reminders(3, parts=3), 100, 2), T0, T0 + timedelta(hours=1), 100)
    assert [row_id for row_id, _ in paced] == [0, 1, 2, 3]


def test_a_paced_window_waits_out_a_pause():
    rows = [Queued(1, 1, "a", FILE_COST), Queued(2, 1, "b", TEXT_COST)]
    paced = pace(Bucket().pause(T0), fetch(rows, 100, 100), T0, T0 + timedelta(hours=1), 100)
    assert paced == [(1, T0 + timedelta(minutes=5)), (2, T0 + timedelta(minutes=5, seconds=2))]


@st.composite
def outboxes(draw: st.DrawFn) -> list[Queued]:
    """Pending rows in id order: a few recipients, two priorities, texts and files, some
    not yet due."""
    count = draw(st.integers(0, 30))
    return [
        Queued(
            i,
            draw(st.sampled_from([0, 1, 1])),
            draw(st.sampled_from("abcdefg")),
            draw(st.sampled_from([TEXT_COST, FILE_COST])),
            draw(st.sampled_from([True, True, True, False])),
        )
        for i in range(count)
    ]


def with_history(config: ThrottleConfig, spent: list[int], paused: bool) -> tuple[Bucket, datetime]:
    bucket, t = Bucket(config), T0 - timedelta(minutes=1)
    for cost in spent:
        t = bucket.next_send_at(t, cost)
        bucket = bucket.take(t, cost)
    if paused:
        bucket = bucket.pause(t)
    return bucket, max(t, T0)


histories = st.lists(st.sampled_from([TEXT_COST, FILE_COST]), max_size=5)


@given(
    config=configs,
    spent=histories,
    paused=st.booleans(),
    pending=outboxes(),
    stop_s=st.floats(0, 600),
    limit=st.integers(1, 8),
    behind_limit=st.integers(0, 12),
)
def test_pace_is_what_the_drain_sends_asking_due_at_every_fetch(
    config: ThrottleConfig,
    spent: list[int],
    paused: bool,
    pending: list[Queued],
    stop_s: float,
    limit: int,
    behind_limit: int,
) -> None:
    bucket, now = with_history(config, spent, paused)
    stop = now + timedelta(seconds=stop_s)
    paced = pace(bucket, fetch(pending, limit, behind_limit), now, stop, limit)
    asked = drained(bucket, pending, now, stop, limit)
    assert paced == asked[: len(paced)]
    if len(first_in_line(pending, limit)) < limit and behind_limit >= len(pending):
        assert paced == asked  # everything fetched: it tells the drain to the end


@given(
    config=configs,
    spent=histories,
    pending=outboxes(),
    stop_s=st.floats(0, 600),
    jitters=st.lists(st.floats(0, 0.999), min_size=1, max_size=10),
)
@example(  # float noise once made the unjittered wait 1 µs longer than the jittered one
    config=ThrottleConfig(rate_per_min=1.0, burst=4, min_gap_s=0.5, jitter_s=1.0),
    spent=[],
    pending=[Queued(0, 0, "a", 1), Queued(1, 0, "a", 1), Queued(2, 0, "a", 1), Queued(3, 0, "a", 2)],
    stop_s=61.0,
    jitters=[0.75],
)
def test_with_jitter_the_same_rows_go_in_the_same_order_never_earlier(
    config: ThrottleConfig,
    spent: list[int],
    pending: list[Queued],
    stop_s: float,
    jitters: list[float],
) -> None:
    """So the rows a paced window claims up front are all the rows it can send. (Without a
    minimum gap, a window of two rows may become two instants, and a row stepping up in
    between goes before the second: the window then claims that row when it goes.)"""
    config = replace(config, min_gap_s=max(config.min_gap_s, 0.5))  # as a session's throttle
    bucket, now = with_history(config, spent, False)
    stop = now + timedelta(seconds=stop_s)
    drawn = itertools.cycle(jitters)
    jittered = drained(bucket, pending, now, stop, 100, lambda: next(drawn))
    earliest = pace(bucket, fetch(pending, 100, 100), now, stop, 100)
    assert [row_id for row_id, _ in jittered] == [row_id for row_id, _ in earliest[: len(jittered)]]
    assert all(a >= b for (_, a), (_, b) in zip(jittered, earliest, strict=False))

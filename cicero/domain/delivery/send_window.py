"""How many outbox rows a session claims and sends in one go (invariant 5, issue 5).

A window's rows are marked `sending` together before the first transport call and
`sent` together after the last, so a crash inside it leaves all of them `sending`,
including rows never handed to the network. That is safe only where the network
de-duplicates by our message id (the row is resent with the same id, and a copy the
network already had is recognised). Where it cannot, a row left `sending` becomes
`in_doubt` and is never resent by itself, so each window holds one row: only a row
actually in flight can be in doubt.

A paced window (issue 7) spans throttle instants: a session running ahead alone in
simulation claims what `pace` says it sends before its stop, then sends each row at its
own instant, taking what the outbox would answer there from a `Lineup` (`paced_rows`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cicero.domain.delivery.lineup import Lineup, Queued
from cicero.domain.delivery.throttle import Bucket


@dataclass(frozen=True)
class Window:
    size: int  # rows, from the first, that go out now
    next_at: datetime | None  # when the first row left out may go; None: not the throttle's doing


def plan_window(
    bucket: Bucket,
    costs: Sequence[int],
    now: datetime,
    jitter: Callable[[], float],
    network_dedupes: bool,
) -> Window:
    """The window for rows of `costs` (in send order) at `now`, within the throttle.

    `jitter` is drawn once per row considered (the throttle's gap jitter, in [0, 1)).
    The bucket is spent as if every row of the window is accepted; a row that fails
    spends nothing when the caller applies the real outcomes.
    """
    limit = len(costs) if network_dedupes else min(1, len(costs))
    for i in range(limit):
        at = bucket.next_send_at(now, costs[i], jitter())
        if at > now:
            return Window(i, at)
        bucket = bucket.take(now, costs[i])
    return Window(limit, None)


def _no_jitter() -> float:
    return 0.0


def paced_rows(
    lineup: Lineup, bucket: Bucket, now: datetime, limit: int
) -> tuple[Queued, ...] | None:
    """What the drain would fetch at `now` (`due` with `limit`), told by `lineup`; None if
    a row it does not know may be among those the drain considers before `now` is over.

    At one instant the drain's windows never reach past the rows that fit with no jitter
    (jitter only delays), and the first row that does not fit; so a first part of `due`'s
    answer is enough when it holds more than the rows that fit."""
    answer = lineup.due(limit)
    if answer is None:
        return None
    rows, whole = answer
    if not whole:
        fit = plan_window(bucket, [row.cost for row in rows], now, _no_jitter, True)
        if fit.size >= len(rows):
            return None
    return rows


def pace(
    bucket: Bucket, lineup: Lineup, now: datetime, stop: datetime, limit: int
) -> list[tuple[int, datetime]]:
    """The rows (id, instant) a session running ahead alone from `now` sends before `stop`
    when it takes what `due` answers from `lineup` instead of asking: as its drain does,
    one throttle instant after another, every row accepted and no jitter.

    Jitter only lengthens a gap: with a minimum gap between two sends (a session's
    throttle has one) the same rows go in the same order, none earlier than here. So no
    row left out can go before `stop`, and a paced window claims these rows before it
    sends the first. The rows of `now` go whatever `stop`; the list ends where `lineup`
    cannot tell.
    """
    sent: list[tuple[int, datetime]] = []
    while (rows := paced_rows(lineup, bucket, now, limit)) is not None:
        if not rows:
            return sent
        while rows:
            window = plan_window(bucket, [row.cost for row in rows], now, _no_jitter, True)
            for row in rows[: window.size]:
                bucket = bucket.take(now, row.cost)
                sent.append((row.id, now))
                lineup = lineup.after(row)
            rows = rows[window.size :]
            if window.size == 0:
                assert window.next_at is not None
                if window.next_at >= stop:
                    return sent
                now = window.next_at
                break
    return sent

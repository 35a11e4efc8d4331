"""How many outbox rows a session claims and sends in one go (invariant 5, issue 5).

A window's rows are marked `sending` together before the first transport call and
`sent` together after the last, so a crash inside it leaves all of them `sending`,
including rows never handed to the network. That is safe only where the network
de-duplicates by our message id (the row is resent with the same id, and a copy the
network already had is recognised). Where it cannot, a row left `sending` becomes
`in_doubt` and is never resent by itself, so each window holds one row: only a row
actually in flight can be in doubt.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cicero.domain.throttle import Bucket


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

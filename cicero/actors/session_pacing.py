"""Paced send windows: a session running ahead alone (to its clock's horizon) sends throttled
rows each at its own instant from one fetch of the outbox, instead of asking the outbox again
at every instant (`cicero.domain.delivery.lineup`, `cicero.domain.delivery.send_window.pace`).

`Pacer` is the session actor's collaborator for it: handed the session's name, transport,
clock and statement runner, it begins, tells and ends windows, and keeps nothing between
them. On a clock that cannot be skipped (the wall clock: no horizon) it begins none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from cicero.actors.ports import Clock
from cicero.db import outbox
from cicero.domain.delivery.lineup import Lineup, Queued
from cicero.domain.delivery.outbox import message_id_for
from cicero.domain.delivery.send_window import pace, paced_rows, plan_window
from cicero.domain.delivery.throttle import Bucket, cost_of
from cicero.domain.people.phones import JidError, parse_recipient
from cicero.whatsapp.transport import WhatsAppTransport

# Rows fetched per query (each first in line for its recipient); also the largest window.
DRAIN_BATCH = 100

T = TypeVar("T")


class Statements(Protocol):
    """Runs one statement function on the session's connection: `sql(fn, *args)`."""

    def __call__(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T: ...


@dataclass
class Pacing:
    """A paced window in progress: a session running ahead alone sends rows each at its own
    throttle instant, taking what `outbox.due` would answer from one fetch (a Lineup) instead
    of asking it again. The rows are claimed `sending` up front, the network's records of
    them written and the accepted ones marked `sent` when the window ends, as for one send
    window."""

    stop: datetime  # no instant at or after this: the horizon, a takeover, an outbox change
    lineup: Lineup
    rows: dict[int, outbox.OutboxRow]  # by id: the rows fetched
    claimed: set[int]
    deferral: contextlib.ExitStack  # the transport's window (its records written at the end)
    sent: list[tuple[int, str, datetime]] = field(default_factory=list)
    handed: set[int] = field(default_factory=set)  # rows given to the transport
    over: bool = False  # something else than an acceptance happened: end after this instant
    ended: bool = False


class Pacer:
    def __init__(
        self, session: str, transport: WhatsAppTransport, clock: Clock, sql: Statements
    ) -> None:
        self.session = session
        self.transport = transport
        self.clock = clock
        self.sql = sql

    def begin(
        self, rows: list[outbox.OutboxRow], bucket: Bucket, next_takeover: datetime | None
    ) -> Pacing | None:
        """A paced window from `rows` (what `due` answered now), when the clock lets the
        session run ahead (a horizon), its network de-duplicates (a crash inside the window
        leaves its rows `sending`, resent under the same ids) and some row would go at a later
        instant before the horizon. It stops before the next takeover too."""
        until = self.clock.horizon()
        if until is None or not self.transport.accepts_caller_id:
            return None
        now = self.clock.now()
        costs = [cost_of(row.attachment is not None) for row in rows]
        first = plan_window(bucket, costs, now, lambda: 0.0, True)
        if first.next_at is None or first.next_at >= until:
            return None  # what goes before `until` goes now
        limits = self.sql(outbox.pace_limits, self.session, now, rows)
        behind = self.sql(outbox.behind, self.session, now, rows, DRAIN_BATCH)
        lineup = Lineup.fetched(
            [queued(row) for row in rows],
            DRAIN_BATCH,
            [queued(row, due) for row, due in behind],
            limits.waiting,
        )
        stop = min(t for t in (until, limits.changes_at, next_takeover) if t is not None)
        fetched = {row.id: row for row in rows} | {row.id: row for row, _ in behind}
        claims: list[tuple[int, str]] = []
        for row_id, _ in pace(bucket, lineup, now, stop, DRAIN_BATCH):
            row = fetched[row_id]
            try:
                parse_recipient(row.recipient)
            except JidError:
                break  # marked dead when its turn comes, which ends the window
            claims.append((row.id, message_id_for(row.key)))
        deferral = contextlib.ExitStack()
        deferral.enter_context(self.transport.window())
        claimed = self.sql(outbox.mark_sending_many, claims) if claims else set()
        return Pacing(stop, lineup, fetched, claimed, deferral)

    def told(self, pacing: Pacing, bucket: Bucket, at: datetime) -> list[outbox.OutboxRow] | None:
        """What `due` would answer at `at`, from the paced window's Lineup; None if it
        cannot tell."""
        told = paced_rows(pacing.lineup, bucket, at, DRAIN_BATCH)
        return None if told is None else [pacing.rows[row.id] for row in told]

    def end(self, pacing: Pacing) -> None:
        """Store a paced window as a send window is stored: the network's records, then the
        accepted rows `sent`, then the rows claimed but never handed over pending again."""
        if pacing.ended:
            return
        pacing.ended = True
        pacing.deferral.close()
        self.sql(outbox.mark_sent_many, pacing.sent)
        self.sql(outbox.release_unsent, sorted(pacing.claimed - pacing.handed))


def queued(row: outbox.OutboxRow, due: bool = True) -> Queued:
    return Queued(row.id, row.priority, row.recipient, cost_of(row.attachment is not None), due)

"""Paced send windows: the part of a session actor that, running ahead alone on virtual
time, sends throttled rows each at its own instant from one fetch of the outbox (see
`cicero.domain.delivery.lineup` and `cicero.domain.delivery.send_window.pace`).

`PacedWindows` is a mixin of `SessionActor`: it uses the actor's transport, throttle bucket,
clock and outbox helpers, and keeps nothing of its own between windows.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cicero.db import outbox
from cicero.domain.delivery.lineup import Lineup, Queued
from cicero.domain.delivery.outbox import message_id_for
from cicero.domain.delivery.send_window import pace, paced_rows, plan_window
from cicero.domain.delivery.throttle import cost_of
from cicero.domain.people.phones import JidError, parse_recipient

# Rows fetched per query (each first in line for its recipient); also the largest window.
DRAIN_BATCH = 100


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


class PacedWindows:
    """Begin, step and end a paced window (mixed into `SessionActor`)."""

    # Provided by SessionActor.
    options: Any
    transport: Any
    bucket: Any
    session: str
    clock: Any
    next_takeover: datetime | None

    def _told(self, pacing: Pacing, at: datetime) -> list[outbox.OutboxRow] | None:
        """What `due` would answer at `at`, from the paced window's Lineup; None if it
        cannot tell."""
        told = paced_rows(pacing.lineup, self.bucket, at, DRAIN_BATCH)
        return None if told is None else [pacing.rows[row.id] for row in told]

    def _begin_pacing(self, rows: list[outbox.OutboxRow], ahead: bool) -> Pacing | None:
        """A paced window from `rows` (what `due` answered now), when running ahead alone
        with a network that de-duplicates (a crash inside the window leaves its rows
        `sending`, resent under the same ids) and when some row would go at a later
        instant before the clock's horizon."""
        until = self.clock.horizon() if ahead else None
        if until is None or not self.transport.accepts_caller_id:
            return None
        now = self.clock.now()
        costs = [cost_of(row.attachment is not None) for row in rows]
        first = plan_window(self.bucket, costs, now, lambda: 0.0, True)
        if first.next_at is None or first.next_at >= until:
            return None  # what goes before `until` goes now
        limits = self.run(self._update(outbox.pace_limits, self.session, now, rows))
        behind = self.run(self._update(outbox.behind, self.session, now, rows, DRAIN_BATCH))
        lineup = Lineup.fetched(
            [queued(row) for row in rows],
            DRAIN_BATCH,
            [queued(row, due) for row, due in behind],
            limits.waiting,
        )
        stop = min(t for t in (until, limits.changes_at, self.next_takeover) if t is not None)
        fetched = {row.id: row for row in rows} | {row.id: row for row, _ in behind}
        claims: list[tuple[int, str]] = []
        for row_id, _ in pace(self.bucket, lineup, now, stop, DRAIN_BATCH):
            row = fetched[row_id]
            try:
                parse_recipient(row.recipient)
            except JidError:
                break  # marked dead when its turn comes, which ends the window
            claims.append((row.id, message_id_for(row.key)))
        deferral = contextlib.ExitStack()
        deferral.enter_context(self.transport.window())
        claimed = self.run(self._update(outbox.mark_sending_many, claims)) if claims else set()
        return Pacing(stop, lineup, fetched, claimed, deferral)

    def _pace_to(self, pacing: Pacing, at: datetime | None) -> list[outbox.OutboxRow] | None:
        """Move a paced window to its next throttle instant, doing there what a tick of
        `_run_ahead` does before it drains, and return what `due` would answer there; None
        (and not moved) if the window may not go there."""
        if at is None or at >= pacing.stop or not self._may_run_ahead(at):
            return None
        told = self._told(pacing, at)
        if told is not None:
            self.clock.advance(at)
            self._keepalive()
            self._process_events()
        return told

    def _end_pacing(self, pacing: Pacing) -> None:
        """Store a paced window as a send window is stored: the network's records, then the
        accepted rows `sent`, then the rows claimed but never handed over pending again."""
        if pacing.ended:
            return
        pacing.ended = True
        pacing.deferral.close()
        self.run(self._update(outbox.mark_sent_many, pacing.sent))
        self.run(self._update(outbox.release_unsent, sorted(pacing.claimed - pacing.handed)))


def queued(row: outbox.OutboxRow, due: bool = True) -> Queued:
    return Queued(row.id, row.priority, row.recipient, cost_of(row.attachment is not None), due)

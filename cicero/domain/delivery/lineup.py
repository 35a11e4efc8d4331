"""What a session's outbox query `due` would answer as its rows go out, told from one fetch
(issue 7), so a session running ahead alone need not ask it at every throttle instant.

`due` answers the rows that are due and first in line for their recipient, in send order
(priority, then id), at most `limit` of them. Sending one lets its recipient's next row
step up into the line. A `Lineup` holds the rows of one `due` answer and the due rows
fetched behind them, and says what `due` would answer after some of them went, or that it
cannot tell: a row it does not know may be among the answer. Rows coming due or expiring
later are the caller's business (it stops before the first of them).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Queued:
    id: int
    priority: int
    recipient: str
    cost: int  # throttle tokens (cicero.domain.delivery.throttle.cost_of)
    due: bool = True  # due when fetched (only rows behind the first in line may not be)

    @property
    def order(self) -> tuple[int, int]:
        return self.priority, self.id


@dataclass(frozen=True)
class Lineup:
    heads: tuple[Queued, ...]  # first in line for their recipient and due, in send order
    behind: Mapping[str, tuple[Queued, ...]] = field(default_factory=dict)  # due, in id order
    open_chains: frozenset[str] = frozenset()  # a later row of theirs was not fetched
    last_fetched: tuple[int, int] | None = None  # heads after this order were not fetched
    blind: bool = False  # a row not fetched stepped up: `due` may answer anything

    @classmethod
    def fetched(
        cls,
        heads: Sequence[Queued],
        limit: int,
        behind: Sequence[Queued],
        waiting: Mapping[str, int],
    ) -> Lineup:
        """From `due`'s answer (`heads`, asked for at most `limit` rows), rows fetched
        behind them (each recipient's in id order, `due` as of the fetch) and how many rows
        wait behind each head's recipient in all. A row not yet due ends its recipient's
        chain: it does not step up before it comes due, nor do the rows behind it."""
        chains: dict[str, list[Queued]] = {}
        fetched: dict[str, int] = {}
        stopped: set[str] = set()
        for row in behind:
            fetched[row.recipient] = fetched.get(row.recipient, 0) + 1
            if not row.due:
                stopped.add(row.recipient)
            elif row.recipient not in stopped:
                chains.setdefault(row.recipient, []).append(row)
        open_chains = frozenset(
            r for r, n in waiting.items() if r not in stopped and fetched.get(r, 0) < n
        )
        return cls(
            heads=tuple(sorted(heads, key=lambda row: row.order)),
            behind={r: tuple(rows) for r, rows in chains.items()},
            open_chains=open_chains,
            last_fetched=max(row.order for row in heads) if len(heads) >= limit else None,
        )

    def due(self, limit: int) -> tuple[tuple[Queued, ...], bool] | None:
        """What `due(limit)` answers now, or its first rows: (rows, True if that is all of
        the answer). None when it cannot tell."""
        if self.blind:
            return None
        known = self.heads
        if self.last_fetched is not None:  # heads not fetched come after the last one
            known = tuple(row for row in known if row.order <= self.last_fetched)
        whole = self.last_fetched is None or len(known) >= limit
        return known[:limit], whole

    def after(self, sent: Queued) -> Lineup:
        """The line once `sent` (one of the heads) went: its recipient's next row steps up."""
        heads = [row for row in self.heads if row.id != sent.id]
        chain = self.behind.get(sent.recipient, ())
        if not chain:
            return replace(
                self, heads=tuple(heads), blind=self.blind or sent.recipient in self.open_chains
            )
        bisect.insort(heads, chain[0], key=lambda row: row.order)
        return replace(self, heads=tuple(heads), behind={**self.behind, sent.recipient: chain[1:]})

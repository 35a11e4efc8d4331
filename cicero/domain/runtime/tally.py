"""Counts and durations an actor measures, as plain values that travel between processes.

An actor adds to its own `Tally` as things happen (a WhatsApp send, an upstream request),
hands what it added since the last time to its supervisor (`Tally.take`, in a `Tallied`
message), and the supervisor adds every actor's deltas into one Tally for its whole life:
a counter on /metrics never goes back when a worker crashes and is replaced. Pure: no
clocks, no I/O; the series' names and labels are `cicero.domain.runtime.series`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Labels = tuple[str, ...]


@dataclass
class Histogram:
    """Observations by bucket: `slots[i]` counts values in (bounds[i-1], bounds[i]]; the last
    slot counts those above every bound. Prometheus' buckets are the running sums."""

    bounds: tuple[float, ...]
    slots: list[int] = field(default_factory=list)
    total: float = 0.0

    def __post_init__(self) -> None:
        if list(self.bounds) != sorted(set(self.bounds)):
            raise ValueError(f"histogram bounds must rise strictly: {self.bounds}")
        if not self.slots:
            self.slots = [0] * (len(self.bounds) + 1)
        elif len(self.slots) != len(self.bounds) + 1:
            raise ValueError("a histogram needs one slot per bound and one above them")

    def observe(self, value: float) -> None:
        self.slots[bisect.bisect_left(self.bounds, value)] += 1  # value <= bound: Prometheus' le
        self.total += value

    def merge(self, other: Histogram) -> None:
        if other.bounds != self.bounds:
            raise ValueError(f"bounds differ: {self.bounds} and {other.bounds}")
        self.slots = [a + b for a, b in zip(self.slots, other.slots, strict=True)]
        self.total += other.total

    @property
    def count(self) -> int:
        return sum(self.slots)

    def cumulative(self) -> list[tuple[str, int]]:
        """(le, running count) per bound, then ("+Inf", count)."""
        out, running = [], 0
        for bound, n in zip(self.bounds, self.slots, strict=False):
            running += n
            out.append((_le(bound), running))
        return [*out, ("+Inf", self.count)]


@dataclass
class Tally:
    counters: dict[tuple[str, Labels], float] = field(default_factory=dict)
    histograms: dict[tuple[str, Labels], Histogram] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.counters or self.histograms)

    def count(self, name: str, labels: Labels, n: float = 1) -> None:
        self.counters[name, labels] = self.counters.get((name, labels), 0) + n

    def observe(self, name: str, labels: Labels, value: float, bounds: Sequence[float]) -> None:
        h = self.histograms.get((name, labels))
        if h is None:
            h = self.histograms[name, labels] = Histogram(tuple(bounds))
        h.observe(value)

    def take(self) -> Tally:
        """What was added since the last take (this Tally starts again from nothing)."""
        taken = Tally(self.counters, self.histograms)
        self.counters, self.histograms = {}, {}
        return taken

    def merge(self, other: Tally) -> None:
        for key, n in other.counters.items():
            self.counters[key] = self.counters.get(key, 0) + n
        for key, h in other.histograms.items():
            mine = self.histograms.get(key)
            if mine is None:
                self.histograms[key] = Histogram(h.bounds, list(h.slots), h.total)
            else:
                mine.merge(h)

    def counter(self, name: str) -> Iterator[tuple[Labels, float]]:
        return ((labels, n) for (n_, labels), n in sorted(self.counters.items()) if n_ == name)

    def histogram(self, name: str) -> Iterator[tuple[Labels, Histogram]]:
        return (
            (labels, h)
            for (n_, labels), h in sorted(self.histograms.items(), key=_key)
            if n_ == name
        )

    # ---- a JSON-shaped form, for the status snapshot -------------------------------------
    def to_wire(self) -> dict[str, Any]:
        return {
            "counters": [[name, list(labels), n] for (name, labels), n in self.counters.items()],
            "histograms": [
                [name, list(labels), list(h.bounds), list(h.slots), h.total]
                for (name, labels), h in self.histograms.items()
            ],
        }

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any] | None) -> Tally:
        out = cls()
        for name, labels, n in (wire or {}).get("counters", []):
            out.counters[str(name), tuple(labels)] = n
        for name, labels, bounds, slots, total in (wire or {}).get("histograms", []):
            out.histograms[str(name), tuple(labels)] = Histogram(tuple(bounds), list(slots), total)
        return out


def _key(item: tuple[tuple[str, Labels], Histogram]) -> tuple[str, Labels]:
    return item[0]


def _le(bound: float) -> str:
    return repr(float(bound))

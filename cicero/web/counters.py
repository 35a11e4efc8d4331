"""What the web server itself counts for /metrics (api.md §4): requests by route template,
method and status with their durations, logins by identity and outcome, link reports by
kind and outcome. Kept in this process since it started (Prometheus handles restarts of
counters); labels never hold an NRP, a number, a handle or a URL: routes are templates."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

# Seconds: the default Prometheus buckets, cut to what a page or an API call takes.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, seconds: float) -> None:
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.counts[i] += 1
        self.total += 1
        self.sum += seconds


@dataclass
class WebCounters:
    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    durations: dict[tuple[str, str, str], Histogram] = field(default_factory=dict)
    logins: Counter[tuple[str, str]] = field(default_factory=Counter)
    link_reports: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def http(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, str(status))
        with self._lock:
            self.requests[key] += 1
            self.durations.setdefault(key, Histogram()).observe(seconds)

    def login(self, identity: str, outcome: str) -> None:
        with self._lock:
            self.logins[identity, outcome] += 1

    def link_report(self, kind: str, outcome: str) -> None:
        with self._lock:
            self.link_reports[kind, outcome] += 1

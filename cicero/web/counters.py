"""What the web server itself counts for /metrics (api.md §4): requests by route template,
method and status with their durations, logins by identity and outcome, link reports by
kind and outcome. Kept in this process since it started (Prometheus handles restarts of
counters); labels never hold an NRP, a number, a handle or a URL: routes are templates."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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


def families(c: WebCounters) -> list[Any]:
    """api.md §4's web rows: cicero_http_requests_total / _seconds (route template, method,
    status), cicero_auth_logins_total (identity, outcome), cicero_link_reports_total (kind,
    outcome)."""
    from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

    with c._lock:
        requests = sorted(c.requests.items())
        durations = sorted((k, Histogram(list(h.counts), h.total, h.sum))
                           for k, h in c.durations.items())  # fmt: skip
        logins = sorted(c.logins.items())
        reports = sorted(c.link_reports.items())
    total = CounterMetricFamily(
        "cicero_http_requests", "HTTP requests answered", labels=["route", "method", "status"]
    )
    for (route, method, status), n in requests:
        total.add_metric([route, method, status], n)
    seconds = HistogramMetricFamily(
        "cicero_http_request_seconds", "Time to answer", labels=["route", "method", "status"]
    )
    for (route, method, status), h in durations:
        buckets = [(str(b), n) for b, n in zip(BUCKETS, h.counts, strict=True)]
        seconds.add_metric([route, method, status], [*buckets, ("+Inf", h.total)], h.sum)
    login = CounterMetricFamily(
        "cicero_auth_logins", "Logins by identity and outcome", labels=["identity", "outcome"]
    )
    for (identity, outcome), n in logins:
        login.add_metric([identity, outcome], n)
    report = CounterMetricFamily(
        "cicero_link_reports", "Link reports submitted", labels=["kind", "outcome"]
    )
    for (kind, outcome), n in reports:
        report.add_metric([kind, outcome], n)
    return [total, seconds, login, report]

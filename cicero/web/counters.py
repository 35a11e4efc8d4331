"""The web server's own metrics (api.md §4): requests per route template, method and status,
their durations, logins and link reports by outcome. In-process counters of the Web actor,
appended to /metrics; no label holds an NRP, number, handle or URL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class WebCounters(Collector):
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.durations: dict[tuple[str, str, str], list[float]] = {}  # per bucket, sum, count
        self.logins: Counter[tuple[str, str]] = Counter()
        self.reports: Counter[tuple[str, str]] = Counter()

    def request(self, template: str, method: str, status: int, seconds: float) -> None:
        key = (template, method, str(status))
        self.requests[key] += 1
        row = self.durations.setdefault(key, [0.0] * (len(BUCKETS) + 2))
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                row[i] += 1
        row[-2] += seconds
        row[-1] += 1

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "cicero_http_requests", "HTTP requests", labels=["route", "method", "status"]
        )
        for (route, method, status), n in sorted(self.requests.items()):
            requests.add_metric([route, method, status], n)
        yield requests
        seconds = HistogramMetricFamily(
            "cicero_http_request_seconds",
            "HTTP request durations",
            labels=["route", "method", "status"],
        )
        for (route, method, status), row in sorted(self.durations.items()):
            buckets = [(str(b), row[i]) for i, b in enumerate(BUCKETS)] + [("+Inf", row[-1])]
            seconds.add_metric([route, method, status], buckets, row[-2])
        yield seconds
        logins = CounterMetricFamily(
            "cicero_auth_logins", "Logins by outcome", labels=["identity", "outcome"]
        )
        for (identity, outcome), n in sorted(self.logins.items()):
            logins.add_metric([identity, outcome], n)
        yield logins
        reports = CounterMetricFamily(
            "cicero_link_reports", "Link report submissions", labels=["kind", "outcome"]
        )
        for (kind, outcome), n in sorted(self.reports.items()):
            reports.add_metric([kind, outcome], n)
        yield reports

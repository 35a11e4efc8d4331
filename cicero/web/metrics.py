"""/metrics: the health body as Prometheus gauges and counters.

Built from the same facts as /healthz on every scrape (nothing is kept between scrapes);
prometheus_client writes the exposition format, so label escaping is its job, not ours.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def families(body: Mapping[str, Any]) -> Iterator[Metric]:
    """The metric families of one /healthz body."""
    yield _gauge("cicero_healthy", "1 when /healthz is green", [((), body["ok"])])
    yield _gauge("cicero_problems", "Problems /healthz lists", [((), len(body["problems"]))])
    yield _gauge(
        "cicero_uptime_seconds", "Seconds since the web actor started", [((), body["uptime_s"])]
    )
    yield _gauge("cicero_database_up", "1 when PostgreSQL answers", [((), body["database"]["ok"])])

    actors = body.get("actors", {})
    yield _gauge(
        "cicero_actor_running",
        "1 while the actor runs",
        [((name,), a.get("state") == "running") for name, a in sorted(actors.items())],
        ["actor"],
    )
    restarts = CounterMetricFamily(
        "cicero_actor_restarts", "Restarts by the supervisor", labels=["actor"]
    )
    for name, a in sorted(actors.items()):
        restarts.add_metric([name], a.get("restarts", 0))
    yield restarts

    sessions = body.get("sessions", {})
    yield _gauge(
        "cicero_session_ready",
        "1 while the WhatsApp session is ready",
        [((name,), s.get("state") == "ready") for name, s in sorted(sessions.items())],
        ["session"],
    )
    yield _gauge(
        "cicero_bucket_ready",
        "1 while the jobs of the bucket may run",
        [((bucket,), ready) for bucket, ready in sorted(body.get("buckets", {}).items())],
        ["bucket"],
    )

    yield _gauge(
        "cicero_outbox_rows",
        "Outbox rows per session and status",
        [
            ((session, status), n)
            for session, counts in sorted(body.get("outbox", {}).items())
            for status, n in sorted(counts.items())
            if isinstance(n, int)
        ],
        ["session", "status"],
    )

    yield _gauge(
        "cicero_job_last_status",
        "1 for the status of the job's latest finished run",
        [((job, run["status"]), 1) for job, run in sorted(body.get("last_outcome", {}).items())],
        ["job", "status"],
    )

    upstream = sorted(body.get("upstream", {}).items())
    yield _gauge(
        "cicero_upstream_calls_today",
        "Upstream calls today (Asia/Jakarta) per host",
        [((h,), v["calls_today"]) for h, v in upstream],
        ["host"],
    )
    yield _gauge(
        "cicero_upstream_saved_today",
        "Upstream requests spared today (Asia/Jakarta) per host: engagement fetches left "
        "unchanged because no count had moved and no audit was due",
        [((h,), v.get("saved_today", 0)) for h, v in upstream],
        ["host"],
    )
    yield _gauge(
        "cicero_upstream_daily_budget",
        "Daily call budget per host, where one is set",
        [((h,), v["daily_budget"]) for h, v in upstream if v["daily_budget"] is not None],
        ["host"],
    )
    yield _gauge(
        "cicero_upstream_paused",
        "1 while a host is paused after a 429",
        [((h,), v["paused_until"] is not None) for h, v in upstream],
        ["host"],
    )


def render(body: Mapping[str, Any]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(body))
    return generate_latest(registry)


class _Snapshot(Collector):
    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = body

    def collect(self) -> Iterator[Metric]:
        return families(self.body)


def _gauge(
    name: str,
    doc: str,
    samples: list[tuple[tuple[str, ...], float | bool | int]],
    labels: list[str] | None = None,
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels or [])
    for values, value in samples:
        family.add_metric(list(values), float(value))
    return family

"""/metrics: the health body as Prometheus gauges and counters (names as the ops spec has them
where the facts exist today).

Built from the same facts as /healthz on every scrape (nothing is kept between scrapes);
prometheus_client writes the exposition format, so label escaping is its job, not ours.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


SESSION_STATES = (
    "starting",
    "pairing",
    "ready",
    "reconnecting",
    "logged_out",
    "replaced",
    "banned",
)
HEALTH_STATES = ("ok", "degraded", "down")


def families(body: Mapping[str, Any]) -> Iterator[Metric]:
    """The metric families of one /healthz body."""
    status = body["status"]
    yield _gauge("cicero_healthy", "1 when /healthz says ok (0 when degraded or down)",
                 [((), status == "ok")])  # fmt: skip
    yield _gauge(
        "cicero_health_status",
        "1 for the status /healthz says: ok, degraded or down",
        [((s,), status == s) for s in HEALTH_STATES],
        ["status"],
    )
    yield _gauge("cicero_problems", "Problems /healthz lists", [((), len(body["problems"]))])
    yield _gauge(
        "cicero_build_info", "Always 1; the version as a label", [((str(body["version"]),), 1)],
        ["version"],
    )  # fmt: skip
    yield _gauge(
        "cicero_uptime_seconds", "Seconds since the web actor started", [((), body["uptime_s"])]
    )
    yield _gauge("cicero_database_up", "1 when PostgreSQL answers", [((), body["database"]["ok"])])
    backup = body.get("last_backup")
    if backup:
        yield _gauge(
            "cicero_backup_last_success_timestamp_seconds",
            "Unix time the latest successful db_backup run finished",
            [((), datetime.fromisoformat(backup).timestamp())],
        )

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

    sessions = sorted(body.get("sessions", {}).items())
    yield _gauge(
        "cicero_session_ready",
        "1 while the WhatsApp session is ready",
        [((name,), s.get("state") == "ready") for name, s in sessions],
        ["session"],
    )
    yield _gauge(
        "cicero_session_state",
        "1 for the state the WhatsApp session is in",
        [
            ((name, state), s.get("state") == state)
            for name, s in sessions
            for state in SESSION_STATES
        ],
        ["session", "state"],
    )
    transitions = CounterMetricFamily(
        "cicero_session_transitions",
        "State changes of the session since its actor started",
        labels=["session", "from", "to"],
    )
    for name, s in sessions:
        for key, n in sorted(s.get("transitions", {}).items()):
            before, _, after = key.partition(">")
            transitions.add_metric([name, before, after], n)
    yield transitions
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
        "cicero_outbox_oldest_pending_seconds",
        "Age of the session's oldest row due and still pending",
        [
            ((session,), counts["oldest_pending_age_s"])
            for session, counts in sorted(body.get("outbox", {}).items())
            if "oldest_pending_age_s" in counts
        ],
        ["session"],
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

"""/metrics (api.md §4): the one place the Prometheus exposition is written.

Four sources, read at every scrape (nothing is kept here between scrapes):
- the /healthz body: gauges of sessions, buckets, outbox, upstream hosts, actors, backup;
- the Web actor's own counters (cicero.web.counters): HTTP requests, logins, link reports;
- what the actors measured (cicero.domain.runtime.tally), added up by the root supervisor
  and carried in its status snapshot: WhatsApp sends and inbound messages, upstream requests;
- the settled job runs PostgreSQL counts (cicero.db.job_tally).
prometheus_client writes the format (a counter's samples get `_total`), so label escaping is
its job, not ours. No label holds an NRP, a phone number, a handle or a URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from cicero.domain.runtime.series import Kind, Series, job_label
from cicero.domain.runtime.tally import Tally

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

    latest: dict[str, Mapping[str, Any]] = {}  # fetches asked from menus: one label for all
    for key, run in body.get("last_outcome", {}).items():
        label = job_label(key)
        if label not in latest or run["fire_time"] > latest[label]["fire_time"]:
            latest[label] = run
    yield _gauge(
        "cicero_job_last_status",
        "1 for the status of the job's latest finished run",
        [((job, run["status"]), 1) for job, run in sorted(latest.items())],
        ["job", "status"],
    )

    upstream = sorted(body.get("upstream", {}).items())
    yield _gauge(
        "cicero_upstream_calls_today",
        "Upstream calls today (Asia/Jakarta) per platform and RapidAPI key: primary "
        "(RAPIDAPI_KEY) or fallback (RAPIDAPI_KEY_FALLBACK, RAPIDAPI_KEY when none is set)",
        [(_platform_key(h), v["calls_today"]) for h, v in upstream],
        ["platform", "key"],
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


def measured(tally: Tally, series: Iterable[Series]) -> Iterator[Metric]:
    """The families of `series` from a Tally (each family written even while it is empty)."""
    for one in series:
        if one.kind is Kind.COUNTER:
            counter = CounterMetricFamily(one.name, one.help, labels=list(one.labels))
            for labels, n in tally.counter(one.name):
                counter.add_metric(list(labels), n)
            yield counter
        else:
            histogram = HistogramMetricFamily(one.name, one.help, labels=list(one.labels))
            for labels, h in tally.histogram(one.name):
                histogram.add_metric(list(labels), h.cumulative(), h.total)
            yield histogram


class Measures(Collector):
    def __init__(self, tally: Tally, series: Iterable[Series]) -> None:
        self.tally = tally
        self.series = tuple(series)

    def collect(self) -> Iterator[Metric]:
        return measured(self.tally, self.series)


def render(body: Mapping[str, Any], *more: Collector) -> bytes:
    """The exposition of a /healthz body and further collectors, in that order."""
    registry = CollectorRegistry(auto_describe=False)
    for collector in (_Snapshot(body), *more):
        registry.register(collector)
    return generate_latest(registry)


class _Snapshot(Collector):
    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = body

    def collect(self) -> Iterator[Metric]:
        return families(self.body)


def _platform_key(name: str) -> tuple[str, str]:
    """An upstream host's row name (`tiktok_fallback`) as (platform, key slot)."""
    platform, _, fallback = name.partition("_")
    return platform, "fallback" if fallback else "primary"


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

"""/metrics after real traffic (api.md §4): the whole runtime on the virtual clock
(scenarios/ops/metrics.toml) — simulated WhatsApp in and out, a scheduled ingestion and a
fetch asked from a menu against the fake upstream, a redelivered message, a refused send,
two upstream 500s — scraped before and after, read back with Prometheus' own parser. The
counts moved by what the transcript says happened; histograms are cumulative with
`_count` and `_sum` consistent; no label holds a number, a handle or a URL."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cicero.sim import http as sim_http
from tests.scenarios.simulated import Line, of, simulate

pytestmark = pytest.mark.slow
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "ops" / "metrics.toml"
Key = tuple[str, tuple[tuple[str, str], ...]]


@pytest.fixture(scope="module")
def lines(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim_http, "TEXT_LIMIT", 10_000_000)  # the transcript keeps the whole scrape
        return simulate(SCENARIO, pg_server, tmp_path_factory)


def scrape(lines: list[Line], which: str) -> dict[Key, float]:
    (line,) = of(lines, "http", id=which)
    assert line["status"] == 200, line
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(line["body"])
        for s in family.samples
    }


@pytest.fixture(scope="module")
def before(lines: list[Line]) -> dict[Key, float]:
    return scrape(lines, "before")


@pytest.fixture(scope="module")
def after(lines: list[Line]) -> dict[Key, float]:
    return scrape(lines, "after")


def moved(before: dict[Key, float], after: dict[Key, float], name: str, **want: str) -> float:
    """How much the samples of `name` whose labels include `want` grew between the scrapes."""

    def total(samples: dict[Key, float]) -> float:
        return sum(
            v for (n, labels), v in samples.items()
            if n == name and all(dict(labels).get(k) == x for k, x in want.items())
        )  # fmt: skip

    return total(after) - total(before)


def label_sets(samples: dict[Key, float], name: str) -> set[tuple[str, ...]]:
    return {tuple(k for k, _ in labels) for n, labels in samples if n == name}


def test_inbound_messages_count_recorded_and_redelivered(before, after, lines) -> None:  # type: ignore[no-untyped-def]
    assert label_sets(after, "cicero_wa_inbound_total") == {("outcome", "session")}
    assert moved(before, after, "cicero_wa_inbound_total", session="operator",
                 outcome="recorded") == 2  # fmt: skip
    assert moved(before, after, "cicero_wa_inbound_total", outcome="duplicate") == 1
    assert moved(before, after, "cicero_wa_inbound_total", session="gateway") == 0


def test_sends_count_as_the_network_saw_them(before, after, lines) -> None:  # type: ignore[no-untyped-def]
    scraped_at = of(lines, "http", id="after")[0]["t"]
    accepted = Counter(x["session"] for x in of(lines, "wa") if x["t"] <= scraped_at)
    assert accepted["operator"] >= 3  # the fetch's answers and the recap asked for
    assert label_sets(after, "cicero_wa_send_total") == {("kind", "outcome", "session")}
    for session in ("operator", "gateway"):
        sent = moved(before, after, "cicero_wa_send_total", session=session, outcome="sent")
        assert sent == accepted[session], session
    refused = [
        (dict(k[1])["outcome"], v - before.get(k, 0)) for k, v in after.items()
        if k[0] == "cicero_wa_send_total" and dict(k[1])["outcome"] != "sent"
    ]  # fmt: skip
    assert [(o, n) for o, n in refused if n] == [("transient", 1)]
    # one observation per send call, whatever its outcome
    for session in ("operator", "gateway"):
        calls = moved(before, after, "cicero_wa_send_total", session=session)
        assert moved(before, after, "cicero_wa_send_seconds_count", session=session) == calls


def test_job_runs_count_what_the_ledger_settled(before, after, lines) -> None:  # type: ignore[no-untyped-def]
    scraped_at = of(lines, "http", id="after")[0]["t"]
    settled = Counter(
        (x["job"], x["status"]) for x in of(lines, "job")
        if of(lines, "http", id="before")[0]["t"] < x["t"] <= scraped_at
    )  # fmt: skip
    assert settled[("ingest_social", "done")] == 1
    for (job, status), n in settled.items():
        assert moved(before, after, "cicero_job_runs_total", job=job, outcome=status) == n
    # each platform's part, and the fetch asked from the menu (its ledger key holds the chat)
    for part in ("ingest_social/instagram", "ingest_social/tiktok", "manual_fetch"):
        assert moved(before, after, "cicero_job_runs_total", job=part, outcome="done") >= 1
        assert moved(before, after, "cicero_job_duration_seconds_count", job=part) >= 1
    assert label_sets(after, "cicero_job_runs_total") == {("job", "outcome")}


def test_upstream_requests_count_results_per_endpoint(before, after) -> None:  # type: ignore[no-untyped-def]
    name = "cicero_upstream_requests_total"
    assert moved(before, after, name, endpoint="ig/posts", result="server") == 2
    assert moved(before, after, name, endpoint="ig/posts", result="ok") >= 2  # run and fetch
    assert moved(before, after, name, endpoint="ig/likes", result="ok") >= 1
    assert moved(before, after, name, endpoint="tt/comments", result="ok") >= 1
    assert {dict(k[1])["host"] for k in after if k[0] == name} == {"127.0.0.1"}
    assert label_sets(after, name) == {("endpoint", "host", "result")}
    for (n, labels), v in after.items():  # one timing per request, per label set
        if n == name:
            assert after["cicero_upstream_request_seconds_count", labels] == v


def test_histograms_are_cumulative_and_consistent(after) -> None:  # type: ignore[no-untyped-def]
    families = {"cicero_wa_send_seconds", "cicero_upstream_request_seconds",
                "cicero_job_duration_seconds", "cicero_http_request_seconds"}  # fmt: skip
    seen = set()
    for (name, labels), count in after.items():
        family = name.removesuffix("_count")
        if family not in families or not name.endswith("_count"):
            continue
        seen.add(family)
        buckets = sorted(
            (float(dict(ls)["le"]), v) for (n, ls), v in after.items()
            if n == f"{family}_bucket"
            and tuple(x for x in ls if x[0] != "le") == labels
        )  # fmt: skip
        running = [v for _, v in buckets]
        assert running == sorted(running), (family, labels)
        assert buckets[-1] == (float("inf"), count)
        assert after[f"{family}_sum", labels] >= 0
        assert count > 0 or after[f"{family}_sum", labels] == 0
    assert seen == families


def test_counters_are_named_total_and_labels_hold_no_person(after) -> None:  # type: ignore[no-untyped-def]
    for name in ("cicero_wa_inbound", "cicero_wa_send", "cicero_job_runs",
                 "cicero_upstream_requests", "cicero_http_requests", "cicero_actor_restarts",
                 "cicero_session_transitions"):  # fmt: skip
        assert any(n == f"{name}_total" for n, _ in after), name
        assert not any(n == name for n, _ in after), name
    assert label_sets(after, "cicero_upstream_calls_today") == {("key", "platform")}
    values = {v for _, labels in after for _, v in labels}
    person = re.compile(r"\d{6,}|://|www\.|@|\.com|polres_sukamaju|andi", re.IGNORECASE)
    assert not [v for v in values if person.search(v)]

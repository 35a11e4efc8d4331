"""The Tally the actors measure into and the supervisor adds up: deltas taken and merged
lose nothing and count nothing twice; histogram buckets follow Prometheus' `le`."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime.series import MEASURED, job_label, word
from cicero.domain.runtime.tally import Histogram, Tally

BOUNDS = (0.1, 1.0, 5.0)
values = st.floats(min_value=0, max_value=100, allow_nan=False)
events = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["x", "y"]), values), max_size=60
)


def test_a_value_on_a_bound_falls_in_that_bound() -> None:
    h = Histogram(BOUNDS)
    for v in (0.1, 0.10001, 5.0, 7.0, 0.0):
        h.observe(v)
    assert h.cumulative() == [("0.1", 2), ("1.0", 3), ("5.0", 4), ("+Inf", 5)]
    assert h.count == 5 and h.total == pytest.approx(12.20001)


def test_bounds_must_rise() -> None:
    with pytest.raises(ValueError, match="rise"):
        Histogram((1.0, 0.5))
    with pytest.raises(ValueError, match="bounds differ"):
        Histogram(BOUNDS).merge(Histogram((0.1, 1.0)))


@given(events, st.lists(st.integers(0, 60), max_size=5))
def test_deltas_taken_at_any_points_add_up_to_the_whole(
    seen: list[tuple[str, str, float]], cuts: list[int]
) -> None:
    """An actor takes its delta after any message; the supervisor merges them: the totals are
    what one Tally that never shipped anything would hold."""
    whole, actor, supervisor = Tally(), Tally(), Tally()
    for i, (session, outcome, v) in enumerate(seen):
        for t in (whole, actor):
            t.count("sends", (session, outcome))
            t.observe("seconds", (session,), v, BOUNDS)
        if i in cuts:
            supervisor.merge(pickle.loads(pickle.dumps(actor.take())))  # crosses a process
    supervisor.merge(actor.take())
    assert not actor
    assert supervisor.counters == whole.counters
    assert supervisor.histograms.keys() == whole.histograms.keys()
    for key, h in whole.histograms.items():
        got = supervisor.histograms[key]
        assert got.slots == h.slots and got.total == pytest.approx(h.total)
        running = [n for _, n in got.cumulative()]
        assert running == sorted(running) and running[-1] == got.count  # cumulative, +Inf last


@given(events)
def test_the_wire_form_round_trips(seen: list[tuple[str, str, float]]) -> None:
    t = Tally()
    for session, outcome, v in seen:
        t.count("sends", (session, outcome), 2)
        t.observe("seconds", (session, outcome), v, BOUNDS)
    back = Tally.from_wire(t.to_wire())
    assert back.counters == t.counters
    assert {k: (h.bounds, h.slots, h.total) for k, h in back.histograms.items()} == {
        k: (h.bounds, h.slots, h.total) for k, h in t.histograms.items()
    }
    assert Tally.from_wire(None).counters == {}


def test_merging_a_delta_never_aliases_its_histograms() -> None:
    delta = Tally()
    delta.observe("s", (), 0.5, BOUNDS)
    total = Tally()
    total.merge(delta)
    total.merge(delta)
    assert total.histograms["s", ()].count == 2 and delta.histograms["s", ()].count == 1


def test_label_words_keep_no_number_or_url() -> None:
    assert word("recap") == "recap" and word("menu_reply") == "menu_reply"
    for bad in ("6281234567890", "https://x.com/a", "a b", "", "x" * 41, "Recap@x"):
        assert word(bad) == "other"


def test_measured_series_are_named_and_bucketed_as_prometheus_wants() -> None:
    for s in MEASURED:
        assert s.name.startswith("cicero_") and not s.name.endswith("_total")
        assert list(s.bounds) == sorted(set(s.bounds))
        assert (s.kind == "histogram") == bool(s.bounds)


def test_job_labels_keep_job_and_part_keys_and_cut_a_fetch_key() -> None:
    assert job_label("ingest_social") == "ingest_social"
    assert job_label("ingest_social/instagram") == "ingest_social/instagram"
    fetch = "manual_fetch/POLRES_A/instagram/posts/-/operator/6281300000001%40s.whatsapp.net/M1"
    assert job_label(fetch) == "manual_fetch"
    assert job_label("6281300000001/x") == "other"

"""data.md §3.4: which posts' engagement is fetched, and the audit fire times."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.ingestion.refetch import (
    FetchReason,
    LastFetch,
    audit_times,
    choose_audits,
    fetch_reason,
    latest_audit,
    saved_requests,
)
from cicero.domain.runtime.jobs import JobSpec
from cicero.domain.timezone import WIB

DAY = date(2026, 11, 24)
T0 = datetime(2026, 11, 24, tzinfo=WIB)


def at(hh: int, mm: int = 0) -> datetime:
    return T0 + timedelta(hours=hh, minutes=mm)


# ---------------------------------------------------------------- one post's fetch


def test_a_post_never_fetched_today_is_fetched():
    assert fetch_reason(None, 10, None) is FetchReason.FIRST
    assert fetch_reason(None, None, at(9)) is FetchReason.FIRST


def test_an_unmoved_count_after_the_due_audit_costs_nothing():
    last = LastFetch(at(9, 30), 12, pages=3)
    assert fetch_reason(last, 12, audit_due=at(9)) is None
    assert saved_requests(last) == 3
    assert saved_requests(LastFetch(at(9), 0, pages=0)) == 1


@pytest.mark.parametrize("listed", [13, 11, 0, 12 + 5_000_000])  # up, down (an unlike), jumps
def test_any_move_of_the_count_fetches(listed):
    assert fetch_reason(LastFetch(at(9, 30), 12, 3), listed, at(9)) is FetchReason.MOVED


def test_no_usable_count_in_this_listing_fetches():
    # hidden, a string, or the listing failed or did not reach the post: nothing proves it still
    assert fetch_reason(LastFetch(at(9, 30), 12, 3), None, at(9)) is FetchReason.UNKNOWN
    # a fetch made while the count was unknown cannot vouch for a known count now
    assert fetch_reason(LastFetch(at(9, 30), None, 3), 12, at(9)) is FetchReason.MOVED


def test_an_audit_is_owed_until_a_fetch_after_it_succeeds():
    # The last success (09:30) predates the 12:00 audit: owed at 12:00 and, if that fetch
    # failed (the last success is still 09:30's), at 12:30 too.
    last = LastFetch(at(9, 30), 12, 3)
    assert fetch_reason(last, 12, audit_due=at(12)) is FetchReason.AUDIT
    assert fetch_reason(last, 12, audit_due=latest_audit((at(6), at(12)), at(12, 30))) is (
        FetchReason.AUDIT
    )
    # a success at the audit's own run settles it
    assert fetch_reason(LastFetch(at(12), 12, 3), 12, audit_due=at(12)) is None


def test_a_fetch_asked_from_a_menu_always_goes_out():
    assert fetch_reason(LastFetch(at(9, 30), 12, 3), 12, at(9), asked=True) is FetchReason.ASKED


@given(
    has_last=st.booleans(),
    last_count=st.none() | st.integers(0, 10**12),
    listed=st.none() | st.integers(0, 10**12),
    last_minute=st.integers(0, 1439),
    audit_minute=st.none() | st.integers(0, 1439),
)
def test_unchanged_only_when_nothing_could_have_moved(
    has_last, last_count, listed, last_minute, audit_minute
):
    last = LastFetch(T0 + timedelta(minutes=last_minute), last_count, 1) if has_last else None
    audit = None if audit_minute is None else T0 + timedelta(minutes=audit_minute)
    skipped = fetch_reason(last, listed, audit) is None
    settled = (
        last is not None
        and (audit is None or last.started_at >= audit)
        and listed is not None
        and listed == last.listed_count
    )
    assert skipped == settled


# ---------------------------------------------------------------- audit fire times

HALF_HOURS = [at(6) + timedelta(minutes=30 * k) for k in range(33)]  # 06:00 … 22:00


def test_the_default_schedule():
    recaps = [at(15, 20), at(18, 20), at(20, 20), at(17, 5), at(17, 35), at(15, 45), at(20, 15),
              at(22, 15), at(18, 10), at(18, 23)]  # fmt: skip
    audits = choose_audits(HALF_HOURS, recaps, timedelta(hours=1), timedelta(hours=3))
    assert audits == (at(6), at(9), at(12), at(15), at(17), at(18), at(20), at(22))


def test_no_recaps_leaves_only_the_periodic_audits():
    audits = choose_audits(HALF_HOURS, [], timedelta(hours=1), timedelta(hours=3))
    assert audits == (at(6), at(9), at(12), at(15), at(18), at(21), at(22))


def test_an_audit_every_fire_time_when_every_is_shorter_than_the_cadence():
    assert choose_audits(HALF_HOURS, [], timedelta(hours=1), timedelta(minutes=1)) == tuple(
        HALF_HOURS
    )


@pytest.mark.parametrize("fresh, every", [(timedelta(0), timedelta(hours=3)),
                                          (timedelta(hours=1), timedelta(0)),
                                          (timedelta(hours=1), timedelta(minutes=-5))])  # fmt: skip
def test_durations_must_be_positive(fresh, every):
    with pytest.raises(ValueError, match="positive"):
        choose_audits(HALF_HOURS, [], fresh, every)


minutes = st.integers(0, 1439).map(lambda m: T0 + timedelta(minutes=m))
durations = st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m))


@given(
    ingestions=st.lists(minutes, min_size=0, max_size=60, unique=True),
    recaps=st.lists(minutes, max_size=20),
    fresh=durations,
    every=durations,
)
def test_every_recap_reads_data_audited_recently_enough(ingestions, recaps, fresh, every):
    """The issue's property: every recap that reads engagement is preceded by an audit within
    `fresh`, or by an ingestion that was itself an audit (nothing could change unseen)."""
    audits = choose_audits(ingestions, recaps, fresh, every)
    times = sorted(ingestions)
    assert set(audits) <= set(times) and list(audits) == sorted(audits)
    if times:
        assert audits[0] == times[0]  # the day's first ingestion fetches everything anyway
        assert audits[-1] == times[-1]  # the last one settles the day for the history
    for r in recaps:
        before = [t for t in times if t < r]
        if not before:
            continue  # nothing of the day fetched yet: nothing to audit
        assert before[-1] in audits or any(r - fresh <= a < r for a in audits)


@given(
    ingestions=st.lists(minutes, min_size=1, max_size=60, unique=True),
    recaps=st.lists(minutes, max_size=20),
    fresh=durations,
    every=durations,
)
def test_audits_are_at_most_every_apart_where_the_cadence_allows(ingestions, recaps, fresh, every):
    """At each ingestion the latest audit is at most `every` old, unless it is the ingestion
    just before (the cadence itself is coarser than `every`)."""
    audits = choose_audits(ingestions, recaps, fresh, every)
    times = sorted(ingestions)
    for k, t in enumerate(times[1:], start=1):
        latest = latest_audit(audits, t)
        assert latest is not None
        assert t - latest <= every or latest == times[k - 1] or latest == t


def spec(key: str, *crons: str, after: str | None = None, enabled: bool = True) -> JobSpec:
    return JobSpec(key, key, "always", crons=crons, after=after, enabled=enabled)


INGEST = spec("ingest_social", "0,30 6-21 * * *", "0 22 * * *")


def test_audit_times_read_the_schedule_of_the_readers_only():
    jobs = [
        INGEST,
        spec("recap", "20 15 * * *"),
        spec("not_a_reader", "10 8 * * *"),
        spec("off", "40 10 * * *", enabled=False),
    ]
    audits = audit_times(DAY, jobs, "ingest_social", {"recap", "off", "unknown"},
                         timedelta(hours=1), timedelta(hours=3))  # fmt: skip
    assert audits == (at(6), at(9), at(12), at(15), at(18), at(21), at(22))
    # the 15:20 recap's last ingestion is 15:00, already the periodic audit; move the recap:
    jobs[1] = spec("recap", "50 13 * * *")
    audits = audit_times(DAY, jobs, "ingest_social", {"recap"}, timedelta(hours=1),
                         timedelta(hours=3))  # fmt: skip
    assert at(13, 30) in audits


def test_an_after_job_of_the_ingestion_reads_what_that_very_ingestion_stored():
    jobs = [INGEST, spec("after_ingest", after="ingest_social")]
    audits = audit_times(DAY, jobs, "ingest_social", {"after_ingest"}, timedelta(hours=1),
                         timedelta(hours=3))  # fmt: skip
    # each fire time's recap needs an audit within the hour before it: every hour
    assert audits == tuple(at(6) + timedelta(hours=h) for h in range(17))


def test_a_broken_after_chain_or_a_disabled_ingestion_gives_no_audits():
    jobs = [INGEST, spec("a", after="b"), spec("b", after="a")]
    audits = audit_times(DAY, jobs, "ingest_social", {"a", "b"}, timedelta(hours=1),
                         timedelta(hours=3))  # fmt: skip
    assert audits == (at(6), at(9), at(12), at(15), at(18), at(21), at(22))
    off = [spec("ingest_social", "0 * * * *", enabled=False)]
    assert audit_times(DAY, off, "ingest_social", (), timedelta(hours=1), timedelta(hours=3)) == ()

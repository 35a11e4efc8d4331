"""data.md §3.4: which posts' engagement is fetched, and the audit fire times."""

from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.ingestion.refetch import (
    FetchReason,
    LastFetch,
    audit_deadlines,
    day_deadlines,
    due_at,
    fetch_reason,
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
    assert fetch_reason(last, 12, audit_due=at(12)) is FetchReason.AUDIT  # 12:30: still owed
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


# ---------------------------------------------------------------- audit deadlines

HALF_HOURS = [at(6) + timedelta(minutes=30 * k) for k in range(33)]  # 06:00 … 22:00
H1, H3 = timedelta(hours=1), timedelta(hours=3)
# config/cicero.toml's readers: org recap, reminders, BIDHUMAS and DITBINMAS recaps
DEFAULT_RECAPS = [at(15, 20), at(18, 20), at(20, 20), at(17, 5), at(17, 35), at(15, 45),
                  at(20, 15), at(22, 15), at(18, 10), at(18, 23)]  # fmt: skip


def since(deadlines, hh, mm=0):
    return due_at(deadlines, at(hh, mm))


def test_the_default_schedule():
    d = audit_deadlines(HALF_HOURS, DEFAULT_RECAPS, H1, H3)
    assert since(d, 6) is None  # the first sight of every post fetches it anyway
    assert since(d, 6, 30) == at(4)  # no post older than 3 h at 07:00
    assert since(d, 14, 30) == at(12)
    assert since(d, 15) == at(14, 20)  # 15:20 recap: fetched within the hour before it
    assert since(d, 15, 30) == at(14, 45)  # 15:45 recap
    assert since(d, 16, 30) == at(14, 45)  # deadlines never move back
    assert since(d, 17) == at(16, 5)
    assert since(d, 17, 30) == at(16, 35)
    assert since(d, 18) == at(17, 23)  # 18:10, 18:20, 18:23
    assert since(d, 20) == at(19, 20)  # 20:15, 20:20
    assert since(d, 22) == at(21, 15)  # 22:15 and the day's end
    assert since(d, 22, 10) == at(21, 15)  # a catch-up run follows the fire time before it
    assert since(d, 5) is None


def test_no_recaps_leaves_the_periodic_deadline_and_the_days_end():
    d = audit_deadlines(HALF_HOURS, [], H1, H3)
    assert since(d, 12) == at(9, 30)  # before 12:30 no post may be older than 3 h
    assert since(d, 22) == at(21, 0, ) + timedelta(microseconds=1)  # settles the day


def test_every_fire_time_fetches_everything_when_both_are_shorter_than_the_cadence():
    minute = timedelta(minutes=1)
    d = audit_deadlines(HALF_HOURS, [], minute, minute)
    # each run asks for a fetch later than the run before it: every post, every time
    assert all(x.since is not None and x.since > before.at for before, x in pairwise(d))


@pytest.mark.parametrize("fresh, every", [(timedelta(0), H3), (H1, timedelta(0)),
                                          (H1, timedelta(minutes=-5))])  # fmt: skip
def test_durations_must_be_positive(fresh, every):
    with pytest.raises(ValueError, match="positive"):
        audit_deadlines(HALF_HOURS, [], fresh, every)


minutes = st.integers(0, 1439).map(lambda m: T0 + timedelta(minutes=m))
durations = st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m))
days = st.fixed_dictionaries({
    "ingestions": st.lists(minutes, min_size=1, max_size=60, unique=True),
    "recaps": st.lists(minutes, max_size=20),
    "fresh": durations,
    "every": durations,
})  # fmt: skip


@given(days)
def test_every_recap_reads_data_fetched_within_fresh_or_at_the_last_chance(day):
    """The issue's property: before every recap that reads engagement, each post was fetched
    within `audit_fresh`, or at the last ingestion before the recap (nothing could change
    unseen before it could be read)."""
    d = audit_deadlines(day["ingestions"], day["recaps"], day["fresh"], day["every"])
    times = sorted(day["ingestions"])
    for r in day["recaps"]:
        before = [t for t in times if t < r]
        if len(before) < 2:
            continue  # the day's first sight: every post of it is fetched anyway
        owed = due_at(d, before[-1])
        assert owed is not None and owed >= min(r - day["fresh"], before[-1])


@given(days)
def test_no_post_is_older_than_every_where_the_cadence_allows(day):
    d = audit_deadlines(day["ingestions"], day["recaps"], day["fresh"], day["every"])
    times = sorted(day["ingestions"])
    for t, following in pairwise(times[1:]):
        owed = due_at(d, t)
        assert owed is not None and owed >= min(following - day["every"], t)


@given(days)
def test_deadlines_are_met_at_their_own_run_and_never_move_back(day):
    d = audit_deadlines(day["ingestions"], day["recaps"], day["fresh"], day["every"])
    assert [x.at for x in d] == sorted(day["ingestions"]) and d[0].since is None
    owed = [x.since for x in d[1:]]
    assert all(o is not None and o <= x.at for o, x in zip(owed, d[1:], strict=True))
    assert owed == sorted(owed)  # type: ignore[type-var]
    last = d[-1]
    if len(d) > 1:  # the day's end counts as a recap just after the last ingestion
        assert last.since is not None and last.since >= min(
            last.at - day["fresh"] + timedelta(microseconds=1), last.at)


def spec(key: str, *crons: str, after: str | None = None, enabled: bool = True) -> JobSpec:
    return JobSpec(key, key, "always", crons=crons, after=after, enabled=enabled)


INGEST = spec("ingest_social", "0,30 6-21 * * *", "0 22 * * *")


def test_day_deadlines_read_the_schedule_of_the_readers_only():
    jobs = [
        INGEST,
        spec("recap", "50 13 * * *"),
        spec("not_a_reader", "10 8 * * *"),
        spec("off", "40 10 * * *", enabled=False),
    ]
    d = day_deadlines(DAY, jobs, "ingest_social", {"recap", "off", "unknown"}, H1, H3)
    assert since(d, 13, 30) == at(12, 50)  # the 13:50 recap
    assert since(d, 10) == at(7, 30) and since(d, 7, 30) == at(5)  # only the 3-hour rule


def test_an_after_job_of_the_ingestion_reads_what_that_very_ingestion_stored():
    jobs = [INGEST, spec("after_ingest", after="ingest_social")]
    d = day_deadlines(DAY, jobs, "ingest_social", {"after_ingest"}, H1, H3)
    # each fire time's own after-job reads within the hour: posts older than 1 h are fetched
    assert since(d, 10) == at(9) + timedelta(microseconds=1)


def test_a_broken_after_chain_or_a_disabled_ingestion_gives_no_deadlines_of_its_own():
    jobs = [INGEST, spec("a", after="b"), spec("b", after="a")]
    d = day_deadlines(DAY, jobs, "ingest_social", {"a", "b"}, H1, H3)
    assert d == audit_deadlines(HALF_HOURS, [], H1, H3)
    off = [spec("ingest_social", "0 * * * *", enabled=False)]
    assert day_deadlines(DAY, off, "ingest_social", (), H1, H3) == ()

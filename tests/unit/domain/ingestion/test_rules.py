from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.ingestion.payloads import ParsedPost
from cicero.domain.ingestion.rules import (
    ClientFlags,
    Engagement,
    KnownPost,
    Limits,
    NextPage,
    Outcome,
    Pager,
    Past,
    SourceResult,
    Stage,
    Stop,
    StopReason,
    TikTokSource,
    after_page,
    apply_merge,
    day_start,
    listing_coverage,
    merge_engagement,
    next_tiktok_source,
    page_past,
    platforms_to_fetch,
    reconcile_removals,
    sec_uid_stale,
    stages,
    tiktok_comments_cursor,
    tiktok_username_window_open,
    todays_posts,
)
from cicero.domain.people.usernames import Platform, parse_username
from cicero.domain.timezone import WIB

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
DAY = date(2026, 2, 6)
NOW = datetime(2026, 2, 6, 12, 0, tzinfo=WIB)


def post(pid: str, epoch: int) -> ParsedPost:
    return ParsedPost(IG, pid, datetime.fromtimestamp(epoch, UTC))


# ---------------------------------------------------------------- §3.1


def flags(**kw):
    base = dict(
        client_id="POLRES_A",
        active=True,
        instagram="polres_a",
        instagram_enabled=True,
        tiktok="polres_a",
        tiktok_enabled=True,
    )
    return ClientFlags(**{**base, **kw})


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, (IG, TT)),
        ({"active": False}, ()),
        ({"instagram": None}, (TT,)),
        ({"instagram_enabled": False}, (TT,)),
        ({"instagram_enabled": False, "amplify_enabled": True}, (IG, TT)),
        ({"tiktok_enabled": False}, (IG,)),  # V2 still fetched comments here
        ({"tiktok": None, "instagram": None}, ()),
    ],
)
def test_platforms_to_fetch(kw, expected):
    assert platforms_to_fetch(flags(**kw)) == expected


def test_stage_order():
    assert stages(flags()) == (
        (IG, Stage.POSTS),
        (TT, Stage.POSTS),
        (IG, Stage.LIKERS),
        (TT, Stage.COMMENTS),
    )


# ---------------------------------------------------------------- §2.4


def test_today_boundaries_from_the_spec():
    p1 = post("P1", 1770312600)  # 00:30 WIB on 6 Feb
    p0 = post("P0", 1770310799)  # 23:59:59 WIB on 5 Feb
    at_midnight = post("PM", int(day_start(DAY).timestamp()))
    assert todays_posts([p0, p1, at_midnight], DAY) == (p1, at_midnight)


@pytest.mark.parametrize(
    ("hhmm", "open_"),
    [((10, 59), False), ((11, 0), True), ((15, 0), True), ((17, 15), True), ((17, 16), False)],
)
def test_tiktok_username_window(hhmm, open_):
    at = datetime(2026, 2, 6, *hhmm, tzinfo=WIB).astimezone(UTC)
    assert tiktok_username_window_open(at) is open_


def tried(*results):
    return [SourceResult(s, failed, n, today) for s, failed, n, today in results]


P, F, U = TikTokSource.PRIMARY, TikTokSource.FALLBACK_HOST, TikTokSource.USERNAME


@pytest.mark.parametrize(
    ("history", "fallback", "at_hour", "expected"),
    [
        ((), True, 12, P),
        (((P, False, 5, 2),), True, 12, None),
        (((P, False, 0, 0),), True, 12, F),
        (((P, True, 0, 0),), True, 12, F),
        (((P, True, 0, 0),), False, 12, U),
        (((P, True, 0, 0),), False, 9, None),  # outside 11:00–17:15
        (((P, False, 0, 0), (F, False, 0, 0)), True, 12, U),
        (((P, False, 5, 0),), True, 12, U),  # nothing dated today
        (((P, False, 0, 0), (F, False, 0, 0), (U, False, 0, 0)), True, 12, None),
    ],
)
def test_tiktok_source_cascade(history, fallback, at_hour, expected):
    now = datetime(2026, 2, 6, at_hour, tzinfo=WIB)
    assert next_tiktok_source(tried(*history), now, fallback) is expected


def test_sec_uid_stale():
    assert sec_uid_stale(False, None, "Missing required params: secUid")
    assert sec_uid_stale(True, 120, None)
    assert not sec_uid_stale(True, 0, None)
    assert not sec_uid_stale(False, 120, None)


# ---------------------------------------------------------------- pagination


def test_repeated_cursor_stops_truncated():
    pager = Pager(Limits(max_pages=20))
    pager, step = after_page(pager, 5, "A")
    assert step == NextPage("A")
    pager, step = after_page(pager, 5, "B")
    pager, step = after_page(pager, 5, "A")
    assert step == Stop(Outcome.TRUNCATED, StopReason.REPEATED_CURSOR)
    assert (pager.pages, pager.items) == (3, 15)


def test_page_cap_and_item_cap():
    pager = Pager(Limits(max_pages=2))
    pager, _ = after_page(pager, 1, "a")
    assert after_page(pager, 1, "b")[1] == Stop(Outcome.TRUNCATED, StopReason.PAGE_CAP)
    items = Pager(Limits(max_pages=9, max_items=50, posts=True))
    items, _ = after_page(items, 30, "a")
    assert after_page(items, 20, "b")[1] == Stop(Outcome.TRUNCATED, StopReason.ITEM_CAP)
    assert after_page(items, 20, "b", Past.TAIL)[1] == Stop(Outcome.COMPLETE, StopReason.ITEM_CAP)


def test_end_and_reached_past_are_complete():
    lim = Limits(max_pages=5, posts=True)
    assert after_page(Pager(lim), 3, None)[1] == Stop(Outcome.COMPLETE, StopReason.END)
    assert after_page(Pager(lim), 3, "x", Past.WHOLE)[1] == Stop(
        Outcome.COMPLETE, StopReason.REACHED_PAST
    )


def test_empty_pages():
    posts = Limits(max_pages=5, posts=True)
    assert after_page(Pager(posts), 0, None)[1] == Stop(Outcome.EMPTY, StopReason.EMPTY_PAGE)
    pager, _ = after_page(Pager(posts), 3, "a")
    assert after_page(pager, 0, "b")[1] == Stop(Outcome.TRUNCATED, StopReason.EMPTY_PAGE)
    likers = Limits(max_pages=20)
    assert after_page(Pager(likers), 0, None)[1] == Stop(Outcome.COMPLETE, StopReason.END)


def test_page_past_tolerates_pinned_old_posts():
    old, today = 1770310799, 1770312600
    assert page_past([post("a", old), post("b", today)], DAY) is Past.NONE
    assert page_past([post("a", today), post("b", old)], DAY) is Past.TAIL
    assert page_past([post("a", old), post("b", old)], DAY) is Past.WHOLE
    assert page_past([], DAY) is Past.NONE


@given(st.lists(st.tuples(st.integers(0, 10), st.sampled_from("abcdefg") | st.none())))
def test_pagination_always_stops_within_the_cap(pages):
    pager, cap = Pager(Limits(max_pages=4)), 4
    for count, cursor in pages:
        pager, step = after_page(pager, count, cursor)
        if isinstance(step, Stop):
            break
    assert pager.pages <= cap


def test_tiktok_comments_cursor():
    assert tiktok_comments_cursor(0, 2, total=2, has_more=False) is None
    assert tiktok_comments_cursor(0, 50, total=120, has_more=False) == 50
    assert tiktok_comments_cursor(100, 20, total=120, has_more=True) is None
    assert tiktok_comments_cursor(0, 0, total=120, has_more=True) is None
    assert tiktok_comments_cursor(0, 50, total=None, has_more=True) == 50


# ---------------------------------------------------------------- §3.4 merge


def test_merge_canonicalises_dedupes_and_counts():
    m = merge_engagement(
        ["budi.s", "@Citra_01", "citra_01", "dedi", "bad name", "fajar"],
        IG,
        NOW,
        known={"budi.s"},
        excluded={"fajar"},
    )
    assert m.usernames == ("budi.s", "citra_01", "dedi")
    assert m.new == {"citra_01", "dedi"}
    assert (m.invalid, m.duplicates, m.excluded) == (1, 1, 1)


raw_names = st.sampled_from(
    ["budi.s", "@Budi.S", " BUDI.S ", "citra_01", "@citra_01", "x y", "dedi"]
)
fetches = st.lists(st.lists(raw_names, max_size=8), max_size=6)


@given(fetches)
def test_engagement_never_lost_never_double_counted(batches):
    state: dict[str, Engagement] = {}
    everyone: set[str] = set()
    for i, batch in enumerate(batches):
        at = NOW + timedelta(minutes=30 * i)
        before = dict(state)
        merge = merge_engagement(batch, IG, at, known=set(state))
        state = apply_merge(state, merge)
        everyone |= {n for r in batch if isinstance(n := parse_username(r, IG), str)}
        # never lost: every earlier row survives with its first sighting
        for name, row in before.items():
            assert state[name].first_seen_at == row.first_seen_at
        assert merge.new == set(state) - set(before)
    # never double-counted: exactly one row per distinct real person
    assert set(state) == everyone
    assert all(r.username == n and r.first_seen_at <= r.last_seen_at for n, r in state.items())


@given(fetches)
def test_merge_is_order_independent(batches):
    flat = [n for b in batches for n in b]
    once = merge_engagement(flat, IG, NOW)
    reverse = merge_engagement(list(reversed(flat)), IG, NOW)
    assert once.usernames == reverse.usernames


# ---------------------------------------------------------------- §3.7 removal

T0 = datetime(2026, 2, 6, 8, 0, tzinfo=WIB)


def test_removed_after_two_consecutive_complete_listings():
    p = KnownPost("A", T0)
    since = day_start(DAY)
    (p,) = reconcile_removals([p], set(), Outcome.COMPLETE, since, NOW)
    assert (p.missed_listings, p.removed_at) == (1, None)
    (p,) = reconcile_removals([p], set(), Outcome.COMPLETE, since, NOW)
    assert (p.missed_listings, p.removed_at) == (2, NOW)
    (p,) = reconcile_removals([p], {"A"}, Outcome.TRUNCATED, since, NOW)  # reappears
    assert (p.missed_listings, p.removed_at) == (0, None)


@pytest.mark.parametrize("outcome", [Outcome.TRUNCATED, Outcome.EMPTY, Outcome.FAILED])
def test_incomplete_listings_never_remove(outcome):
    p = KnownPost("A", T0, missed_listings=1)
    assert reconcile_removals([p], set(), outcome, None, NOW) == ()


def test_posts_older_than_the_coverage_are_not_judged():
    old = KnownPost("OLD", T0 - timedelta(days=3))
    assert reconcile_removals([old], set(), Outcome.COMPLETE, day_start(DAY), NOW) == ()
    assert listing_coverage(StopReason.END, DAY) is None
    assert listing_coverage(StopReason.REACHED_PAST, DAY) == day_start(DAY)


@given(st.lists(st.tuples(st.booleans(), st.sampled_from(list(Outcome))), max_size=12))
def test_removed_iff_the_last_two_complete_listings_lacked_it(listings):
    p = KnownPost("A", T0)
    complete_history: list[bool] = []  # presence in each complete listing
    for present, outcome in listings:
        changed = reconcile_removals([p], {"A"} if present else set(), outcome, None, NOW)
        p = changed[0] if changed else p
        if present:
            complete_history.clear()  # presence anywhere is evidence
        elif outcome is Outcome.COMPLETE:
            complete_history.append(False)
    assert (p.removed_at is not None) == (len(complete_history) >= 2)

"""Report periods as WIB date ranges (menus.md §3.2): weeks Monday–Sunday, calendar months,
never past today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.attendance.periods import KEYS, DateRange, UnknownPeriod, date_range
from cicero.domain.menus.directorate import PERIODS_22, PERIODS_30, PERIODS_34

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
bounded = sorted(KEYS - {"all"})


def test_every_menu_period_is_known() -> None:
    assert {k for k, _ in PERIODS_22 + PERIODS_30 + PERIODS_34} <= KEYS


@given(days, st.sampled_from(bounded))
def test_a_range_is_ordered_and_never_reaches_past_today(today: date, key: str) -> None:
    r = date_range(key, today)
    assert r.start is not None and r.start <= r.end <= today


@given(days, st.sampled_from(["this_week", "week", "weekly"]))
def test_this_week_runs_from_monday_to_today(today: date, key: str) -> None:
    r = date_range(key, today)
    assert r.start is not None and r.start.weekday() == 0 and r.end == today
    assert (today - r.start).days == today.weekday()


@given(days)
def test_last_week_is_the_whole_monday_to_sunday_before_this_one(today: date) -> None:
    r = date_range("last_week", today)
    this_monday = date_range("this_week", today).start
    assert r.start is not None and this_monday is not None
    assert r.start.weekday() == 0 and r.end.weekday() == 6
    assert r.end + timedelta(days=1) == this_monday


@given(days, st.sampled_from(["this_month", "month", "monthly"]))
def test_this_month_runs_from_the_first_to_today(today: date, key: str) -> None:
    assert date_range(key, today) == DateRange(today.replace(day=1), today)


@given(days)
def test_last_month_is_the_whole_calendar_month_before(today: date) -> None:
    r = date_range("last_month", today)
    assert r.start is not None and r.start.day == 1
    assert r.end + timedelta(days=1) == today.replace(day=1)  # ends the day before the 1st
    assert (r.start.year, r.start.month) == (r.end.year, r.end.month)


@given(days)
def test_single_days(today: date) -> None:
    for key in (None, "today", "daily"):
        assert date_range(key, today) == DateRange(today, today)
    yesterday = today - timedelta(days=1)
    assert date_range("yesterday", today) == DateRange(yesterday, yesterday)
    assert date_range("all", today) == DateRange(None, today)


def test_unknown_period_is_a_clear_error() -> None:
    with pytest.raises(UnknownPeriod, match="fortnight"):
        date_range("fortnight", date(2026, 11, 25))


def test_labels_in_indonesian() -> None:
    wed = date(2026, 11, 25)
    assert date_range("last_week", wed).label() == "16–22 November 2026"
    assert date_range("this_week", wed).label() == "23–25 November 2026"
    assert date_range("last_month", wed).label() == "01–31 Oktober 2026"
    assert date_range("yesterday", wed).label() == "24 November 2026"
    assert date_range("all", wed).label() == "Semua data s.d. 25 November 2026"
    assert DateRange(date(2026, 10, 28), date(2026, 11, 3)).label() == (
        "28 Oktober – 03 November 2026"
    )
    assert date_range("this_week", date(2027, 1, 2)).label() == (
        "28 Desember 2026 – 02 Januari 2027"
    )

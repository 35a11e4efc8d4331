"""Report periods of the directorate menu (menus.md §3.2) as WIB date ranges.

22 offers today…last month, 30 today/week/month/all, 34/35 daily/weekly/monthly. A week is
Monday–Sunday and a month the calendar month; a range never reaches past today (the current
week or month stops at today), and "all" starts at the first stored post (`start` None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cicero.domain.text.calendar_id import BULAN, tanggal

TODAY = frozenset({"today", "daily"})
THIS_WEEK = frozenset({"this_week", "week", "weekly"})
THIS_MONTH = frozenset({"this_month", "month", "monthly"})
KEYS = TODAY | THIS_WEEK | THIS_MONTH | {"yesterday", "last_week", "last_month", "all"}


class UnknownPeriod(ValueError):
    """A period key no menu offers."""


@dataclass(frozen=True)
class DateRange:
    """WIB days `start`..`end`, both included; `start` None is "since the first stored post"."""

    start: date | None
    end: date

    @property
    def single_day(self) -> bool:
        return self.start == self.end

    def label(self) -> str:
        """The period in Indonesian, days in two digits as every long date: 07–13 November 2026,
        28 Oktober – 03 November 2026."""
        if self.start is None:
            return f"Semua data s.d. {_day(self.end)}"
        s, e = self.start, self.end
        if s == e:
            return _day(e)
        if (s.year, s.month) == (e.year, e.month):
            return f"{s.day:02d}–{_day(e)}"
        if s.year == e.year:
            return f"{s.day:02d} {BULAN[s.month - 1]} – {_day(e)}"
        return f"{_day(s)} – {_day(e)}"


def date_range(period: str | None, today: date) -> DateRange:
    """The days a report of `period` counts when asked on WIB day `today` (None is today)."""
    key = period or "today"
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    if key in TODAY:
        return DateRange(today, today)
    if key == "yesterday":
        return DateRange(today - timedelta(days=1), today - timedelta(days=1))
    if key in THIS_WEEK:
        return DateRange(monday, today)  # Sunday would be in the future: clamped
    if key == "last_week":
        return DateRange(monday - timedelta(days=7), monday - timedelta(days=1))
    if key in THIS_MONTH:
        return DateRange(first, today)
    if key == "last_month":
        last = first - timedelta(days=1)
        return DateRange(last.replace(day=1), last)
    if key == "all":
        return DateRange(None, today)
    raise UnknownPeriod(f"unknown period {period!r}")


def _day(d: date) -> str:
    return tanggal(d)

"""The query words a dashboard view reads its platform and days from (api.md §3): `platform`,
`period` around `date` (default: today, WIB, on the runtime's clock), or a range `from`–`to`
(≤ 31 days). A word sent empty, as a page's cleared form field sends it, counts as absent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiohttp import web

from cicero.domain.attendance.view import DayRange, Period, RangeRefused, period_range
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date
from cicero.web.context import ctx
from cicero.web.errors import ApiError


@dataclass(frozen=True)
class Days:
    platform: Platform
    period: Period
    days: DayRange
    ranged: bool  # `from`/`to` rather than a period around `date`


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "bad_request", fields={name: "tanggal YYYY-MM-DD"}) from None


def asked_days(request: web.Request, platform: str | None = None) -> Days:
    """The request's platform (`platform` overrides the query's: a page's path names it) and
    days; 400 for a word that cannot be read, 422 for a range the views refuse."""
    q = request.query
    try:
        chosen = Platform(platform or q.get("platform") or "instagram")
    except ValueError:
        raise ApiError(400, "bad_request", fields={"platform": "instagram atau tiktok"}) from None
    try:
        period = Period(q.get("period") or "day")
    except ValueError:
        raise ApiError(400, "bad_request", fields={"period": "day, week atau month"}) from None
    ranged = bool(q.get("from") or q.get("to"))
    try:
        if ranged:
            start = _day(q.get("from") or q.get("to", ""), "from")
            days = DayRange(start, _day(q.get("to") or start.isoformat(), "to"))
        else:
            day = _day(q["date"], "date") if q.get("date") else wib_date(ctx(request).now())
            days = period_range(period, day)
    except RangeRefused as err:
        raise ApiError(422, "invalid", f"Periode tidak dapat ditampilkan: {err}.",
                       fields={"period": str(err)}) from None  # fmt: skip
    return Days(chosen, period, days, ranged)

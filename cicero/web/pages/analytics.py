"""`/analitik/instagram`, `/analitik/tiktok` (api.md §3, issue 17): the analytics value of the
request's scope and period as a page: filters, figures, the daily trend and (a directorate)
the side-by-side charts, per-account, per-day and per-post tables, top and bottom posts,
and the Excel download. The same value as `GET /api/analytics`."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from markupsafe import Markup

from cicero.domain.attendance.view import Period
from cicero.domain.layouts.analytics_chart import daily_trend, per_post, percent, side_by_side
from cicero.web.api.analytics import Asked, asked, computed, page_links
from cicero.web.errors import ApiError
from cicero.web.render import page

LABEL = {"instagram": "Instagram", "tiktok": "TikTok"}
PAGE_POSTS = 300  # more are in the Excel file


def _neighbours(a: Asked) -> tuple[str, str]:
    """The query of the period before and after this one."""
    start, end = a.days.start, a.days.end
    if a.ranged:
        span = end - start + timedelta(days=1)
        return (a.query(**{"from": (start - span).isoformat(), "to": (end - span).isoformat()}),
                a.query(**{"from": (start + span).isoformat(), "to": (end + span).isoformat()}))  # fmt: skip
    if a.period is Period.MONTH:
        return (a.query(date=(start - timedelta(days=1)).isoformat()),
                a.query(date=(end + timedelta(days=1)).isoformat()))  # fmt: skip
    step = timedelta(days=7 if a.period is Period.WEEK else 1)
    return a.query(date=(start - step).isoformat()), a.query(date=(start + step).isoformat())


async def analytics_page(request: web.Request) -> web.Response:
    platform = request.match_info["platform"]
    if platform not in LABEL:
        raise ApiError(404, "not_found")
    a = await asked(request, platform)
    v = await computed(request, a)
    previous, following = _neighbours(a)
    data = {
        "v": v, "a": a, "label": LABEL[platform], "persen": percent,
        "names": {f.account.client_id: f.account.name for f in v.accounts},
        "trend": Markup(per_post(v.posts) if len(v.days) == 1 else daily_trend(v.days)),
        "comparison": Markup(side_by_side(v.accounts)) if len(v.accounts) > 1 else "",
        "previous": f"/analitik/{platform}?{previous}",
        "following": f"/analitik/{platform}?{following}",
        "shown_posts": v.posts[-PAGE_POSTS:][::-1], "page_posts": PAGE_POSTS,
        **page_links(a),
    }  # fmt: skip
    return page(request, "analitik.html", data, title=f"Analitik {LABEL[platform]}")

"""The analytics as an Excel workbook (issue 17 "Excel export of the same figures"): the value
`GET /api/analytics` returns, as sheets. Pure: a `Workbook` of header and rows; text goes in
as text (a caption that starts with `=` stays a caption, never a formula: the writer stores
every string as a shared string). Name per jobs.md §1: `Analitik_{Platform}_{CLIENT}_…`."""

from __future__ import annotations

import re
from datetime import datetime

from cicero.domain.analytics.figures import Analytics, PostRow, Totals
from cicero.domain.attendance.view import PERIOD_LABEL
from cicero.domain.layouts.sheets import Cell, Sheet, Workbook, workbook_filename
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB

PREFIX = {Platform.INSTAGRAM: "Analitik_Instagram", Platform.TIKTOK: "Analitik_TikTok"}
FIGURES = ("Konten", "Likes", "Komentar", "Views", "Share", "Interaksi")
POST_HEAD = ("No", "Client", "Tanggal", "Jam (WIB)", "Link", "Caption", "Likes", "Komentar",
             "Views", "Share", "Interaksi", "Pengikut", "Engagement rate (%)")  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0 cannot carry them


def _text(value: str) -> str:
    return _CONTROL.sub(" ", value)


def _n(value: int | None) -> Cell:
    return "" if value is None else value


def _pct(rate: float | None) -> Cell:
    return "" if rate is None else round(rate * 100, 4)


def _figures(t: Totals) -> tuple[Cell, ...]:
    return (t.posts, _n(t.likes), _n(t.comments), _n(t.views), _n(t.shares), t.interactions)


def _post(i: int, p: PostRow, a: Analytics, names: dict[str, str]) -> tuple[Cell, ...]:
    at = p.posted_at.astimezone(WIB)
    return (i, names.get(p.client_id, p.client_id), p.day.isoformat(), at.strftime("%H:%M"),
            p.link(a.platform), _text(p.caption), _n(p.likes), _n(p.comments), _n(p.views),
            _n(p.shares), p.interactions, _n(p.followers), _pct(p.engagement_rate))  # fmt: skip


def analytics_workbook(a: Analytics, at: datetime) -> Workbook:
    names = {f.account.client_id: f.account.name for f in a.accounts}
    label = "Instagram" if a.platform is Platform.INSTAGRAM else "TikTok"
    summary: list[tuple[Cell, ...]] = [
        ("Client", _text(f"{a.scope.name} ({a.scope.client_id})")),
        ("Platform", label),
        ("Periode", f"{PERIOD_LABEL[a.period]}: {a.range.start.isoformat()} s.d. "
                    f"{a.range.end.isoformat()}"),
        *zip(FIGURES, _figures(a.totals), strict=True),
        ("Pengikut", _n(a.followers)),
        ("Engagement rate (%)", _pct(a.engagement_rate)),
        ("Dihitung", at.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")),
    ]  # fmt: skip
    if a.followers_missing:
        summary.append(("Pengikut belum diketahui", ", ".join(a.followers_missing)))
    accounts = tuple(
        (i, _text(f.account.name), f.account.client_id, f.account.handle or "", _n(f.followers),
         *_figures(f.totals), _pct(f.engagement_rate), _pct(f.rate_per_post))
        for i, f in enumerate(a.accounts, start=1)
    )  # fmt: skip
    days = tuple((d.day.isoformat(), *_figures(d.totals)) for d in a.days)
    account_head = ("No", "Client", "ID", "Akun", "Pengikut", *FIGURES, "Engagement rate (%)",
                    "ER per konten (%)")  # fmt: skip
    lists = [tuple(_post(i, p, a, names) for i, p in enumerate(posts, start=1))
             for posts in (a.posts, a.top, a.bottom)]  # fmt: skip
    return Workbook(
        workbook_filename(PREFIX[a.platform], a.scope.client_id, at),
        (
            Sheet("Ringkasan", ("Keterangan", "Nilai"), tuple(summary)),
            Sheet("Akun", account_head, accounts),
            Sheet("Harian", ("Tanggal", *FIGURES), days),
            Sheet("Konten", POST_HEAD, lists[0]),
            Sheet("Teratas", POST_HEAD, lists[1]),
            Sheet("Terbawah", POST_HEAD, lists[2]),
        ),
    )

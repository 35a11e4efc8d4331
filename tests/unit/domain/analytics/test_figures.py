"""The analytics' rules on values (issue 17): unknown figures stay unknown, engagement rates
need known followers, followers carry forward from the latest fetch, top and bottom never
share a post; and the charts and the workbook built from the value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cicero.domain.analytics.figures import (
    Account,
    FollowerBook,
    PostRow,
    Totals,
    build,
    rate,
)
from cicero.domain.attendance.view import DayRange, Period
from cicero.domain.layouts.analytics_chart import daily_trend, per_post, percent, side_by_side
from cicero.domain.layouts.analytics_sheets import analytics_workbook
from cicero.domain.people.usernames import Platform

D1, D2, D3 = date(2026, 2, 4), date(2026, 2, 5), date(2026, 2, 6)
DAYS = DayRange(D1, D3)
A = Account("POLRES_A", "POLRES <A>", "polres_a")
B = Account("POLRES_B", "POLRES B", None)


def post(ext: str, day: date, likes: int | None, comments: int | None = 0,
         shares: int | None = None, views: int | None = None, client: str = "POLRES_A",
         followers: int | None = 1000, caption: str = "") -> PostRow:  # fmt: skip
    at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC) + timedelta(minutes=len(ext))
    return PostRow(client, ext, at, day, "polres_a", caption, likes, comments, views, shares,
                   followers)  # fmt: skip


def test_rate_is_unknown_without_followers() -> None:
    assert rate(50, 1000) == 0.05 and rate(50, None) is None and rate(50, 0) is None
    assert rate(1, 3) == 0.333333  # six decimals
    # The exact quotient rounded half up, in integers: 1 / 2,000,000 is 0.0000005 exactly
    # (as a float, a hair below: round() would give 0.0); 10^20 interactions stay exact.
    assert rate(1, 2_000_000) == 0.000001 and rate(1, 2_000_001) == 0.0
    assert rate(10**20 + 1, 10**14) == 1_000_000.0 and rate(2, 3) == 0.666667


def test_unknown_figures_stay_unknown_and_count_zero_in_interactions() -> None:
    t = Totals.of([post("X1", D1, 10, None, None, None), post("X2", D1, None, None, 4)])
    assert (t.posts, t.likes, t.comments, t.views, t.shares, t.interactions) == (2, 10, None, None, 4, 14)
    assert Totals.of([]).as_json() == {"posts": 0, "likes": None, "comments": None,
                                       "views": None, "shares": None, "interactions": 0}  # fmt: skip


def test_followers_carry_forward_from_the_latest_count() -> None:
    book = FollowerBook.of([("POLRES_A", date(2026, 1, 30), 900), ("POLRES_A", D2, 1000),
                            ("POLRES_B", D3, 50)], DAYS)  # fmt: skip
    assert [book.on("POLRES_A", d) for d in (D1, D2, D3)] == [900, 1000, 1000]
    assert [book.on("POLRES_B", d) for d in (D1, D2, D3)] == [None, None, 50]
    assert book.on("POLRES_X", D3) is None


def test_top_and_bottom_share_no_post_and_ties_go_by_time() -> None:
    posts = [post(f"P{i}", D2, likes) for i, likes in enumerate([5, 9, 1, 9, 3, 7, 2])]
    book = FollowerBook.of([("POLRES_A", D1, 100)], DAYS)
    v = build(A, False, Platform.INSTAGRAM, Period.DAY, DAYS, [A], posts, book)
    assert [p.external_id for p in v.top] == ["P1", "P3", "P5", "P0", "P4"]
    assert [p.external_id for p in v.bottom] == ["P2", "P6"]  # the fewest first
    one = build(A, False, Platform.INSTAGRAM, Period.DAY, DAYS, [A], posts[:1], book)
    assert len(one.top) == 1 and one.bottom == ()


def test_an_account_rate_and_the_scopes_need_known_followers() -> None:
    posts = [post("A1", D3, 100, 10, 5), post("B1", D3, 20, client="POLRES_B", followers=None)]
    book = FollowerBook.of([("POLRES_A", D3, 230)], DAYS)
    v = build(A, True, Platform.INSTAGRAM, Period.WEEK, DAYS, [A, B], posts, book)
    a, b = v.accounts
    assert (a.engagement_rate, a.rate_per_post) == (0.5, 0.5)
    assert (b.followers, b.engagement_rate, b.rate_per_post) == (None, None, None)
    assert v.engagement_rate is None  # B has posts and no count
    assert v.followers_missing == ()  # B has no handle on this platform: nothing to fetch
    assert [d.totals.posts for d in v.days] == [0, 0, 2]
    js = v.as_json()
    assert js["accounts"][1]["handle"] == "" and js["posts"][0]["url"] == "https://www.instagram.com/p/A1"


def test_charts_escape_names_and_say_when_empty() -> None:
    posts = [post("A1", D3, 100, 10, 5)]
    v = build(A, True, Platform.INSTAGRAM, Period.WEEK, DAYS, [A, B], posts,
              FollowerBook.of([("POLRES_A", D3, 230)], DAYS))  # fmt: skip
    chart = side_by_side(v.accounts)
    assert "POLRES &lt;A&gt;" in chart and "<A>" not in chart and "ER 50,00%" in chart
    trend = daily_trend(v.days)
    assert trend.count("<rect") == 3 + 3  # likes, comments, shares of 6 Feb; the legend
    assert "Belum ada interaksi" in daily_trend(v.days[:2])
    one_day = per_post(v.posts)  # a day's chart shows its posts at their WIB time
    assert ">10.02</text>" in one_day and "(A1)</title>" in one_day
    assert percent(None) == "–" and percent(0.0125) == "1,25%"


def test_workbook_keeps_text_as_text_and_drops_control_characters() -> None:
    posts = [post("A1", D3, 7, None, followers=None, caption="=HYPERLINK(\"http://x\")\x0b<b>")]
    v = build(A, False, Platform.INSTAGRAM, Period.DAY, DAYS, [A], posts,
              FollowerBook.of([], DAYS))  # fmt: skip
    book = analytics_workbook(v, datetime(2026, 2, 6, 10, tzinfo=UTC))
    assert book.filename.startswith("Analitik_Instagram_POLRES_A_")
    konten = next(s for s in book.sheets if s.title == "Konten")
    (row,) = konten.rows
    assert row[5] == '=HYPERLINK("http://x") <b>' and row[7] == "" and row[12] == ""
    assert [s.title for s in book.sheets] == ["Ringkasan", "Akun", "Harian", "Konten", "Teratas",
                                              "Terbawah"]  # fmt: skip

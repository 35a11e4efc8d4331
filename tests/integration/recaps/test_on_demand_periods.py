"""Directorate reports over a menu period (menus.md §3.2: 22, 30, 34/35) on a real database:
the posts of every day in the range counted together, with the period in the header."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from cicero.db.attendance import scope_posts
from cicero.db.connect import connect
from cicero.domain.menus.model import BuildReport
from tests.integration.recaps import world
from tests.integration.recaps.test_on_demand import ask

# world.DAY is Tuesday 10 February 2026; these add DITBINMAS Instagram posts on other days.
EXTRA = [
    # external id, days before world.DAY, likers
    ("W1", 1, ["budi.s"]),  # Monday: this week
    ("P1", 2, ["budi.s", "eko.s"]),  # Sunday: last week, this month
    ("J1", 10, ["budi.s", "eko.s"]),  # 31 January: last month
]


@pytest.fixture(scope="module")
def ids(database_url: str) -> dict[str, int]:
    got = world.seeded(database_url)

    async def go() -> None:
        conn = await connect(database_url)
        try:
            for ext, back, likers in EXTRA:
                when = world.at(9) - timedelta(days=back)
                got[ext] = await conn.fetchval(
                    """INSERT INTO post (platform, external_id, client_id, posted_at,
                                         first_seen_at, last_seen_at)
                       VALUES ('instagram', $1, 'DITBINMAS', $2, $2, $2) RETURNING id""",
                    ext, when,
                )  # fmt: skip
                for u in likers:
                    await conn.execute(
                        "INSERT INTO engagement VALUES ($1, 'like', $2, $3, $3)", got[ext], u, when
                    )
        finally:
            await conn.close()

    asyncio.run(go())
    return got


def kasat_binmas(url: str, period: str, message_id: str) -> str:
    asked = BuildReport("kasat_binmas_likes", "DITBINMAS", "instagram", period=period)
    (msg,) = ask(url, [asked], message_id)
    return msg.body


def test_weekly_counts_monday_to_today(database_url: str, ids) -> None:
    body = kasat_binmas(database_url, "weekly", "P1")
    # The previous system's words: the Monday–Sunday week, though nothing past today counts.
    assert "🗓️ Periode: Senin, 09 Februari 2026 s.d. Minggu, 15 Februari 2026\n" in body
    assert "📈 Total konten periode ini: 3\n" in body  # D1, D2 today and W1 on Monday
    assert "BUDI SANTOSO (POLRES A) — 2/3 konten" in body  # D1 and W1
    assert "EKO SAPUTRA (POLRES B) — 1/3 konten" in body  # D1 only


def test_monthly_counts_the_calendar_month_to_today(database_url: str, ids) -> None:
    body = kasat_binmas(database_url, "monthly", "P2")
    assert "🗓️ Periode: Bulan Februari 2026\n" in body
    assert "📈 Total konten periode ini: 4\n" in body  # January's J1 is not in February
    assert "BUDI SANTOSO (POLRES A) — 3/4 konten" in body
    assert "EKO SAPUTRA (POLRES B) — 2/4 konten" in body


def test_daily_is_todays_report(database_url: str, ids) -> None:
    body = kasat_binmas(database_url, "daily", "P3")
    assert "🗓️ Periode: Selasa, 10 Februari 2026\n📈 Total konten periode ini: 2\n" in body
    assert "BUDI SANTOSO (POLRES A) — 1/2 konten" in body


def test_kasatker_and_ranking_name_their_period(database_url: str, ids) -> None:
    month, *ranking = ask(
        database_url,
        [
            BuildReport("kasatker_report", "DITBINMAS", period="month"),
            BuildReport("engagement_ranking_xlsx", "DITBINMAS", period="last_month"),
        ],
        "P4",
    )
    assert "Periode: 01–10 Februari 2026 (data per Selasa, 10 Februari 2026" in month.body
    assert "POLRES A" in month.body and "POLRES B" in month.body
    file, caption = ranking  # January has J1: a workbook, then its caption with the period
    assert file.attachment_name and file.attachment_name.endswith(".xlsx")
    assert caption.body.endswith("\nPeriode: 01–31 Januari 2026")


def test_a_period_without_posts_says_so(database_url: str, ids) -> None:
    (msg,) = ask(
        database_url,
        [BuildReport("kasat_binmas_comments", "DITBINMAS", "tiktok", period="monthly")],
        "P5",
    )
    # DT1 today is the only TikTok post: monthly still counts it
    assert "- Total konten periode: 1 video\n" in msg.body
    (empty,) = ask(
        database_url, [BuildReport("engagement_ranking_xlsx", "BIDHUMAS", period="last_week")], "P6"
    )
    assert empty.body == (
        "Tidak ada konten Instagram maupun TikTok pada akun official *BID HUMAS* "
        "pada periode 02–08 Februari 2026."
    )


def test_scope_posts_over_a_range(database_url: str, ids) -> None:
    async def go(start: date, end: date | None) -> list[str]:
        conn = await connect(database_url)
        try:
            posts = await scope_posts(
                conn, "DITBINMAS", "instagram", start, world.at(15), True, until=end
            )
            return [p.ref.external_id for p in posts]
        finally:
            await conn.close()

    today = world.DAY.date()
    assert asyncio.run(go(today, None)) == ["D1", "D2"]  # the one-day form of the jobs
    assert asyncio.run(go(date.min, today)) == ["J1", "P1", "W1", "D1", "D2"]  # "all"
    assert asyncio.run(go(today + timedelta(days=1), today)) == []  # an empty range

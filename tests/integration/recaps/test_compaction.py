"""Engagement compaction (issue 18 item 6): after old days are compacted into attendance_day,
the week and month reports count exactly what they counted from the raw engagement."""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.db.compaction import compact_day, days_to_compact
from cicero.db.connect import connect
from cicero.db.recaps import client, client_names
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from cicero.reports.directorate import DirectorateReports
from tests.conftest import fresh_database
from tests.integration.recaps import world

FIRST = date(2026, 3, 2)  # a Monday
DAYS = 14
NOW = datetime(2026, 3, 16, 12, tzinfo=WIB)  # the day after the fortnight
HANDLES = {
    Platform.INSTAGRAM: ["budi.s", "andiwjy", "fajar", "eko.s", "hendra", "maya", "warga.1"],
    Platform.TIKTOK: ["budis", "dedik", "fajar", "ekos", "hendra", "warga.2"],
}
OWNERS = ["DITBINMAS", "BIDHUMAS", "POLRES_A", "POLRES_B"]
SCOPES = ["DITBINMAS", "BIDHUMAS", "POLRES_A"]
LATER = datetime(2026, 2, 20, tzinfo=WIB)  # a day without the seeded posts


async def make_history(conn: Any, seed: int) -> None:
    """DAYS days of posts: each owner posts 0-2 a day per platform, some tagged for DITBINMAS,
    some removed, each liked or commented by a random part of the handles (and the public)."""
    rng = random.Random(seed)
    for d in range(DAYS):
        day = datetime.combine(FIRST + timedelta(days=d), datetime.min.time(), tzinfo=WIB)
        for owner in OWNERS:
            for platform in Platform:
                for k in range(rng.randint(0, 2)):
                    at = day + timedelta(hours=7 + 3 * k, minutes=rng.randint(0, 59))
                    pid = await conn.fetchval(
                        """INSERT INTO post (platform, external_id, client_id, posted_at,
                                             first_seen_at, last_seen_at, removed_at)
                           VALUES ($1, $2, $3, $4, $4, $4, $5) RETURNING id""",
                        platform.value, f"{owner}-{d}-{platform.value}-{k}", owner, at,
                        at + timedelta(hours=5) if rng.random() < 0.1 else None,
                    )  # fmt: skip
                    if owner != "DITBINMAS" and rng.random() < 0.2:
                        await conn.execute("INSERT INTO post_tag VALUES ($1, 'ditbinmas')", pid)
                    kind = "like" if platform is Platform.INSTAGRAM else "comment"
                    for handle in HANDLES[platform]:
                        if rng.random() < 0.5:
                            await conn.execute(
                                "INSERT INTO engagement VALUES ($1, $2, $3, $4, $4)",
                                pid, kind, handle, at + timedelta(minutes=30),
                            )  # fmt: skip


async def period_reports(conn: Any) -> dict[tuple[str, str], Any]:
    """Each scope's fortnight and first week, per platform: who, status, done, of how many."""
    names = await client_names(conn)
    out = {}
    for scope in SCOPES:
        c = await client(conn, scope)
        for first, last in ((FIRST, FIRST + timedelta(days=DAYS - 1)),
                            (FIRST, FIRST + timedelta(days=6))):  # fmt: skip
            reports = DirectorateReports(conn, c, names, {}, first, NOW, until=last)
            for platform in Platform:
                posts, people = await reports.data(platform, "likes_simple")
                out[scope, f"{first}..{last} {platform}"] = (
                    [p.ref.external_id for p in posts],
                    sorted((a.nrp, str(a.status), a.count, a.total) for a in people),
                )
    return out


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), compact=st.integers(1, DAYS - 1))
def test_reports_over_compacted_days_count_the_same(pg_server: object, seed: int, compact: int):
    url = fresh_database(pg_server)

    async def go() -> tuple[Any, Any, dict[str, int]]:
        conn = await connect(url)
        try:
            await world.seed(conn)
            await make_history(conn, seed)
            before = await period_reports(conn)
            horizon = FIRST + timedelta(days=compact)  # the first `compact` days go
            for day in await days_to_compact(conn, horizon):
                async with conn.transaction():
                    await compact_day(conn, day, NOW)
            after = await period_reports(conn)
            left = await conn.fetchrow(
                """SELECT count(*) FILTER (WHERE p.wib_date < $1) AS old,
                          count(*) FILTER (WHERE p.wib_date >= $1) AS new
                     FROM engagement e JOIN post p ON p.id = e.post_id""",
                horizon,
            )
            return before, after, dict(left)
        finally:
            await conn.close()

    before, after, left = asyncio.run(go())
    assert after == before
    assert left["old"] == 0 and left["new"] > 0
    assert any(people for _, people in before.values())  # the reports counted someone


def test_compacting_a_day_twice_adds_nothing_and_a_late_post_adds_to_its_day(pg_server: object):
    url = fresh_database(pg_server)

    async def go() -> list[Any]:
        conn = await connect(url)
        try:
            await world.seed(conn)
            ids = {}
            for ext, owner in (("X1", "POLRES_A"), ("X2", "POLRES_A")):
                ids[ext] = await conn.fetchval(
                    """INSERT INTO post (platform, external_id, client_id, posted_at,
                                         first_seen_at, last_seen_at)
                       VALUES ('instagram', $1, $2, $3, $3, $3) RETURNING id""",
                    ext, owner, LATER + timedelta(hours=9),
                )  # fmt: skip
            await conn.execute(
                "INSERT INTO engagement VALUES ($1, 'like', 'budi.s', $2, $2)", ids["X1"],
                LATER + timedelta(hours=10),
            )  # fmt: skip
            await conn.execute("UPDATE post SET engagement_compacted_at = now() WHERE id = $1",
                               ids["X2"])  # fmt: skip
            day = LATER.date()
            seen = []
            for _ in range(2):
                async with conn.transaction():
                    await compact_day(conn, day, NOW)
                seen.append([tuple(r) for r in await conn.fetch(
                    """SELECT scope, platform, posts, nrps, done FROM attendance_day
                        ORDER BY scope, platform""")])  # fmt: skip
            # a post of that day compacted later joins the day's counts
            x3 = await conn.fetchval(
                """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                                     last_seen_at)
                   VALUES ('instagram', 'X3', 'POLRES_A', $1, $1, $1) RETURNING id""",
                LATER + timedelta(hours=11),
            )
            await conn.execute("INSERT INTO engagement VALUES ($1, 'like', 'budi.s', $2, $2)",
                               x3, LATER + timedelta(hours=12))  # fmt: skip
            await conn.execute("INSERT INTO engagement VALUES ($1, 'like', 'andiwjy', $2, $2)",
                               x3, LATER + timedelta(hours=12))  # fmt: skip
            async with conn.transaction():
                await compact_day(conn, day, NOW)
            seen.append([tuple(r) for r in await conn.fetch(
                "SELECT scope, platform, posts, nrps, done FROM attendance_day")])  # fmt: skip
            return seen
        finally:
            await conn.close()

    first, second, third = asyncio.run(go())
    # X1 only (X2 was marked compacted already); budi.s liked it: nrp 75020001
    assert first == second == [("POLRES_A", "instagram", 1, ["75020001"], [1])]
    assert third == [("POLRES_A", "instagram", 2, ["75020001", "75020003"], [2, 1])]

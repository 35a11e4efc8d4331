"""recap_log written by `log_recaps`: every entry's row in order, people lists shared by several
entries stored in full for each, a row already logged kept."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from cicero.db.connect import connect
from cicero.db.recaps import RecapEntry, log_recaps
from cicero.domain.attendance.rule import Attendance, Person, Status
from cicero.domain.timezone import WIB

FIRE = datetime(2026, 11, 24, 15, 45, tzinfo=WIB)
NOW = datetime(2026, 11, 24, 15, 45, 3, tzinfo=WIB)


def person(nrp: str, status: Status, done: tuple[int, ...]) -> Attendance:
    return Attendance(Person(nrp, "POLRES_A", f"P{nrp}", "AKP", "SAT"), "h" + nrp, done, 2, status)


def test_entries_in_order_shared_people_in_full_logged_rows_kept(database_url: str) -> None:
    ig = (person("1", Status.SUDAH, (1, 2)), person("2", Status.BELUM, ()))
    tt = (person("1", Status.KURANG, (5,)),)
    first = [RecapEntry("likes_simple", "BIDHUMAS", "instagram", ("A", "B"), ig)]
    entries = [
        RecapEntry("likes_simple", "BIDHUMAS", "instagram", ("X",), ()),  # logged before: kept
        RecapEntry("comments_simple", "BIDHUMAS", "tiktok", ("T",), tt),
        RecapEntry("likes_per_content_xlsx", "BIDHUMAS", "instagram", ("A", "B"), tuple(ig)),
        RecapEntry("comments_per_content_xlsx", "BIDHUMAS", "tiktok", ("T",), tt),
        RecapEntry("kasat", "BIDHUMAS", "instagram", (), ()),
        RecapEntry("kasat", "BIDHUMAS", "instagram", ("Y",), ig),  # same key again: first wins
    ]

    async def go() -> list[dict[str, object]]:
        conn = await connect(database_url)
        try:
            await log_recaps(conn, "bidhumas_evening_recap", FIRE, first, NOW)
            await log_recaps(conn, "bidhumas_evening_recap", FIRE, entries, NOW)
            await log_recaps(conn, "bidhumas_evening_recap", FIRE, [], NOW)
            rows = await conn.fetch(
                "SELECT report, platform, posts, people, built_at FROM recap_log ORDER BY seq"
            )
            return [dict(r) for r in rows]
        finally:
            await conn.close()

    rows = asyncio.run(go())
    assert [(r["report"], r["platform"]) for r in rows] == [
        ("likes_simple", "instagram"), ("comments_simple", "tiktok"),
        ("likes_per_content_xlsx", "instagram"), ("comments_per_content_xlsx", "tiktok"),
        ("kasat", "instagram"),
    ]  # fmt: skip
    stored = [(json.loads(r["posts"]), json.loads(r["people"])) for r in rows]
    assert stored == [
        (["A", "B"], [a.transcript() for a in ig]),
        (["T"], [a.transcript() for a in tt]),
        (["A", "B"], [a.transcript() for a in ig]),
        (["T"], [a.transcript() for a in tt]),
        ([], []),
    ]
    assert {r["built_at"] for r in rows} == {NOW}

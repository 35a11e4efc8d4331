"""Directorate recap figure (issue 7): query, attendance and message text for 5,000 staff ×
40 Instagram posts on an embedded PostgreSQL (goal ≤ 0.1 s).

One recap = the post set query + the set-based attendance query + the simple and full layouts.
Engagement: each person liked each post with probability 0.6 (~120,000 rows).

Run: .venv/bin/python bench/recap.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.runtime import embedded_database
from cicero.db.attendance import scope_attendance, scope_posts
from cicero.db.connect import connect
from cicero.domain.layouts import directorate_full, directorate_simple
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.timezone import WIB
from cicero.domain.usernames import Platform

STAFF, POSTS, SATKERS, RUNS = 5_000, 40, 30, 15
DAY = datetime(2026, 2, 10, tzinfo=WIB)
RANKS = ["AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "BRIPKA", "BRIPTU", "BRIPDA"]
UNITS = ["SAT BINMAS", "BAG OPS", "POLSEK KOTA", "SI HUMAS", "SPKT"]


async def seed(conn) -> None:  # type: ignore[no-untyped-def]
    await conn.execute(
        """INSERT INTO client (client_id, name, type, instagram)
           VALUES ('DITBINMAS', 'DIREKTORAT BINMAS', 'DIREKTORAT', 'ditbinmas')"""
    )
    await conn.execute(
        """INSERT INTO client (client_id, name, type)
           SELECT 'POLRES_' || i, 'POLRES ' || i, 'ORG' FROM generate_series(1, $1) i""",
        SATKERS,
    )
    await conn.execute(
        """INSERT INTO client_directorate
           SELECT 'POLRES_' || i, 'DITBINMAS' FROM generate_series(1, $1) i""",
        SATKERS,
    )
    await conn.execute(
        """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram)
           SELECT '7' || lpad(i::text, 7, '0'), 'PERSONIL ' || i, ($2::text[])[1 + i % 9],
                  ($3::text[])[1 + i % 5], CASE WHEN i % 50 = 0 THEN 'KASAT BINMAS' ELSE 'BA' END,
                  CASE WHEN i % 31 = 0 THEN 'DITBINMAS' ELSE 'POLRES_' || (1 + i % $4) END,
                  CASE WHEN i % 23 = 0 THEN NULL ELSE 'user' || i END
             FROM generate_series(1, $1) i""",
        STAFF, RANKS, UNITS, SATKERS,
    )  # fmt: skip
    await conn.execute("INSERT INTO staff_role SELECT nrp, 'ditbinmas' FROM staff")
    await conn.execute(
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                             last_seen_at)
           SELECT 'instagram', 'P' || j, 'DITBINMAS', $2::timestamptz + j * interval '10 minutes',
                  $2::timestamptz + j * interval '10 minutes', $2::timestamptz + j * interval '10 minutes'
             FROM generate_series(1, $1) j""",
        POSTS,
        DAY + timedelta(hours=6),
    )
    await conn.execute(
        """INSERT INTO engagement (post_id, kind, username, first_seen_at, last_seen_at)
           SELECT p.id, 'like', s.instagram, $1, $1 FROM post p CROSS JOIN staff s
            WHERE s.instagram IS NOT NULL AND random() < 0.6""",
        DAY + timedelta(hours=14),
    )
    await conn.execute("ANALYZE")


async def one_recap(conn, names):  # type: ignore[no-untyped-def]
    """Query, attendance and the simple recap's text (the form the leader and BIDHUMAS get)."""
    at = DAY + timedelta(hours=15, minutes=20)
    posts = await scope_posts(conn, "DITBINMAS", Platform.INSTAGRAM, DAY.date(), at, True)
    people = await scope_attendance(
        conn, "DITBINMAS", Platform.INSTAGRAM, [p.id for p in posts], at, True
    )
    recap = DirectorateRecap(
        "DITBINMAS", "DIREKTORAT BINMAS", Platform.INSTAGRAM, at,
        tuple(p.ref for p in posts), tuple(people), names,
    )  # fmt: skip
    return recap, directorate_simple.render(recap)


async def main(url: str) -> None:
    conn = await connect(url)
    try:
        await seed(conn)
        rows = await conn.fetchval("SELECT count(*) FROM engagement")
        names = {r["client_id"]: r["name"] for r in await conn.fetch("SELECT * FROM client")}
        await one_recap(conn, names)  # warm the plan and the caches
        times, query_times, full_times = [], [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            recap, simple = await one_recap(conn, names)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            full = directorate_full.render(recap)
            full_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            at = DAY + timedelta(hours=16)
            posts = await scope_posts(conn, "DITBINMAS", Platform.INSTAGRAM, DAY.date(), at, True)
            await scope_attendance(
                conn, "DITBINMAS", Platform.INSTAGRAM, [p.id for p in posts], at, True
            )
            query_times.append(time.perf_counter() - started)
    finally:
        await conn.close()
    ms = 1000
    print(
        f"directorate recap: {STAFF:,} staff x {POSTS} posts, {rows:,} engagement rows, {RUNS} runs"
    )
    print(
        f"  queries + attendance values: median {statistics.median(query_times) * ms:.1f} ms,"
        f" best {min(query_times) * ms:.1f} ms"
    )
    print(
        f"  query + attendance + simple recap text: median {statistics.median(times) * ms:.1f} ms,"
        f" best {min(times) * ms:.1f} ms (goal <= 100 ms)"
    )
    print(f"  full recap text on top: median {statistics.median(full_times) * ms:.1f} ms")
    print(f"  texts: simple {len(simple):,} chars, full {len(full):,} chars (split before sending)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        url, server = embedded_database(Path(tmp))
        try:
            asyncio.run(main(url))
        finally:
            server.cleanup()  # type: ignore[attr-defined]

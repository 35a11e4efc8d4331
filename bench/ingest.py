"""Engagement load rate (issue 6): the ingestor's bulk path against a statement per row.

Both load ROWS fresh engagement rows (POSTS posts × names) into the embedded
PostgreSQL in the same run:
  bulk      cicero.db.engagement.upsert_engagement, the code the ingestor runs
            (deduplicated and sorted, COPY into a staging table, then one
            INSERT … ON CONFLICT), in
            batches of BATCH rows, one transaction each (a likers stage writes one);
  row-wise  one `INSERT … ON CONFLICT DO UPDATE` per row, each its own transaction.
A second bulk pass over the same rows shows the cost of a re-fetch (all conflicts).

Run: .venv/bin/python bench/ingest.py [rows]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from cicero.db.connect import connect
from cicero.db.engagement import EngagementRow, upsert_engagement
from cicero.db.migrate import migrate
from cicero.domain.timezone import WIB

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PER_POST = 100  # names per post
BATCH = 20_000  # rows per bulk call
T0 = datetime(2026, 2, 6, 10, 0, tzinfo=WIB)


def embedded_database(tmp: Path) -> tuple[str, object]:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp / "run"))
    (tmp / "run").mkdir(exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(tmp / "pg", cleanup_mode="delete")
    server.psql('CREATE DATABASE "bench";')
    return server.get_uri("bench"), server


async def make_posts(conn: asyncpg.Connection, prefix: str, count: int) -> list[int]:
    return [
        r["id"]
        for r in await conn.fetch(
            """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                                 last_seen_at)
               SELECT 'instagram', $1 || g, 'BENCH', $2, $2, $2 FROM generate_series(1, $3) g
               RETURNING id""",
            prefix,
            T0,
            count,
        )
    ]


def rows_for(posts: list[int], total: int) -> list[EngagementRow]:
    rows = [EngagementRow(p, "like", f"user.{n:05d}") for p in posts for n in range(PER_POST)]
    return rows[:total]


async def bulk(
    conn: asyncpg.Connection, rows: list[EngagementRow], at: datetime
) -> tuple[float, int]:
    started, new = time.perf_counter(), 0
    for i in range(0, len(rows), BATCH):
        async with conn.transaction():
            new += (await upsert_engagement(conn, rows[i : i + BATCH], at)).new
    return time.perf_counter() - started, new


async def row_by_row(conn: asyncpg.Connection, rows: list[EngagementRow], at: datetime) -> float:
    sql = """INSERT INTO engagement (post_id, kind, username, first_seen_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (post_id, kind, username) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at"""
    started = time.perf_counter()
    for r in rows:
        await conn.execute(sql, r.post_id, r.kind, r.username, at)
    return time.perf_counter() - started


async def run(url: str) -> None:
    conn = await connect(url)
    try:
        await migrate(conn)
        await conn.execute(
            "INSERT INTO client (client_id, name, type) VALUES ('BENCH', 'BENCH', 'ORG')"
        )
        posts_needed = -(-ROWS // PER_POST)
        bulk_rows = rows_for(await make_posts(conn, "B", posts_needed), ROWS)
        single_rows = rows_for(await make_posts(conn, "S", posts_needed), ROWS)

        # Each timed phase starts from a checkpoint, so none pays for writing out the pages
        # the set-up or an earlier phase dirtied (that cost ~30 % of the bulk rate, unevenly).
        await conn.execute("CHECKPOINT")
        bulk_s, new = await bulk(conn, bulk_rows, T0)
        assert new == ROWS, new
        await conn.execute("CHECKPOINT")
        single_s = await row_by_row(conn, single_rows, T0)
        await conn.execute("CHECKPOINT")
        again_s, again_new = await bulk(conn, bulk_rows, T0 + timedelta(minutes=30))
        assert again_new == 0
        count = await conn.fetchval("SELECT count(*) FROM engagement")
        assert count == 2 * ROWS, count
    finally:
        await conn.close()

    bulk_rate, single_rate = ROWS / bulk_s, ROWS / single_s
    print(f"engagement rows loaded: {ROWS:,} each way (embedded PostgreSQL)")
    print(f"  bulk (COPY to staging + one upsert, {BATCH:,}-row batches): "
          f"{bulk_s:7.2f} s  {bulk_rate:10,.0f} rows/s")  # fmt: skip
    print(f"  row by row (one INSERT … ON CONFLICT per row, autocommit):  "
          f"{single_s:7.2f} s  {single_rate:10,.0f} rows/s")  # fmt: skip
    print(f"  ratio bulk / row by row: {bulk_rate / single_rate:.1f}x (goal >= 25x)")
    print(f"  bulk re-fetch of the same rows (all conflicts, last_seen_at moves): "
          f"{again_s:.2f} s  {ROWS / again_s:,.0f} rows/s")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cicero-bench-") as tmp:
        url, server = embedded_database(Path(tmp))
        try:
            asyncio.run(run(url))
        finally:
            server.cleanup()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

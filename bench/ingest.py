"""Engagement load rate (issue 18 item 4): the ingestor's bulk upsert against the limit of its
own method, measured in the same run.

  limit  COPY into a staging table, then one INSERT … ON CONFLICT DO UPDATE into a logged
         table of engagement's columns (types and collations) and primary key and nothing
         else (no other index, no check, no trigger): what the method itself costs here;
  bulk   cicero.db.engagement.upsert_engagement into `engagement` as migrated, the code the
         ingestor runs (deduplicated and sorted in Python, its posts checked once, COPY to a
         staging table, one INSERT … ON CONFLICT counting the new rows).
Both load ROWS fresh rows (POSTS × names) in BATCH-row calls, one transaction each (a
likers stage writes one), each phase starting from a CHECKPOINT, over ROUNDS rounds in
alternating order. A last bulk pass over the same rows shows a re-fetch (all conflicts).

The row-by-row baseline of issue 6 is retired: on this machine's disk a commit syncs in
~83 µs, so a statement per row measured the disk, not the code.

Run: .venv/bin/python bench/ingest.py [--rows 100000] [--rounds 3]

Figures (2026-12-07, 2-core machine shared with other work, load 4-7, best of 4-5 runs of
each table shape with the limit's statement): the key alone 1.00; with the foreign key to
`post` 0.44, the regular-expression username CHECK 0.64, the three-column username index
0.68, all of them 0.39, and the upsert as it was (a CTE counting new rows, Python's
dedupe) 0.25. Migration 0051 keeps each guarantee at less cost: no per-row foreign key
(posts are never deleted, a trigger says so; the writer checks its posts once per call), the
same username rule as a length and a trim (0.80), a one-column username index, handles
compared byte by byte (COLLATE "C", the limit's table too); rows built in key order skip
Python's sort. This script then (load 8.6, 5 rounds): limit best 136,868 rows/s, bulk best
89,429 rows/s: 65 % (per round: median 68 %, best 76 %); a re-fetch 83,000 rows/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
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

PER_POST = 100  # names per post
BATCH = 20_000  # rows per call
T0 = datetime(2026, 2, 6, 10, 0, tzinfo=WIB)
GOAL = 0.5

_LIMIT_TABLE = """
CREATE TABLE engagement_limit (
    post_id        bigint      NOT NULL,
    kind           text        NOT NULL COLLATE "C",
    username       text        NOT NULL COLLATE "C",
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    PRIMARY KEY (post_id, kind, username)
)"""


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


async def limit(conn: asyncpg.Connection, rows: list[EngagementRow], at: datetime) -> float:
    """The method alone: COPY to staging, one upsert, into a table with nothing but the key."""
    started = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        async with conn.transaction():
            await conn.execute(
                "CREATE TEMP TABLE stage (post_id bigint, kind text, username text) ON COMMIT DROP"
            )
            await conn.copy_records_to_table(
                "stage", records=rows[i : i + BATCH], columns=("post_id", "kind", "username")
            )
            await conn.execute(
                """INSERT INTO engagement_limit AS e
                          (post_id, kind, username, first_seen_at, last_seen_at)
                   SELECT post_id, kind, username, $1, $1 FROM stage
                   ON CONFLICT (post_id, kind, username) DO UPDATE
                      SET last_seen_at = EXCLUDED.last_seen_at
                    WHERE e.last_seen_at < EXCLUDED.last_seen_at""",
                at,
            )
    return time.perf_counter() - started


async def bulk(conn: asyncpg.Connection, rows: list[EngagementRow], at: datetime) -> float:
    started, new = time.perf_counter(), 0
    for i in range(0, len(rows), BATCH):
        async with conn.transaction():
            new += (await upsert_engagement(conn, rows[i : i + BATCH], at)).new
    assert new == len(rows) or at != T0, new
    return time.perf_counter() - started


async def run(url: str, total: int, rounds: int) -> None:
    conn = await connect(url)
    try:
        await migrate(conn)
        await conn.execute(_LIMIT_TABLE)
        await conn.execute(
            "INSERT INTO client (client_id, name, type) VALUES ('BENCH', 'BENCH', 'ORG')"
        )
        rates: dict[str, list[float]] = {"limit": [], "bulk": []}
        ratios = []
        last_rows: list[EngagementRow] = []
        for n in range(rounds):
            got = {}
            order = ("limit", "bulk") if n % 2 == 0 else ("bulk", "limit")
            for phase in order:
                rows = rows_for(await make_posts(conn, f"{phase}{n}-", -(-total // PER_POST)), total)
                await conn.execute("CHECKPOINT")  # no phase pays for pages another dirtied
                spent = await (limit if phase == "limit" else bulk)(conn, rows, T0)
                got[phase] = total / spent
                rates[phase].append(got[phase])
                if phase == "bulk":
                    last_rows = rows
            ratios.append(got["bulk"] / got["limit"])
            print(f"  round {n + 1}: limit {got['limit']:9,.0f} rows/s, bulk {got['bulk']:9,.0f}"
                  f" rows/s: {100 * ratios[-1]:.0f} %", flush=True)  # fmt: skip
        await conn.execute("CHECKPOINT")
        again = await bulk(conn, last_rows, T0 + timedelta(minutes=30))
    finally:
        await conn.close()
    best = max(rates["bulk"]) / max(rates["limit"])
    print(f"engagement rows: {total:,} fresh rows per phase, {BATCH:,}-row calls, {rounds} rounds")
    for phase, label in (("limit", "limit (COPY + upsert, key only)"),
                         ("bulk", "bulk (upsert_engagement)")):  # fmt: skip
        r = rates[phase]
        print(f"  {label:<32} best {max(r):9,.0f} rows/s, median {statistics.median(r):9,.0f}")
    print(f"  re-fetch of the same rows (all conflicts, last_seen_at moves): "
          f"{total / again:,.0f} rows/s")  # fmt: skip
    print(f"  share per round: median {100 * statistics.median(ratios):.0f} %, "
          f"best {100 * max(ratios):.0f} %")  # fmt: skip
    print(f"bulk upsert: {100 * best:.0f} % of the COPY+upsert limit, best of {rounds} "
          f"(goal ≥ {100 * GOAL:.0f} %; load {os.getloadavg()[0]:.2f})")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cicero-bench-") as tmp:
        url, server = embedded_database(Path(tmp))
        try:
            asyncio.run(run(url, args.rows, args.rounds))
        finally:
            server.cleanup()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

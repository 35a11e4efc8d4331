"""Database size a year on (issue 18 item 6, goal ≤ 2 GB a year for 5,000 staff, 30 clients).

Simulates DAYS days in a row of bench/day.py's world (30 clients, 5,000 staff; each day 40
posts and 100,000 engagements) with `cicero simulate`'s driver, the whole runtime and its
schedule (ingestion, recaps, reminders, sends, the daily housekeeping), on an embedded
PostgreSQL kept for measuring. Then, as the housekeeping job would once they are older than
retention.engagement_days, it compacts those days' engagement (cicero.db.compaction).

Each table's growth per simulated day (pg_total_relation_size: heap, indexes, TOAST, after
the day's own updates and autovacuum; less what a database only migrated and seeded holds)
is projected to a year of operation with the table's
rule (cicero.domain.runtime.retention and config/cicero.toml's [retention]):
  purged after N days   growth/day × min(N, 365)
  engagement            growth/day × engagement_days, and its compacted form (attendance_day)
                        growth/day × (365 − engagement_days)
  kept for good         growth/day × 365
  not growing           its size after the simulation
Backups (pg_dump files under the data directory) are outside the database and not counted.

Run: .venv/bin/python bench/storage.py [--days 2]
The last line: projected per year: B GB (5,000 staff, 30 clients)

Figures (2026-12-07, 2 days simulated, load 7.3, 72 s): 1.51 GB a year. The outbox is half
of it (9.5 MB a day: recap texts, Excel files, kept 90 days as jobs.md asks), then raw
engagement's 35 days (9.8 MB a day before compaction, 0.33 GB) and ingest_run (1.3 MB a
day, 90 days); compacted engagement costs 0.11 MB a day (0.035 GB for 330 days). The world
has no link reports; each one is a few hundred bytes, kept for good.

2026-12-08 (2 days, load 6.3, 98 s): 1.65 GB a year. New: engagement_mask (migration 0100,
the recaps' per client, day and name masks), 3.46 MB a day kept as long as raw engagement,
0.118 GB; the rest as above.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.day import CLIENTS, DAY, STAFF, scenario_text
from cicero.config import load_settings
from cicero.db.compaction import compact_day, days_to_compact
from cicero.db.connect import connect
from cicero.db.embedded import start_embedded
from cicero.db.migrate import migrate
from cicero.domain.runtime.retention import TABLES, Bounded, Kept, Purged
from cicero.domain.timezone import WIB
from cicero.sim import driver
from cicero.sim.parse import load_scenario
from cicero.sim.seed import seed

GOAL_GB = 2.0
YEAR = 365


async def sizes(url: str) -> dict[str, int]:
    conn = await connect(url)
    try:
        rows = await conn.fetch(
            """SELECT c.relname, pg_total_relation_size(c.oid) AS bytes
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r'"""
        )
        return {r["relname"]: r["bytes"] for r in rows}
    finally:
        await conn.close()


async def seeded_sizes(url: str, scenario, settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    conn = await connect(url)
    try:
        await migrate(conn)
        await seed(conn, scenario, settings.config)
    finally:
        await conn.close()
    return await sizes(url)


async def compact_all(url: str, until: datetime) -> int:
    """Compact every simulated day, as housekeeping does once they are old enough."""
    conn = await connect(url)
    try:
        days = await days_to_compact(conn, until.date())
        for day in days:
            async with conn.transaction():
                await compact_day(conn, day, until)
        await conn.execute("VACUUM ANALYZE engagement")
        return len(days)
    finally:
        await conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=2, help="days to simulate (each ~30 s)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cicero-bench-storage-") as tmp:
        path = Path(tmp) / "days.toml"
        path.write_text(scenario_text(days=args.days))
        scenario = load_scenario(path, driver.SUPPORTED_KINDS)
        settings = load_settings({}, overrides=scenario.settings_overrides)
        settings = replace(settings, env=replace(settings.env, data_dir=Path(tmp) / "data"))
        url, server = start_embedded(Path(tmp) / "pg", "storage", scratch=True)
        base_url, _ = start_embedded(Path(tmp) / "pg", "baseline", scratch=True)
        try:
            # What the tables hold before any day: migrated, clients and staff seeded.
            baseline = asyncio.run(seeded_sizes(base_url, scenario, settings))
            driver.run(scenario, settings, url, Path(tmp) / "transcript.jsonl")
            simulated = time.perf_counter() - started
            before = asyncio.run(sizes(url))
            last = datetime.fromisoformat(DAY).replace(tzinfo=WIB) + timedelta(days=args.days)
            compacted = asyncio.run(compact_all(url, last))
            after = asyncio.run(sizes(url))
        finally:
            server.cleanup()  # type: ignore[attr-defined]
    grown = {t: max(0, n - baseline.get(t, 0)) for t, n in before.items()}
    compact = {t: max(0, n - baseline.get(t, 0)) for t, n in after.items()}
    report(settings.config.retention, args.days, before, grown, compact, compacted, simulated)
    return 0


def report(keep, days: int, total_size: dict[str, int], before: dict[str, int],  # type: ignore[no-untyped-def]
           after: dict[str, int], compacted: int, simulated: float) -> None:  # fmt: skip
    """`before`, `after`: each table's growth over the simulated days, before and after the
    compaction; `total_size`: sizes after the simulation (for the tables that do not grow)."""
    print(f"simulated {days} days of {CLIENTS} clients, {STAFF:,} staff, 40 posts and 100,000 "
          f"engagements a day in {simulated:.0f} s; compacted {compacted} days; "
          f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
    rows = []
    for table in sorted(set(before) | set(after)):
        rule = TABLES.get(table)
        size = before.get(table, 0)
        per_day = size / days
        if table == "engagement":
            kept_days = keep.engagement_days
            year = per_day * kept_days
            how = f"raw {kept_days} days, then compacted"
        elif table == "attendance_day":
            per_day = after.get(table, 0) / days
            year = per_day * (YEAR - keep.engagement_days)
            how = f"compacted form, {YEAR - keep.engagement_days} days"
        elif isinstance(rule, Purged):
            kept_days = min(getattr(keep, rule.setting), YEAR)
            year = per_day * kept_days
            how = f"purged after {kept_days} days ({rule.setting})"
        elif isinstance(rule, Kept):
            year = per_day * YEAR
            how = "kept for good"
        elif isinstance(rule, Bounded):
            year, per_day = total_size.get(table, 0), 0.0
            how = "not growing"
        else:
            year = per_day * YEAR
            how = "NO RULE: kept for good"
        rows.append((year, table, per_day, how))
    total = sum(r[0] for r in rows)
    print(f"{'table':<20} {'per day':>10} {'a year on':>10}  rule")
    for year, table, per_day, how in sorted(rows, reverse=True):
        if year < 1 << 20 and per_day < 1 << 10:
            continue
        print(f"{table:<20} {per_day / 2**20:8.2f} MB {year / 2**30:8.3f} GB  {how}")
    print(f"(tables under 1 MB a year not listed; engagement before compaction "
          f"{before.get('engagement', 0) / days / 2**20:.1f} MB a day, after "
          f"{after.get('engagement', 0) / 2**20:.1f} MB in all)")  # fmt: skip
    print(f"projected per year: {total / 1e9:.2f} GB (5,000 staff, 30 clients)")


if __name__ == "__main__":
    sys.exit(main())

"""Ingestion at the scale of bench/day.py, in one process, fire time by fire time (issue 7).

Seeds an embedded PostgreSQL with bench/day.py's day (30 clients, 5,000 staff, 40 posts,
100,000 engagements), serves its posts and engagers from the fake upstream on loopback, and
runs `cicero.jobs.ingest.run_ingest` for each of the 33 fire times of ingest_social
(06:00–22:00 WIB every 30 min), the instagram part then the tiktok part, as the two
ingestor actors would (here one after the other, sharing one event loop with the fake, so
a part's wall time includes the fake's cost of answering it). Waits are skipped as in
simulation.

Prints the wall time of each part per fire time with the CPU it cost this process and the
PostgreSQL server, the statements the profiled fire time sent (count and time, from
asyncpg's query logger), EXPLAIN ANALYZE of the costliest ones (in a transaction rolled
back), engagement's row updates, a digest of what the day stored (to show that a change
leaves it alone) and the top of a cProfile of that fire time.

Run: .venv/bin/python bench/ingest_day.py [--profile-at 22:00] [--only 22:00 ...]
                                           [--cprofile /tmp/ingest.prof] [--top 25]
                                           [--fillfactor 50]

The floor (2026-11-25 16:20 UTC, load ~1.5): the day's 33 fire times send 22,080 requests and
cost 14.0 s of this process's CPU (0.64 ms a request: aiohttp client and fake server, JSON,
parsing, merging) and 9.5 s of PostgreSQL's (mostly moving `last_seen_at` of ~40,000 rows per
late fire time). 23.5 s of CPU is ≥ 11.8 s on 2 cores for ingestion alone, whatever the
overlap, while data.md §3.4 asks for every page of every post's likers and commenters at
each fire time and jobs.md §2.1 keeps that 30-min snapshot.

Findings (2026-11-25, 2-core machine shared with other work, load 2-4; wall times swing
±30 % with the load, CPU times less). A late fire time sends ~920 requests (likers 20 pages
of 50, comments up to 40 pages) and re-upserts ~40,000 names, every one of which moves its
`last_seen_at` (data.md §3.4), so each is a row update.
* This process (ingest and fake): the fake re-sorted and re-flattened every engagement row
  of the world for each page of 50, and every name was canonicalised twice through the full
  rules. With engagers indexed and remembered per post, and a one-match path for names
  already canonical, its CPU over the day fell from 28-30 s to 20-22 s (late fire times
  ~1.0 -> ~0.7 s); what is left is mostly aiohttp on both ends (kept-alive connections, C
  parser) and JSON: ~0.75 ms a request.
* Round trips: a likers/commenters stage without posts writes its row on the connection
  that found none; at 22:00 231 -> 182 pool releases, 120 -> 71 transactions.
* PostgreSQL: ~1.05 s CPU per late fire time, nearly all the engagement upsert. The table
  is filled to 100 %, so an update finds no room on its page: only ~5 % are HOT, each other
  one adds an entry to all three indexes, and the table grows to 125 MB (for 40,725 rows)
  before autovacuum (1 min naptime) catches up. Splitting the upsert into UPDATE + an
  anti-joined INSERT (no row lock first) or sorting the input gained ≤ 10 %, inside the
  noise, so the statement stays. `--fillfactor 50` (not the shipped schema: it needs a
  migration) makes 99.8 % of the updates HOT: PostgreSQL's CPU over the day 24 -> 13.5 s,
  ~0.5 s per late fire time, the table 13 MB. bench/day.py's 33 ingestion instants:
  56 s before these changes, 42 s after (load 3-4.4), 21 s with fillfactor 50 as well
  (load 2.5-3; the day's message instants were 30 % quicker in that run too).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from bench.day import DAY, scenario_text
from cicero.config import Secret, Settings
from cicero.config.load import load_settings
from cicero.db.embedded import start_embedded
from cicero.db.migrate import migrate
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from cicero.jobs.catalogue import registry
from cicero.jobs.ingest import IngestOptions, run_ingest
from cicero.jobs.registry import JobContext
from cicero.sim.driver import SUPPORTED_KINDS
from cicero.sim.parse import load_scenario
from cicero.sim.seed import seed
from cicero.sim.upstream.embedded import FALLBACK_KEY, KEY, world_from_scenario
from cicero.sim.upstream.server import FakeUpstream, Keys

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
LOG = logging.getLogger("bench.ingest_day")


def fire_times() -> list[datetime]:
    day = datetime.fromisoformat(DAY).replace(tzinfo=WIB)
    return [day + timedelta(hours=6, minutes=30 * k) for k in range(33)]  # 06:00 .. 22:00


@dataclass(eq=False)  # hashable: asyncpg keeps its loggers in a set
class Statements:
    """Statements seen by the query logger while `on`: count, seconds, the slowest call."""

    on: bool = False
    seen: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    slowest: dict[str, tuple[float, tuple[Any, ...]]] = field(default_factory=dict)

    def __call__(self, record: Any) -> None:
        if not self.on or record.exception is not None:
            return
        query = " ".join(record.query.split())
        self.seen[query].append(record.elapsed)
        if record.elapsed > self.slowest.get(query, (-1.0, ()))[0]:
            self.slowest[query] = (record.elapsed, tuple(record.args or ()))


def server_cpu(postmaster: int) -> float:
    """CPU seconds of the PostgreSQL server so far: the postmaster and its live children."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(entry) == postmaster or int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / tick


async def _no_wait(_: float) -> None:
    await asyncio.sleep(0)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.t = now

    def __call__(self) -> datetime:
        return self.t


def pointed_at(settings: Settings, fake: FakeUpstream) -> Settings:
    """The settings the simulator gives the runtime: upstream URLs and keys of the fake."""
    up = settings.config.upstream.model_copy(
        update={
            "instagram_url": fake.base_url(IG),
            "instagram_fallback_url": fake.base_url(IG, fallback=True),
            "tiktok_url": fake.base_url(TT),
            "tiktok_fallback_url": fake.base_url(TT, fallback=True),
            "total_timeout_s": min(settings.config.upstream.total_timeout_s, 2.0),
        }
    )
    env = replace(
        settings.env, rapidapi_key=Secret(KEY), rapidapi_key_fallback=Secret(FALLBACK_KEY)
    )
    return replace(settings, config=settings.config.model_copy(update={"upstream": up}), env=env)


async def explain(pool: asyncpg.Pool, statements: Statements, top: int) -> None:
    """EXPLAIN ANALYZE the costliest statements with their slowest call's arguments."""
    costly = sorted(statements.seen.items(), key=lambda kv: -sum(kv[1]))[:top]
    async with pool.acquire() as conn:
        for query, _ in costly:
            if not query.upper().startswith(("SELECT", "INSERT", "UPDATE", "WITH")):
                continue
            args = statements.slowest[query][1]
            tx = conn.transaction()
            await tx.start()
            try:
                if "engagement_stage" in query:
                    # The staging table lives only inside the stage's transaction: rebuild it
                    # as a re-fetch of the biggest post's names (every row a conflict), seen
                    # a minute later (every row's last_seen_at moves).
                    args = (args[0] + timedelta(minutes=1), *args[1:])
                    await conn.execute(
                        """CREATE TEMP TABLE engagement_stage ON COMMIT DROP AS
                           SELECT post_id, kind, username FROM engagement
                            WHERE post_id = (SELECT post_id FROM engagement GROUP BY post_id
                                              ORDER BY count(*) DESC LIMIT 1)"""
                    )
                plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {query}", *args)
                print(f"\n  -- {query[:150]}{'…' if len(query) > 150 else ''}")
                for row in plan:
                    print(f"     {row[0]}")
            except asyncpg.PostgresError as err:
                print(f"\n  -- {query[:150]}\n     (not explained: {err})")
            finally:
                await tx.rollback()


_STORED = {
    "post": """SELECT platform, external_id, client_id, caption, author, posted_at, like_count,
                      comment_count, view_count, share_count, media, first_seen_at, last_seen_at,
                      removed_at, missed_listings FROM post""",
    "engagement": """SELECT p.external_id, e.kind, e.username, e.first_seen_at, e.last_seen_at
                       FROM engagement e JOIN post p ON p.id = e.post_id""",
    "engagement_fetch": """SELECT p.external_id, f.kind, f.started_at, f.finished_at, f.outcome,
                                  f.pages, f.items, f.skipped, f.error_class
                             FROM engagement_fetch f JOIN post p ON p.id = f.post_id""",
    "ingest_run": """SELECT platform, client_id, stage, fire_time, started_at, finished_at,
                            outcome, pages, posts, new_posts, engagements, skipped, error_class,
                            reason FROM ingest_run""",
}


async def stored_digest(pool: asyncpg.Pool) -> str:
    """Row counts and an md5 of every table ingestion writes (upstream_host aside: its times
    are the wall clock's), keyed by external ids, not by serials."""
    parts = []
    for table, query in _STORED.items():
        row = await pool.fetchrow(
            f"SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h "
            f"FROM ({query}) t"
        )
        parts.append(f"{table} {row['n']:,} {row['h'][:8]}")
    return ", ".join(parts)


# The two strategies compared: every fire time an audit (every page of every post, as before
# data.md §3.4 changed: `audit_every` shorter than the cadence) and the shipped default.
STRATEGIES = {"full": {"audit_every": "1m", "audit_fresh": "1m"}, "conditional": {}}
# What must be the same after the day whichever the strategy: who engaged with what, first
# seen when (attendance reads nothing else). `last_seen_at` only moves on a fetch, so it differs.
_ENGAGED = """SELECT p.external_id, e.kind, e.username, e.first_seen_at
                FROM engagement e JOIN post p ON p.id = e.post_id"""


@dataclass(frozen=True)
class Day:
    figures: list[Figure]
    engaged: str  # row count and md5 of _ENGAGED
    saved: int  # requests the hosts counted as spared


async def run(args: argparse.Namespace, urls: dict[str, str], postmaster: int) -> None:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cicero-bench-ingest-") as tmp:
        path = Path(tmp) / "day.toml"
        path.write_text(scenario_text())
        scenario = load_scenario(path, SUPPORTED_KINDS)
    print(f"scenario loaded in {time.perf_counter() - t0:.1f} s")
    days = {}
    for name, upstream in STRATEGIES.items():
        print(f"\n== {name}: {upstream or 'config/cicero.toml (audit_fresh 1h, audit_every 3h)'}")
        days[name] = await day(args, urls[name], postmaster, scenario, upstream,
                               detail=name == "conditional")  # fmt: skip
    full, cond = days["full"].figures, days["conditional"].figures
    n_full, n_cond = sum(f.requests for f in full), sum(f.requests for f in cond)
    print("\nboth strategies on the same world:")
    for name, d in days.items():
        print(f"  {name:<11} {sum(f.requests for f in d.figures):>7,} requests, "
              f"{sum(f.both for f in d.figures):5.1f} s wall, "
              f"CPU {sum(f.cpu for f in d.figures):5.1f} s here + "
              f"{sum(f.pg_cpu for f in d.figures):5.1f} s PostgreSQL; "
              f"{d.saved:,} requests counted as saved; engaged {d.engaged}")  # fmt: skip
    same = days["full"].engaged == days["conditional"].engaged
    print(f"  who engaged with what, first seen when: {'the same' if same else 'DIFFERENT'}")
    print(f"  load average {os.getloadavg()[0]:.2f}")
    print(f"requests per day: full {n_full}, conditional {n_cond} ({100 * n_cond / n_full:.0f} %)")


async def day(
    args: argparse.Namespace, url: str, postmaster: int, scenario: Any,
    upstream: dict[str, str], detail: bool,
) -> Day:  # fmt: skip
    settings = load_settings(overrides={**scenario.settings_overrides, "upstream": upstream})
    readers = registry().engagement_readers()
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        await seed(conn, scenario, settings.config)
        if args.fillfactor:  # an experiment, not the shipped schema
            await conn.execute(f"ALTER TABLE engagement SET (fillfactor = {args.fillfactor})")
        server = [await conn.fetchval(f"SHOW {name}") for name in ("fsync", "synchronous_commit")]
    finally:
        await conn.close()
    if detail:
        print(f"PostgreSQL fsync {server[0]}, synchronous_commit {server[1]}")

    statements = Statements()

    async def init(c: asyncpg.Connection) -> None:
        await c.execute("SET TimeZone = 'UTC'")  # as cicero.db.connect's pools do
        c.add_query_logger(statements)

    # Two connections, as an actor's pool (cicero.db.connect.create_pool).
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2, init=init)
    clock = Clock(scenario.start)
    keys = Keys(instagram=KEY, instagram_fallback=FALLBACK_KEY, tiktok=KEY,
                tiktok_fallback=FALLBACK_KEY)  # fmt: skip
    times = [t for t in fire_times() if not args.only or f"{t:%H:%M}" in args.only]
    profiled = next((t for t in times if f"{t:%H:%M}" == args.profile_at), times[-1])
    profiler = cProfile.Profile()
    figures: list[Figure] = []
    try:
        async with FakeUpstream(world_from_scenario(scenario), now=clock, keys=keys) as fake:
            settings = pointed_at(settings, fake)
            print(f"{'fire time':>9}  {'instagram':>9}  {'tiktok':>9}  {'both':>6}  "
                  f"{'our CPU':>7}  {'PG CPU':>6}  {'requests':>8}   engagement rows")  # fmt: skip
            for when in times:
                clock.t = when
                ctx = JobContext("ingest_social", when, when, pool, settings, LOG, _no_wait,
                                 readers=readers)  # fmt: skip
                statements.on = profiler_on = detail and when == profiled
                spent = []
                cpu, pg, served = time.process_time(), server_cpu(postmaster), len(fake.log)
                for platform in (IG, TT):
                    if profiler_on:
                        profiler.enable()
                    start = time.perf_counter()
                    await run_ingest(ctx, IngestOptions(sleep=_no_wait), (platform,))
                    spent.append(time.perf_counter() - start)
                    if profiler_on:
                        profiler.disable()
                statements.on = False
                figure = Figure(when, spent[0], spent[1], time.process_time() - cpu,
                                server_cpu(postmaster) - pg, len(fake.log) - served)  # fmt: skip
                figures.append(figure)
                rows = await pool.fetchval("SELECT count(*) FROM engagement")
                print(f"    {when:%H:%M}  {spent[0]:8.3f}s  {spent[1]:8.3f}s  {sum(spent):5.2f}s  "
                      f"{figure.cpu:6.2f}s  {figure.pg_cpu:5.2f}s  {figure.requests:8,}   {rows:,}"
                      f"{'  (profiled)' if profiler_on else ''}")  # fmt: skip
        report(figures)
        engaged = await pool.fetchrow(
            f"SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h "
            f"FROM ({_ENGAGED}) t"
        )
        saved = await pool.fetchval("SELECT coalesce(sum(saved), 0) FROM upstream_host")
        if detail:
            await details(args, pool, statements, profiled, profiler)
    finally:
        await pool.close()
    return Day(figures, f"{engaged['n']:,} rows {engaged['h'][:8]}", saved)


async def details(
    args: argparse.Namespace, pool: asyncpg.Pool, statements: Statements, profiled: datetime,
    profiler: cProfile.Profile,
) -> None:  # fmt: skip
    print(f"\nstatements of the {profiled:%H:%M} fire time (asyncpg query logger):")
    print(f"  {'calls':>6} {'total ms':>9} {'mean ms':>8}  statement")
    for query, took in sorted(statements.seen.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {len(took):>6} {1000 * sum(took):>9.1f} {1000 * statistics.mean(took):>8.2f}"
              f"  {query[:90]}")  # fmt: skip
    print("\nEXPLAIN ANALYZE of the costliest (rolled back):")
    await explain(pool, statements, args.explain)
    table = await pool.fetchrow(
        """SELECT n_tup_upd, n_tup_hot_upd, n_dead_tup,
                  pg_total_relation_size('engagement') AS size
             FROM pg_stat_user_tables WHERE relname = 'engagement'"""
    )
    print(f"\nengagement after the day: {table['n_tup_upd']:,} row updates "
          f"({table['n_tup_hot_upd']:,} HOT), {table['n_dead_tup']:,} dead rows "
          f"(statistics, may lag), {table['size'] / 2**20:.0f} MB with indexes")  # fmt: skip
    print(f"what the day stored (compare runs): {await stored_digest(pool)}")
    if args.cprofile:
        profiler.dump_stats(args.cprofile)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print(f"\ncProfile of the {profiled:%H:%M} fire time, both parts, by own time:")
    stats.sort_stats("tottime").print_stats(args.top)
    print("\n".join(out.getvalue().splitlines()[4:]))


@dataclass(frozen=True)
class Figure:
    at: datetime
    instagram: float  # wall seconds of the part
    tiktok: float
    cpu: float  # this process (the ingest and the fake upstream)
    pg_cpu: float  # the PostgreSQL server
    requests: int  # answered by the fake upstream

    @property
    def both(self) -> float:
        return self.instagram + self.tiktok


def report(figures: list[Figure]) -> None:
    both = [f.both for f in figures]
    ig = [f.instagram for f in figures]
    tt = [f.tiktok for f in figures]
    print(f"\n{len(figures)} fire times: total {sum(both):.1f} s; per fire time mean "
          f"{statistics.mean(both):.2f} s, median {statistics.median(both):.2f} s, "
          f"max {max(both):.2f} s")  # fmt: skip
    print(f"  instagram part: total {sum(ig):.1f} s, max {max(ig):.2f} s; "
          f"tiktok part: total {sum(tt):.1f} s, max {max(tt):.2f} s")  # fmt: skip
    print(f"  CPU: this process {sum(f.cpu for f in figures):.1f} s (profiled fire time "
          f"included), PostgreSQL {sum(f.pg_cpu for f in figures):.1f} s")  # fmt: skip
    requests = sum(f.requests for f in figures)
    cpu = sum(f.cpu for f in figures)
    print(f"  requests to the fake upstream: {requests:,}; this process's CPU per request "
          f"(client, fake, parsing and merging included): {1000 * cpu / max(requests, 1):.2f} ms")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile-at", default="22:00", help="fire time to profile (HH:MM)")
    ap.add_argument("--only", nargs="*", help="run only these fire times (HH:MM)")
    ap.add_argument("--cprofile", type=Path, help="also write the profile here")
    ap.add_argument("--top", type=int, default=25, help="functions to show")
    ap.add_argument("--explain", type=int, default=6, help="statements to EXPLAIN")
    ap.add_argument("--fillfactor", type=int, choices=range(10, 101), metavar="10..100",
                    help="experiment: engagement's fillfactor (room for HOT updates)")  # fmt: skip
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="cicero-bench-pg-") as tmp:
        urls = {}
        for name in STRATEGIES:  # one server, a database per strategy
            urls[name], server = start_embedded(Path(tmp), f"bench_{name}")
        try:
            asyncio.run(run(args, urls, server.get_pid()))  # type: ignore[attr-defined]
        finally:
            server.cleanup()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

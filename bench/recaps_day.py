"""The recap jobs of bench/day.py's day, in one process, run by run (issue 7).

Seeds an embedded PostgreSQL (scratch, as `cicero simulate`'s) with bench/day.py's day
(30 clients, 5,000 staff, 40 posts, 100,000 engagements), ingests from the fake upstream at
a few fire times of ingest_social (by default the last one before each recap time), and
calls each recap job handler of the config's schedule at its fire times with a JobContext,
as the worker actors do (now = the fire time, as in simulation).

Prints per run: wall time, the CPU it cost this process and the PostgreSQL server, the
statements it sent (count and time, from asyncpg's query logger) and its outcome; then per
job the totals, a digest of what the runs produced (outbox rows with the attachments'
contents read back, recap_log, reminder_state: compare runs to show a change leaves the
output alone) and, with --profile, the top of a cProfile of every recap run.

Run: .venv/bin/python bench/recaps_day.py [--only JOB ...] [--profile] [--top 30]
                [--cprofile /tmp/recaps.prof] [--statements JOB] [--dump DIR]

Findings (2026-11-25, 2-core machine shared with other work; the old code run from an export
of the tree before this work, back to back with the new, load 1-2; same digests each time):

  job (runs)                     before    after   what it was
  bidhumas_evening_recap (3)    10.12 s   2.03 s   two per-content workbooks a run in openpyxl
  ditbinmas_group_recap (2)      8.31 s   1.62 s   two per-content and a ranking workbook
  personal_reminder (2)          1.63 s   0.31 s   5,000 people counted for 250 opted in; a
                                                   statement per reminder_state row
  ditbinmas_kasatker_report (1)  0.87 s   0.33 s   the attendance query's plan
  org_engagement_recap (3)       0.82 s   0.52 s   ~6 statements per client (196 a run)
  ditbinmas_leader_recap (1)     0.62 s   0.50 s   the attendance query's plan
  the rest (6)                   0.31 s   0.34 s
  all 18 runs                   22.69 s   5.66 s   (3.6 s in a quieter hour)

* Excel: openpyxl cost ~10 µs a cell (a directorate's per-content workbook is ~237,000 cells,
  2.3 s); written directly as SpreadsheetML (cicero.reports.xlsx) ~0.5 µs. Left: ~50 ms a
  workbook, a third of it zlib at level 6 (level 1 would save ~25 ms for 30 % bigger files).
* Attendance: a directorate's role holders as EXISTS made the planner probe the staff index
  per engagement row (server 29-53 ms); as IN it hashes the people (13-17 ms). The ORG
  recap's one-statement form for all clients got a plan that re-aggregated the masks per
  person while staff had no statistics yet (1 s): two plain statements instead.
* recap_log: the text and Excel reports of a platform log the same 5,000 people; each
  distinct list is now encoded and parsed once (bidhumas: 4 documents -> 2).
* ORG recaps (issue 18, 2026-12-08, load 1.1-1.3, old tree and new alternately, 3 pairs, same
  digests): org_engagement_recap's 3 runs 0.16-0.17 -> 0.09-0.10 s (this process 0.09-0.10 ->
  0.05 s CPU, PostgreSQL 0.08-0.09 -> 0.04-0.06). The people and their masks in one statement
  from engagement_mask, and only clients with posts of their own counted (24 of 28 have none
  on a platform here: their ~4,000 people were read for a recap that lists nobody).
* Inside the runtime (bench/day.py, the handlers timed in their actor processes) the same
  runs cost ~1.7x this process's figures (CPU shared with PostgreSQL, the driver and the
  sessions); a recap instant also holds the sends of its burst (bidhumas: 44 messages, four
  of them ~700 kB workbooks) and ~0.25 s of clock, ledger and actor round trips.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import logging
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from openpyxl import load_workbook

from bench.day import DAY, scenario_text
from bench.ingest_day import Clock, Statements, _no_wait, pointed_at, server_cpu
from cicero.config.load import load_settings
from cicero.db.connect import SERVER_SETTINGS
from cicero.db.embedded import start_embedded
from cicero.db.migrate import migrate
from cicero.domain.people.usernames import Platform
from cicero.domain.runtime.schedule import fire_times
from cicero.domain.timezone import WIB
from cicero.jobs.catalogue import registry
from cicero.jobs.ingest import IngestOptions, run_ingest
from cicero.jobs.registry import JobContext
from cicero.sim.driver import SUPPORTED_KINDS
from cicero.sim.parse import load_scenario
from cicero.sim.seed import seed
from cicero.sim.upstream.embedded import FALLBACK_KEY, KEY, world_from_scenario
from cicero.sim.upstream.server import FakeUpstream, Keys

LOG = logging.getLogger("bench.recaps_day")
NOT_RECAPS = {"ingest_social", "task_broadcast", "db_backup", "housekeeping", "ops_digest"}
INGEST_AT = ["06:00", "15:00", "17:00", "18:00", "20:00", "21:00", "22:00"]


@dataclass(frozen=True)
class Run:
    job: str
    at: datetime
    wall: float
    cpu: float  # this process
    pg_cpu: float  # the PostgreSQL server
    statements: int
    db: float  # seconds the statements took, as the client saw them
    outcome: str


def recap_runs(settings, day: datetime, only: list[str] | None) -> list[tuple[datetime, str]]:  # type: ignore[no-untyped-def]
    """(fire time, job) of every enabled recap job with a handler, in time order."""
    handlers = registry()
    runs = [
        (t, spec.key)
        for spec in settings.config.job_specs()
        if spec.enabled and spec.key in handlers and spec.key not in NOT_RECAPS
        if not only or spec.key in only
        for t in fire_times(spec, day, day + timedelta(days=1) - timedelta(seconds=1))
    ]
    return sorted(runs)


async def digest(pool: asyncpg.Pool, dump: Path | None = None) -> dict[str, str]:
    """What the recap runs wrote: outbox rows (an attachment by its content: an xlsx's
    sheets and cell values, since its bytes hold the build time), recap_log, reminder_state.
    `dump`: also write each attachment's content there, one file per outbox key."""
    h = hashlib.md5()
    rows = await pool.fetch(
        """SELECT key, session, recipient, kind, priority, body, attachment, attachment_name,
                  attachment_mime, job, fire_time, in_reply_to, expires_at, supersede_key,
                  next_attempt_at, created_at
             FROM outbox WHERE job <> 'ingest_social' ORDER BY key"""
    )
    files = 0
    for r in rows:
        h.update(repr([v for k, v in r.items() if k != "attachment"]).encode())
        data = r["attachment"]
        if data is None:
            continue
        files += 1
        if r["attachment_mime"] and "spreadsheet" in r["attachment_mime"]:
            book = load_workbook(io.BytesIO(data), read_only=True)
            data = repr([(ws.title, list(ws.iter_rows(values_only=True))) for ws in book]).encode()
        h.update(data)
        if dump:
            (dump / r["key"].replace("/", "_")).write_bytes(data)
    out = {"outbox": f"{len(rows):,} rows ({files} files) {h.hexdigest()[:8]}"}
    for table, query in {  # recap_log in its order (the transcript's), reminder_state by text
        "recap_log": """SELECT seq AS o, job, fire_time, report, scope, platform, posts, people,
                               built_at FROM recap_log""",
        "reminder_state": "SELECT r::text AS o, r.* FROM reminder_state r",
    }.items():
        row = await pool.fetchrow(
            f"SELECT count(*) AS n, md5(string_agg((to_jsonb(t) - 'o')::text, '|' ORDER BY o)) "
            f"AS h FROM ({query}) t"
        )
        out[table] = f"{row['n']:,} rows {(row['h'] or '')[:8]}"
    return out


async def run(args: argparse.Namespace, url: str, postmaster: int) -> None:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cicero-bench-recaps-") as tmp:
        path = Path(tmp) / "day.toml"
        path.write_text(scenario_text())
        scenario = load_scenario(path, SUPPORTED_KINDS)
    settings = load_settings(overrides=scenario.settings_overrides)
    conn = await asyncpg.connect(url, server_settings=SERVER_SETTINGS)
    try:
        await migrate(conn)
        await seed(conn, scenario, settings.config)
    finally:
        await conn.close()
    print(f"scenario loaded and seeded in {time.perf_counter() - t0:.1f} s")

    statements = Statements()

    async def init(c: asyncpg.Connection) -> None:
        c.add_query_logger(statements)

    # Two connections, as an actor's pool (cicero.db.connect.create_pool).
    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=2, init=init, server_settings=SERVER_SETTINGS
    )
    day = datetime.fromisoformat(DAY).replace(tzinfo=WIB)
    clock = Clock(scenario.start)
    keys = Keys(instagram=KEY, instagram_fallback=FALLBACK_KEY, tiktok=KEY,
                tiktok_fallback=FALLBACK_KEY)  # fmt: skip
    handlers = registry()
    ingests = [(day.replace(hour=int(t[:2]), minute=int(t[3:])), "") for t in INGEST_AT]
    timeline = sorted(ingests + recap_runs(settings, day, args.only))
    profiler = cProfile.Profile() if args.profile else None
    runs: list[Run] = []
    seen: dict[str, dict[str, list[float]]] = {}
    try:
        async with FakeUpstream(world_from_scenario(scenario), now=clock, keys=keys) as fake:
            settings = pointed_at(settings, fake)
            print(f"{'at':>5}  {'job':<28} {'wall':>7} {'our CPU':>7} {'PG CPU':>6} "
                  f"{'stmts':>5} {'db':>6}  outcome")  # fmt: skip
            for when, job in timeline:
                clock.t = when
                if not job:  # ingestion: state for the recaps, not measured here
                    ctx = JobContext("ingest_social", when, when, pool, settings, LOG, _no_wait)
                    for platform in (Platform.INSTAGRAM, Platform.TIKTOK):
                        await run_ingest(ctx, IngestOptions(sleep=_no_wait), (platform,))
                    continue
                handler = handlers.get(job)
                assert handler is not None
                ctx = JobContext(job, when, when, pool, settings, LOG, _no_wait)
                statements.seen.clear()
                statements.on = True
                cpu, pg = time.process_time(), server_cpu(postmaster)
                if profiler:
                    profiler.enable()
                start = time.perf_counter()
                outcome = await handler.run(ctx) or ""
                wall = time.perf_counter() - start
                if profiler:
                    profiler.disable()
                statements.on = False
                seen[f"{when:%H:%M} {job}"] = dict(statements.seen)
                spent = [t for ts in statements.seen.values() for t in ts]
                r = Run(job, when, wall, time.process_time() - cpu, server_cpu(postmaster) - pg,
                        len(spent), sum(spent), outcome)  # fmt: skip
                runs.append(r)
                print(f"{when:%H:%M}  {job:<28} {r.wall:6.3f}s {r.cpu:6.2f}s {r.pg_cpu:5.2f}s "
                      f"{r.statements:>5} {r.db:5.2f}s  {outcome[:60]}")  # fmt: skip
        report(runs)
        if args.statements:
            for name, stmts in seen.items():
                if args.statements in name:
                    print(f"\nstatements of {name}:")
                    print(f"  {'calls':>6} {'total ms':>9}  statement")
                    for query, took in sorted(stmts.items(), key=lambda kv: -sum(kv[1]))[:15]:
                        print(f"  {len(took):>6} {1000 * sum(took):>9.1f}  {query[:100]}")
        print("\nwhat the runs wrote (compare runs):")
        for table, text in (await digest(pool, args.dump)).items():
            print(f"  {table:<15} {text}")
    finally:
        await pool.close()
    if not profiler:
        return
    if args.cprofile:
        profiler.dump_stats(args.cprofile)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print("\ncProfile of the recap runs, by own time:")
    print("\n".join(out.getvalue().splitlines()[4:]))


def report(runs: list[Run]) -> None:
    by_job: dict[str, list[Run]] = defaultdict(list)
    for r in runs:
        by_job[r.job].append(r)
    total = sum(r.wall for r in runs)
    print(f"\n{len(runs)} recap runs: {total:.2f} s wall, this process {sum(r.cpu for r in runs):.2f} s "
          f"CPU, PostgreSQL {sum(r.pg_cpu for r in runs):.2f} s CPU")  # fmt: skip
    print(f"  {'job':<28} {'runs':>4} {'wall':>7} {'max':>6} {'our CPU':>7} {'PG CPU':>6} "
          f"{'stmts':>6} {'db':>6}")  # fmt: skip
    for job, rs in sorted(by_job.items(), key=lambda kv: -sum(r.wall for r in kv[1])):
        print(f"  {job:<28} {len(rs):>4} {sum(r.wall for r in rs):6.2f}s "
              f"{max(r.wall for r in rs):5.2f}s {sum(r.cpu for r in rs):6.2f}s "
              f"{sum(r.pg_cpu for r in rs):5.2f}s {sum(r.statements for r in rs):>6} "
              f"{sum(r.db for r in rs):5.2f}s")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="run only these recap jobs")
    ap.add_argument("--profile", action="store_true",
                    help="run the recaps under cProfile (slower) and print its top")  # fmt: skip
    ap.add_argument("--cprofile", type=Path, help="with --profile: also write the profile here")
    ap.add_argument("--top", type=int, default=30, help="functions to show")
    ap.add_argument("--dump", type=Path, help="write each attachment's content here")
    ap.add_argument("--statements", help="list the statements of runs whose 'HH:MM job' has this")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="cicero-bench-pg-") as tmp:
        url, server = start_embedded(Path(tmp), "bench", scratch=True)
        try:
            asyncio.run(run(args, url, server.get_pid()))  # type: ignore[attr-defined]
        finally:
            server.cleanup()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

"""The settled job runs as counted by PostgreSQL (migration 0060's trigger on job_run), for
/metrics: one small row per job and outcome, read whole at every scrape."""

from __future__ import annotations

import asyncpg

from cicero.domain.runtime.series import JOB_RUNS, JOB_SECONDS
from cicero.domain.runtime.tally import Histogram, Tally


async def load(conn: asyncpg.Connection) -> Tally:
    """Runs per (job, outcome); durations per job, every outcome's added together."""
    bounds = tuple(await conn.fetchval("SELECT job_run_tally_bounds()"))
    out = Tally()
    for r in await conn.fetch("SELECT job, outcome, runs, seconds, slots FROM job_run_tally"):
        out.count(JOB_RUNS.name, (r["job"], r["outcome"]), r["runs"])
        if any(r["slots"]):
            out.merge(Tally(histograms={
                (JOB_SECONDS.name, (r["job"],)): Histogram(bounds, list(r["slots"]), r["seconds"])
            }))  # fmt: skip
    return out

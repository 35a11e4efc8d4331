"""A link report posted through the API is what the amplification recap and reports count
(issue 15 item 5), end to end on one database: the app's POST, then the jobs' own handlers."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from cicero.config import load_settings
from cicero.db.connect import create_pool
from cicero.jobs.amplify import amplify_recap
from cicero.jobs.amplify_reports import amplify_daily_report
from cicero.jobs.registry import JobContext
from tests.conftest import fresh_database
from tests.integration.web.app_world import BUDI, SITI, T0, run, seeded, serve

FIRE = T0 + timedelta(hours=6, minutes=5)  # 15:05 WIB


async def job(url: str, name: str, fn) -> str:  # type: ignore[no-untyped-def]
    pool = await create_pool(url)
    try:
        ctx = JobContext(job=name, fire_time=FIRE, now=FIRE + timedelta(seconds=4), pool=pool,
                         settings=load_settings({}), log=logging.getLogger("test"))  # fmt: skip
        return await fn(ctx)
    finally:
        await pool.close()


def test_a_report_through_the_api_is_counted_by_the_next_amplify_recap(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        async with serve(url) as app:
            app.clock.move(hours=1)  # 10:00 WIB
            token = await app.login(BUDI)
            status, _, _ = await app.call(
                "POST", "/api/link-reports",
                {"shortcode": "DAbc001", "instagram_link": "https://www.instagram.com/p/Rep0st1/",
                 "twitter_link": "https://x.com/budi/status/1"},
                token=token,
            )  # fmt: skip
            assert status == 201
        await job(url, "amplify_recap", amplify_recap)
        await job(url, "amplify_daily_report", amplify_daily_report)
        logs = await app.sql(
            "SELECT job, report, people, posts FROM recap_log WHERE scope = 'POLRES_A' ORDER BY job"
        )
        by_job = {
            r["job"]: r for r in logs if r["report"] in ("amplify_recap", "amplify_daily_report")
        }
        for name in ("amplify_recap", "amplify_daily_report"):
            people = {p["nrp"]: p for p in json.loads(by_job[name]["people"])}
            assert people[BUDI]["done"] == 1, name  # DAbc001, reported through the API
            assert people[SITI]["done"] == 0, name
        recap = await app.sql(
            "SELECT body FROM outbox WHERE job = 'amplify_recap' AND recipient = '6281200000001'"
        )
        assert "Total Link: 2 Link" in recap[0]["body"]

    asyncio.run(go())

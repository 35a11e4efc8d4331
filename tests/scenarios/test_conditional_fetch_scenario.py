"""data.md §3.4 end to end: the demo day run twice, fetching every post's engagement at every
fire time, then only where a count moved or an audit was owed (the shipped default). The
recaps count the same people with the same statuses; the second spends far fewer requests."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.sim import driver
from cicero.sim.parse import load_scenario
from tests.conftest import fresh_database

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo-day.toml"
EVERY_PAGE_EVERY_TIME = {"audit_every": "1m", "audit_fresh": "1m"}


def day(
    pg_server: object, tmp: Path, upstream: dict[str, str]
) -> tuple[list[Any], dict[str, int]]:
    scenario = load_scenario(DEMO, driver.SUPPORTED_KINDS)
    overrides = scenario.settings_overrides
    overrides["upstream"] = {**overrides.get("upstream", {}), **upstream}
    settings = load_settings({}, overrides=overrides)
    settings = replace(settings, env=replace(settings.env, data_dir=tmp))
    url, out = fresh_database(pg_server), tmp / "transcript.jsonl"
    driver.run(scenario, settings, url, out)
    recaps = sorted(  # recaps built at one instant by two actors land in either order
        (x["job"], x["fire_time"], x["report"], x["scope"], x["platform"], x["posts"],
         sorted((p["nrp"], p["status"], p["done"], p["total"]) for p in x["people"]))
        for x in map(json.loads, out.read_text().splitlines()) if x["type"] == "recap"
    )  # fmt: skip

    async def spent() -> dict[str, int]:
        conn = await connect(url)
        try:
            row = await conn.fetchrow(
                """SELECT (SELECT coalesce(sum(calls), 0) FROM upstream_host) AS calls,
                          (SELECT coalesce(sum(saved), 0) FROM upstream_host) AS saved,
                          (SELECT count(*) FROM engagement_fetch WHERE outcome = 'unchanged')
                              AS unchanged"""
            )
            return dict(row)
        finally:
            await conn.close()

    return recaps, asyncio.run(spent())


def test_attendance_is_the_same_for_far_fewer_requests(
    pg_server: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    full, full_cost = day(pg_server, tmp_path_factory.mktemp("full"), EVERY_PAGE_EVERY_TIME)
    cond, cond_cost = day(pg_server, tmp_path_factory.mktemp("conditional"), {})
    assert len(full) > 40 and full == cond
    assert full_cost["unchanged"] == 0 and full_cost["saved"] == 0
    assert cond_cost["unchanged"] > 0 and cond_cost["saved"] > 0
    assert cond_cost["calls"] < full_cost["calls"] * 0.8

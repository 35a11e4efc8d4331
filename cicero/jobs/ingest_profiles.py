"""The daily profile fetch of each official account (issue 17), run by the ingestion after
every stage of the run (listings and engagement come first, so a nearly spent budget goes
to attendance): the analytics' followers come from here, never from a request per page
view. One fetch a WIB day per account; a failed one is tried again at a
later ingestion, at most `MAX_ATTEMPTS` a day (cicero.domain.ingestion.profiles). Each
request goes through the platform's client, so it is paced and counted on the key like any
other; once the key's daily budget is spent, only post listings run and this waits a day.

Deliberately not an `ingest_run` stage: a failed profile fetch must not mark the day's
attendance incomplete. Its outcome is the `account_profile` row (attempts, error_class)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from cicero.db.account_profiles import profile_days, save_profile
from cicero.db.ingest_runs import IngestClient
from cicero.domain.ingestion.profiles import ProfileDay, profile_due
from cicero.domain.ingestion.rules import Stage
from cicero.domain.ingestion.summary import StageResult
from cicero.domain.people.usernames import Platform
from cicero.upstream.client import InstagramClient, TikTokClient
from cicero.upstream.limits import UpstreamHosts
from cicero.upstream.transport import UpstreamError


@dataclass
class DailyProfiles:
    pool: asyncpg.Pool
    instagram: InstagramClient
    tiktok: TikTokClient
    hosts: UpstreamHosts
    today: date
    now: Callable[[], datetime]
    log: logging.Logger
    concurrency: int = 1

    async def after(self, clients: Sequence[IngestClient], results: Sequence[StageResult]) -> None:
        """Each account whose posts stage ran in this run, when its profile is owed today."""
        by_id = {c.client_id: c for c in clients}
        owed = [r for r in results if r.stage is Stage.POSTS and r.client_id in by_id]
        # Today's rows of every account in one look-up: most are fetched already, and a
        # statement per account and fire time was ~1,900 round trips of a day's ingestion.
        async with self.pool.acquire() as conn:
            known = await profile_days(conn, [(r.client_id, r.platform) for r in owed], self.today)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(r: StageResult) -> None:
            async with gate:
                row = known.get((r.client_id, r.platform))
                await self.fetch_if_due(by_id[r.client_id], r.platform, row)

        async with asyncio.TaskGroup() as group:  # a bug in one ends the run, as stages do
            for r in owed:
                group.create_task(one(r))

    async def fetch_if_due(
        self, client: IngestClient, platform: Platform, row: ProfileDay | None
    ) -> str | None:
        """Fetch the account's profile when today's is still owed (`row`: today's row, None
        when there is none yet); returns what happened (None: nothing was owed or nothing
        could be sent)."""
        flags = client.flags
        handle = flags.instagram if platform is Platform.INSTAGRAM else flags.tiktok
        if not handle:
            return None
        if not profile_due(row, handle) or self.hosts.engagement_refusal(platform) is not None:
            return None
        counts: tuple[int | None, int | None, int | None] | None = None
        error = None
        try:
            if platform is Platform.INSTAGRAM:
                ig = await self.instagram.profile(handle)
                counts = (ig.follower_count, ig.following_count, ig.media_count)
            else:
                tt = await self.tiktok.profile(handle)
                counts = (tt.follower_count, tt.following_count, tt.video_count)
        except UpstreamError as e:
            error = e.error_class.value
            self.log.info("profile %s %s: %s", platform, client.client_id, e.detail)
        async with self.pool.acquire() as conn:
            await save_profile(conn, client.client_id, platform, self.today, handle, counts,
                               error, self.now())  # fmt: skip
        return error or "fetched"

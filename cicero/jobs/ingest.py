"""The `ingest_social` job (data.md §3): posts, likers and commenters of active clients.

The job has one part per platform, each run by its own ingestor actor
(`ingestor:instagram`: IG posts, then likers; `ingestor:tiktok`: TikTok posts, then
commenters), so a stuck or crashing platform never holds up the other. Within a
part, clients run in parallel up to `upstream.concurrency`, and so do the likers or
commenters fetches of one client's posts. A post's engagement is fetched only when its
listed count moved or an audit is owed (`cicero.domain.ingestion.refetch`); otherwise
its fetch is `unchanged` and the requests it spared are counted on the key. A stage that
meets upstream trouble records it in `ingest_run` and the next stage runs; only a bug
(anything but an `UpstreamError`) escapes, after its row is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TypeVar

import aiohttp
import asyncpg

from cicero.config.schema import positive_duration
from cicero.db.engagement import (
    KIND,
    EngagementRow,
    FetchRecord,
    exception_handles,
    last_fetches,
    record_fetches,
    upsert_engagement,
)
from cicero.db.ingest_runs import IngestClient, RunRow, active_clients, record_runs, save_sec_uid
from cicero.db.posts import (
    DayPost,
    accounts_with_posts,
    known_posts,
    posts_of_day,
    refresh_counts,
    save_presence,
    upsert_posts,
)
from cicero.domain.ingestion.limits import Pace
from cicero.domain.ingestion.payloads import ParsedPost
from cicero.domain.ingestion.refetch import (
    day_deadlines,
    due_at,
    fetch_reason,
    saved_requests,
)
from cicero.domain.ingestion.rules import (
    Outcome,
    Stage,
    day_start,
    gone_by_fetch,
    merge_engagement,
    reconcile_removals,
    stages,
    todays_posts,
)
from cicero.domain.ingestion.summary import (
    UNAVAILABLE,
    Fetched,
    StageResult,
    engagement_stage_outcome,
    job_reason,
    listing_outcome,
    platform_reason,
)
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import wib_date
from cicero.jobs.ingest_profiles import DailyProfiles
from cicero.jobs.registry import JobContext
from cicero.upstream.client import (
    InstagramClient,
    InstagramLimits,
    Listing,
    TikTokClient,
    TikTokLimits,
)
from cicero.upstream.endpoints import endpoints
from cicero.upstream.limits import UpstreamHosts, run_clock
from cicero.upstream.transport import Jitter, Sleep, Timeouts, UpstreamError

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
T = TypeVar("T")
INGEST_JOB = "ingest_social"  # a run of any other key is a fetch asked from a menu


@dataclass(frozen=True)
class IngestOptions:
    """What tests and the simulator may change; production uses the defaults."""

    sleep: Sleep | None = None  # None: asyncio.sleep (retry backoff, TikTok comment gap)
    jitter: Jitter | None = None
    instagram: InstagramLimits = field(default_factory=InstagramLimits)
    tiktok: TikTokLimits = field(default_factory=TikTokLimits)


async def ingest_instagram(ctx: JobContext) -> str:
    """The `instagram` part of ingest_social."""
    return await run_ingest(ctx, IngestOptions(sleep=ctx.sleep), (IG,))


async def ingest_tiktok(ctx: JobContext) -> str:
    """The `tiktok` part of ingest_social."""
    return await run_ingest(ctx, IngestOptions(sleep=ctx.sleep), (TT,))


async def run_ingest(
    ctx: JobContext,
    options: IngestOptions = IngestOptions(),
    platforms: tuple[Platform, ...] = (IG, TT),
) -> str:
    """One fire time's ingestion of `platforms`; returns the job_run reason."""
    results = await ingest(ctx, options, platforms)
    reason = platform_reason(results) if len(platforms) == 1 else job_reason(results)
    names = "+".join(p.value for p in platforms)
    ctx.log.info("ingest_social %s %s: %s", names, ctx.fire_time.isoformat(), reason)
    return reason


async def ingest(
    ctx: JobContext,
    options: IngestOptions,
    platforms: tuple[Platform, ...],
    client_id: str | None = None,
    work: tuple[tuple[Platform, Stage], ...] | None = None,
) -> list[StageResult]:
    """The stages of `platforms` for every active client, or only for `client_id` and only
    the (platform, stage) pairs of `work` (a fetch asked from a menu)."""
    async with ctx.pool.acquire() as conn:
        clients = [c for c in await active_clients(conn) if client_id in (None, c.client_id)]
        excluded = {p: await exception_handles(conn, p) for p in Platform}
        with_posts = await accounts_with_posts(conn, wib_date(ctx.fire_time))
    up = ctx.settings.config.upstream
    timeouts = Timeouts(connect=up.connect_timeout_s, total=up.total_timeout_s)
    common = {"timeouts": timeouts, "sleep": options.sleep, "jitter": options.jitter,
              "tally": ctx.tally}  # fmt: skip
    gate = asyncio.Semaphore(up.concurrency)
    # Pauses and call counts as stored: a restarted ingestor still honours them.
    hosts = await UpstreamHosts.open(
        ctx.pool, run_clock(ctx.now), Pace(up.requests_per_s, up.burst), up.daily_budget
    )
    # The session belongs to this process's event loop, so it is made here, per run.
    async with aiohttp.ClientSession() as session:
        run = _Run(
            ctx,
            wib_date(ctx.fire_time),
            InstagramClient(session, *endpoints(ctx.settings, IG), limits=options.instagram,
                            hosts=hosts.platform(IG), **common),
            TikTokClient(session, *endpoints(ctx.settings, TT), limits=options.tiktok,
                         hosts=hosts.platform(TT), **common),
            excluded,
            hosts,
            with_posts,
            work,
        )  # fmt: skip
        try:
            async with asyncio.TaskGroup() as group:  # a bug in one client cancels the run
                tasks = [
                    group.create_task(run.client(c, gate, platforms))
                    for c in clients
                    if any(p in platforms for p, _ in stages(c.flags))
                ]
            await run.write_waiting()
            # Followers for the analytics, once a day per listed account: after every stage
            # attendance needs, so they never take the budget's last calls from engagement.
            profiles = DailyProfiles(ctx.pool, run.instagram, run.tiktok, hosts, run.today,
                                     lambda: run.now, ctx.log, up.concurrency)  # fmt: skip
            await profiles.after(clients, [r for t in tasks for r in t.result()])
        finally:
            try:
                await run.write_waiting()  # when a bug ended the run: the rows of what finished
            finally:
                await hosts.close()  # this run's calls and outcomes, even when a bug ends it
    return [r for t in tasks for r in t.result()]


class _Run:
    def __init__(
        self,
        ctx: JobContext,
        today: date,
        instagram: InstagramClient,
        tiktok: TikTokClient,
        excluded: dict[Platform, frozenset[str]],
        hosts: UpstreamHosts,
        with_posts: set[tuple[str, Platform]],
        work: tuple[tuple[Platform, Stage], ...] | None = None,
    ) -> None:
        self.ctx, self.today = ctx, today
        self.instagram, self.tiktok = instagram, tiktok
        self.excluded = excluded
        self.hosts = hosts
        # Accounts that may have posts of today: those that had some when the run began, and
        # those whose listing this run stored. Most have none: their engagement stage then
        # needs no look-up (one statement per account and fire time otherwise).
        self.with_posts = with_posts
        self.work = work  # None: every stage of the client
        # A client's posts are fetched side by side too: a directorate's dozen posts of 20-40
        # pages each would otherwise be one long chain (and TikTok waits 2 s between pages).
        self.post_concurrency = ctx.settings.config.upstream.concurrency
        up = ctx.settings.config.upstream
        deadlines = day_deadlines(
            today, ctx.settings.config.job_specs(), INGEST_JOB, ctx.readers,
            positive_duration(up.audit_fresh), positive_duration(up.audit_every),
        )  # fmt: skip
        self.audit_due = due_at(deadlines, ctx.fire_time)
        self.asked = ctx.job != INGEST_JOB  # a menu asked for fresh data: everything is fetched
        # What this run's listing of a client said: each listed post's engagement count (None:
        # none usable) and how the listing ended. The engagement stage compares with them.
        self.listed: dict[tuple[str, Platform], dict[str, int | None]] = {}
        self.listing: dict[tuple[str, Platform], Outcome] = {}
        # Rows of stages that had nothing else to write, by client: they go with the client's
        # next row, or all together once every client is done (a quiet client then costs no
        # statement of its own: most clients, most fire times).
        self.pending: dict[str, list[RunRow]] = {}

    @property
    def now(self) -> datetime:
        return self.ctx.now

    async def client(
        self, client: IngestClient, gate: asyncio.Semaphore, platforms: tuple[Platform, ...]
    ) -> list[StageResult]:
        async with gate:
            return [
                await self.stage(client, p, s)
                for p, s in stages(client.flags)
                if p in platforms and (self.work is None or (p, s) in self.work)
            ]

    async def stage(self, client: IngestClient, platform: Platform, stage: Stage) -> StageResult:
        try:
            if stage is Stage.POSTS:
                return await self.posts(client, platform)
            return await self.engagement(client, platform, stage)
        except UpstreamError as e:  # a single request outside a listing
            result = StageResult(platform, client.client_id, stage, listing_outcome(
                Outcome.FAILED, e.error_class.value), error_class=e.error_class.value,
                reason=e.detail)  # fmt: skip
        except Exception as e:
            # A bug: leave its trace in ingest_run, then crash the job (the worker restarts).
            bug = StageResult(platform, client.client_id, stage, "failed",
                              reason=f"bug: {type(e).__name__}: {e}")  # fmt: skip
            await self.record(bug)
            raise
        await self.record(result)
        return result

    async def record(
        self, result: StageResult, conn: asyncpg.Connection | None = None, *, later: bool = False
    ) -> None:
        """Write the stage's row, with the client's rows that waited; `later`: let it wait
        for the client's next row or `write_waiting`."""
        row = RunRow(result, self.now, self.now)
        if later:
            self.pending.setdefault(result.client_id, []).append(row)
            return
        rows = [*self.pending.pop(result.client_id, []), row]
        if conn is not None:
            await record_runs(conn, rows, self.ctx.fire_time)
            return
        async with self.ctx.pool.acquire() as own:
            await record_runs(own, rows, self.ctx.fire_time)

    async def write_waiting(self) -> None:
        """The rows still waiting, in one statement (each client's in stage order)."""
        rows = [row for waiting in self.pending.values() for row in waiting]
        self.pending.clear()
        if rows:
            async with self.ctx.pool.acquire() as conn:
                await record_runs(conn, rows, self.ctx.fire_time)

    # ------------------------------------------------------------ posts (§3.2, §3.7)

    async def posts(self, client: IngestClient, platform: Platform) -> StageResult:
        flags, sec_uid = client.flags, None
        if platform is IG:
            listing = await self.instagram.posts(flags.instagram or "", self.today)
        else:
            found = await self.tiktok.posts_today(
                flags.tiktok or "", client.tiktok_secuid, self.now
            )
            listing = found.listing
            if found.sec_uid and found.sec_uid != client.tiktok_secuid:
                sec_uid = found.sec_uid
        todays = todays_posts(listing.items, self.today)
        self.listed[client.client_id, platform] = {
            p.external_id: p.like_count if platform is IG else p.comment_count for p in todays
        }
        self.listing[client.client_id, platform] = listing.outcome
        error = listing.error_class.value if listing.error_class else None
        failure = [listing.error.detail] if listing.error is not None else []
        # Most clients list nothing most of the day: then there is nothing to store but the
        # run's row, and it goes with the client's next one (no statement of its own).
        if not (listing.items or listing.complete or sec_uid is not None):
            result = StageResult(
                platform, client.client_id, Stage.POSTS, listing_outcome(listing.outcome, error),
                pages=listing.pages, skipped=listing.skipped, error_class=error,
                reason="; ".join(["0 of today, 0 new", *failure]),
            )  # fmt: skip
            await self.record(result, later=True)
            return result
        self.with_posts.add((client.client_id, platform))
        async with self.ctx.pool.acquire() as conn, conn.transaction():
            written = await upsert_posts(conn, client.client_id, platform, todays, self.now)
            await refresh_counts(conn, client.client_id, platform, listing.items, self.today,
                                 self.now)  # fmt: skip
            removed = await self.reconcile(conn, client.client_id, platform, listing)
            if sec_uid is not None:
                await save_sec_uid(conn, client.client_id, sec_uid)
            notes = [f"{len(todays)} of today, {len(written.new)} new"]
            if removed:
                notes.append(f"removed {', '.join(removed)}")
            if written.conflicts:
                owners = ", ".join(f"{e} of {c}" for e, c in written.conflicts)
                notes.append(f"listed by another client: {owners}")
                self.ctx.log.warning("%s %s conflict: %s", platform, client.client_id, owners)
            notes += failure
            result = StageResult(
                platform, client.client_id, Stage.POSTS, listing_outcome(listing.outcome, error),
                pages=listing.pages, posts=len(todays), new_posts=len(written.new),
                skipped=listing.skipped, error_class=error, reason="; ".join(notes),
            )  # fmt: skip
            await self.record(result, conn)
        return result

    async def reconcile(
        self, conn: asyncpg.Connection, client_id: str, platform: Platform,
        listing: Listing[ParsedPost],
    ) -> list[str]:  # fmt: skip
        """Presence per §3.7; only a complete listing counts absences. Returns new removals."""
        if not listing.items and not listing.complete:
            return []  # no post to find present, no absence that counts
        listed = {p.external_id for p in listing.items}
        covered_since = listing.covered_since(self.today) if listing.complete else None
        known = await known_posts(conn, client_id, platform, listed, listing.complete,
                                  covered_since)  # fmt: skip
        since = covered_since if listing.complete else day_start(self.today)
        changed = reconcile_removals(known, listed, listing.outcome, since, self.now)
        await save_presence(conn, platform, changed)
        return sorted(k.external_id for k in changed if k.removed_at is not None)

    # ------------------------------------------------------------ likers, commenters (§3.4)

    async def engagement(
        self, client: IngestClient, platform: Platform, stage: Stage
    ) -> StageResult:
        kind = KIND[platform]
        over_budget = self.hosts.engagement_refusal(platform)
        if over_budget is not None:  # §2.1: over budget, only post listings run
            result = StageResult(platform, client.client_id, stage, "skipped", reason=over_budget)
            await self.record(result)
            return result
        if (client.client_id, platform) not in self.with_posts:
            result = _engagement_result(client, platform, stage, [], 0, 0, 0, 0)
            await self.record(result, later=True)
            return result
        async with self.ctx.pool.acquire() as conn:
            posts = await posts_of_day(conn, client.client_id, platform, self.today)
            if not posts:  # none of today (left): only the run's row, which can wait
                result = _engagement_result(client, platform, stage, [], 0, 0, 0, 0)
                await self.record(result, later=True)
                return result
            lasts = await last_fetches(conn, [p.id for p in posts], kind, day_start(self.today))
        listed = self.listed.get((client.client_id, platform), {})
        rows: list[EngagementRow] = []
        fetches: list[FetchRecord] = []
        skipped = pages = saved = 0
        wanted: list[DayPost] = []
        for post in posts:
            last, count = lasts.get(post.id), listed.get(post.external_id)
            if fetch_reason(last, count, self.audit_due, self.asked) is not None:
                wanted.append(post)
            else:  # nothing could have moved: no request (data.md §3.4)
                assert last is not None
                saved += saved_requests(last)
                fetches.append(FetchRecord(post.id, kind, Outcome.UNCHANGED, 0, 0, 0, None, count))
        if saved:
            self.hosts.spared(platform, saved)
        fetch = self.instagram.likers if platform is IG else self.tiktok.comments
        # Most names first: their pages follow one another (cursors), so the longest chains
        # start at once rather than last in the queue (a directorate's run ends with them).
        wanted.sort(key=lambda post: -(listed.get(post.external_id) or 0))
        listings = await _at_most(
            self.post_concurrency, [partial(fetch, post.external_id) for post in wanted]
        )
        gone = []
        # By post id, each post's names sorted: the rows come in key order (upsert_engagement)
        for post, listing in sorted(zip(wanted, listings, strict=True), key=lambda pl: pl[0].id):
            # Names from a failed fetch's earlier pages are real: they are kept too.
            merge = merge_engagement(listing.items, platform, self.now,
                                     excluded=self.excluded[platform])  # fmt: skip
            rows += [EngagementRow(post.id, kind, name) for name in merge.usernames]
            error = listing.error_class.value if listing.error_class else None
            fetches.append(FetchRecord(post.id, kind, listing.outcome, listing.pages,
                                       len(listing.items), listing.skipped + merge.invalid,
                                       error, listed.get(post.external_id)))  # fmt: skip
            skipped += listing.skipped + merge.invalid
            pages += listing.pages
            if error == UNAVAILABLE and post.external_id not in listed:
                gone.append(post.external_id)
        async with self.ctx.pool.acquire() as conn, conn.transaction():
            written = await upsert_engagement(conn, rows, self.now)
            await record_fetches(conn, fetches, self.now, self.now)
            removed = await self.gone(conn, client.client_id, platform, gone)
            result = _engagement_result(client, platform, stage, fetches, len(rows),
                                        written.new, pages, skipped, removed)  # fmt: skip
            await self.record(result, conn)
        return result

    async def gone(
        self, conn: asyncpg.Connection, client_id: str, platform: Platform, gone: list[str]
    ) -> list[str]:
        """Posts the upstream says no longer exist, while this run's listing of their account
        answered but could not count an absence (§3.7, `gone_by_fetch`). Returns removals."""
        listing = self.listing.get((client_id, platform))
        if not gone or listing is None:
            return []
        known = await known_posts(conn, client_id, platform, gone, False, None)
        changed = gone_by_fetch(known, listing, self.now)
        await save_presence(conn, platform, changed)
        return sorted(k.external_id for k in changed if k.removed_at is not None)


async def _at_most(limit: int, calls: list[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run `calls` with at most `limit` at a time; results in the order of `calls`. The first
    error ends the others and is raised as itself (not as an ExceptionGroup)."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(call)) for call in calls]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [t.result() for t in tasks]


def _engagement_result(
    client: IngestClient, platform: Platform, stage: Stage, fetches: list[FetchRecord],
    names: int, new: int, pages: int, skipped: int, removed: list[str] | None = None,
) -> StageResult:  # fmt: skip
    outcome, error = engagement_stage_outcome([Fetched(f.outcome, f.error_class) for f in fetches])
    unchanged = sum(f.outcome is Outcome.UNCHANGED for f in fetches)
    reason = f"{len(fetches)} posts ({unchanged} unchanged), {names} names, {new} new"
    failed = sum(f.outcome is Outcome.FAILED for f in fetches)
    if failed:
        reason += f"; {failed} fetches failed ({error})"
    if removed:
        reason += f"; removed {', '.join(removed)} (gone upstream)"
    return StageResult(
        platform, client.client_id, stage, outcome, pages=pages, engagements=new,
        skipped=skipped, error_class=error, reason=reason,
    )  # fmt: skip

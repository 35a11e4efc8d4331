"""The upstream hosts' limits for one ingestion run: pacing, the 429 pause, the daily count.

The rules are `cicero.domain.ingestion.limits`; this holds each host's state in memory,
loads it from `upstream_host` when the run starts and writes it back (merged) when a
pause begins, every `flush_every` calls, and at `close()`, so a restart keeps the pause
and the count. Each client gets the `PlatformHosts` of its platform at construction.

One process is assumed to call a host at a time (an ingestor per platform): the stored
count is the larger of two writers' counts, not their sum.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg

from cicero.db.upstream_hosts import load_hosts, save_host
from cicero.domain.ingestion.limits import (
    HostState,
    Pace,
    Pacer,
    after_answer,
    after_retries,
    budget_refusal,
    counted,
    host_name,
    merged,
    pause_refusal,
    spared,
)
from cicero.domain.timezone import wib_date
from cicero.upstream.transport import UpstreamError

Now = Callable[[], datetime]


def run_clock(start: datetime) -> Now:
    """The run's clock: its start instant, moved on by the wall time the run has taken.

    Production's start is the wall clock, so this is the wall clock; a simulated run
    starts at a virtual instant and stays close to it (virtual time stands still in a run).
    """
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


@dataclass
class _Host:
    name: str
    state: HostState
    pacer: Pacer
    header: str = ""
    dirty: bool = False
    unsaved_calls: int = 0


@dataclass
class UpstreamHosts:
    """Every host's state for one run; `pool` None keeps it in memory only."""

    now: Now
    pace: Pace = field(default_factory=Pace)
    budgets: Mapping[str, int] = field(default_factory=dict)
    pool: asyncpg.Pool | None = None
    flush_every: int = 100  # a crash loses at most this many calls from the day's count
    _hosts: dict[str, _Host] = field(default_factory=dict, init=False)

    @classmethod
    async def open(
        cls, pool: asyncpg.Pool, now: Now, pace: Pace, budgets: Mapping[str, int]
    ) -> UpstreamHosts:
        """Hosts as stored: a pause or a count from before a restart still holds."""
        hosts = cls(now, pace, budgets, pool)
        async with pool.acquire() as conn:
            for name, row in (await load_hosts(conn)).items():
                hosts._hosts[name] = _Host(name, row.state, Pacer(pace), row.host)
        return hosts

    def platform(self, platform: str) -> PlatformHosts:
        return PlatformHosts(self, platform)

    def engagement_refusal(self, platform: str) -> str | None:
        """Why likers/commenters are skipped (the primary key's budget is spent), or None."""
        name = host_name(platform, False)
        now = self.now()
        return budget_refusal(name, self._host(name).state, wib_date(now), self.budgets.get(name))

    def spared(self, platform: str, requests: int) -> None:
        """`requests` an unchanged engagement fetch did not send on the platform's primary key
        (data.md §3.4); stored with the next write of that host."""
        host = self._host(host_name(platform, False))
        host.state = spared(host.state, self.now(), requests)
        host.dirty = True

    async def close(self) -> None:
        for host in self._hosts.values():
            await self._flush(host)

    def _host(self, name: str) -> _Host:
        if name not in self._hosts:
            self._hosts[name] = _Host(name, HostState(), Pacer(self.pace))
        return self._hosts[name]

    async def _flush(self, host: _Host) -> None:
        if self.pool is None or not host.dirty:
            return
        host.dirty, host.unsaved_calls = False, 0  # calls counted during the write re-dirty it
        try:
            async with self.pool.acquire() as conn:
                stored = await save_host(
                    conn, host.name, host.header, host.state, self.budgets.get(host.name),
                    self.now(),
                )  # fmt: skip
        except BaseException:
            host.dirty = True
            raise
        host.state = merged(host.state, stored)  # another writer's facts join ours


@dataclass
class PlatformHosts:
    """A platform's primary and fallback host, as its Transport sees them."""

    hosts: UpstreamHosts
    platform: str

    def refusal(self, fallback: bool) -> str | None:
        """Why nothing may be sent to the host now (a 429 pause), or None."""
        host = self._host(fallback)
        return pause_refusal(host.name, host.state, self.hosts.now())

    def reserve(self, fallback: bool, header: str) -> float:
        """Reserve a request to the host: the seconds to wait before sending it."""
        host = self._host(fallback)
        host.header = header
        now = self.hosts.now()
        host.pacer, start = host.pacer.reserve(now)
        return (start - now).total_seconds()

    async def answered(self, fallback: bool, error: UpstreamError | None) -> None:
        """One request went out and came back (or failed): count it, note the outcome."""
        host, now = self._host(fallback), self.hosts.now()
        error_class = error.error_class.value if error else None
        host.state = after_answer(counted(host.state, now), now, error_class,
                                  error.detail if error else "")  # fmt: skip
        host.dirty, host.unsaved_calls = True, host.unsaved_calls + 1
        if host.unsaved_calls >= self.hosts.flush_every:
            await self.hosts._flush(host)

    async def gave_up(self, fallback: bool, error: UpstreamError) -> None:
        """A request failed after its retries; a 429 pauses the host, stored at once."""
        host = self._host(fallback)
        before = host.state
        host.state = after_retries(host.state, self.hosts.now(), error.error_class.value)
        if host.state != before:
            host.dirty = True
            await self.hosts._flush(host)

    def _host(self, fallback: bool) -> _Host:
        return self.hosts._host(host_name(self.platform, fallback))

"""What every web handler may use, built once per app: settings, the clock, the database
pool, the password workers, the per-person rate limits. Handlers reach it as `ctx(request)`."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import web

from cicero.config import Settings
from cicero.config.load import DEFAULT_CONFIG, Env
from cicero.config.schema import Config, parse_duration
from cicero.domain.auth.tokens import TokenPolicy
from cicero.web.counters import WebCounters
from cicero.web.errors import ApiError
from cicero.web.fair_pool import FairPool
from cicero.web.limits import MinuteLimits
from cicero.web.measured import Measured
from cicero.web.passwords import PasswordWorkers

Clock = Callable[[], datetime]


@dataclass
class WebContext:
    settings: Settings
    now: Clock
    pool: asyncpg.Pool | None = None
    passwords: PasswordWorkers = field(default_factory=PasswordWorkers)
    limits: MinuteLimits = field(default_factory=MinuteLimits)
    counters: WebCounters = field(default_factory=WebCounters)
    measured: Measured = field(default_factory=Measured)  # taken by the Web actor to ship
    # Messages to the actors (pairing, run a job now); set by the Web actor, None in tests
    # that serve the app alone.
    actors: Any = None
    # A8's upstream call: (username) -> profile dict; built by the app (None: not available).
    fetch_profile: Callable[[str], Any] | None = None
    policy: TokenPolicy = field(init=False)
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(init=False)
    proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(init=False)
    report_window: timedelta = field(init=False)
    _fair: FairPool | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        auth, webcfg = self.settings.config.auth, self.settings.config.web
        self.policy = TokenPolicy(
            parse_duration(auth.access_ttl), parse_duration(auth.refresh_ttl),
            auth.max_staff_tokens,
        )  # fmt: skip
        self.networks = tuple(
            ipaddress.ip_network(n, strict=False) for n in webcfg.trusted_networks
        )
        self.proxies = tuple(ipaddress.ip_network(n, strict=False) for n in webcfg.trusted_proxies)
        self.report_window = parse_duration(webcfg.report_window)

    def db(self) -> FairPool:
        """The pool, in turn (cicero.web.fair_pool), or 503: with the database down nothing
        is decided (never fail-open)."""
        if self.pool is None:
            raise ApiError(503, "unavailable")
        if self._fair is None or self._fair.pool is not self.pool:
            self._fair = FairPool(self.pool)
        return self._fair

    def client_ip(self, request: web.Request) -> str:
        """The caller's address: the peer's, or, when the peer is a listed proxy, the nearest
        address of X-Forwarded-For that is not one (the header is the client's to forge
        beyond that point)."""
        peer = request.remote or "0.0.0.0"
        if not self.proxies or not _within(peer, self.proxies):
            return peer
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
        for hop in reversed([h for h in hops if h]):
            if _parse(hop) is None:
                return peer  # a malformed chain: believe only the peer
            if not _within(hop, self.proxies):
                return hop
        return peer

    def trusted(self, request: web.Request) -> bool:
        return _within(self.client_ip(request), self.networks)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(text: str, nets: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    address = _parse(text)
    return address is not None and any(address in net for net in nets)


def default_settings() -> Settings:
    """Built-in defaults (tests and tools that serve the app without a config file)."""
    return Settings(Config(), Env(config_path=DEFAULT_CONFIG, data_dir=Path("var").resolve()))


CONTEXT = web.AppKey("cicero_context", WebContext)
StatusSource = Callable[[], tuple[dict[str, Any] | None, float]]  # (snapshot, age in seconds)
# A callable's type is no class: given as the key's type argument (aiohttp reads it there).
STATUS = web.AppKey[StatusSource]("status_source")
GATHER = web.AppKey[Callable[[web.Request], Awaitable[dict[str, Any]]]]("gather")  # ops body


def ctx(request: web.Request) -> WebContext:
    return request.app[CONTEXT]

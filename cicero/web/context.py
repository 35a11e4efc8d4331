"""What every web handler may use, built once per app: settings, the clock, the database
pool, the password workers, the per-person rate limits. Handlers reach it as `ctx(request)`."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
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
from cicero.web.limits import MinuteLimits
from cicero.web.passwords import PasswordWorkers

Clock = Callable[[], datetime]


@dataclass
class WebContext:
    settings: Settings
    now: Clock
    pool: asyncpg.Pool | None = None
    passwords: PasswordWorkers = field(default_factory=PasswordWorkers)
    limits: MinuteLimits = field(default_factory=MinuteLimits)
    metrics: WebCounters = field(default_factory=WebCounters)
    # Messages to the actors (pairing, run a job now); set by the Web actor, None in tests
    # that serve the app alone.
    actors: Any = None
    # A8's upstream call: (username) -> profile dict; built by the app (None: not available).
    fetch_profile: Callable[[str], Any] | None = None
    policy: TokenPolicy = field(init=False)
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(init=False)
    report_window: timedelta = field(init=False)

    def __post_init__(self) -> None:
        auth, webcfg = self.settings.config.auth, self.settings.config.web
        self.policy = TokenPolicy(
            parse_duration(auth.access_ttl), parse_duration(auth.refresh_ttl),
            auth.max_staff_tokens,
        )  # fmt: skip
        self.networks = tuple(
            ipaddress.ip_network(n, strict=False) for n in webcfg.trusted_networks
        )
        self.report_window = parse_duration(webcfg.report_window)

    def db(self) -> asyncpg.Pool:
        """The pool, or 503: with the database down nothing is decided (never fail-open)."""
        if self.pool is None:
            raise ApiError(503, "unavailable")
        return self.pool

    def trusted(self, remote: str | None) -> bool:
        if not remote:
            return False
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return False
        return any(address in net for net in self.networks)


def default_settings() -> Settings:
    """Built-in defaults (tests and tools that serve the app without a config file)."""
    return Settings(Config(), Env(config_path=DEFAULT_CONFIG, data_dir=Path("var").resolve()))


CONTEXT = web.AppKey("cicero_context", WebContext)


def ctx(request: web.Request) -> WebContext:
    return request.app[CONTEXT]

"""The shape of config/cicero.toml, validated by pydantic (unknown keys are errors)."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cicero.domain.ingestion.limits import HOST_NAMES
from cicero.domain.runtime.actor_host import LOOPBACK, actor_host_problem
from cicero.domain.runtime.jobs import BUCKETS, JobSpec, Missed, Overlap, cron_problem
from cicero.domain.text.numbers import bounded_int
from cicero.domain.timezone import WIB

_DURATION = re.compile(r"^([0-9]+)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DURATION = timedelta(days=3660)  # ten years: anything longer is a typo, not a grace


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    amount = bounded_int(match[1], 9) if match else None
    shown = repr(text) if len(text) <= 40 else repr(text[:40]) + "…"
    if match is None:
        raise ValueError(f"{shown} is not a duration; write e.g. 90s, 20m, 6h or 1d")
    if amount is None or timedelta(seconds=amount * _UNITS[match[2]]) > MAX_DURATION:
        raise ValueError(f"{shown} is longer than {MAX_DURATION.days} days")
    return timedelta(seconds=amount * _UNITS[match[2]])


def positive_duration(text: str) -> timedelta:
    value = parse_duration(text)
    if value <= timedelta(0):
        raise ValueError(f"{text!r} is no time at all; give a positive duration, e.g. 30m or 3h")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Port = Annotated[int, Field(ge=1, le=65535)]


class Runtime(Strict):
    web_host: str = "127.0.0.1"
    web_port: Port = 8080
    admin_port: Annotated[int, Field(ge=0, le=65535)] = 0
    # Where every actor port listens: loopback, or one private address (DESIGN §8).
    actor_host: str = LOOPBACK
    heartbeat_s: Annotated[float, Field(gt=0, le=60)] = 3.0
    clock_max_sleep_s: Annotated[float, Field(gt=0, le=300)] = 30.0
    shutdown_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0

    @field_validator("actor_host")
    @classmethod
    def _private(cls, value: str) -> str:
        problem = actor_host_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class Web(Strict):
    """The HTTP side (api.md §5)."""

    # Where people reach this server: the base of the links sent by WhatsApp (password page).
    public_url: str = "http://127.0.0.1:8080"
    body_limit_kb: Annotated[int, Field(ge=1, le=10240)] = 64
    db_pool: Annotated[int, Field(ge=1, le=32)] = 8  # connections of the Web actor
    # api.md §4: networks whose requests see /healthz whole and may scrape /metrics without
    # CICERO_METRICS_TOKEN. Empty by default: loopback is not trusted (a reverse proxy on the
    # same host would make every visitor loopback).
    trusted_networks: tuple[str, ...] = ()
    # Reverse proxies whose X-Forwarded-For is believed (none by default): the client address
    # of a request from one of them is the nearest address in that header not itself a proxy.
    trusted_proxies: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    report_window: str = "48h"  # link reports accepted this long after the post (§2.1)
    posts_per_minute: Annotated[int, Field(ge=1)] = 30  # link-report POSTs per staff member
    gets_per_minute: Annotated[int, Field(ge=1)] = 120
    rapid_profile_per_day: Annotated[int, Field(ge=0)] = 3  # A8 upstream refreshes a person

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("trusted_networks", "trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for net in value:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"{net!r} is not a network (write e.g. 10.0.0.0/8)") from None
        return value

    @field_validator("report_window")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class Auth(Strict):
    """Identities and tokens (api.md §1)."""

    access_ttl: str = "2h"  # the app's bearer token; 15m to 12h
    refresh_ttl: str = "30d"
    max_staff_tokens: Annotated[int, Field(ge=1, le=10)] = 3
    # Until this instant, staff without a password may log in with NRP + bound number.
    # Unset: never. At most 60 days after cut-over.
    phone_login_until: datetime | None = None

    @field_validator("access_ttl")
    @classmethod
    def _access(cls, value: str) -> str:
        ttl = parse_duration(value)
        if not timedelta(minutes=15) <= ttl <= timedelta(hours=12):
            raise ValueError("must lie between 15m and 12h")
        return value

    @field_validator("refresh_ttl")
    @classmethod
    def _refresh(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("phone_login_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=WIB)  # a local time in the file is WIB
        return value


class Supervisor(Strict):
    intensity: Annotated[int, Field(ge=0)] = 5
    period_s: Annotated[float, Field(gt=0)] = 60.0
    backoff_min_s: Annotated[float, Field(ge=0)] = 0.05
    backoff_max_s: Annotated[float, Field(gt=0)] = 30.0
    backoff_reset_s: Annotated[float, Field(gt=0)] = 300.0

    @model_validator(mode="after")
    def _ordered(self) -> Supervisor:
        if self.backoff_min_s > self.backoff_max_s:
            raise ValueError("backoff_min_s is larger than backoff_max_s")
        return self


class Retention(Strict):
    """How long each growing table keeps its rows (days); what is kept for good, and why, is
    in cicero.domain.runtime.retention. The housekeeping job applies these."""

    ledger_days: Annotated[int, Field(gt=0)] = 90  # job_run
    outbox_days: Annotated[int, Field(gt=0)] = 90
    inbox_days: Annotated[int, Field(gt=0)] = 90
    backups_daily: Annotated[int, Field(ge=1)] = 7
    backups_weekly: Annotated[int, Field(ge=0)] = 4
    # Likers and commenters of posts older than this are compacted into per person, day and
    # platform counts (attendance_day); the complaint check reads 30 days of them raw.
    engagement_days: Annotated[int, Field(ge=31)] = 35
    fetch_days: Annotated[int, Field(gt=0)] = 90  # engagement_fetch (data.md: 90 days)
    ingest_days: Annotated[int, Field(gt=0)] = 90  # ingest_run
    reminder_days: Annotated[int, Field(gt=0)] = 90  # reminder_state (jobs.md: 90 days)
    broadcast_days: Annotated[int, Field(gt=0)] = 90  # broadcast_state, task_announcement
    recap_log_days: Annotated[int, Field(gt=0)] = 14  # who each recap counted, as sent
    session_log_days: Annotated[int, Field(gt=0)] = 90  # the latest state of each is kept
    otp_days: Annotated[int, Field(gt=0)] = 7  # otp_request, expired codes and one-time links
    import_days: Annotated[int, Field(gt=0)] = 365  # staff_import and its rows
    audit_days: Annotated[int, Field(ge=365)] = 365  # audit_log: kept a year (api.md)
    login_days: Annotated[int, Field(gt=0)] = 30  # login_attempt (locks last 24 h at most)
    token_days: Annotated[int, Field(gt=0)] = 30  # auth_token, once expired or revoked
    refresh_days: Annotated[int, Field(gt=0)] = 7  # ig_profile_refresh (counted per day)


class Session(Strict):
    role: str
    throttle_per_minute: Annotated[int, Field(gt=0, le=120)] = 20
    burst: Annotated[int, Field(gt=0, le=20)] = 3
    jitter_s: Annotated[float, Field(ge=0, le=60)] = 1.0


class Upstream(Strict):
    """RapidAPI-style endpoints (data.md §2). Keys come from RAPIDAPI_KEY(_FALLBACK); without
    a key the runtime serves these from its fake upstream on loopback."""

    instagram_url: str = "https://social-api4.p.rapidapi.com"
    tiktok_url: str = "https://tiktok-api23.p.rapidapi.com"
    instagram_fallback_url: str | None = None
    tiktok_fallback_url: str | None = None
    connect_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    total_timeout_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    concurrency: Annotated[int, Field(ge=1, le=32)] = 4
    # Pacing per host (data.md §2.1): `burst` requests at once, then `requests_per_s`.
    requests_per_s: Annotated[float, Field(gt=0, le=100)] = 2.0
    burst: Annotated[int, Field(ge=1, le=100)] = 4
    # Calls a host's key may make per WIB day before only post listings run; absent: no limit.
    daily_budget: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    # Likers and commenters are fetched again only when a post's listed count moved, or at an
    # audit fire time (data.md §3.4): the last ingestion before a recap that reads engagement
    # unless an audit came within `audit_fresh` before it, and at least every `audit_every`.
    audit_fresh: str = "1h"
    audit_every: str = "3h"

    @field_validator("audit_fresh", "audit_every")
    @classmethod
    def _positive(cls, value: str) -> str:
        positive_duration(value)
        return value

    @field_validator("daily_budget")
    @classmethod
    def _hosts(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(HOST_NAMES))
        if unknown:
            raise ValueError(f"unknown host {unknown[0]!r}; use one of {', '.join(HOST_NAMES)}")
        return value


class Menus(Strict):
    idle_timeout: str = "5m"  # an open menu closes after this long without a message
    user_session_number: str | None = None  # the `user` session's number, when one runs
    claim_link: str = ""  # where staff claim their data on the web, shown by the menus

    @field_validator("idle_timeout")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class Senders(Strict):
    """Which session sends a message kind, in order of preference (jobs.md §1 Sender fallback)."""

    fallback_after: str = "10m"  # a session unready this long passes its rows to the next one
    chains: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: {
            "group_broadcast": ("gateway", "operator"),
            "directorate_personal": ("gateway", "operator"),
            "operator_direct": ("operator",),
            "reminder": ("gateway", "operator"),
            "admin_notice": ("operator", "gateway"),
        }
    )

    @field_validator("fallback_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class Directorate(Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z0-9_]+$")]
    name: str


class Job(Strict):
    name: str
    bucket: str
    crons: tuple[str, ...] = ()
    after: str | None = None
    enabled: bool = True
    grace: str = "60m"
    timeout: str = "1h"
    overlap: Overlap = Overlap.SKIP
    missed: Missed = Missed.COALESCE
    params: dict[str, object] = Field(default_factory=dict)

    @field_validator("bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if value not in BUCKETS:
            raise ValueError(f"unknown bucket {value!r}; use one of {', '.join(BUCKETS)}")
        return value

    @field_validator("crons")
    @classmethod
    def _crons(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        problems = [p for p in (cron_problem(expr) for expr in value) if p]
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("grace", "timeout")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _when(self) -> Job:
        if bool(self.crons) == bool(self.after):
            raise ValueError("give either crons or after (not both, not neither)")
        return self


class Config(Strict):
    runtime: Runtime = Runtime()
    supervisor: Supervisor = Supervisor()
    web: Web = Web()
    auth: Auth = Auth()
    retention: Retention = Retention()
    upstream: Upstream = Upstream()
    menus: Menus = Menus()
    senders: Senders = Senders()
    sessions: dict[str, Session] = Field(default_factory=dict)
    directorates: tuple[Directorate, ...] = ()
    admin_numbers: tuple[str, ...] = ()
    jobs: dict[str, Job] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> Config:
        for key, job in self.jobs.items():
            if job.after is not None and job.after not in self.jobs:
                raise ValueError(f"jobs.{key}.after: no job named {job.after!r}")
            if job.bucket not in ("always", *self.sessions):
                raise ValueError(f"jobs.{key}.bucket: no [sessions.{job.bucket}] is configured")
        # The built-in chains may name a session a deployment does not run (it is passed
        # over); chains written in the file must name configured sessions.
        written = self.senders.chains if "chains" in self.senders.model_fields_set else {}
        for kind, chain in written.items():
            unknown = [name for name in chain if name not in self.sessions]
            if unknown:
                raise ValueError(f"senders.chains.{kind}: no [sessions.{unknown[0]}] is configured")
        return self

    def job_specs(self) -> tuple[JobSpec, ...]:
        return tuple(
            JobSpec(
                key=key,
                name=job.name,
                bucket=job.bucket,
                crons=job.crons,
                after=job.after,
                enabled=job.enabled,
                grace=parse_duration(job.grace),
                overlap=job.overlap,
                missed=job.missed,
                timeout=parse_duration(job.timeout),
            )
            for key, job in self.jobs.items()
        )

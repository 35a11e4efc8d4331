"""The shape of config/cicero.toml, validated by pydantic (unknown keys are errors)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cicero.domain.ingestion.limits import HOST_NAMES
from cicero.domain.runtime.actor_host import LOOPBACK, actor_host_problem
from cicero.domain.runtime.jobs import BUCKETS, JobSpec, Missed, Overlap, cron_problem
from cicero.domain.text.numbers import bounded_int

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
    otp_days: Annotated[int, Field(gt=0)] = 7  # otp_request, expired otp_code
    import_days: Annotated[int, Field(gt=0)] = 365  # staff_import and its rows


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

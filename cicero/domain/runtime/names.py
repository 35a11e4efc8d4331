"""Names shared by every process of the runtime: the actors' (the supervisor's directory keys:
the actors look each other up by them, /healthz and the status page read reports under them,
scenarios name an actor to crash by them) and a job run's statuses (the ledger's `job_run`)."""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """A job run's status in the ledger; `crashed` is only ever said in a JobDone (its worker
    will never say how the run ended: the clock tries it again or fails it)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    MISSED = "missed"
    CRASHED = "crashed"


CLOCK = "clock"
ROUTER = "router"
MAILER = "mailer"
WEB = "web"
WORKER = "worker"  # the generic job worker; others are named after what they host

SESSION_PREFIX = "session:"
INGESTOR_PREFIX = "ingestor:"
RECAP_PREFIX = "recap:"


def session_actor(session: str) -> str:
    """The actor of a WhatsApp session (`session:gateway`)."""
    return f"{SESSION_PREFIX}{session}"


def is_session_actor(name: str) -> bool:
    return name.startswith(SESSION_PREFIX)


def session_of(name: str) -> str:
    """The session an actor name stands for (`session:gateway` → `gateway`)."""
    return name.removeprefix(SESSION_PREFIX)


def ingestor(platform: str) -> str:
    return f"{INGESTOR_PREFIX}{platform}"


def recap_worker(directorate: str) -> str:
    return f"{RECAP_PREFIX}{directorate}"

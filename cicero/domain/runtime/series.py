"""The series the actors measure for /metrics (api.md §4): name, type, labels, buckets, help.

Names are the metric families' (a counter's samples are written `<name>_total`). No label may
hold an NRP, a phone number, a handle or a URL: sessions, message kinds, outcomes, upstream
host names and endpoint names only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_WORD = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SEGMENT = r"[A-Za-z][A-Za-z0-9_.-]*"
_JOB_KEY = re.compile(rf"{_SEGMENT}(/{_SEGMENT})?")


class Kind(StrEnum):
    COUNTER = "counter"
    HISTOGRAM = "histogram"


@dataclass(frozen=True)
class Series:
    name: str
    kind: Kind
    labels: tuple[str, ...]
    help: str
    bounds: tuple[float, ...] = ()  # a histogram's bucket bounds, in seconds


WA_INBOUND = Series(
    "cicero_wa_inbound", Kind.COUNTER, ("session", "outcome"),
    "WhatsApp messages received since the runtime started: recorded in the inbox, or a "
    "duplicate the network delivered again",
)  # fmt: skip
WA_SEND = Series(
    "cicero_wa_send", Kind.COUNTER, ("session", "kind", "outcome"),
    "WhatsApp send attempts since the runtime started, by outbox kind: sent, or the failure "
    "(refused, not_ready, unknown, transient, outage)",
)  # fmt: skip
WA_SEND_SECONDS = Series(
    "cicero_wa_send_seconds", Kind.HISTOGRAM, ("session",),
    "Time one WhatsApp send call took (wall time), since the runtime started",
    (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)  # fmt: skip
UPSTREAM_REQUESTS = Series(
    "cicero_upstream_requests", Kind.COUNTER, ("host", "endpoint", "result"),
    "Upstream HTTP requests since the runtime started, by API host, endpoint name and result "
    "(ok or the error class); a host paused after a 429 refuses without a request",
)  # fmt: skip
UPSTREAM_SECONDS = Series(
    "cicero_upstream_request_seconds", Kind.HISTOGRAM, ("host", "endpoint", "result"),
    "Time one upstream HTTP request took (wall time), since the runtime started",
    (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)  # fmt: skip
# Kept by PostgreSQL (a trigger on job_run into job_run_tally): the ledger is the truth of a
# run's outcome, whichever actor settled it, and the totals outlive restarts and retention.
JOB_RUNS = Series(
    "cicero_job_runs", Kind.COUNTER, ("job", "outcome"),
    "Job runs settled in the ledger since the database was created, by outcome (done, failed, "
    "skipped, missed); a job split into parts also counts each part as job/part, a fetch asked "
    "from a menu counts as manual_fetch",
)  # fmt: skip
JOB_SECONDS = Series(
    "cicero_job_duration_seconds", Kind.HISTOGRAM, ("job",),
    "Claim-to-finish time of the job runs a worker ran (runtime clock), since the database "
    "was created",
    (0.1, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0),
)  # fmt: skip

MEASURED = (WA_INBOUND, WA_SEND, WA_SEND_SECONDS, UPSTREAM_REQUESTS, UPSTREAM_SECONDS)


def word(value: str) -> str:
    """A label value taken from stored data (an outbox kind): kept when it is a short lowercase
    word, else `other`, so a bug upstream can never put a number or a URL in a label."""
    return value if _WORD.fullmatch(value) else "other"


def job_label(key: str) -> str:
    """A ledger key as a label, as migration 0060's job_run_tally_label says it: a job's key
    or a part's `job/part` as they are; a longer key (a fetch asked from a menu holds its
    chat and message) by its first segment only."""
    if _JOB_KEY.fullmatch(key):
        return key
    first = key.split("/", 1)[0]
    return first if re.fullmatch(_SEGMENT, first) else "other"

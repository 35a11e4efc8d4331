"""What a failed send leads to: one rule for every channel (WhatsApp and e-mail).

A channel's adapter says which kind of failure it met (a WhatsApp transport's exceptions and
the SMTP adapter's carry a `Failure`); this module decides the outbox row's fate:

| failure     | meaning                                            | the row                         |
|-------------|----------------------------------------------------|---------------------------------|
| refused     | this recipient or message will never be accepted   | dead                            |
| not_ready   | the sender is not connected: nothing left          | pending again now (no attempt)  |
| unknown     | it left and no answer came: it may have arrived    | in doubt (never resent alone)   |
| transient   | this attempt failed; a resend may work             | retried with backoff, then dead |
| outage      | the provider is down                               | retried until the row expires   |

`not_ready` and `outage` are failures of the sender, not of the message: the drain stops
there (nothing else would go out either).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cicero.domain.delivery.outbox import MAX_ATTEMPTS, Dead, Retry, after_failure

# An outage lasts as long as it lasts: only the row's expiry ends its retries.
UNTIL_EXPIRY = 10_000


class Failure(StrEnum):
    REFUSED = "refused"
    NOT_READY = "not_ready"
    UNKNOWN = "unknown"
    TRANSIENT = "transient"
    OUTAGE = "outage"

    @property
    def of_sender(self) -> bool:
        """The sender cannot send anything now: stop draining."""
        return self in (Failure.NOT_READY, Failure.OUTAGE)


@dataclass(frozen=True)
class Again:
    """Back to pending, due at `at`."""

    at: datetime
    error: str


@dataclass(frozen=True)
class InDoubt:
    reason: str


Fate = Again | Dead | InDoubt


def after_send_failure(
    failure: Failure,
    reason: str,
    attempt: int,
    now: datetime,
    jitter: Callable[[], float],
    expires_at: datetime | None = None,
) -> Fate:
    """The fate of a row whose `attempt`-th send failed. `jitter` (in [0, 1)) is drawn only
    when a retry is scheduled, so a seeded generator draws the same numbers as before."""
    if failure is Failure.REFUSED:
        return Dead(reason)
    if failure is Failure.NOT_READY:
        return Again(now, f"not ready: {reason}")
    if failure is Failure.UNKNOWN:
        return InDoubt(reason)
    limit = UNTIL_EXPIRY if failure is Failure.OUTAGE else MAX_ATTEMPTS
    decided = after_failure(attempt, True, reason, now, jitter(), expires_at, limit)
    return Again(decided.at, reason) if isinstance(decided, Retry) else decided

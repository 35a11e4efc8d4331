"""Rules of the outbox (DESIGN §5 invariant 5, jobs.md §1); the SQL lives in `cicero/db/`.

A row is written with the decision to send it, under a unique idempotency key. Its
WhatsApp message id is derived from that key, so a resend after a crash carries the
same id and a network that honours caller ids (the simulator, whatsmeow) treats it as
the same message. Where the transport cannot take our id, a row found `sending` after
a restart is `in_doubt`: shown to ops, never resent by itself.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import IntEnum, StrEnum

from cicero.domain.timezone import WIB, to_wib

READY = "ready"  # a session's state in the session log when it may send

MAX_ATTEMPTS = 8
RETRY_FIRST_S = 2.0
RETRY_CAP_S = 300.0
RETRY_SPREAD = 0.2  # ±20 %
FALLBACK_AFTER = timedelta(minutes=10)
SHORT_LIVED = timedelta(minutes=60)  # reminders and broadcasts are stale after an hour
MESSAGE_ID_PREFIX = "3EB0"  # the prefix WhatsApp Web clients use; 16 hex digits follow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    IN_DOUBT = "in_doubt"
    DEAD = "dead"


# Every status change a writer may make; anything else is a bug in the caller.
TRANSITIONS: frozenset[tuple[OutboxStatus, OutboxStatus]] = frozenset(
    {
        (OutboxStatus.PENDING, OutboxStatus.SENDING),  # claimed by a ready session
        (OutboxStatus.PENDING, OutboxStatus.DEAD),  # expired or superseded before a send
        (OutboxStatus.SENDING, OutboxStatus.SENT),
        (OutboxStatus.SENDING, OutboxStatus.PENDING),  # retryable failure, or restart w/ caller id
        (OutboxStatus.SENDING, OutboxStatus.DEAD),
        (OutboxStatus.SENDING, OutboxStatus.IN_DOUBT),  # restart without caller ids
        (OutboxStatus.IN_DOUBT, OutboxStatus.SENT),  # ops: "mark sent"
        (OutboxStatus.IN_DOUBT, OutboxStatus.PENDING),  # ops: "send again"
        (OutboxStatus.IN_DOUBT, OutboxStatus.DEAD),
    }
)


# Statuses a row leaves only by an operator's hand or never: what it carried has served.
SETTLED: frozenset[OutboxStatus] = frozenset({OutboxStatus.SENT, OutboxStatus.DEAD})

# What stands in a settled row for the one-time code or link it carried (`body_after`): a
# secret is readable in the outbox only while it may still be sent.
SECRET_REMOVED = "••••••"


class OutboxMisuse(ValueError):
    """A key part or status change our own code got wrong."""


def check_transition(old: OutboxStatus, new: OutboxStatus) -> None:
    if (old, new) not in TRANSITIONS:
        raise OutboxMisuse(f"outbox row cannot go from {old} to {new}")


class Priority(IntEnum):
    """Lower drains first (jobs.md §1)."""

    MENU_REPLY = 0
    BROADCAST = 1  # reminders and task broadcasts
    RECAP = 2
    FILE = 3


class MessageKind(StrEnum):
    """What a row is; picks its sender chain (config `[outbox.senders]`), except for the
    unchained kinds below."""

    GROUP_BROADCAST = "group_broadcast"
    DIRECTORATE_PERSONAL = "directorate_personal"
    OPERATOR_DIRECT = "operator_direct"
    REMINDER = "reminder"
    ADMIN_NOTICE = "admin_notice"
    MENU_REPLY = "menu_reply"  # from the session that was asked, never another
    EMAIL = "email"  # from the mailer


UNCHAINED = frozenset({MessageKind.MENU_REPLY, MessageKind.EMAIL})


DEFAULT_CHAINS: Mapping[str, tuple[str, ...]] = {
    MessageKind.GROUP_BROADCAST: ("gateway", "operator"),
    MessageKind.DIRECTORATE_PERSONAL: ("gateway", "operator"),
    MessageKind.OPERATOR_DIRECT: ("operator",),
    MessageKind.REMINDER: ("gateway", "operator"),
    MessageKind.ADMIN_NOTICE: ("operator", "gateway"),
}


# --- keys and ids --------------------------------------------------------------------------


def _field(name: str, value: str) -> str:
    if not value or "|" in value:
        raise OutboxMisuse(f"outbox key {name} {value!r} must be non-empty and without '|'")
    return value


def outbox_key(job: str, fire_time: datetime, recipient: object, part: int = 1) -> str:
    """`job|fire_time|recipient|part`: the fire time in WIB ISO form, so one instant is one key
    whatever zone it came in; `recipient` is a JID or number (its `str`); parts count from 1."""
    if part < 1:
        raise OutboxMisuse(f"outbox key part must be >= 1, got {part}")
    when = to_wib(fire_time).isoformat()
    return "|".join((_field("job", job), when, _field("recipient", str(recipient)), str(part)))


def reply_key(session: str, incoming_id: str, part: int = 1) -> str:
    """A menu reply's key: `reply|session|incoming message id|part` (≤ 1 reply per inbound)."""
    if part < 1:
        raise OutboxMisuse(f"outbox key part must be >= 1, got {part}")
    return "|".join(
        ("reply", _field("session", session), _field("incoming id", incoming_id), str(part))
    )


def message_id_for(key: str) -> str:
    """`3EB0` + the first 16 hex digits (upper case) of sha256(key): same key, same id."""
    return MESSAGE_ID_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16].upper()


# --- retries and restarts ------------------------------------------------------------------


def retry_delay(attempt: int, jitter: float) -> float:
    """Seconds before attempt `attempt + 1` after `attempt` failures: 2 s doubling to 5 min,
    spread ±20 % by `jitter` in [0, 1)."""
    step = min(RETRY_CAP_S, RETRY_FIRST_S * 2.0 ** min(max(attempt - 1, 0), 32))
    return step * (1 + RETRY_SPREAD * (2 * min(max(jitter, 0.0), 1.0) - 1))


@dataclass(frozen=True)
class Retry:
    at: datetime  # next_attempt_at; status back to pending


@dataclass(frozen=True)
class Dead:
    reason: str


def after_failure(
    attempts: int,
    retryable: bool,
    reason: str,
    now: datetime,
    jitter: float,
    expires_at: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> Retry | Dead:
    """What a failed send (the `attempts`-th) leads to. Invalid recipients are not retried."""
    if not retryable:
        return Dead(reason)
    if attempts >= max_attempts:
        return Dead(f"{reason} (after {attempts} attempts)")
    at = now + timedelta(seconds=retry_delay(attempts, jitter))
    if expires_at is not None and at >= expires_at:
        return Dead(f"{reason} (expired)")
    return Retry(at)


def on_restart(status: OutboxStatus, transport_accepts_caller_id: bool) -> OutboxStatus:
    """A row's status when its session starts again after a crash."""
    if status is not OutboxStatus.SENDING:
        return status
    # Resending with the same id is safe only if the network de-duplicates by it.
    return OutboxStatus.PENDING if transport_accepts_caller_id else OutboxStatus.IN_DOUBT


def expires_at_for(priority: Priority, created_at: datetime) -> datetime:
    """Reminders and broadcasts go stale after an hour; everything else at the end of the
    WIB day it was created on."""
    if priority is Priority.BROADCAST:
        return created_at + SHORT_LIVED
    day = to_wib(created_at).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=WIB)


# --- sender fallback -----------------------------------------------------------------------


def choose_sender(
    kind: str,
    chain: Mapping[str, Sequence[str]],
    ready_sessions: frozenset[str] | set[str],
    unready_since: Mapping[str, datetime],
    now: datetime,
    fallback_after: timedelta = FALLBACK_AFTER,
    refused: frozenset[str] = frozenset(),
) -> str | None:
    """The session that should send a row of `kind` now, or None to wait.

    Walks the kind's chain in order: the first ready session sends; an unready one is
    waited for until it has been unready `fallback_after` (a session missing from
    `unready_since` has been unready as long as anyone knows, so it is passed over);
    sessions in `refused` (a permanent refusal, e.g. not a group member) are skipped.
    """
    try:
        sessions = chain[kind]
    except KeyError:
        raise OutboxMisuse(f"no sender chain for message kind {kind!r}") from None
    for session in sessions:
        if session in refused:
            continue
        if session in ready_sessions:
            return session
        since = unready_since.get(session)
        if since is not None and now - since < fallback_after:
            return None
    return None


@dataclass(frozen=True)
class Takeover:
    """What the sender fallback has one session do now."""

    moves: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kind, the senders it takes over from)
    next_look: datetime | None = None  # when a wait for an unready sender ends


def takeover(
    session: str,
    chains: Mapping[str, Sequence[str]],
    states: Mapping[str, tuple[str, datetime]],
    now: datetime,
    fallback_after: timedelta = FALLBACK_AFTER,
) -> Takeover:
    """The sender fallback as `session` sees it, from each session's state and since when
    (`states`, the session log's latest): the kinds whose rows it takes over now (`choose_sender`
    names it: every sender before it in the kind's chain has been unready `fallback_after`),
    and when to look again (the first of those waits to end)."""
    mine = {kind: tuple(chain) for kind, chain in chains.items() if session in chain[1:]}
    ready = {name for name, (state, _) in states.items() if state == READY}
    unready_since = {name: at for name, (state, at) in states.items() if state != READY}
    waits = [
        unready_since[name] + fallback_after
        for chain in mine.values()
        for name in chain[: chain.index(session)]
        if name in unready_since and unready_since[name] + fallback_after > now
    ]
    moves = tuple(
        (kind, chain[: chain.index(session)])
        for kind, chain in mine.items()
        if choose_sender(kind, mine, ready, unready_since, now, fallback_after) == session
    )
    return Takeover(moves, min(waits, default=None))

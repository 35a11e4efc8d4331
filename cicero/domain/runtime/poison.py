"""Incoming messages whose handling keeps failing (DESIGN §5, invariant 7).

A message is handled in one transaction; if that raises, nothing of it is kept and the
message stays unhandled. Left there, the same message would be read again forever,
and its chat (and, with one router, every chat) would wait behind it. So each try is
counted before it begins (a try the process died in counts too), a failed message
goes behind every other chat's next message, and after `MAX_ATTEMPTS` tries it is set
aside: recorded with its error class, its chat's open menu closed, its sender told in
one line. Pure rules; the router's service layer (cicero.conversations.step) applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_ATTEMPTS = 3
DIED = "stopped while handling it"  # the error recorded when no try said why it failed
NOTICE_GAP = timedelta(minutes=10)  # one notice per chat in this long, however many fail
NOTICE = (
    "⚠️ Maaf, pesan Anda tidak dapat kami proses dan dilewati. "
    "Menu yang terbuka ditutup; silakan ulangi dari awal."
)


@dataclass(frozen=True)
class Attempt:
    number: int  # 1 for the first try


@dataclass(frozen=True)
class Retry:
    """Try again after every other chat's next message."""


@dataclass(frozen=True)
class SetAside:
    error: str  # the error class (or DIED), never the message text


def before_attempt(tries_begun: int, last_error: str) -> Attempt | SetAside:
    """Whether to try a message that has been tried `tries_begun` times already."""
    if tries_begun >= MAX_ATTEMPTS:
        return SetAside(last_error or DIED)
    return Attempt(tries_begun + 1)


def after_failure(attempt: int, error_class: str) -> Retry | SetAside:
    """What follows a try that raised `error_class`."""
    if attempt >= MAX_ATTEMPTS:
        return SetAside(error_class or DIED)
    return Retry()


def tell_sender(
    is_group: bool, answers_groups: bool, last_notice: datetime | None, now: datetime
) -> bool:
    """Whether the chat gets the one-line notice: a direct chat always, a group only from a
    session that answers in groups; never twice within NOTICE_GAP (a sender whose every
    message fails hears it once, not once per message)."""
    if is_group and not answers_groups:
        return False
    return last_notice is None or now - last_notice >= NOTICE_GAP


def notice_key(session: str, incoming_id: str) -> str:
    """The outbox key of the notice for a set-aside message: one per message, ever. Not a
    reply key: an id that reply keys refuse ('|' in it) may be why the message failed."""
    return f"aside|{session}|{incoming_id}"

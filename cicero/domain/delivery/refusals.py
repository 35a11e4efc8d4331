"""What a refused send means for its outbox row, told from the refusal's words.

WhatsApp's library (whatsmeow, through neonize 0.5.2) reports a refused send as text only.
The texts below are its error values, lower-cased; the rules say which of them can never
succeed for that recipient (the row is `dead` with the reason), which mean nothing was
sent because the session is not connected (not an attempt), which mean the message may
have left (never resent: `in_doubt`), and that everything else may work on a later try.

A number that is not on WhatsApp is refused before anything is sent: whatsmeow asks the
server for the number's LID on the first send to it and answers "no LID found for … from
server". That answer is kept for a day (`NotOnWhatsApp`), so the daily recaps and
reminders do not ask the server again for the same number: a burst of lookups of unknown
numbers is a ban signal of its own.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Refusal(StrEnum):
    NOT_READY = "not_ready"  # nothing was sent: not connected or not paired
    RECIPIENT_INVALID = "recipient_invalid"  # never deliverable to this recipient
    OUTCOME_UNKNOWN = "outcome_unknown"  # the message left, no answer came
    RETRYABLE = "retryable"  # refused before sending, for a reason that may pass


_NOT_READY = (
    "client is nil",  # no Go client: never connected, or stopped
    "doesn't contain a device jid",  # not paired
    "websocket not connected",
)
# Permanent for the recipient, whatever the connection does.
NOT_ON_WHATSAPP = "no lid found for"  # "no LID found for 62…@s.whatsapp.net from server"
_RECIPIENT_INVALID = (
    NOT_ON_WHATSAPP,
    "can't send message to unknown server",  # e.g. "… unknown server lid"
    "recipient must be a user jid",  # a JID with a device part
    "non-status broadcast lists is not yet supported",
    "not participating in that group",  # group info 403
    "that group does not exist",  # group info 404
    "invalid inline bot id",
    "international phone number required",  # a pair code for a number starting with 0
    "phone number too short",
)
_OUTCOME_UNKNOWN = (
    "timed out waiting for message send response",  # the frame was written
    "disconnected before message send returned response",  # ditto, then the socket went
)


def classify(text: str) -> Refusal:
    """The refusal a library error text stands for (RETRYABLE when none is known)."""
    low = text.lower()
    if any(s in low for s in _OUTCOME_UNKNOWN):
        return Refusal.OUTCOME_UNKNOWN
    if any(s in low for s in _RECIPIENT_INVALID):
        return Refusal.RECIPIENT_INVALID
    if any(s in low for s in _NOT_READY):
        return Refusal.NOT_READY
    return Refusal.RETRYABLE


def is_not_on_whatsapp(text: str) -> bool:
    return NOT_ON_WHATSAPP in text.lower()


@dataclass(frozen=True)
class Unreachable:
    reason: str  # the server's words
    at: datetime  # when it said so


NOT_ON_WHATSAPP_FOR = timedelta(hours=24)  # a number may join WhatsApp: ask again after this
REMEMBERED = 10_000  # numbers kept at most; the oldest answer is forgotten first


class NotOnWhatsApp:
    """Numbers the server said are not on WhatsApp, each for `NOT_ON_WHATSAPP_FOR`.

    Sans-I/O: the caller passes `now`. Bounded: past `REMEMBERED` numbers the oldest
    answer is dropped (that number is simply asked again)."""

    def __init__(self, keep_for: timedelta = NOT_ON_WHATSAPP_FOR, limit: int = REMEMBERED):
        self.keep_for, self.limit = keep_for, limit
        self._seen: OrderedDict[str, Unreachable] = OrderedDict()

    def note(self, phone: str, reason: str, now: datetime) -> None:
        self._seen.pop(phone, None)
        self._seen[phone] = Unreachable(reason, now)
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)

    def known(self, phone: str, now: datetime) -> Unreachable | None:
        """The server's answer for `phone` while it is fresh, else None."""
        seen = self._seen.get(phone)
        if seen is None:
            return None
        if now - seen.at >= self.keep_for or now < seen.at:  # stale, or the clock went back
            del self._seen[phone]
            return None
        return seen

    def forget(self, phone: str) -> None:
        """The number was reached after all (e.g. it wrote to us)."""
        self._seen.pop(phone, None)

    def __len__(self) -> int:
        return len(self._seen)

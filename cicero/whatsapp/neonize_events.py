"""neonize protobuf events → the seam's frozen dataclasses (runtime.md §2.2, §2.8).

Pure translation: nothing here imports neonize at module level. The functions read
protobuf fields by name, so they run on whatever neonize hands a handler; the two
neonize helpers used (`extract_text`, `Jid2String`) are imported at call time, which
only happens inside a process that already runs neonize.

Field facts worth knowing (neonize's Go encoder, goneonize/utils/encoder.go):
* `MessageInfo.Timestamp` is Unix *milliseconds* in the Go sources read, seconds in
  older releases: `message_time` accepts both.
* `TemporaryBan.Expire` is the ban's remaining duration in seconds, not a date.
* Enum fields (`LoggedOut.Reason`, `TemporaryBan.Code`, `ConnectFailure.Reason`) are
  reported by their proto names (`LOGGED_OUT`, `SEND_TO_TOO_MANY_PEOPLE`, …).
* Those enums are closed in neonize 0.5.2's encoder: a ban code or connect-failure reason
  whatsmeow knows and neonize does not (e.g. 415, 418, a new ban code) leaves the
  required field unset, the event fails to marshal and neonize's event loop *returns*
  with "proto: required field neonize.TemporaryBan.Code not set". `loop_ended` turns
  that into the event it stood for, in words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cicero.domain.delivery.session import (
    ConnectFailed,
    Incoming,
    LoggedOut,
    Paired,
    PairingExpired,
    TemporarilyBanned,
    TransportEvent,
)
from cicero.domain.people.phones import Jid, JidError, Server, normalize_phone

log = logging.getLogger(__name__)

# ConnectFailure reasons a retry cannot fix: the client itself must change.
PERMANENT_CONNECT_FAILURES = frozenset({"CLIENT_OUTDATED", "BAD_USER_AGENT"})
_UNENCODABLE = re.compile(r"required field \W?(?:neonize\.)?(\w+)\.(\w+)\W? not set")
NEONIZE = "neonize 0.5.2"
_MS_THRESHOLD = 10**11  # as seconds that is the year 5138; as milliseconds, 1973

# Resolves a LID to its phone JID through the session store; None when unknown.
LidResolver = Callable[[Any], "str | None"]


def enum_name(msg: Any, field: str) -> str:
    """The proto name of an enum field's value (`"LOGGED_OUT"`), or its number as text."""
    value = getattr(msg, field)
    enum = msg.DESCRIPTOR.fields_by_name[field].enum_type
    found = enum.values_by_number.get(value) if enum is not None else None
    return found.name if found is not None else str(value)


def jid_text(jid: Any) -> str:
    """`user[:device]@server` of a neonize JID, "" for an empty one."""
    if jid is None or not jid.User:
        return ""
    from neonize.utils.jid import Jid2String

    return Jid2String(jid)


def to_jid(jid: Any) -> Jid | None:
    """A neonize JID as ours (device and agent parts dropped); None when empty or not one
    we accept: a non-Indonesian number, a broadcast or newsletter address.

    Built directly rather than through `parse_jid`, which reads a bare user part as a
    number someone typed (`4477…` would become `624477…`); the network's are international.
    """
    if jid is None or not jid.User:
        return None
    user = jid.User.split(":", 1)[0].split(".", 1)[0] if jid.Server != Server.GROUP else jid.User
    try:
        return Jid(user, Server(jid.Server))
    except (JidError, ValueError):
        return None


def message_time(stamp: int) -> datetime:
    seconds = stamp / 1000 if stamp >= _MS_THRESHOLD else float(stamp)
    return datetime.fromtimestamp(seconds, UTC)


def paired(ev: Any) -> Paired | ConnectFailed:
    """`PairStatus`: SUCCESS → Paired(jid); ERROR → ConnectFailed, so the machine restarts
    the transport and a new QR code is shown."""
    if enum_name(ev, "Status") != "SUCCESS":
        return ConnectFailed(f"pairing failed: {ev.Error or 'unknown error'}", retryable=True)
    jid = to_jid(ev.ID)
    if jid is None:
        why = f"paired with {jid_text(ev.ID) or 'no JID'}, not an Indonesian number"
        return ConnectFailed(why, retryable=False)
    return Paired(jid)


def logged_out(ev: Any) -> LoggedOut:
    reason = enum_name(ev, "Reason")
    return LoggedOut(f"{reason} (on connect)" if ev.OnConnect else reason)


def banned(ev: Any, now: datetime) -> TemporarilyBanned:
    expire = int(ev.Expire)
    until = now + timedelta(seconds=expire) if expire > 0 else None
    return TemporarilyBanned(enum_name(ev, "Code"), until)


def connect_failure(ev: Any) -> ConnectFailed:
    reason = enum_name(ev, "Reason")
    text = f"{reason}: {ev.Message}" if ev.Message else reason
    return ConnectFailed(text, retryable=reason not in PERMANENT_CONNECT_FAILURES)


def _phone_of(jid: Any) -> str | None:
    ours = to_jid(jid)
    return ours.phone if ours is not None else None


def incoming(ev: Any, resolve_lid: LidResolver) -> Incoming | None:
    """A `Message` event as `Incoming`, or None for what Cicero does not read: our own
    messages, chats that are not a person or a group (status broadcasts, newsletters),
    messages without text (stickers, reactions, protocol messages)."""
    from neonize.utils.message import extract_text

    info = ev.Info
    src = info.MessageSource
    if src.IsFromMe:
        return None
    text = extract_text(ev.Message)
    if not text:
        return None
    sender = to_jid(src.Sender)
    alt = to_jid(src.SenderAlt)
    sender_lid = sender if sender is not None and sender.is_lid else None
    if sender_lid is None and alt is not None and alt.is_lid:
        sender_lid = alt
    phone = sender.phone if sender is not None else None
    if phone is None and alt is not None:
        phone = alt.phone
    if phone is None and sender_lid is not None:
        resolved = resolve_lid(src.Sender if sender is sender_lid else src.SenderAlt)
        phone = _normalised(resolved)
    chat = to_jid(src.Chat)
    if not src.IsGroup:
        # A direct chat is addressed by phone when we know it: sends to a LID may fail
        # with "unknown server lid" (neonize #131).
        chat = Jid(phone, Server.USER) if phone is not None else sender_lid
    if chat is None or (phone is None and sender_lid is None):
        log.info("ignoring message %s from %s in %s", info.ID, jid_text(src.Sender), chat)
        return None
    return Incoming(
        message_id=info.ID,
        chat=chat,
        sender_phone=phone,
        sender_lid=sender_lid,
        is_group=bool(src.IsGroup),
        text=text,
        at=message_time(int(info.Timestamp)),
        push_name=info.Pushname or None,
    )


def _normalised(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except JidError:
        return None


def loop_ended(reason: str | None, looping: bool) -> TransportEvent:
    """neonize's blocking `connect()` returned by itself (not stopped by us).

    `reason` is its error text (None: it returned cleanly); `looping` whether its event
    loop had started (the device event came), i.e. the connection was up before. The
    library does not reconnect after this: whatever it was, the session must act."""
    found = _UNENCODABLE.search(reason or "")
    if found is not None:
        kind = found.group(1)
        if kind == "TemporaryBan":
            return TemporarilyBanned(f"ban code unknown to {NEONIZE} (its event loop stopped)", None)
        if kind == "LoggedOut":
            return LoggedOut(f"logged out for a reason unknown to {NEONIZE}")
        if kind == "ConnectFailure":
            return ConnectFailed(
                f"WhatsApp refused the connection for a reason unknown to {NEONIZE}; "
                "its event loop stopped and the library does not reconnect",
                retryable=False,
            )
        return ConnectFailed(f"{NEONIZE} could not pass on a {kind} event; its event loop stopped", True)
    if looping:
        return ConnectFailed(f"{NEONIZE}'s event loop stopped: {reason or 'no reason given'}", True)
    return ConnectFailed(reason or "connection ended", retryable=True)


_LOGIN_ENDINGS = {
    "timeout": "QR codes ran out unscanned",
    "err-client-outdated": f"WhatsApp says this client is outdated: upgrade {NEONIZE}",
    "err-scanned-without-multidevice": "the phone scanned without multi-device: update WhatsApp",
    "err-unexpected-state": "the login ended unexpectedly",
    "error": "pairing failed (the phone or the server refused it)",
}


def login_ended(status: str) -> PairingExpired | None:
    """The outcome of a QR login window (whatsmeow's QR channel, relayed by neonize's login
    status callback): None for success, else why the window closed unpaired."""
    if status == "success" or not status:
        return None
    return PairingExpired(_LOGIN_ENDINGS.get(status, status))

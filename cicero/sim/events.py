"""Scenario events (`[[event]]`, spec/scenario.md "Event kinds"): one frozen class per kind.

Class names start with `Ev` so they never meet the actor messages of the same meaning
(`cicero.actors.messages.SessionReady`, ...). `parse_event` reads one table; the
references it cannot check alone (sessions) come in through `EventContext`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from cicero.domain.people.phones import JidError, group_jid, parse_jid
from cicero.domain.people.usernames import Platform
from cicero.sim.checks import (
    Bad,
    Table,
    choice,
    instant,
    integer,
    message_text,
    nonempty,
    phone,
    show,
    text,
)


class Fault(StrEnum):
    """What an `upstream_fault` makes the fake upstream answer."""

    TOO_MANY_REQUESTS = "429"
    SERVER_ERROR = "500"
    UNAUTHORIZED = "401"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"
    EMPTY = "empty"


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happens to the world at `at` (WIB). `index` is its place in the file."""

    kind: ClassVar[str]
    at: datetime
    index: int = 0


@dataclass(frozen=True, kw_only=True)
class EvSessionLost(Event):
    kind: ClassVar[str] = "session_lost"
    session: str


@dataclass(frozen=True, kw_only=True)
class EvSessionReady(Event):
    kind: ClassVar[str] = "session_ready"
    session: str


@dataclass(frozen=True, kw_only=True)
class EvSessionLoggedOut(Event):
    kind: ClassVar[str] = "session_logged_out"
    session: str


@dataclass(frozen=True, kw_only=True)
class EvSessionBanned(Event):
    kind: ClassVar[str] = "session_banned"
    session: str
    until: datetime


@dataclass(frozen=True, kw_only=True)
class EvSessionPaired(Event):
    kind: ClassVar[str] = "session_paired"
    session: str


@dataclass(frozen=True, kw_only=True)
class EvMessage(Event):
    """An incoming message. `sender` is `from` normalised: a phone `62…`, or `…@lid`."""

    kind: ClassVar[str] = "message"
    session: str
    sender: str
    text: str
    chat: str | None = None  # a group JID `…@g.us`; None for a direct message
    message_id: str | None = None  # `id`; the same id twice is a redelivery
    # Extension: the sender reads the latest mail the SMTP sink accepted for this address
    # and types the 6-digit code in it where `text` says `{code}` (an OTP is random).
    code_from: str | None = None


@dataclass(frozen=True, kw_only=True)
class EvUpstreamFault(Event):
    """Exactly one of `until` and `count` is set."""

    kind: ClassVar[str] = "upstream_fault"
    platform: Platform
    fault: Fault
    until: datetime | None = None
    count: int | None = None
    endpoint: str | None = None


@dataclass(frozen=True, kw_only=True)
class EvSmtpDown(Event):
    kind: ClassVar[str] = "smtp_down"
    until: datetime


@dataclass(frozen=True, kw_only=True)
class EvCrashActor(Event):
    kind: ClassVar[str] = "crash_actor"
    actor: str


@dataclass(frozen=True, kw_only=True)
class EvKillProcess(Event):
    kind: ClassVar[str] = "kill_process"
    restart_at: datetime  # equals `at` when the file leaves it out


@dataclass(frozen=True, kw_only=True)
class EvSendFailures(Event):
    kind: ClassVar[str] = "send_failures"
    session: str
    count: int


@dataclass(frozen=True, kw_only=True)
class EvHttp(Event):
    """A request to the runtime's web server (the app's API, the dashboard's calls), answered
    on the virtual clock. `{{name}}` in the path, a header or a body string is replaced by
    what an earlier event saved under `name` (a response's `token`)."""

    kind: ClassVar[str] = "http"
    method: str
    path: str
    body: Any = None  # a table (sent as JSON) or a string (sent as it is)
    headers: tuple[tuple[str, str], ...] = ()
    save: str | None = None
    request_id: str | None = None  # `id`: sent as X-Request-ID and written on the line


EVENT_CLASSES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        EvSessionLost,
        EvSessionReady,
        EvSessionLoggedOut,
        EvSessionBanned,
        EvSessionPaired,
        EvMessage,
        EvUpstreamFault,
        EvSmtpDown,
        EvCrashActor,
        EvKillProcess,
        EvSendFailures,
        EvHttp,
    )
}
EVENT_KINDS: tuple[str, ...] = tuple(EVENT_CLASSES)

# Keys each kind may carry besides `at` and `kind`.
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "session_lost": ("session",),
    "session_ready": ("session",),
    "session_logged_out": ("session",),
    "session_banned": ("session", "until"),
    "session_paired": ("session",),
    "message": ("session", "from", "text", "chat", "id", "code_from"),
    "upstream_fault": ("platform", "fault", "until", "count", "endpoint"),
    "smtp_down": ("until",),
    "crash_actor": ("actor",),
    "kill_process": ("restart_at",),
    "send_failures": ("session", "count"),
    "http": ("method", "path", "body", "headers", "save", "id"),
}

ACTOR_RE = re.compile(r"[a-z][a-z0-9_]*(:[a-z0-9][a-z0-9_.-]*)?", re.ASCII)


@dataclass(frozen=True)
class EventContext:
    sessions: Collection[str]  # every session name the scenario knows
    start: datetime | None  # None when [scenario] itself was bad: range checks are skipped
    end: datetime | None
    supported: Collection[str] | None  # kinds the driver runs; None: all


def parse_event(table: Table, index: int, ctx: EventContext) -> Event | None:
    """The event in `table`, or None after reporting its problems."""
    kind = table.get("kind", choice(EVENT_KINDS, "an event kind"))
    at = table.get("at", instant)
    if kind is None:
        return None  # the keys cannot be judged without a kind
    table.unknown_keys(("at", "kind", *KIND_KEYS[kind]))
    if ctx.supported is not None and kind not in ctx.supported:
        supported = ", ".join(k for k in EVENT_KINDS if k in ctx.supported) or "none"
        table.report("kind", f"event kind {kind!r} is not supported yet (supported: {supported})")
    inside = ctx.start is None or ctx.end is None or at is None or ctx.start <= at <= ctx.end
    if not inside:
        table.report("at", f"{at.isoformat()} is outside the scenario's [start, end]")
    fields = _KIND_READERS[kind](table, at, ctx)
    if table.failed or at is None:
        return None
    return EVENT_CLASSES[kind](at=at, index=index, **fields)


def _session(ctx: EventContext) -> Any:
    def conv(value: Any) -> str:
        if text(value) not in ctx.sessions:
            known = ", ".join(sorted(ctx.sessions)) or "none"
            raise Bad(f"{show(value)} is not a session of this scenario (sessions: {known})")
        return value

    return conv


def _after(at: datetime | None, what: str = "at") -> Any:
    def conv(value: Any) -> datetime:
        t = instant(value)
        if at is not None and t <= at:
            raise Bad(f"{t.isoformat()} is not after the event's {what} ({at.isoformat()})")
        return t

    return conv


def _only_session(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    return {"session": table.get("session", _session(ctx))}


def _banned(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    return {"session": table.get("session", _session(ctx)), "until": table.get("until", _after(at))}


def _sender(value: Any) -> str:
    """A phone number, or a LID JID (`…@lid`) whose phone the runtime must look up."""
    raw = text(value)
    if "@" not in raw:
        return phone(raw)
    try:
        jid = parse_jid(raw)
    except JidError as err:
        raise Bad(str(err)) from None
    if jid.is_group:
        raise Bad(f"{show(value)} is a group; put the group in `chat` and the person in `from`")
    return jid.phone or str(jid)


def _group(value: Any) -> str:
    try:
        return str(group_jid(text(value)))
    except JidError as err:
        raise Bad(str(err)) from None


CODE_SLOT = "{code}"
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _mailbox(value: Any) -> str:
    raw = text(value)
    if not _EMAIL_RE.fullmatch(raw):
        raise Bad(f"{show(value)} is not an email address")
    return raw.lower()


def _message(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    fields = {
        "session": table.get("session", _session(ctx)),
        "sender": table.get("from", _sender),
        "text": table.get("text", message_text),
        "chat": table.get("chat", _group, None),
        "message_id": table.get("id", nonempty, None),
        "code_from": table.get("code_from", _mailbox, None),
    }
    if table.has("code_from") and CODE_SLOT not in (fields["text"] or ""):
        table.report("text", f"with code_from, write {CODE_SLOT} where the code is typed")
    return fields


def _fault(value: Any) -> Fault:
    # `fault = 429` (a TOML integer) is read like `fault = "429"`.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return Fault(choice([f.value for f in Fault], "a fault")(value))


def _upstream(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    platform = table.get("platform", choice([p.value for p in Platform], "a platform"))
    fields: dict[str, Any] = {
        "platform": Platform(platform) if platform is not None else None,
        "fault": table.get("fault", _fault),
        "until": table.get("until", _after(at), None),
        "count": table.get("count", integer(1), None),
        "endpoint": table.get("endpoint", nonempty, None),
    }
    if table.has("until") and table.has("count"):
        table.report("count", "give either until or count, not both")
    elif not table.has("until") and not table.has("count"):
        table.report("until", "missing; give until (a datetime) or count (a number of calls)")
    return fields


def _smtp(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    return {"until": table.get("until", _after(at))}


def _actor(ctx: EventContext) -> Any:
    def conv(value: Any) -> str:
        if not ACTOR_RE.fullmatch(text(value)):
            raise Bad(
                f"{show(value)} is not an actor name; write e.g. clock, router, "
                "session:gateway, ingestor:instagram, recap:ditbinmas"
            )
        role, _, name = value.partition(":")
        if role == "session" and name not in ctx.sessions:
            raise Bad(f"{show(value)} names no session of this scenario")
        return value

    return conv


def _crash(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    return {"actor": table.get("actor", _actor(ctx))}


def _kill(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    def conv(value: Any) -> datetime:
        t = instant(value)
        if at is not None and t < at:
            raise Bad(f"{t.isoformat()} is before the event's at ({at.isoformat()})")
        if ctx.end is not None and t > ctx.end:
            raise Bad(f"{t.isoformat()} is after the scenario's end; the runtime would stay down")
        return t

    return {"restart_at": table.get("restart_at", conv, at)}


def _send_failures(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    return {"session": table.get("session", _session(ctx)), "count": table.get("count", integer(1))}


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_SAVE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}", re.ASCII)


def _method(value: Any) -> str:
    raw = text(value).upper()
    if raw not in HTTP_METHODS:
        raise Bad(f"{show(value)} is not an HTTP method ({', '.join(HTTP_METHODS)})")
    return raw


def _path(value: Any) -> str:
    raw = text(value)
    if not raw.startswith("/") or any(c in raw for c in " \t\r\n"):
        raise Bad(f"{show(value)} is not a path on the server (write e.g. /api/insta/posts)")
    return raw


def _body(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise Bad(f"{show(value)} is not a table or a string")
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        raise Bad("holds a value JSON cannot carry (a date? write it as a string)") from None
    return value


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and "\n" not in v and "\r" not in v
        for k, v in value.items()
    ):
        raise Bad(f"{show(value)} is not a table of header names and one-line texts")
    return tuple(value.items())


def _save_name(value: Any) -> str:
    raw = text(value)
    if not _SAVE_RE.fullmatch(raw):
        raise Bad(f"{show(value)} is not a name (letters, digits, _)")
    return raw


def _http(table: Table, at: datetime | None, ctx: EventContext) -> dict[str, Any]:
    return {
        "method": table.get("method", _method),
        "path": table.get("path", _path),
        "body": table.get("body", _body, None),
        "headers": table.get("headers", _headers, ()),
        "save": table.get("save", _save_name, None),
        "request_id": table.get("id", nonempty, None),
    }


_KIND_READERS = {
    "session_lost": _only_session,
    "session_ready": _only_session,
    "session_logged_out": _only_session,
    "session_banned": _banned,
    "session_paired": _only_session,
    "message": _message,
    "upstream_fault": _upstream,
    "smtp_down": _smtp,
    "crash_actor": _crash,
    "kill_process": _kill,
    "send_failures": _send_failures,
    "http": _http,
}

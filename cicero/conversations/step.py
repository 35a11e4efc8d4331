"""One incoming message through the menu machine, atomically.

In one transaction: load the chat's state and the sender's facts, run the machine
(answering its lookups as they come), apply its data effects, queue its replies and
emails in the outbox, store the new state and mark the message handled. A crash
before the commit leaves the message unhandled, so it is handled again, whole; a
message whose handling keeps failing is set aside after a bounded number of tries
(cicero.domain.runtime.poison), so it never holds up its chat or any other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

import asyncpg

from cicero.config import Settings
from cicero.conversations import dashboard_accounts, fetches
from cicero.conversations.facts import load_context
from cicero.conversations.lookups import Mail, answer
from cicero.db import audit, inbox, outbox, staff
from cicero.domain.auth import otp
from cicero.domain.delivery.outbox import MessageKind, Priority, reply_key
from cicero.domain.menus import ChatState, handle
from cicero.domain.menus.model import (
    Answered,
    BindWhatsapp,
    BuildReport,
    CreateStaff,
    DecideDashboardAccount,
    DropStaffRole,
    Effect,
    Lookup,
    MoveStaff,
    Reply,
    SendEmail,
    SendText,
    SetException,
    SetOptIn,
    SetStaffActive,
    TextIn,
    Tick,
    TriggerFetch,
    UpdateStaff,
)
from cicero.domain.menus.model import Session as MenuSession
from cicero.domain.people.phones import mask_phone
from cicero.domain.runtime import poison
from cicero.reports import on_demand as reports
from cicero.server_secret import key_bytes

log = logging.getLogger("cicero.router")
REPLY = MessageKind.MENU_REPLY.value  # a menu reply goes from the session that was asked
MAX_LOOKUPS = 8  # a machine asking more in one step is a bug, not a conversation
STAFF_FIELDS = frozenset(
    {"name", "rank", "unit", "position", "village", "instagram", "tiktok", "whatsapp", "email"}
)


@dataclass(frozen=True)
class Handled:
    replies: int
    sessions: frozenset[str]  # sessions with new outbox rows to drain
    fetches: tuple[tuple[str, datetime], ...] = ()  # queued fetch requests: ledger key, fire time


async def handle_next(
    conn: asyncpg.Connection, settings: Settings, now: datetime
) -> Handled | None:
    """Handle the next unhandled message (cicero.db.inbox.next_unhandled), if any.

    A handling error is contained here: the transaction rolls back, the try is recorded,
    and after the last one the message is set aside. Errors outside the handling (the
    database gone while counting or recording) propagate: the router crashes, and its
    replacement finds the message with its tries still counted."""
    message = await inbox.next_unhandled(conn)
    if message is None:
        return None
    decision = poison.before_attempt(message.attempts, message.last_error)
    if isinstance(decision, poison.SetAside):
        return await _set_aside(conn, message, decision.error, now)
    await inbox.begin_attempt(conn, message)
    try:
        async with conn.transaction():
            handled = await _step(conn, settings, message, now)
            await inbox.mark_handled(conn, message.session, message.message_id, now)
            return handled
    except Exception as err:
        error = type(err).__name__
        verdict = poison.after_failure(decision.number, error)
        where = f"{message.session}/{mask_phone(message.chat)} message {message.message_id}"
        if isinstance(verdict, poison.SetAside):
            log.error(
                "%s failed %d times; set aside (%s)", where, decision.number, error, exc_info=err
            )
            return await _set_aside(conn, message, verdict.error, now)
        log.warning(
            "%s failed (try %d of %d): %s; tried again after other chats",
            where, decision.number, poison.MAX_ATTEMPTS, error,
        )  # fmt: skip
        await inbox.record_failure(conn, message, error)
        return Handled(0, frozenset())


async def _set_aside(
    conn: asyncpg.Connection, m: inbox.InboxMessage, error: str, now: datetime
) -> Handled:
    """Done with a message that cannot be handled: recorded with its error, the chat's open
    menu closed (other state, such as a lock after wrong NRPs, kept), the sender told once."""
    async with conn.transaction():
        last_notice = await inbox.last_set_aside(conn, m.session, m.chat)
        await inbox.set_aside(conn, m, error, now)
        raw = await conn.fetchval(
            "SELECT state FROM chat_state WHERE session = $1 AND chat = $2 FOR UPDATE",
            m.session,
            m.chat,
        )
        if raw is not None:
            await conn.execute(
                "UPDATE chat_state SET state = $3, updated_at = $4 WHERE session = $1 AND chat = $2",
                m.session, m.chat, _closed(raw).to_json(), now,
            )  # fmt: skip
        answers_groups = m.session == MenuSession.GATEWAY.value
        if not poison.tell_sender(m.is_group, answers_groups, last_notice, now):
            return Handled(0, frozenset())
        notice = outbox.NewMessage(
            key=poison.notice_key(m.session, m.message_id), session=m.session, recipient=m.chat,
            kind=REPLY, body=poison.NOTICE, priority=Priority.MENU_REPLY, in_reply_to=m.message_id,
        )  # fmt: skip
        await outbox.enqueue(conn, [notice], now)
    return Handled(1, frozenset({m.session}))


def _closed(raw: str) -> ChatState:
    """The chat's state with no open menu; a state that cannot be read starts afresh."""
    try:
        return replace(ChatState.from_json(raw), flow=None)
    except Exception:  # unreadable: likely the reason its messages failed
        return ChatState()


async def expire_flows(conn: asyncpg.Connection, now: datetime) -> Handled:
    """Close the flows idle past their `expires_at` with the machine's one "⏰ Sesi berakhir"
    (menus.md §2 "Timeout"), state and reply in one transaction. A chat with messages still
    waiting is left to them: they are handled first, at the time they are handled."""
    async with conn.transaction():
        rows = await conn.fetch(
            """SELECT c.session, c.chat, c.state FROM chat_state c
               WHERE (c.state -> 'flow' ->> 'expires_at')::timestamptz <= $1
                 AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.session = c.session
                                 AND i.chat = c.chat AND i.handled_at IS NULL)
               ORDER BY c.session, c.chat FOR UPDATE OF c""",
            now,
        )
        messages: list[outbox.NewMessage] = []
        for r in rows:
            before = ChatState.from_json(r["state"])
            assert before.flow is not None  # the query selects open flows only
            state, effects = handle(before, Tick(now))
            await conn.execute(
                "UPDATE chat_state SET state = $3, updated_at = $4 WHERE session = $1 AND chat = $2",
                r["session"], r["chat"], state.to_json(), now,
            )  # fmt: skip
            # One key per closed flow: a sweep rerun after a crash finds it and adds nothing.
            key = "|".join(("expired", r["session"], r["chat"], before.flow.expires_at.isoformat()))
            messages += [
                outbox.NewMessage(
                    key=key,
                    session=r["session"],
                    recipient=r["chat"],
                    kind=REPLY,
                    body=e.text,
                    priority=Priority.MENU_REPLY,
                )
                for e in effects
                if isinstance(e, Reply)
            ]
        await outbox.enqueue(conn, messages, now)
    return Handled(len(messages), frozenset(m.session for m in messages))


async def next_expiry(conn: asyncpg.Connection) -> datetime | None:
    """When the earliest open flow times out (the simulated clock stops there)."""
    value: datetime | None = await conn.fetchval(
        "SELECT min((state -> 'flow' ->> 'expires_at')::timestamptz) FROM chat_state"
    )
    return value


async def _step(
    conn: asyncpg.Connection, settings: Settings, m: inbox.InboxMessage, now: datetime
) -> Handled:
    raw = await conn.fetchval(
        "SELECT state FROM chat_state WHERE session = $1 AND chat = $2", m.session, m.chat
    )
    state = ChatState.from_json(raw) if raw else ChatState()
    ctx = await load_context(conn, settings, m.session, m.sender, m.chat, m.is_group)
    mail = Mail()
    state, effects = handle(state, TextIn(now, m.text, ctx))
    done: list[Effect] = []
    for _ in range(MAX_LOOKUPS):
        done += [e for e in effects if not isinstance(e, Lookup)]
        lookups = [e for e in effects if isinstance(e, Lookup)]
        if not lookups:
            break
        reply = await answer(conn, lookups[0].query, now, mail, lambda: key_bytes(settings.env))
        ctx = await load_context(conn, settings, m.session, m.sender, m.chat, m.is_group)
        state, effects = handle(state, Answered(now, reply, ctx))
    else:
        raise RuntimeError(f"menu machine asked more than {MAX_LOOKUPS} questions for one message")
    await conn.execute(
        """INSERT INTO chat_state (session, chat, state, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (session, chat) DO UPDATE SET state = $3, updated_at = $4""",
        m.session, m.chat, state.to_json(), now,
    )  # fmt: skip
    fetch_answers, fetch_keys = await fetches.queue(
        conn, [e for e in done if isinstance(e, TriggerFetch)], m, now
    )
    messages = [
        *await _apply(conn, done, m, now),
        *await reports.run(conn, settings, [e for e in done if isinstance(e, BuildReport)], m, now),
        *fetch_answers,
        *await dashboard_accounts.run(
            conn, settings, [e for e in done if isinstance(e, DecideDashboardAccount)], m, now
        ),
        *_mails(mail, m, now),
    ]
    await outbox.enqueue(conn, messages, now)
    return Handled(
        sum(isinstance(e, Reply) for e in done),
        frozenset(x.session for x in messages),
        tuple((k, now) for k in fetch_keys),
    )


async def _apply(
    conn: asyncpg.Connection, effects: list[Effect], m: inbox.InboxMessage, now: datetime
) -> list[outbox.NewMessage]:
    out: list[outbox.NewMessage] = []
    part = 0
    for e in effects:
        if isinstance(e, Reply | SendText):
            part += 1
            to = m.chat if isinstance(e, Reply) else e.to
            out.append(
                outbox.NewMessage(
                    key=reply_key(m.session, m.message_id, part), session=m.session, recipient=to,
                    kind=REPLY, body=e.text, priority=Priority.MENU_REPLY, in_reply_to=m.message_id,
                )
            )  # fmt: skip
        elif isinstance(e, SendEmail):
            out.append(_email(m, len(out) + 1, e.to, e.subject, e.body))
        elif isinstance(e, UpdateStaff):
            if e.field not in STAFF_FIELDS:
                raise ValueError(f"the menus may not change staff.{e.field}")
            entry = _by(m, "staff.update", e.reason)
            await staff.change(conn, e.nrp, {e.field: e.value}, entry, now)
        elif isinstance(e, BindWhatsapp):
            await staff.bind_whatsapp(conn, e.nrp, e.phone, _by(m, "staff.bind_whatsapp"), now)
        elif isinstance(e, CreateStaff):
            new = staff.NewPerson(e.nrp, e.name.upper(), e.rank.upper(), e.unit.upper(),
                                  e.position.upper(), e.client_id, (e.role,))  # fmt: skip
            await staff.create(conn, new, _by(m, "staff.create"), now)
        elif isinstance(e, SetStaffActive):
            entry = _by(m, "staff.status", e.reason)
            await staff.change(conn, e.nrp, {"active": e.active}, entry, now)
        elif isinstance(e, DropStaffRole):
            held = await conn.fetchval(
                "SELECT coalesce(array_agg(role_name), '{}') FROM staff_role WHERE nrp = $1", e.nrp
            )
            kept = set(held) - {e.role}
            await staff.set_roles(conn, e.nrp, kept, _by(m, "staff.roles", e.reason), now)
        elif isinstance(e, SetOptIn):
            await staff.change(conn, e.nrp, {"wa_opt_in": e.on}, _by(m, "staff.opt_in"), now)
        elif isinstance(e, SetException):
            await staff.change(conn, e.nrp, {"exception": e.on}, _by(m, "staff.exception"), now)
        elif isinstance(e, MoveStaff):
            await staff.change(conn, e.nrp, {"client_id": e.client_id}, _by(m, "staff.move"), now)
        # BuildReport / TriggerFetch: after the replies, by `reports.run` and `fetches.queue`.
    return out


def _mails(mail: Mail, m: inbox.InboxMessage, now: datetime) -> list[outbox.NewMessage]:
    # An OTP mail is worth sending only while its code is valid.
    return [
        replace(_email(m, 100 + i, x.to, x.subject, x.body), expires_at=now + otp.CODE_TTL)
        for i, x in enumerate(mail.queued)
    ]


def _email(m: inbox.InboxMessage, part: int, to: str, subject: str, body: str) -> outbox.NewMessage:
    return outbox.NewMessage(
        key=reply_key("mail", m.message_id, part), session="mail", recipient=to, kind=MessageKind.EMAIL.value,
        body=f"Subject: {subject}\n\n{body}", priority=Priority.MENU_REPLY, in_reply_to=m.message_id,
    )  # fmt: skip


def _by(m: inbox.InboxMessage, action: str, reason: str = "") -> audit.Entry:
    """The audit entry of a change the menus make: the sender's number, the message's id."""
    return audit.Entry(
        f"wa:{m.sender.partition('@')[0]}",
        audit.Channel.WHATSAPP,
        action,
        reason=reason,
        request_id=f"{m.session}:{m.message_id}"[:64],
    )

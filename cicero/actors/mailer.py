"""The Mailer: drains the outbox rows of the `mail` session over SMTP.

Same rules as a WhatsApp session: marked `sending` before the SMTP call and `sent`
after; SMTP down means retry with backoff, never loss; a refusal is `dead` with the
reason; a row left `sending` by a crash is `in_doubt` (SMTP has no idempotent resend).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib
from thespian.actors import WakeupMessage

from cicero.actors.base import CiceroActor
from cicero.actors.messages import OutboxNew, Pump, Pumped, Start
from cicero.db import outbox
from cicero.domain.delivery.outbox import Retry, after_failure, message_id_for
from cicero.domain.timezone import WIB
from cicero.mail import smtp

SESSION = "mail"
POLL = timedelta(seconds=2)
MAX_ATTEMPTS = 10_000


@dataclass(frozen=True)
class MailerOptions:
    virtual: bool = False


class Mailer(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.virtual = False
        self.virtual_now: datetime | None = None
        self.rng = random.Random()

    def on_start(self, message: Start) -> None:
        options: MailerOptions = message.extra or MailerOptions()
        self.virtual = options.virtual
        self.run(self._recover())
        if not self.virtual:
            self.wakeupAfter(POLL, payload="poll")

    async def _recover(self) -> None:
        async with (await self.pool()).acquire() as conn:
            await outbox.recover(conn, SESSION, accepts_caller_id=False)
            await outbox.redact_finished(conn, SESSION)  # in_doubt mails keep no code either

    def now(self) -> datetime:
        if self.virtual:
            assert self.virtual_now is not None
            return self.virtual_now
        return datetime.now(WIB)

    def receiveMsg_WakeupMessage(self, message: WakeupMessage, sender: Any) -> None:
        self.run(self._drain())
        self.wakeupAfter(POLL, payload="poll")

    def receiveMsg_OutboxNew(self, message: OutboxNew, sender: Any) -> None:
        if not self.virtual:
            self.run(self._drain())

    def receiveMsg_Pump(self, message: Pump, sender: Any) -> None:
        self.virtual_now = message.now
        sent, next_due = self.run(self._drain())
        self.send(sender, Pumped(self.name, sent > 0, next_due))

    async def _drain(self) -> tuple[int, datetime | None]:
        assert self.settings is not None
        env = self.settings.env
        done = 0
        async with (await self.pool()).acquire() as conn:
            if await outbox.expire(conn, SESSION, self.now()):  # a code too old to be of use
                await outbox.redact_finished(conn, SESSION)
            while True:
                now = self.now()
                row = await outbox.next_due(conn, SESSION, now)
                if row is None:
                    return done, await outbox.next_attempt_at(conn, SESSION)
                if not await outbox.mark_sending(conn, row.id, message_id_for(row.key)):
                    continue
                try:
                    await smtp.send(env, smtp.build(env, row.recipient, row.body, row.key))
                except smtp.MailRefused as err:
                    await outbox.mark_dead(conn, row.id, f"refused: {err}")
                    await outbox.redact(conn, row.id)
                except (OSError, TimeoutError, aiosmtplib.SMTPException) as err:
                    # SMTP being down is retried until the row expires, however long that takes.
                    decision = after_failure(
                        row.attempts + 1,
                        True,
                        f"SMTP: {err}",
                        now,
                        self.rng.random(),
                        row.expires_at,
                        MAX_ATTEMPTS,
                    )
                    if isinstance(decision, Retry):
                        await outbox.mark_retry(conn, row.id, decision.at, f"SMTP: {err}")
                    else:
                        await outbox.mark_dead(conn, row.id, decision.reason)
                        await outbox.redact(conn, row.id)
                    return done, await outbox.next_attempt_at(conn, SESSION)
                else:
                    await outbox.mark_sent(conn, row.id, message_id_for(row.key), now)
                    await outbox.redact(conn, row.id)  # menus.md §6: the code leaves no trace
                    done += 1

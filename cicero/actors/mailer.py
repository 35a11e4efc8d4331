"""The Mailer: drains the outbox rows of the `mail` session over SMTP.

Same rules as a WhatsApp session (cicero.domain.delivery.failures): marked `sending` before
the SMTP call and `sent` after; SMTP down means retry with backoff until the row expires,
never loss; a refusal is `dead` with the reason; a row left `sending` by a crash is
`in_doubt` (SMTP has no idempotent resend).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from cicero.actors.base import CiceroActor
from cicero.actors.messages import OutboxNew, Start
from cicero.actors.ports import Due
from cicero.db import outbox
from cicero.domain.delivery.failures import Again, after_send_failure
from cicero.domain.delivery.outbox import message_id_for
from cicero.mail import smtp

SESSION = "mail"
POLL = timedelta(seconds=2)


class Mailer(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.rng = random.Random()

    def on_start(self, message: Start) -> None:
        self.run(self._recover())
        self.clock.attach(self, POLL)

    async def _recover(self) -> None:
        async with (await self.pool()).acquire() as conn:
            await outbox.recover(conn, SESSION, accepts_caller_id=False)
            await outbox.redact_finished(conn, SESSION)  # in_doubt mails keep no code either

    def receiveMsg_OutboxNew(self, message: OutboxNew, sender: Any) -> None:
        self.clock.nudge()

    def on_due(self) -> Due:
        sent, next_due = self.run(self._drain())
        return Due(sent > 0, next_due)

    def on_timer(self, payload: Any) -> None:
        pass  # sets none

    async def _drain(self) -> tuple[int, datetime | None]:
        assert self.settings is not None
        env = self.settings.env
        done = 0
        async with (await self.pool()).acquire() as conn:
            if await outbox.expire(conn, SESSION, self.clock.now()):  # a code too old to be of use
                await outbox.redact_finished(conn, SESSION)
            while True:
                now = self.clock.now()
                row = await outbox.next_due(conn, SESSION, now)
                if row is None:
                    return done, await outbox.next_attempt_at(conn, SESSION)
                if not await outbox.mark_sending(conn, row.id, message_id_for(row.key)):
                    continue
                try:
                    await smtp.send(env, smtp.build(env, row.recipient, row.body, row.key))
                except smtp.MailFailed as err:
                    fate = after_send_failure(
                        err.failure, err.reason, row.attempts + 1, now, self.rng.random,
                        row.expires_at,
                    )  # fmt: skip
                    await outbox.settle_failure(conn, row.id, fate)
                    if not isinstance(fate, Again):
                        await outbox.redact(conn, row.id)  # an OTP code leaves no trace
                    if err.failure.of_sender:  # the server is down: nothing else goes now
                        return done, await outbox.next_attempt_at(conn, SESSION)
                else:
                    await outbox.mark_sent(conn, row.id, message_id_for(row.key), now)
                    await outbox.redact(conn, row.id)  # menus.md §6: the code leaves no trace
                    done += 1

"""Sending one outbox email row over SMTP (aiosmtplib)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from cicero.config import Env
from cicero.domain.delivery.failures import Failure

KEY_HEADER = "X-Cicero-Key"  # the outbox key travels with the mail (the sink's transcript reads it)


class MailFailed(Exception):
    """A mail not handed over; `failure` says which kind (cicero.domain.delivery.failures)."""

    failure = Failure.OUTAGE

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MailRefused(MailFailed):
    """The server refused this recipient or message: retrying will not help."""

    failure = Failure.REFUSED

    def __init__(self, reason: str) -> None:
        super().__init__(f"refused: {reason}")


class MailUnreachable(MailFailed):
    """The server is down or did not answer: try again later (until the row expires)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"SMTP: {reason}")


def build(env: Env, to: str, stored_body: str, key: str) -> EmailMessage:
    """Outbox email bodies are stored as `Subject: …` + blank line + text."""
    head, _, text = stored_body.partition("\n\n")
    message = EmailMessage()
    message["From"] = env.smtp_from
    message["To"] = to
    message["Subject"] = head.removeprefix("Subject: ").strip() or "Cicero"
    message[KEY_HEADER] = key
    message.set_content(text)
    return message


async def send(env: Env, message: EmailMessage, timeout: float = 20) -> None:
    """Raise MailRefused for a permanent refusal, MailUnreachable when the server is down."""
    try:
        await aiosmtplib.send(
            message,
            hostname=env.smtp_host or "127.0.0.1",
            port=env.smtp_port,
            username=env.smtp_user,
            password=env.smtp_password.reveal() if env.smtp_password else None,
            start_tls=False if env.smtp_host in (None, "127.0.0.1", "localhost") else None,
            timeout=timeout,
        )
    except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused) as err:
        raise MailRefused(str(err)) from None
    except aiosmtplib.SMTPResponseException as err:
        if 500 <= err.code < 600:
            raise MailRefused(f"{err.code} {err.message}") from None
        raise MailUnreachable(str(err)) from None
    except (OSError, TimeoutError, aiosmtplib.SMTPException) as err:
        raise MailUnreachable(str(err)) from None

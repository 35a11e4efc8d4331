"""Sending one outbox email row over SMTP (aiosmtplib)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from cicero.config import Env

KEY_HEADER = "X-Cicero-Key"  # the outbox key travels with the mail (the sink's transcript reads it)


class MailRefused(Exception):
    """The server refused this recipient or message: retrying will not help."""


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
    """Raise MailRefused for a permanent refusal; OSError/SMTPException for retryable ones."""
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
        raise

"""The loopback SMTP sink (the embedded default and the simulation's mail provider) never
logs a mail's text, so never an OTP code, whatever the log level: aiosmtpd logs every DATA
line at DEBUG under `mail.log`, which at CICERO_LOG_LEVEL=debug printed the code."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from cicero.config import load_settings
from cicero.mail import smtp
from cicero.sim.smtp_sink import Received, SmtpSink

CODE = "424242"


def test_no_code_in_any_log_record(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root and everything under it, aiosmtpd included
    got: list[Received] = []
    arrived = threading.Event()

    def on_mail(mail: Received) -> None:
        got.append(mail)
        arrived.set()

    sink = SmtpSink(on_mail).start()
    try:
        env = load_settings({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port)}).env
        stored = f"Subject: Kode OTP Anda\n\nKode OTP Anda: {CODE}\nJangan bagikan kode ini."

        async def send() -> None:  # the Mailer's own path
            await smtp.send(env, smtp.build(env, "andi@example.org", stored, "mail|S1|101"))

        asyncio.run(send())
        assert arrived.wait(10)
    finally:
        sink.stop()
    assert CODE in got[0].body  # it did arrive, with its code
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert CODE not in text
    assert not [
        r for r in caplog.records if r.name.startswith("mail.") and r.levelno < logging.WARNING
    ]

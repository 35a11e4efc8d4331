"""A loopback SMTP server that accepts everything: the embedded default and the
simulation's "outside world". It can be taken down and brought back (`smtp_down`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from cicero.logs import QUIET_LIBRARIES
from cicero.loopback import free_port
from cicero.mail.smtp import KEY_HEADER


@dataclass(frozen=True)
class Received:
    to: str
    subject: str
    key: str
    body: str


class _Handler:
    def __init__(self, on_mail: Callable[[Received], None]) -> None:
        self.on_mail = on_mail

    async def handle_DATA(
        self, server: Any, session: Any, envelope: Any
    ) -> str:  # aiosmtpd calls it by this name
        parsed = message_from_bytes(envelope.content, policy=default)
        for rcpt in envelope.rcpt_tos:
            self.on_mail(
                Received(
                    rcpt,
                    str(parsed["Subject"] or ""),
                    str(parsed[KEY_HEADER] or ""),
                    parsed.get_content(),
                )
            )
        return "250 accepted"


class SmtpSink:
    def __init__(self, on_mail: Callable[[Received], None], port: int | None = None) -> None:
        self.port = port or free_port()
        self.on_mail = on_mail
        self._controller: Controller | None = None

    @property
    def up(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpSink:
        for name in QUIET_LIBRARIES:  # never a mail's text (and its code) in a log, at any level
            logging.getLogger(name).setLevel(logging.WARNING)
        if self._controller is None:
            self._controller = Controller(
                _Handler(self.on_mail), hostname="127.0.0.1", port=self.port
            )
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

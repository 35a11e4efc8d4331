"""A run's outgoing messages as outbox rows: recipients normalised, long texts split, parts
numbered per recipient so keys are (job, fire time, recipient, part). A scheduled job makes
its batch with `cicero.jobs.params.batch_for`; a menu reply keys its rows from the message."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cicero.db.outbox import NewMessage
from cicero.domain.delivery.outbox import MessageKind, Priority, expires_at_for, outbox_key
from cicero.domain.delivery.splitting import DEFAULT_MAX_CHARS, split_message
from cicero.domain.people.phones import parse_recipients

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def recipients(*fields: str | Iterable[str] | None) -> tuple[list[str], list[str]]:
    """Valid recipients (numbers `62…`, groups `…@g.us`) de-duplicated in order, and the
    raw pieces refused."""
    raw: list[str] = []
    for f in fields:
        if f:
            raw += [f] if isinstance(f, str) else list(f)
    parsed = parse_recipients(raw)
    return [j.phone or str(j) for j in parsed.valid], list(parsed.invalid)


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    mime: str = XLSX_MIME


@dataclass
class Batch:
    """Messages decided by one run, in send order."""

    job: str
    fire_time: datetime
    now: datetime
    session: str
    max_chars: int = DEFAULT_MAX_CHARS
    messages: list[NewMessage] = field(default_factory=list)
    # On-demand reports (cicero.reports.on_demand) key their rows from the incoming
    # message instead: `key_for(recipient, part)`, and name it in `in_reply_to`.
    key_for: Callable[[str, int], str] | None = None
    in_reply_to: str | None = None
    _parts: Counter[str] = field(default_factory=Counter)

    def _add(
        self, recipient: str, kind: MessageKind | str, priority: Priority, **fields: Any
    ) -> None:
        self._parts[recipient] += 1
        part = self._parts[recipient]
        self.messages.append(
            NewMessage(
                key=self.key_for(recipient, part)
                if self.key_for
                else outbox_key(self.job, self.fire_time, recipient, part),
                session=self.session,
                recipient=recipient,
                kind=str(kind),
                priority=int(priority),
                job=self.job,
                fire_time=self.fire_time,
                expires_at=expires_at_for(priority, self.now),
                in_reply_to=self.in_reply_to,
                **fields,
            )
        )

    def text(
        self,
        recipient: str,
        body: str,
        kind: MessageKind | str = MessageKind.GROUP_BROADCAST,
        priority: Priority = Priority.RECAP,
        supersede_key: str | None = None,
    ) -> None:
        for part in split_message(body, self.max_chars):
            self._add(recipient, kind, priority, body=part, supersede_key=supersede_key)

    def file(
        self,
        recipient: str,
        attachment: Attachment,
        kind: MessageKind | str = MessageKind.GROUP_BROADCAST,
        caption: str = "",
    ) -> None:
        self._add(
            recipient, kind, Priority.FILE, body=caption, attachment=attachment.data,
            attachment_name=attachment.name, attachment_mime=attachment.mime,
        )  # fmt: skip

    def recipients_count(self) -> int:
        return len(self._parts)

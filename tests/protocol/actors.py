"""Small actors for protocol tests: real Cicero base class, no database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cicero.actors.base import CiceroActor
from cicero.actors.messages import Start


@dataclass(frozen=True)
class Work:
    item: int


@dataclass(frozen=True)
class WorkThenFail:
    """Measured, then the handler raises: what it measured still reaches the supervisor."""


WORK_DONE = "cicero_test_work"  # what a Counter measures, per Work handled


@dataclass(frozen=True)
class Count:
    pass


@dataclass(frozen=True)
class Counted:
    name: str
    items: tuple[int, ...]
    incarnation: int


@dataclass(frozen=True)
class Finish:
    pass


class Counter(CiceroActor):
    """Keeps in-memory state so a test can see that a replacement starts fresh."""

    def on_start(self, message: Start) -> None:
        self.items: list[int] = []
        self.incarnation = message.extra or 0

    def receiveMsg_Work(self, message: Work, sender: Any) -> None:
        self.items.append(message.item)
        self.tally.count(WORK_DONE, (self.name,))

    def receiveMsg_WorkThenFail(self, message: WorkThenFail, sender: Any) -> None:
        self.tally.count(WORK_DONE, (self.name,))
        raise RuntimeError("failed after measuring")

    def receiveMsg_Count(self, message: Count, sender: Any) -> None:
        self.send(sender, Counted(self.name, tuple(self.items), id(self)))

    def receiveMsg_Finish(self, message: Finish, sender: Any) -> None:
        self.stop_normally()


@dataclass(frozen=True)
class WhatPid:
    pass


@dataclass(frozen=True)
class Pid:
    pid: int


class Stubborn(CiceroActor):
    """Takes far longer to stop than its shutdown time allows."""

    def receiveMsg_WhatPid(self, message: WhatPid, sender: Any) -> None:
        import os

        self.send(sender, Pid(os.getpid()))

    def on_stop(self) -> None:
        import time

        time.sleep(60)

"""Virtual time: the Clock port of a simulation.

The simulation has one time, moved by the scenario driver (`VirtualTime`) and read by every
actor of the runtime through its own `VirtualClock`. It lives in a small file that each
process maps (eight bytes: microseconds since the epoch), so an actor that is never asked
anything (a job worker) reads the same instant as the ones the driver pumps. The driver
moves it only when the runtime is quiet.

A `VirtualClock` never wakes its actor: the driver's control port (cicero.sim.control) calls
the actor's `on_due` at each instant and reads back when it is next due. Timers come due when
time passes them. Within one pump a session may run ahead alone (`advance`) to the instants of
its own throttled sends, up to the driver's next moment and never past a timer of its own.
"""

from __future__ import annotations

import asyncio
import mmap
import os
import shutil
import struct
import tempfile
from collections.abc import Hashable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cicero.domain.timezone import WIB

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SLOT = struct.Struct("<q")


def _encode(t: datetime) -> int:
    if t.tzinfo is None:
        raise ValueError(f"virtual time must be aware: {t.isoformat()}")
    return (t - EPOCH) // timedelta(microseconds=1)


class _Reader:
    """The mapped file, opened on first use in the process that reads it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._last: tuple[int, datetime] | None = None

    def read(self) -> datetime:
        if self._map is None:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                self._map = mmap.mmap(fd, _SLOT.size, access=mmap.ACCESS_READ)
            finally:
                os.close(fd)
        (micros,) = _SLOT.unpack_from(self._map, 0)
        if self._last is None or self._last[0] != micros:
            self._last = (micros, (EPOCH + timedelta(microseconds=micros)).astimezone(WIB))
        return self._last[1]


class VirtualTime:
    """The driver's side: the simulation's time, written to `path` for the whole runtime."""

    def __init__(self, path: Path, start: datetime, owns_dir: bool = False) -> None:
        self.path = path
        self._owns_dir = owns_dir
        with open(path, "wb") as f:
            f.write(_SLOT.pack(_encode(start)))
        fd = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, _SLOT.size)
        finally:
            os.close(fd)
        self._now = start

    def set(self, t: datetime) -> None:
        _SLOT.pack_into(self._map, 0, _encode(t))
        self._now = t

    def now(self) -> datetime:
        return self._now

    def clock(self) -> VirtualClock:
        """The Clock port to hand each actor (a value: it maps the file where it is used)."""
        return VirtualClock(str(self.path))

    @classmethod
    def temporary(cls, start: datetime) -> VirtualTime:
        """In a directory of its own, removed by `close` (tests)."""
        return cls(Path(tempfile.mkdtemp(prefix="cicero-clock-")) / "clock", start, owns_dir=True)

    def close(self) -> None:
        self._map.close()
        if self._owns_dir:
            shutil.rmtree(self.path.parent, ignore_errors=True)


class VirtualClock:
    # Time stands still while work started at an instant runs: an actor waits this long for it
    # before answering the driver that it is still busy (the driver then asks again).
    patience = timedelta(milliseconds=200)

    def __init__(self, path: str) -> None:
        self.path = path
        self._reader = _Reader(path)
        self._ahead: datetime | None = None  # this actor's own time, when it ran ahead alone
        self._until: datetime | None = None  # the driver's next moment, while it pumps us
        self._timers: list[tuple[datetime, int, Hashable]] = []
        self._issued = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        VirtualClock.__init__(self, state["path"])

    def __copy__(self) -> VirtualClock:
        return VirtualClock(self.path)

    def __repr__(self) -> str:
        return f"VirtualClock({self.path!r})"

    # ---- the Clock port -------------------------------------------------------------------
    def now(self) -> datetime:
        shared = self._reader.read()
        if self._ahead is not None and self._ahead > shared:
            return self._ahead
        return shared

    async def pause(self, seconds: float) -> None:
        await asyncio.sleep(0)  # virtual time does not pass inside a run

    def attach(self, actor: Any, poll: timedelta | None = None) -> None:
        pass  # the driver asks what is due, through the control port

    def wake_at(self, at: datetime) -> None:
        pass  # the driver learns it from `Due.next`

    def woke(self, wake: Any) -> None:
        pass  # never asks for a wakeup

    def nudge(self) -> None:
        pass  # the driver pumps every actor at every instant

    def after(self, delay: timedelta, payload: Hashable) -> None:
        self._issued += 1
        self._timers.append((self.now() + delay, self._issued, payload))

    def horizon(self) -> datetime | None:
        if self._until is None:
            return None
        return min([self._until, *(due for due, _, _ in self._timers)])

    def advance(self, at: datetime) -> None:
        horizon = self.horizon()
        if horizon is None or at >= horizon:
            raise ValueError(f"cannot run ahead to {at.isoformat()} (horizon {horizon})")
        self._ahead = at

    # ---- the control port's side ----------------------------------------------------------
    def pumping(self, until: datetime | None) -> None:
        """The driver's next moment while a pump lasts (None: the pump is over)."""
        self._until = until

    def due_timers(self, now: datetime) -> list[Hashable]:
        """The timers due at `now`, taken out, soonest first."""
        due = sorted(t for t in self._timers if t[0] <= now)
        self._timers = [t for t in self._timers if t[0] > now]
        return [payload for _, _, payload in due]

    def next_timer(self) -> datetime | None:
        return min((due for due, _, _ in self._timers), default=None)

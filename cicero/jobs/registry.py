"""Job handlers by key. A job in config without a handler here is "not implemented":
shown by `cicero schedule` and /healthz, never dispatched.

A registry is named by a dotted path ("module:factory") so that actors in other
processes can build the same one; tests name their own.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cicero.domain.runtime.names import WORKER
from cicero.domain.runtime.tally import Tally

DEFAULT_REGISTRY = "cicero.jobs.catalogue:registry"


@dataclass(frozen=True)
class JobContext:
    """What a handler may use: its job key and fire time, now, the pool, settings, and a log."""

    job: str
    fire_time: datetime
    now: datetime
    pool: Any
    settings: Any
    log: Any
    # Waits a handler makes between upstream calls. Real in production; in simulation they
    # take no time (virtual time does not pass inside a run, and the fake needs no pacing).
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    # Keys of the jobs whose runs read engagement (the registry's `reads_engagement`): the
    # ingestion derives its audit fire times from their schedules (data.md §3.4).
    readers: frozenset[str] = frozenset()
    # What the run measures for /metrics (upstream requests): its actor's, handed to the
    # supervisor after the run; a throwaway one where no actor runs it (tests, benches).
    tally: Tally = field(default_factory=Tally)


Handler = Callable[[JobContext], Awaitable[str | None]]  # returns a short outcome text


@dataclass(frozen=True)
class JobHandler:
    key: str
    run: Handler
    actor: str = WORKER  # the worker actor that hosts it
    # A job may be split into named parts, each in its own actor (ingest_social runs one
    # part per platform ingestor); see cicero.domain.runtime.job_parts.
    part: str = ""
    # Its runs read likers and commenters (attendance): the ingestion audits before them.
    reads_engagement: bool = False


class Registry:
    def __init__(self, handlers: list[JobHandler] | None = None) -> None:
        self._handlers: dict[str, tuple[JobHandler, ...]] = {}
        for h in handlers or []:
            self._handlers[h.key] = (*self._handlers.get(h.key, ()), h)
        for key, group in self._handlers.items():
            names = [h.part for h in group]
            if len(group) > 1 and (not all(names) or len(set(names)) != len(names)):
                raise ValueError(f"job {key!r}: several handlers need distinct, named parts")

    def __contains__(self, key: object) -> bool:
        return key in self._handlers

    def __iter__(self) -> Iterator[JobHandler]:
        return (h for group in self._handlers.values() for h in group)

    def get(self, key: str, part: str = "") -> JobHandler | None:
        return next((h for h in self._handlers.get(key, ()) if h.part == part), None)

    def parts(self, key: str) -> tuple[JobHandler, ...]:
        """The handlers a fire time of `key` goes to: one, or one per part."""
        return self._handlers.get(key, ())

    def keys(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def actors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.actor for h in self))

    def engagement_readers(self) -> frozenset[str]:
        return frozenset(h.key for h in self if h.reads_engagement)


def load_registry(path: str = DEFAULT_REGISTRY) -> Registry:
    module, _, attr = path.partition(":")
    factory = getattr(importlib.import_module(module), attr)
    registry = factory()
    if not isinstance(registry, Registry):
        raise TypeError(f"{path} did not build a Registry")
    return registry

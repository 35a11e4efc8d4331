"""Job handlers by key. A job in config without a handler here is "not implemented":
shown by `cicero schedule` and /healthz, never dispatched.

A registry is named by a dotted path ("module:factory") so that actors in other
processes can build the same one; tests name their own.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


Handler = Callable[[JobContext], Awaitable[str | None]]  # returns a short outcome text


@dataclass(frozen=True)
class JobHandler:
    key: str
    run: Handler
    actor: str = "worker"  # the worker actor that hosts it


class Registry:
    def __init__(self, handlers: list[JobHandler] | None = None) -> None:
        self._handlers = {h.key: h for h in handlers or []}

    def __contains__(self, key: object) -> bool:
        return key in self._handlers

    def __iter__(self) -> Iterator[JobHandler]:
        return iter(self._handlers.values())

    def get(self, key: str) -> JobHandler | None:
        return self._handlers.get(key)

    def keys(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def actors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.actor for h in self._handlers.values()))


def load_registry(path: str = DEFAULT_REGISTRY) -> Registry:
    module, _, attr = path.partition(":")
    factory = getattr(importlib.import_module(module), attr)
    registry = factory()
    if not isinstance(registry, Registry):
        raise TypeError(f"{path} did not build a Registry")
    return registry

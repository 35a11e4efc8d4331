"""The actor system of one runtime: started with the root supervisor and the bootstrap's
children, stopped with no process left behind. `cicero run` (cicero.launcher) and the
simulation driver both start theirs here.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psutil

from cicero.actors import listen
from cicero.actors.base import ACTOR_PROCESS_ENV
from cicero.actors.messages import (
    ChildSpec,
    StatusRequest,
    StatusSnapshot,
    SupervisorStart,
    check_children,
)
from cicero.collector import GC_THRESHOLDS
from cicero.config import Settings
from cicero.domain.runtime.supervision import Strategy, SupFlags
from cicero.jobs.registry import load_registry
from cicero.loopback import free_port

PR_SET_CHILD_SUBREAPER = 36


def sup_flags(settings: Settings) -> SupFlags:
    s = settings.config.supervisor
    return SupFlags(
        Strategy.ONE_FOR_ONE,
        s.intensity,
        s.period_s,
        s.backoff_min_s,
        s.backoff_max_s,
        s.backoff_reset_s,
    )


@dataclass
class Runtime:
    """A started actor system with its root; `stop()` leaves no process behind."""

    system: Any
    root: Any
    admin_port: int
    settings: Settings
    shutdown_s: float = 3.0  # the longest a child may take to stop (its spec's shutdown_s)

    def status(self, timeout: float) -> dict[str, Any] | None:
        reply = self.system.ask(self.root, StatusRequest(), timeout)
        return reply.data if isinstance(reply, StatusSnapshot) else None

    def stop(self, timeout: float) -> None:
        descendants = _descendants()
        with contextlib.suppress(Exception):  # shutdown of a half-dead system may raise
            self.system.shutdown()
        _reap_and_kill(descendants, timeout, self.shutdown_s)


def _descendants() -> list[psutil.Process]:
    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def _reap_and_kill(processes: list[psutil.Process], timeout: float, grace: float) -> None:
    """Wait for the tree to exit (up to `grace`, within `timeout`); SIGTERM then SIGKILL what
    remains, by PID."""
    processes = [p for p in processes if is_actor_process(p)]
    _, alive = psutil.wait_procs(processes, timeout=min(timeout, grace))
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(alive, timeout=2)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=2)
    reap_zombies()


def is_actor_process(proc: psutil.Process) -> bool:
    # The embedded PostgreSQL is stopped by its own handle, not killed here.
    try:
        return proc.name() not in ("postgres", "pg_ctl")
    except psutil.Error:
        return False


def reap_zombies() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# Imported here, before the actor system forks, so every actor process shares these
# pages instead of importing its own copy (spec/runtime.md §6). Never neonize: its Go
# runtime must not be forked (§1.7).
SHARED_LIBRARIES = (
    "asyncpg",
    "aiohttp",
    "aiohttp.web",
    "aiosmtplib",
    "croniter",
    "openpyxl",
    "pydantic",
    "segno",
)


def preload(children: tuple[ChildSpec, ...], registry_path: str) -> None:
    for name in SHARED_LIBRARIES:
        importlib.import_module(name)
    for spec in children:
        importlib.import_module(spec.actor.partition(":")[0])
    load_registry(registry_path)  # every job handler module


@contextlib.contextmanager
def default_stop_signals() -> Iterator[None]:
    """SIGTERM and SIGINT at their default while the actor system forks its admin: the admin
    keeps the handlers it is forked with and sets none of its own, so with ours (which only
    set an event in the launcher) it could not be stopped by signal at all."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread sets handlers, so none of ours are set
        return
    saved = {sig: signal.signal(sig, signal.SIG_DFL) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def start_runtime(
    settings: Settings, registry_path: str, children: tuple[ChildSpec, ...]
) -> Runtime:
    """Fork the actor system and start the root supervisor with `children` (the bootstrap's)."""
    from thespian.actors import ActorSystem

    from cicero.actors.supervisor import Supervisor
    from cicero.logs import log_defs

    # Actors daemonise through a double fork; as a subreaper we stay their ancestor,
    # reap them, and can find every one by PID at shutdown.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    os.environ[ACTOR_PROCESS_ENV] = "1"
    thespian_log = settings.env.data_dir / "thespian.log"
    os.environ.setdefault("THESPLOG_FILE", str(thespian_log))
    check_children(children)  # before anything forks: one line naming what is wrong
    preload(children, registry_path)
    # Everything loaded so far is shared with the forked actors; keep the garbage collector
    # from writing to those objects (copy-on-write would make each actor a private copy).
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)  # cicero.collector: fewer walks of recaps' objects
    admin_port = settings.config.runtime.admin_port or free_port()
    listen.confine(settings.config.runtime.actor_host)  # never all interfaces (DESIGN §8)
    with default_stop_signals():  # Thespian's admin forks here
        system = ActorSystem(
            "multiprocTCPBase",
            {"Admin Port": admin_port, "Process Startup Method": "fork"},
            logDefs=log_defs(settings.env.log_format, settings.env.log_level),
            transientUnique=True,
        )
    root = system.createActor(Supervisor)
    system.tell(
        root,
        SupervisorStart(
            "root",
            sup_flags(settings),
            children,
            settings,
            launcher_pid=os.getpid(),
        ),
    )
    grace = max((c.shutdown_s for c in children), default=3.0)
    return Runtime(system, root, admin_port, settings, grace)

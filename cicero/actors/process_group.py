"""Ending the actor system's own processes when the launcher is gone.

Thespian's admin starts a session of its own (`setsid`), so the admin, its logger and
every actor share one process group that holds nothing else: not the launcher, not
the embedded PostgreSQL (the launcher's child). When the launcher dies without a word
(SIGKILL), the root supervisor ends that group: SIGTERM first, which every actor turns
into an orderly exit, then SIGKILL for whatever is still there after a grace.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

import psutil


def own_group() -> int | None:
    """This process's group, if it leads a session of its own (Thespian's admin made it);
    None otherwise: then the group may hold a shell or a test runner, never to be signalled."""
    group = os.getpgrp()
    return group if os.getsid(0) == group and group != os.getpid() else None


def end_process_group(grace_s: float) -> list[int]:
    """SIGTERM every other process of this group, SIGKILL those left after `grace_s`;
    returns the pids that needed SIGKILL."""
    group = own_group()
    if group is None:
        return []
    me = os.getpid()
    members = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if proc.pid != me and os.getpgid(proc.pid) == group:
                members.append(proc)
    for proc in members:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    alive = members
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if _running(p)]
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    return [p.pid for p in alive]


def _running(proc: psutil.Process) -> bool:
    """Not yet exited (a zombie has: its parent, gone too, can no longer reap it)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False

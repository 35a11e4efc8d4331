"""A child's shutdown time is honoured: asked to stop (here: its root escalates), a child
still running past its spec's `shutdown_s` is killed by its supervisor, on the real
process tree. Before, `shutdown_s` was never read."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from cicero.actors.messages import ChildSpec, Ports, WhereIs
from cicero.config import load_settings
from cicero.jobs.registry import DEFAULT_REGISTRY
from cicero.sim.control import CrashNext, SimControl
from tests.protocol.actors import Pid, WhatPid, Work

pytestmark = pytest.mark.slow


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_child_past_its_shutdown_time_is_killed(tmp_path: Path) -> None:
    from cicero.actors.system import start_runtime

    base = load_settings(
        {}, overrides={"supervisor": {"intensity": 0}}
    )  # the first crash escalates
    settings = replace(base, env=replace(base.env, data_dir=tmp_path))
    children = (
        ChildSpec("a", "tests.protocol.actors:Counter", ports=Ports(control=SimControl())),
        ChildSpec("b", "tests.protocol.actors:Stubborn", shutdown_s=1.0),
    )
    runtime = start_runtime(settings, DEFAULT_REGISTRY, children)
    try:
        addresses = runtime.system.ask(runtime.root, WhereIs(), 10).addresses
        reply = runtime.system.ask(addresses["b"], WhatPid(), 10)
        assert isinstance(reply, Pid)
        runtime.system.tell(addresses["a"], CrashNext())
        runtime.system.tell(addresses["a"], Work(1))  # a crashes: the root escalates, stops b
        asked = time.monotonic()
        while not gone(reply.pid):
            assert time.monotonic() - asked < 10, "the stubborn child was never killed"
            time.sleep(0.05)
        assert time.monotonic() - asked >= 0.9  # it had its shutdown time first
        status = runtime.status(10) or {}
        assert status.get("escalated", "").startswith("a:")
    finally:
        runtime.stop(10)

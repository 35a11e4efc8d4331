"""A generic supervisor: child specs in, restarts with backoff out, escalation past intensity.

The arithmetic lives in cicero.domain.runtime.supervision; this actor only keeps the
table of children, starts and stops them, and relays status.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import signal
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import psutil
from thespian.actors import ActorExitRequest, ChildActorExited, DeadEnvelope

from cicero.actors.base import CiceroActor
from cicero.actors.messages import (
    ChildSpec,
    ChildSpecError,
    Crashed,
    Directory,
    PairingReply,
    PairingRequest,
    Poke,
    Start,
    Started,
    StatusReport,
    StatusRequest,
    StatusSnapshot,
    Stopping,
    SupervisorStart,
    Tallied,
    WhereIs,
    check_children,
)
from cicero.actors.process_group import end_process_group
from cicero.domain.runtime.names import CLOCK, is_session_actor, session_actor, session_of
from cicero.domain.runtime.supervision import (
    ChildRecord,
    Escalate,
    LeaveDown,
    Restart,
    SupFlags,
    on_exit,
    restart_set,
)
from cicero.domain.runtime.tally import Tally

WATCH_PERIOD = timedelta(seconds=1)
ORPHAN_GRACE_S = 5.0  # for the actors' orderly exit once the launcher is gone
STASH_LIMIT = 1000


def launcher_alive(pid: int) -> bool:
    """The launcher still runs (a zombie has exited: as a subreaper's child it may linger)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def resolve(path: str) -> type:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass
class Child:
    spec: ChildSpec
    record: ChildRecord
    address: Any = None
    state: str = "starting"  # running | restarting | down | stopped
    generation: int = 0
    last_error: str = ""
    expected_exit: bool = False  # we asked it to stop, or it said it was stopping
    pid: int | None = None  # its process, once it said it started


class Supervisor(CiceroActor):
    start_message = SupervisorStart

    def __init__(self) -> None:
        super().__init__()
        self.flags = SupFlags()
        self.children: dict[str, Child] = {}
        self.order: tuple[str, ...] = ()
        self.stamps: tuple[float, ...] = ()
        self.stopping = False
        self.escalated = ""
        self.reports: dict[str, dict[str, Any]] = {}
        self.totals = Tally()  # every child's measurements, added up for this supervisor's life
        self.stash: list[tuple[str, Any]] = []
        self.launcher_pid: int | None = None
        self.former: list[tuple[Any, str]] = []  # addresses of exited children, newest last
        self.rng = random.Random()
        self.started_at = time.monotonic()

    # ---- start -----------------------------------------------------------
    def receiveMsg_SupervisorStart(self, message: SupervisorStart, sender: Any) -> None:
        self.name = message.name
        self.settings = message.settings
        self.supervisor = sender
        self.flags = message.flags
        self.launcher_pid = message.launcher_pid
        try:
            check_children(message.children)
        except ChildSpecError as err:  # started by hand with bad specs: start none of them
            self._escalate(f"child specs refused: {err}")
            return
        self.order = tuple(spec.name for spec in message.children)
        now = time.monotonic()
        for spec in message.children:
            self.children[spec.name] = Child(spec, ChildRecord(spec.restart, last_start=now))
        self.handleDeadLetters()
        for name in self.order:
            self._start_child(name)
        self._send_directory()
        if self.launcher_pid is not None:
            self.wakeupAfter(WATCH_PERIOD, payload="watch-launcher")

    def _start_child(self, name: str) -> None:
        child = self.children[name]
        child.address = self.createActor(resolve(child.spec.actor))
        child.state = "running"
        child.expected_exit = False
        child.pid = None
        child.record = replace(child.record, last_start=time.monotonic())
        assert self.settings is not None
        self.send(child.address, Start(name, self.settings, child.spec.extra, child.spec.ports))
        held = [m for n, m in self.stash if n == name]
        self.stash = [(n, m) for n, m in self.stash if n != name]
        for message in held:
            self.send(child.address, message)

    def _send_directory(self) -> None:
        addresses = {n: c.address for n, c in self.children.items() if c.state == "running"}
        for child in self.children.values():
            if child.state == "running":
                self.send(child.address, Directory(addresses))

    def _by_address(self, address: Any) -> Child | None:
        for child in self.children.values():
            if child.address == address:
                return child
        return None

    # ---- exits and restarts ------------------------------------------------
    def receiveMsg_Crashed(self, message: Crashed, sender: Any) -> None:
        child = self.children.get(message.name)
        if child is not None:
            child.last_error = message.error

    def receiveMsg_Started(self, message: Started, sender: Any) -> None:
        child = self._by_address(sender)
        if child is not None:
            child.pid = message.pid

    def _stop_child(self, child: Child) -> None:
        """Ask a child to exit, and kill it if it has not within its shutdown time."""
        self.send(child.address, ActorExitRequest())
        if child.pid is not None:
            deadline = timedelta(seconds=child.spec.shutdown_s)
            self.wakeupAfter(deadline, payload=("shutdown", child.spec.name, child.pid))

    def _overdue(self, name: str, pid: int) -> None:
        child = self.children[name]
        if child.pid != pid or pid == os.getpid():
            return  # it exited (or restarted) meanwhile; in-process systems share one pid
        self.log.error("child %s did not stop within %.0f s; killing process %d",
                       name, child.spec.shutdown_s, pid)  # fmt: skip
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)

    def receiveMsg_Stopping(self, message: Stopping, sender: Any) -> None:
        child = self._by_address(sender)
        if child is not None:
            child.expected_exit = True

    def receiveMsg_ChildActorExited(self, message: ChildActorExited, sender: Any) -> None:
        child = self._by_address(message.childAddress)
        if child is not None:
            child.pid = None  # gone: nothing left to kill
        if child is None or child.state not in ("running", "restarting"):
            return
        self.former = [*self.former[-99:], (child.address, child.spec.name)]
        child.address = None
        if self.stopping or self.escalated:
            child.state = "stopped"
            return
        if child.state == "restarting":  # stopped by us as part of a rest_for_one restart
            return
        abnormal = not child.expected_exit
        self.log.warning(
            "child %s exited%s",
            child.spec.name,
            f" abnormally: {child.last_error or 'no reason given'}" if abnormal else "",
        )
        record, self.stamps, decision = on_exit(
            child.record, self.stamps, time.monotonic(), abnormal, self.flags, self.rng.random()
        )
        child.record = record
        if isinstance(decision, LeaveDown):
            child.state = "down"
            self._send_directory()
        elif isinstance(decision, Escalate):
            self._escalate(f"{child.spec.name}: {decision.reason}")
        elif isinstance(decision, Restart):
            for name in restart_set(self.order, child.spec.name, self.flags.strategy):
                sibling = self.children[name]
                if name != child.spec.name and sibling.state == "running":
                    sibling.state = "restarting"
                    self._stop_child(sibling)
                sibling.state = "restarting"
                sibling.generation += 1
            self.wakeupAfter(
                timedelta(seconds=decision.delay_s),
                payload=("restart", child.spec.name, child.generation),
            )

    def _escalate(self, reason: str) -> None:
        # Stop every child and stay up only to say so: the launcher reads it and exits
        # non-zero, and the container restarts the whole runtime.
        self.escalated = reason
        self.log.error("escalating: %s", reason)
        for name in reversed(self.order):
            child = self.children[name]
            if child.state in ("running", "restarting") and child.address is not None:
                self._stop_child(child)
            child.state = "stopped"

    def on_wakeup(self, payload: Any) -> None:
        if payload == "watch-launcher":
            self._watch_launcher()
            return
        if isinstance(payload, tuple) and payload[0] == "shutdown":
            self._overdue(payload[1], payload[2])
            return
        if isinstance(payload, tuple) and payload[0] == "restart":
            _, name, generation = payload
            if self.stopping or self.escalated:
                return
            failed = self.children[name]
            if failed.generation != generation or failed.state != "restarting":
                return  # a newer restart superseded this one
            for sibling in restart_set(self.order, name, self.flags.strategy):
                if self.children[sibling].state == "restarting":
                    self._start_child(sibling)
            self._send_directory()

    def _watch_launcher(self) -> None:
        assert self.launcher_pid is not None
        if launcher_alive(self.launcher_pid):
            self.wakeupAfter(WATCH_PERIOD, payload="watch-launcher")
            return
        # The launcher was killed: take the whole actor system down with it, so that a
        # restarted launcher never races a second set of sessions, ports and locks.
        self.log.error("launcher %d is gone; stopping the actor system", self.launcher_pid)
        killed = end_process_group(ORPHAN_GRACE_S)
        if killed:
            self.log.error("%d process(es) ignored SIGTERM and were killed", len(killed))
        self._close()
        os._exit(0)

    def receiveMsg_DeadEnvelope(self, message: DeadEnvelope, sender: Any) -> None:
        # A message sent to a child that has since died: hand it to the replacement,
        # or hold it until the replacement is up.
        if self.stopping or self.escalated:
            return
        target = self._previous_owner(message.deadAddress)
        if target is None:
            return
        if target.state == "running":
            self.send(target.address, message.deadMessage)
        elif target.state == "restarting" and len(self.stash) < STASH_LIMIT:
            self.stash.append((target.spec.name, message.deadMessage))

    def _previous_owner(self, address: Any) -> Child | None:
        for former, name in reversed(self.former):
            if former == address:
                return self.children[name]
        return None

    # ---- status ------------------------------------------------------------
    def receiveMsg_StatusReport(self, message: StatusReport, sender: Any) -> None:
        self.reports[message.name] = message.data

    def receiveMsg_Tallied(self, message: Tallied, sender: Any) -> None:
        self.totals.merge(message.tally)

    def receiveMsg_StatusRequest(self, message: StatusRequest, sender: Any) -> None:
        clock = self.children.get(CLOCK)
        if clock is not None and clock.state == "running":
            self.send(clock.address, Poke())
        self.send(sender, StatusSnapshot(self.snapshot()))

    def receiveMsg_PairingRequest(self, message: PairingRequest, sender: Any) -> None:
        child = self.children.get(session_actor(message.session))
        if child is not None and child.state == "running":
            self.send(child.address, replace(message, reply_to=message.reply_to or sender))
            return
        sessions = sorted(session_of(n) for n in self.children if is_session_actor(n))
        why = (
            f"WhatsApp session {message.session} is {child.state}: try again shortly"
            if child is not None
            else f"no WhatsApp session named {message.session!r} (configured: {', '.join(sessions) or 'none'})"
        )
        self.send(message.reply_to or sender, PairingReply(message.session, False, why))

    def receiveMsg_WhereIs(self, message: WhereIs, sender: Any) -> None:
        self.send(
            sender,
            Directory({n: c.address for n, c in self.children.items() if c.state == "running"}),
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "supervisor": self.name,
            "escalated": self.escalated,
            "uptime_s": round(time.monotonic() - self.started_at, 1),
            "actors": {
                name: {
                    "state": c.state,
                    "restarts": c.record.restarts,
                    "last_error": c.last_error,
                    "restart_type": c.spec.restart.value,
                }
                for name, c in self.children.items()
            },
            "reports": dict(self.reports),
            "tally": self.totals.to_wire(),
        }

    def receiveMsg_ActorExitRequest(self, message: ActorExitRequest, sender: Any) -> None:
        self.stopping = True  # Thespian stops the children next; none may be restarted now

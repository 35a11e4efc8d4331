"""The Web actor: serves the aiohttp app from a daemon thread with its own event loop.

The thread never calls Thespian; the actor polls its supervisor for a status
snapshot once a second and the HTTP side reads the latest one (a leaf actor:
it owns a thread, so it creates no children). What the pages ask of other actors
(pairing, "run now") waits in an ActorBridge the actor drains four times a second; a /metrics
scrape asks there for a status snapshot as of now. What the server thread measures (A8's
upstream calls) is taken on each wakeup and handed to the supervisor with the actor's own.

Time: the app asks the actor's Clock port (`now`, read from the server thread). The bridge is
drained on real-time wakeups of the actor's own, in a simulation too: they carry requests,
not the passing of time.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web

from cicero.actors.base import CiceroActor
from cicero.actors.messages import (
    PairingReply,
    PairingRequest,
    Start,
    StatusRequest,
    StatusSnapshot,
)
from cicero.actors.ports import Due
from cicero.jobs.registry import DEFAULT_REGISTRY, load_registry
from cicero.web import connections
from cicero.web.actor_bridge import ActorBridge, NoAnswer, Outgoing
from cicero.web.app import build_app
from cicero.web.context import CONTEXT
from cicero.web.measured import Measured

POLL = timedelta(milliseconds=250)
STATUS_EVERY = 4  # polls: a status snapshot a second


@dataclass(frozen=True)
class WebOptions:
    registry: str = DEFAULT_REGISTRY


class Web(CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.latest: tuple[float, dict[str, Any]] | None = None
        self.thread: threading.Thread | None = None
        self.server_loop: asyncio.AbstractEventLoop | None = None
        self.bridge = ActorBridge()
        self.polls = 0
        self.pairing: dict[str, Outgoing] = {}  # session -> the page's request awaiting a reply
        self.measured: Measured | None = None  # the server thread's measurements
        # Each StatusRequest sent, oldest first: a poll's (None) or a scrape's, which waits for
        # the snapshot answering its own request (the supervisor answers in order).
        self.asked: deque[Outgoing | None] = deque(maxlen=100)  # bounded: a silent supervisor

    def on_start(self, message: Start) -> None:
        assert self.settings is not None
        runtime = self.settings.config.runtime
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((runtime.web_host, runtime.web_port))  # fails loudly: the launcher checked first
        extra = message.extra
        options = extra if isinstance(extra, WebOptions) else WebOptions(extra or DEFAULT_REGISTRY)
        registry = load_registry(options.registry)
        not_implemented = sorted(set(self.settings.config.jobs) - registry.keys())
        app = build_app(
            self.status, self.database_url, not_implemented, self.settings, now=self.clock.now,
            actors=self.bridge,
        )  # fmt: skip
        self.measured = app[CONTEXT].measured
        self.thread = threading.Thread(
            target=self._serve, args=(app, sock), name="web", daemon=True
        )
        self.thread.start()
        self.wakeupAfter(timedelta(milliseconds=50), payload="poll")

    def on_due(self) -> Due:
        return Due()  # nothing of its own comes due with time (a pump finds it started)

    def on_timer(self, payload: Any) -> None:
        pass  # sets none

    def status(self) -> tuple[dict[str, Any] | None, float]:
        latest = self.latest
        if latest is None:
            return None, 0.0
        return latest[1], time.monotonic() - latest[0]

    def _serve(self, app: web.Application, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self.server_loop = loop
        runner = connections.runner(app)  # idle and slow-header connections are closed
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def on_wakeup(self, payload: Any) -> None:
        if self.supervisor is not None and self.polls % STATUS_EVERY == 0:
            self.send(self.supervisor, StatusRequest())
            self.asked.append(None)
        self.polls += 1
        if self.measured is not None:  # shipped to the supervisor once this wakeup is handled
            self.tally.merge(self.measured.take())
        for item in self.bridge.drain():
            self._forward(item)
        self.wakeupAfter(POLL, payload="poll")

    def _forward(self, item: Outgoing) -> None:
        """Send a page's request on: pairing to the supervisor (which knows the sessions),
        anything else to the named sibling."""
        message = item.message
        if isinstance(message, StatusRequest):  # /metrics wants the totals as of now
            if self.supervisor is None:
                self.bridge.fail(item, NoAnswer("supervisor"))
                return
            self.send(self.supervisor, StatusRequest())
            self.asked.append(item)
            return
        if isinstance(message, PairingRequest):
            if self.supervisor is None:
                self.bridge.fail(item, NoAnswer("supervisor"))
                return
            earlier = self.pairing.pop(message.session, None)
            if earlier is not None:
                self.bridge.fail(earlier, NoAnswer("superseded"))
            self.pairing[message.session] = item
            self.send(
                self.supervisor, PairingRequest(message.session, message.phone, self.myAddress)
            )
            return
        address = (self.directory or {}).get(item.target)
        if address is None:
            self.bridge.fail(item, NoAnswer(item.target))
            return
        self.send(address, message)
        self.bridge.resolve(item, True)

    def receiveMsg_PairingReply(self, message: PairingReply, sender: Any) -> None:
        item = self.pairing.pop(message.session, None)
        if item is not None:
            self.bridge.resolve(item, message)

    def receiveMsg_StatusSnapshot(self, message: StatusSnapshot, sender: Any) -> None:
        self.latest = (time.monotonic(), message.data)
        item = self.asked.popleft() if self.asked else None
        if item is not None:
            self.bridge.resolve(item, message.data)

    def on_stop(self) -> None:
        if self.server_loop is not None and self.thread is not None:
            self.server_loop.call_soon_threadsafe(self.server_loop.stop)
            self.thread.join(timeout=3)

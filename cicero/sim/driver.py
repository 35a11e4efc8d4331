"""`cicero simulate`: the real runtime against a scenario, on a virtual clock.

The driver plays the outside world: it owns virtual time, the simulated WhatsApp
lines (their state in `sim_line`, their traffic in `sim_wa`), and the process
itself. The runtime is the same actor tree as `cicero run` (multiprocTCPBase,
real database, real outbox), its actors handed a virtual clock and the simulator's
control port: they move only when the driver says what time it is.

Each instant: apply the scenario's events, then pump the runtime until it is
quiet (clock: dispatch what is due and wait for the runs; sessions: send what
the throttle allows; router: answer what arrived), then jump to the next
instant anything is due. After each instant the transcript gets that instant's lines:
what the runtime and the simulated network recorded, and the driver's own lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from cicero.actors.messages import Directory, WhereIs
from cicero.actors.system import is_actor_process, reap_zombies
from cicero.bootstrap import Mode, bootstrap, choose, with_database
from cicero.config import Settings
from cicero.db.connect import connect
from cicero.db.migrate import migrate
from cicero.domain.runtime.names import (
    CLOCK,
    MAILER,
    ROUTER,
    WEB,
    is_session_actor,
    session_actor,
    session_of,
)
from cicero.jobs.registry import DEFAULT_REGISTRY
from cicero.sim import events as ev
from cicero.sim.control import CrashNext, Pump, Pumped, SimCommand
from cicero.sim.scenario import Scenario
from cicero.sim.seed import report_links, seed
from cicero.sim.upstream.world import Fault, FaultKind
from cicero.sim.whatsapp.store import save_line

log = logging.getLogger("cicero.simulate")

# Event kinds this driver can play; the others are refused at load with a clear message.
SUPPORTED_KINDS = frozenset(
    {
        "session_lost",
        "session_ready",
        "session_logged_out",
        "session_banned",
        "session_paired",
        "message",
        "crash_actor",
        "kill_process",
        "send_failures",
        "smtp_down",
        "upstream_fault",
        "http",
    }
)
ASK_TIMEOUT = 30.0
# The clock answers a pump once every run of the instant has ended. A run meeting `timeout`
# faults waits for real client timeouts (2 s in simulation, three attempts a request), so an
# instant of a big scenario may take minutes of wall time without anything being stuck.
CLOCK_PATIENCE = 300.0
OTP_IN_MAIL = re.compile(r"(?<!\d)\d{6}(?!\d)")  # the code in "Kode OTP Anda: 123456"
MAX_ROUNDS = 200  # pumps per instant before the driver declares a livelock


class SimulationError(RuntimeError):
    pass


@dataclass
class World:
    scenario: Scenario
    url: str
    wiring: Any = None  # what the bootstrap picked and built (cicero.bootstrap.Wiring)
    faults: list[dict[str, Any]] = field(default_factory=list)
    runtime: Any = None
    held: list[ev.EvMessage] = field(default_factory=list)  # messages while the process is down
    down_until: datetime | None = None
    smtp_back_at: datetime | None = None
    mailbox: dict[str, str] = field(default_factory=dict)  # address → body of its latest mail
    links: list[Any] = field(default_factory=list)  # the scenario's link reports not written yet
    expected: frozenset[str] = frozenset()  # the names of the runtime's actors
    saved: dict[str, str] = field(default_factory=dict)  # `save` names of http events
    recorder: Any = None  # writes the transcript after each instant (cicero.sim.record)

    # ---- the runtime ------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self.time.now()

    @property
    def settings(self) -> Settings:
        return self.wiring.settings

    @property
    def time(self) -> Any:
        return self.wiring.time  # the virtual clock this driver moves

    @property
    def sink(self) -> Any:
        return self.wiring.sink  # the loopback SMTP server playing the mail provider

    @property
    def upstream(self) -> Any:
        return self.wiring.upstream  # the fake RapidAPI endpoints, serving the scenario's posts

    def start_runtime(self) -> None:
        """Fork the actor system while the driver listens on nothing: a forked actor keeps
        every descriptor of this process, so an SMTP sink or fake upstream listening now
        would live on in the actors (the port stays taken after the sink stops, and an
        `smtp_down` ends in "address already in use"). The servers come back once forked."""
        from cicero.actors.system import start_runtime

        if self.recorder is not None:
            self.recorder.release()  # its database connection too
        sink_up = self.sink is not None and self.sink.up
        self.wiring.stop_services()
        try:
            self.runtime = start_runtime(self.settings, self.wiring.registry, self.wiring.children)
        finally:
            if sink_up:
                self.sink.start()
            if self.upstream is not None:
                self.upstream.start()
        self.wait_all_running()

    def kill_runtime(self) -> None:
        """SIGKILL every process of the runtime (not the database), as `kill -9` would."""
        victims = [p for p in psutil.Process().children(recursive=True) if is_actor_process(p)]
        for proc in victims:
            with contextlib.suppress(psutil.Error):
                proc.send_signal(signal.SIGKILL)
        psutil.wait_procs(victims, timeout=5)
        reap_zombies()
        self.runtime = None

    def stop_runtime(self) -> None:
        if self.runtime is not None:
            self.runtime.stop(10)
            self.runtime = None

    def directory(self) -> dict[str, Any]:
        reply = self.request(
            self.runtime.root, WhereIs(), lambda r: isinstance(r, Directory), ASK_TIMEOUT
        )
        if not isinstance(reply, Directory):
            raise SimulationError("the root supervisor did not answer")
        return reply.addresses

    def wait_all_running(self, timeout: float = 30) -> dict[str, Any]:
        """Crashed actors come back after a short backoff; time stands still meanwhile."""
        if not self.expected:  # the same children every time: built once (loads the registry)
            self.expected = frozenset(c.name for c in self.wiring.children)
        expected = self.expected
        deadline = time.monotonic() + timeout
        while True:
            addresses = self.directory()
            if expected <= set(addresses):
                return addresses
            status = self.runtime.status(ASK_TIMEOUT) or {}
            if status.get("escalated"):
                raise SimulationError(f"the runtime escalated: {status['escalated']}")
            if time.monotonic() > deadline:
                raise SimulationError(
                    f"actors did not come back: {sorted(expected - set(addresses))}"
                )
            time.sleep(0.01)

    def request(
        self, address: Any, message: Any, accept: Callable[[Any], bool], timeout: float
    ) -> Any:
        """Ask and wait for a reply that `accept`s. The driver's replies all arrive at one
        address: an answer that came after its ask gave up (a slow instant) would otherwise be
        taken for the answer to the next question. Such stale replies are dropped."""
        deadline = time.monotonic() + timeout
        reply = self.runtime.system.ask(address, message, timeout)
        while reply is not None and not accept(reply):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            reply = self.runtime.system.listen(remaining)
        return reply

    def ask(
        self,
        address: Any,
        message: Any,
        accept: Callable[[Any], bool],
        patience: float = ASK_TIMEOUT,
    ) -> Any:
        """Ask an actor; None if it died meanwhile (a crash injected on its next message)."""
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            reply = self.request(address, message, accept, 0.5)
            if reply is not None:
                return reply
            if address not in self.directory().values():
                return None  # it crashed on this message; the caller asks its replacement
        raise SimulationError(f"no answer to {type(message).__name__} within {patience:.0f}s")

    # ---- one instant ----------------------------------------------------------------------
    def settle(self, now: datetime, horizon: datetime | None) -> datetime | None:
        """Pump until nothing moves at `now`; return when something is next due.

        `horizon` is the next moment the world acts (an event, a restart, a link report, the
        end). Sessions may send ahead alone up to the first of that, the next fire time and
        the router's and mailer's next due times: nothing else can happen in between."""
        for _ in range(MAX_ROUNDS):
            addresses = self.wait_all_running()
            idle = self.ask(addresses[CLOCK], Pump(now), _pumped_by(CLOCK, now), CLOCK_PATIENCE)
            if not isinstance(idle, Pumped):
                continue  # the clock crashed while ticking; it is back on the next round
            upcoming = [idle.next_due]
            busy = self.pump(addresses, (ROUTER, MAILER), Pump(now), upcoming)
            ahead = [t for t in (horizon, *upcoming) if t is not None and t > now]
            sessions = tuple(n for n in addresses if is_session_actor(n))
            send_ahead = Pump(now, min(ahead, default=None))
            ready: dict[str, bool] = {}
            busy = self.pump(addresses, sessions, send_ahead, upcoming, ready) or busy
            # A session that came back at this instant tells the clock itself, and that news
            # can reach the clock after this round's tick: then the clock would act on it only
            # at the next instant, when a fire time owed to the session may be past its grace.
            # Until the clock's view of readiness is the sessions' own, tick again at `now`.
            unheard = [n for n, r in ready.items() if r != (n in (idle.ready or ()))]
            if not busy and not unheard:
                # Only what lies ahead: a due time at or before `now` (a row a session cannot
                # send yet) must not hide the next fire time.
                return min((t for t in upcoming if t is not None and t > now), default=None)
        raise SimulationError(f"the runtime did not settle at {now.isoformat()}")

    def pump(
        self,
        addresses: dict[str, Any],
        names: tuple[str, ...],
        pump: Pump,
        upcoming: list[Any],
        ready: dict[str, bool] | None = None,
    ) -> bool:
        """Pump the named actors; adds their next due times to `upcoming` and the sessions'
        readiness to `ready`; True if any moved."""
        busy = False
        for name in names:
            if name not in addresses:
                continue
            pumped = self.ask(addresses[name], pump, _pumped_by(name, pump.now))
            if isinstance(pumped, Pumped):
                busy = busy or pumped.busy
                upcoming.append(pumped.next_due)
                if ready is not None and pumped.ready is not None:
                    session = session_of(name)
                    ready[session] = session in pumped.ready
            else:
                busy = True  # it crashed; pump again once it is back
        return busy

    # ---- events ------------------------------------------------------------------------------
    def on_mail(self, mail: Any) -> None:
        line = {
            "t": self.now,
            "type": "email",
            "to": mail.to,
            "subject": mail.subject,
            "key": mail.key,
        }
        self.faults.append(line)
        self.mailbox[mail.to.lower()] = mail.body

    def typed(self, message: ev.EvMessage) -> ev.EvMessage:
        """A `code_from` message as the person types it: the code of their latest mail, or the
        text as written (a code that cannot be right) when none has arrived."""
        if message.code_from is None:
            return message
        found = OTP_IN_MAIL.search(self.mailbox.get(message.code_from, ""))
        if found is None:
            return message
        return replace(message, text=message.text.replace(ev.CODE_SLOT, found.group(0)))

    def smtp_tick(self, now: datetime) -> None:
        if self.smtp_back_at is not None and now >= self.smtp_back_at:
            self.sink.start()
            self.smtp_back_at = None

    def http(self, event: ev.EvHttp) -> None:
        """Send the request to the runtime's web server once it knows the event's instant, and
        write what it answered (`http` line)."""
        from cicero.sim.http import call, fill

        line: dict[str, Any] = {"t": event.at, "type": "http", "method": event.method,
                                "path": event.path, "id": event.request_id}  # fmt: skip
        if self.runtime is None:
            self.faults.append({**line, "status": 0, "body": "no answer: the process is down"})
            return
        addresses = self.wait_all_running()
        self.ask(addresses[WEB], Pump(event.at), _pumped_by(WEB, event.at))  # it has started
        runtime = self.settings.config.runtime
        status, body = call(
            f"http://{runtime.web_host}:{runtime.web_port}",
            replace(event, path=fill(event.path, self.saved)),
            self.saved,
        )
        self.faults.append({**line, "status": status, "body": body})
        if event.save and isinstance(body, dict) and isinstance(body.get("token"), str):
            self.saved[event.save] = body["token"]

    def apply(self, event: ev.Event) -> None:
        if isinstance(event, ev.EvHttp):
            self.http(event)
            return
        if isinstance(event, ev.EvUpstreamFault):
            until = event.until
            self.upstream.add_fault(
                Fault(event.platform, FaultKind(event.fault.value), event.endpoint, event.count, until)
            )
            return
        if isinstance(event, ev.EvSmtpDown):
            self.sink.stop()
            self.smtp_back_at = event.until
            self.fault(event.at, "smtp", f"refusing connections until {event.until.isoformat()}")
            return
        if isinstance(event, ev.EvKillProcess):
            self.fault(event.at, "process", "killed with SIGKILL")
            self.kill_runtime()
            self.down_until = event.restart_at
            return
        if isinstance(event, ev.EvMessage) and self.runtime is None:
            self.held.append(event)  # WhatsApp holds it for the device until it connects
            return
        if isinstance(event, _LineEvent):
            until = getattr(event, "until", None)
            self.db(save_line, event.session, _LINE_STATE[type(event)], until)
        if self.runtime is None:
            return
        addresses = self.wait_all_running()
        if isinstance(event, ev.EvCrashActor):
            address = addresses.get(event.actor)
            if address is None:
                self.fault(event.at, event.actor, "no such actor to crash")
                return
            self.runtime.system.tell(address, CrashNext())
            self.fault(event.at, event.actor, "crash injected")
            return
        if isinstance(event, ev.EvMessage):
            event = self.typed(event)
        command = _command(event)
        if command is not None and isinstance(event, _SessionEvent):  # each command's is
            address = addresses.get(session_actor(event.session))
            if address is None:  # the parser refuses unknown sessions; never a traceback here
                self.fault(event.at, session_actor(event.session), "no such session actor")
                return
            self.runtime.system.tell(address, command)

    def deliver_held(self) -> None:
        held, self.held = self.held, []
        for message in held:
            self.apply(message)

    def record(self) -> None:
        """Append to the transcript what happened up to `now`."""
        assert self.recorder is not None
        self.recorder.flush(self.now, self.faults, self.upstream.fake.faults.served)

    def fault(self, at: datetime, where: str, what: str) -> None:
        self.faults.append({"t": at, "type": "fault", "where": where, "what": what})

    def db(self, fn: Any, *args: Any) -> Any:
        async def go() -> Any:
            conn = await connect(self.url)
            try:
                return await fn(conn, *args)
            finally:
                await conn.close()

        return asyncio.run(go())


# The events that change a line's stored state, and those told to a session actor.
_LineEvent = (
    ev.EvSessionLost | ev.EvSessionReady | ev.EvSessionLoggedOut | ev.EvSessionBanned
    | ev.EvSessionPaired
)  # fmt: skip
_SessionEvent = _LineEvent | ev.EvSendFailures | ev.EvMessage
_LINE_STATE: dict[type[ev.Event], str] = {
    ev.EvSessionLost: "down",
    ev.EvSessionReady: "ready",
    ev.EvSessionLoggedOut: "logged_out",
    ev.EvSessionBanned: "banned",
    ev.EvSessionPaired: "ready",
}


def _command(event: ev.Event) -> SimCommand | None:
    if isinstance(event, ev.EvSessionLost):
        return SimCommand("lose")
    if isinstance(event, ev.EvSessionReady):
        return SimCommand("restore")
    if isinstance(event, ev.EvSessionLoggedOut):
        return SimCommand("log_out")
    if isinstance(event, ev.EvSessionBanned):
        return SimCommand("ban", {"until": event.until})
    if isinstance(event, ev.EvSessionPaired):
        return SimCommand("pair")
    if isinstance(event, ev.EvSendFailures):
        return SimCommand("fail_next_sends", {"count": event.count})
    if isinstance(event, ev.EvMessage):
        return SimCommand(
            "deliver",
            {"from": event.sender, "text": event.text, "chat": event.chat, "id": event.message_id},
        )
    return None


# ---- the run -------------------------------------------------------------------------------


def run(
    scenario: Scenario, settings: Settings, url: str, out: Path, registry: str = DEFAULT_REGISTRY
) -> None:
    """Play `scenario` on the database at `url`; write its transcript to `out`. Raises
    `cicero.bootstrap.Refused` for adapters that cannot simulate (neonize)."""
    from cicero.sim.record import Recorder

    world = World(scenario, url)
    settings = with_database(settings, url)
    world.wiring = bootstrap(
        settings,
        choose(settings, Mode.SIMULATE),
        registry=registry,
        scenario=scenario,
        on_mail=world.on_mail,
    )
    settings = world.settings
    world.links = list(scenario.link_reports)

    async def prepare() -> None:
        conn = await connect(url)
        try:
            await migrate(conn)
            await seed(conn, scenario, settings.config)
            for name in settings.config.sessions:
                state = str(scenario.sessions.get(name, "ready"))
                await save_line(conn, name, state)
        finally:
            await conn.close()

    asyncio.run(prepare())
    recorder = world.recorder = Recorder(url, out)
    now = scenario.start
    world.start_runtime()  # forks while the driver listens on nothing; then the fake upstream
    world.sink.start()
    try:
        while True:
            world.time.set(now)
            world.smtp_tick(now)
            for event in scenario.events_between(now, now + timedelta(microseconds=1)):
                world.apply(event)
            if world.runtime is None:
                if world.down_until is not None and world.down_until <= now:
                    world.fault(now, "process", "restarted on the same database")
                    world.start_runtime()
                    world.down_until = None
                    world.deliver_held()
                else:
                    world.record()
                    candidates = [scenario.next_event_at(now), world.down_until, world.smtp_back_at]
                    resume = _advance(now, candidates, scenario.end)
                    if resume is None:
                        break
                    now = resume
                    continue
            if any(r.at <= now for r in world.links):
                world.links = world.db(report_links, world.links, now)
            next_link = min((r.at for r in world.links), default=None)
            outside = [scenario.next_event_at(now), world.down_until, world.smtp_back_at, next_link]
            horizon = min((t for t in outside if t is not None), default=scenario.end)
            next_due = world.settle(now, min(horizon, scenario.end))
            world.record()  # what happened at `now`, written now
            upcoming = [*outside, next_due]
            nxt = _advance(now, upcoming, scenario.end)
            if nxt is None:
                break
            now = nxt
    except BaseException:
        recorder.release()  # the lines so far stay; no `end` line: the run did not reach it
        raise
    finally:
        world.stop_runtime()
        world.wiring.close()
    recorder.finish(scenario.end)


def _pumped_by(name: str, now: datetime) -> Callable[[Any], bool]:
    return lambda reply: isinstance(reply, Pumped) and reply.name == name and reply.now == now


def _advance(now: datetime, candidates: list[datetime | None], end: datetime) -> datetime | None:
    later = [t for t in candidates if t is not None and t > now]
    nxt = min(later, default=None)
    if nxt is None or nxt > end:
        return None if now >= end else end
    return nxt

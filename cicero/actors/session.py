"""A WhatsApp session actor: owns one transport, drives the session state machine,
reports readiness, records incoming messages in the inbox and drains its outbox.

A leaf: with neonize it owns foreign threads (events arrive through a queue and a
pipe watched with ThespianWatch), so it creates no children. One process per
session, made a singleton by a PostgreSQL advisory lock held for its whole life.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from thespian.actors import ThespianWatch, WatchMessage

from cicero.actors.base import CiceroActor
from cicero.actors.messages import (
    InboxNew,
    OutboxNew,
    SessionLost,
    SessionReady,
    Start,
    StatusReport,
)
from cicero.actors.ports import Due
from cicero.actors.session_pacing import DRAIN_BATCH, Pacer, Pacing, queued
from cicero.actors.session_pairing import Pairing
from cicero.config.schema import parse_duration
from cicero.db import inbox, outbox
from cicero.domain.delivery import session as machine
from cicero.domain.delivery.failures import Failure, after_send_failure
from cicero.domain.delivery.outbox import message_id_for, takeover
from cicero.domain.delivery.send_window import plan_window
from cicero.domain.delivery.throttle import OFF, Bucket, ThrottleConfig, cost_of
from cicero.domain.people.phones import Jid, JidError, mask_phone, parse_recipient
from cicero.domain.runtime.names import CLOCK, ROUTER, session_of
from cicero.domain.runtime.series import WA_INBOUND, WA_SEND, WA_SEND_SECONDS, word
from cicero.domain.text.storable import storable
from cicero.whatsapp.transport import (
    NotReady,
    RecipientInvalid,
    SendFailed,
    TransportFactory,
    TransportHost,
    WhatsAppTransport,
)

POLL = timedelta(seconds=1)
KEEPALIVE_EVERY = timedelta(seconds=30)
EXIT_GRACE_S = 1.0  # a process left with neonize's stuck call ends this long after on_stop
LOSSES_KEPT = 10  # the latest losses of `ready`, for /healthz's "keeps dropping"


def _exit_after(seconds: float) -> None:
    time.sleep(seconds)
    os._exit(0)


class StateChanges:
    """What this incarnation saw: transitions counted by (from, to), and when it last left
    `ready` (a session that keeps dropping is a problem even while it is ready)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.losses: list[str] = []

    def note(self, before: machine.Session, after: machine.Session) -> None:
        key = f"{before.state.value}>{after.state.value}"
        self.counts[key] = self.counts.get(key, 0) + 1
        if before.state is machine.SessionState.READY and after.since is not None:
            self.losses = [*self.losses[-(LOSSES_KEPT - 1) :], after.since.isoformat()]

    def report(self) -> dict[str, Any]:
        return {"transitions": dict(self.counts), "losses": list(self.losses)}


@dataclass(frozen=True)
class SessionOptions:
    transport: TransportFactory  # the bootstrap's choice: neonize or the simulated network
    seed: int = 0  # of its jitter (reconnect delays, throttle): a scenario's, in a simulation
    throttle: bool = True  # False only for benchmarks of the send path
    draw_qr: bool = True  # QR codes drawn in the terminal (cicero run's; nobody scans a scenario's)


class SessionActor(Pairing, CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.session = ""
        self.options: SessionOptions | None = None
        self.state = machine.initial(self.clock.now())
        self.transport: WhatsAppTransport | None = None
        self.pacer: Pacer | None = None  # paced send windows, when running ahead alone
        self.events: queue.Queue[Any] = queue.Queue()
        self.pipe: tuple[int, int] | None = None
        self.lock_conn: asyncpg.Connection | None = None
        self.bucket = Bucket()
        self.rng = random.Random()
        self.next_keepalive: datetime | None = None
        self.busy = False
        self._init_pairing()
        self.next_takeover: datetime | None = None  # when a sender fallback may next apply
        self._held: Any = None  # the connection a drain holds
        self.changes = StateChanges()  # for /healthz and /metrics

    # Set by on_start; every other handler runs after it (CiceroActor holds earlier messages).
    @property
    def started_transport(self) -> WhatsAppTransport:
        if self.transport is None:
            raise RuntimeError(f"session {self.session}: no transport before its start")
        return self.transport

    @property
    def started_pacer(self) -> Pacer:
        if self.pacer is None:
            raise RuntimeError(f"session {self.session}: no pacer before its start")
        return self.pacer

    @property
    def started_options(self) -> SessionOptions:
        if self.options is None:
            raise RuntimeError(f"session {self.session}: no options before its start")
        return self.options

    # ---- start ------------------------------------------------------------------
    def on_start(self, message: Start) -> None:
        assert self.settings is not None
        self.options = message.extra
        self.session = session_of(message.name)
        cfg = self.settings.config.sessions[self.session]
        assert isinstance(self.options, SessionOptions), "a session needs its transport"
        self.bucket = (
            Bucket(OFF)
            if not self.options.throttle
            else Bucket(
                ThrottleConfig(cfg.throttle_per_minute, max(cfg.burst, 2), 2.0, cfg.jitter_s)
            )
        )
        self.rng = random.Random(f"{self.options.seed}:{self.session}")
        self.state = machine.initial(self.clock.now())
        if not self.run(self._lock()):
            raise RuntimeError(
                f"session {self.session} is already running elsewhere (advisory lock held)"
            )
        host = TransportHost(
            self.session, self.settings.env.data_dir, self.clock.now, self.run, self._update
        )
        self.transport = self.options.transport.build(host)
        self.pacer = Pacer(self.session, self.transport, self.clock, self._sql)
        recovered = self.run(self._recover())
        if recovered:
            self.log.warning("%d row(s) left sending by a crash were recovered", recovered)
        self.log.info("session %s: starting (%s)", self.session, self.options.transport.kind)
        self._log_state()
        if self.transport.foreign_threads:
            self.pipe = os.pipe()  # it calls the sink from its own threads
            os.set_blocking(self.pipe[0], False)
        self.transport.start(self._sink)
        self._process_events()
        self.clock.attach(self, POLL)

    async def _lock(self) -> bool:
        from cicero.db.connect import connect

        assert self.database_url is not None
        self.lock_conn = await connect(self.database_url)
        return bool(
            await self.lock_conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext($1))", f"wa:{self.session}"
            )
        )

    async def _recover(self) -> int:
        async with (await self.pool()).acquire() as conn:
            caller_id = self.started_transport.accepts_caller_id
            return await outbox.recover(conn, self.session, caller_id)

    # ---- the foreign-thread bridge -------------------------------------------------
    def _sink(self, event: machine.TransportEvent) -> None:
        # May run on a neonize thread: enqueue plain data and wake the actor, nothing else.
        self.events.put(event)
        if self.pipe is not None:
            with contextlib.suppress(OSError):  # a full pipe already wakes the actor
                os.write(self.pipe[1], b"!")

    def receiveMessage(self, message: Any, sender: Any) -> Any:
        super().receiveMessage(message, sender)
        # Returned on every path, or events from neonize's threads would stop flowing.
        if self.pipe is not None and not self._crashed:
            return ThespianWatch([self.pipe[0]])
        return None

    def receiveMsg_WatchMessage(self, message: WatchMessage, sender: Any) -> None:
        if self.pipe is not None:
            with contextlib.suppress(BlockingIOError):
                os.read(self.pipe[0], 4096)
        self._process_events()

    def _process_events(self) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, machine.Incoming):
                self._incoming(event)
                self._feed(machine.Heartbeat())
            else:
                self._feed(event)

    # ---- the state machine -------------------------------------------------------------
    def _feed(self, event: machine.Event) -> None:
        before = self.state
        self.state, effects = machine.handle(self.state, event, self.clock.now(), self.rng.random())
        for effect in effects:
            self._perform(effect)
        if before.state != self.state.state:
            self.changes.note(before, self.state)
            self._say_state(before)
            self._log_state()
            self.busy = True
        elif self.state.state in machine.FAILING and not machine.same_failure(
            self.state.reason, before.reason
        ):
            self._say_state(before)  # a reconnect loop whose failure changed: said once

    def _perform(self, effect: machine.Effect) -> None:
        if isinstance(effect, machine.ReportReady):
            self._refuse_pending_pair(f"session {self.session} is paired already and ready")
            self._tell_clock(SessionReady(self.session))
            self.send(self.myAddress, OutboxNew())
        elif isinstance(effect, machine.ReportLost):
            self._tell_clock(SessionLost(self.session, effect.reason))
        elif isinstance(effect, machine.ScheduleReconnect):
            self.clock.after(timedelta(seconds=effect.delay_s), ("reconnect", effect.token))
        elif isinstance(effect, machine.RestartTransport):
            self._forget_codes()  # a new login window shows new ones
            self.started_transport.stop(5)
            self.started_transport.start(self._sink)
        elif isinstance(effect, machine.StopTransport):
            self._forget_codes()
            self.started_transport.stop(5)
        elif isinstance(effect, machine.AlertOps):
            self.log.error("session %s needs attention: %s", self.session, effect.reason)
        elif isinstance(effect, machine.ShowQr):
            self._show_qr(effect.code)  # says once that pairing waits; codes rotate
        elif isinstance(effect, machine.ShowPairCode):
            self._show_pair_code(effect.code)  # never logs the code itself

    def _tell_clock(self, message: Any) -> None:
        clock = self.directory.get(CLOCK)
        if clock is not None:
            self.send(clock, message)

    def receiveMsg_Directory(self, message: Any, sender: Any) -> None:
        super().receiveMsg_Directory(message, sender)
        if machine.is_ready(self.state):  # a restarted clock learns readiness again
            self._tell_clock(SessionReady(self.session))

    def _say_state(self, before: machine.Session) -> None:
        """One log line per change of state, or of the failure a reconnect loop meets; a
        retry that fails the same way says nothing (the terminal must not scroll per retry)."""
        s = self.state
        line = f"session {self.session}: {before.state.value} → {s.state.value}"
        if s.state is before.state:
            line = f"session {self.session}: still {s.state.value}, the failure changed"
        if s.reason:
            line += f" ({s.reason})"
        # A terminal state is also an AlertOps, logged as an error by _perform.
        level = logging.INFO if s.state is machine.SessionState.READY else logging.WARNING
        self.log.log(level, "%s", line)

    def _log_state(self) -> None:
        s = self.state

        async def go() -> None:
            async with (await self.pool()).acquire() as conn:
                await conn.execute(
                    "INSERT INTO session_log (session, state, reason, at) VALUES ($1, $2, $3, $4)",
                    self.session,
                    s.state.value,
                    s.reason,
                    self.clock.now(),
                )

        self.run(go())
        self._report()

    # ---- incoming ------------------------------------------------------------------------
    def _incoming(self, event: machine.Incoming) -> None:
        sender = event.sender_phone or (str(event.sender_lid) if event.sender_lid else "")
        record = inbox.InboxMessage(
            session=self.session,
            message_id=storable(event.message_id),
            chat=str(event.chat),
            sender=sender,
            is_group=event.is_group,
            text=storable(event.text),
            push_name=storable(event.push_name or ""),
            received_at=event.at,
        )

        async def go() -> bool:
            async with (await self.pool()).acquire() as conn:
                return await inbox.record(conn, record)

        recorded = self.run(go())
        self.tally.count(WA_INBOUND.name, (self.session, "recorded" if recorded else "duplicate"))
        if recorded:
            self.busy = True
            router = self.directory.get(ROUTER)
            if router is not None:
                self.send(router, InboxNew())
        else:
            self.log.info(
                "redelivered message %s from %s ignored", event.message_id, mask_phone(sender)
            )

    # ---- outgoing --------------------------------------------------------------------------
    def receiveMsg_OutboxNew(self, message: OutboxNew, sender: Any) -> None:
        self.clock.nudge()

    def _drain(self, ahead: bool = False) -> datetime | None:
        """Send what is due now, in order, within the throttle. Returns when to look again.
        Running ahead alone (`ahead`), it paces what it fetches."""
        if not machine.is_ready(self.state):
            return None
        self.run(self._hold())
        try:
            return self._drain_held(ahead)
        finally:
            self.run(self._release())

    def _drain_held(self, ahead: bool) -> datetime | None:
        self.run(self._update(outbox.expire, self.session, self.clock.now()))
        self.run(self._take_over())
        while True:
            rows = self.run(self._update(outbox.due, self.session, self.clock.now(), DRAIN_BATCH))
            if not rows:
                return self.run(self._next_attempt())
            pacing = (
                self.started_pacer.begin(rows, self.bucket, self.next_takeover) if ahead else None
            )
            try:
                done, next_at = self._send_fetched(rows, pacing)
            except BaseException:
                if pacing is not None:  # rows stay `sending`; what the network took is stored
                    pacing.deferral.close()
                raise
            if pacing is not None:
                self.started_pacer.end(pacing)
            if done:
                return next_at

    def _send_fetched(
        self, rows: list[outbox.OutboxRow], pacing: Pacing | None
    ) -> tuple[bool, datetime | None]:
        """Rows fetched at one instant, in windows as the throttle allows. Returns (True,
        when to look again) or, once all of them went, (False, None): fetch again.

        While pacing, the instant the throttle names next is visited here, as a tick of
        `_run_ahead` would visit it, and what `due` would answer there is taken from the
        window's Lineup; `expire` and `_take_over` are not asked either (nothing expires,
        comes due or changes hands before `pacing.stop`). An outcome other than an
        acceptance ends the window after its instant: the outbox changed otherwise.
        """
        while True:
            while rows:
                window = plan_window(
                    self.bucket,
                    [cost_of(row.attachment is not None) for row in rows],
                    self.clock.now(),
                    self.rng.random,
                    self.started_transport.accepts_caller_id,
                )
                if window.size == 0:
                    told = self._pace_to(pacing, window.next_at) if pacing is not None else None
                    if told is None:
                        return True, window.next_at
                    if not machine.is_ready(self.state):
                        return True, None
                    rows = told
                    continue
                self._send_window(rows[: window.size], pacing)
                rows = rows[window.size :]
                if not machine.is_ready(self.state):
                    return True, None
                if pacing is not None and pacing.over:
                    self.started_pacer.end(pacing)
                    pacing = None
            told = (
                self.started_pacer.told(pacing, self.bucket, self.clock.now()) if pacing else None
            )
            if not told:  # fetch again, from the outbox
                return False, None
            rows = told

    async def _take_over(self) -> None:
        """Sender fallback: rows of a kind whose preferred session has been unready long
        enough are taken over by this one, if the chain names it next."""
        assert self.settings is not None
        senders = self.settings.config.senders
        if not any(self.session in chain[1:] for chain in senders.chains.values()):
            return  # first in every chain it is in: it never takes over
        after = parse_duration(senders.fallback_after)
        async with (await self.pool()).acquire() as conn:
            states = await outbox.readiness(conn)
            plan = takeover(self.session, senders.chains, states, self.clock.now(), after)
            self.next_takeover = plan.next_look
            for kind, earlier in plan.moves:
                moved = await outbox.reassign(conn, kind, list(earlier), self.session)
                if moved:
                    self.log.warning(
                        "took over %d %s row(s) from %s", moved, kind, ", ".join(earlier)
                    )

    async def _next_attempt(self) -> datetime | None:
        async with (await self.pool()).acquire() as conn:
            return await outbox.next_attempt_at(conn, self.session)

    def _send_window(self, rows: list[outbox.OutboxRow], pacing: Pacing | None = None) -> None:
        """Send a window of rows (cicero.domain.delivery.send_window): all marked `sending` in one
        statement before the first transport call; the simulated network's records of
        the window written after its last call; then the accepted rows marked `sent` in
        one statement. Failures are stored as they happen. In a paced window the rows
        were claimed when it began, and are stored when it ends."""
        claims: list[tuple[outbox.OutboxRow, Jid, str]] = []
        for row in rows:
            try:
                claims.append((row, parse_recipient(row.recipient), message_id_for(row.key)))
            except JidError as err:
                self.run(self._update(outbox.mark_dead, row.id, f"bad recipient: {err}"))
                if pacing is not None:
                    pacing.over = True
        if not claims:
            return
        held = pacing.claimed if pacing is not None else set()
        ids = [(row.id, message_id) for row, _, message_id in claims if row.id not in held]
        claimed = held | (self.run(self._update(outbox.mark_sending_many, ids)) if ids else set())
        if pacing is not None:
            pacing.claimed = claimed
        claims = [c for c in claims if c[0].id in claimed]  # the others were taken elsewhere
        sent: list[tuple[int, str, datetime]] = []
        with self.started_transport.window():
            for i, (row, to, message_id) in enumerate(claims):
                if not machine.is_ready(self.state):
                    unsent = [r.id for r, _, _ in claims[i:]]
                    self.run(self._update(outbox.release_unsent, unsent))
                    break
                outcome = self._send(row, to, message_id)
                if pacing is not None:
                    pacing.handed.add(row.id)
                    pacing.over = pacing.over or outcome is None
                    pacing.lineup = pacing.lineup.after(queued(row))
                if outcome is not None:
                    sent.append(outcome)
        if pacing is not None:
            pacing.sent.extend(sent)
        else:
            self.run(self._update(outbox.mark_sent_many, sent))

    def _send(
        self, row: outbox.OutboxRow, to: Jid, message_id: str
    ) -> tuple[int, str, datetime] | None:
        """One transport call for a row marked `sending`. A failure is stored at once; an
        acceptance is returned as (row id, message id, sent at) for the window to store."""
        now = self.clock.now()
        caller_id = message_id if self.started_transport.accepts_caller_id else None
        self.busy = True
        started = time.monotonic()  # wall time even in a simulation: the call's own latency
        try:
            if row.attachment is not None:
                receipt = self.started_transport.send_document(
                    to,
                    row.attachment,
                    row.attachment_name or "file",
                    row.attachment_mime or "",
                    row.body or None,
                    caller_id,
                )
            else:
                receipt = self.started_transport.send_text(to, row.body, caller_id)
        except (RecipientInvalid, NotReady, SendFailed) as err:
            self._measure_send(row.kind, err.failure.value, started)
            fate = after_send_failure(
                err.failure, str(err), row.attempts + 1, now, self.rng.random, row.expires_at
            )
            self.run(self._update(outbox.settle_failure, row.id, fate))
            if err.failure is Failure.NOT_READY:
                self._feed(machine.Disconnected())
        else:
            self._measure_send(row.kind, "sent", started)
            self.bucket = self.bucket.take(now, cost_of(row.attachment is not None))
            self._feed(machine.Heartbeat())
            return row.id, receipt.message_id, now
        return None

    def _measure_send(self, kind: str, outcome: str, started: float) -> None:
        seconds = time.monotonic() - started
        self.tally.count(WA_SEND.name, (self.session, word(kind), outcome))
        self.tally.observe(WA_SEND_SECONDS.name, (self.session,), seconds, WA_SEND_SECONDS.bounds)

    def _pace_to(self, pacing: Pacing, at: datetime | None) -> list[outbox.OutboxRow] | None:
        """Move a paced window to its next throttle instant, doing there what a tick of
        `_run_ahead` does before it drains, and return what `due` would answer there; None
        (and not moved) if the window may not go there."""
        if at is None or at >= pacing.stop or not self._may_run_ahead(at):
            return None
        told = self.started_pacer.told(pacing, self.bucket, at)
        if told is not None:
            self.clock.advance(at)
            self._keepalive()
            self._process_events()
        return told

    def _sql(self, fn: Any, *args: Any) -> Any:
        return self.run(self._update(fn, *args))

    async def _update(self, fn: Any, *args: Any) -> Any:
        if self._held is not None:  # inside a drain: one connection for all its statements
            return await fn(self._held, *args)
        async with (await self.pool()).acquire() as conn:
            return await fn(conn, *args)

    async def _hold(self) -> None:
        self._held = await (await self.pool()).acquire()

    async def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await (await self.pool()).release(held)

    # ---- time passing ------------------------------------------------------------------------
    def on_timer(self, payload: Any) -> None:
        if isinstance(payload, tuple) and payload[0] == "reconnect":
            self._feed(machine.ReconnectDue(payload[1]))
        self._process_events()

    def on_due(self) -> Due:
        next_send = self._run_ahead(self._tick())
        moved, self.busy = self.busy, False
        upcoming = [t for t in (next_send, self.next_takeover) if t is not None]
        ready = frozenset({self.session}) if machine.is_ready(self.state) else frozenset()
        return Due(moved, min(upcoming, default=None), ready)

    def _tick(self, ahead: bool = False) -> datetime | None:
        self._keepalive()
        self._process_events()
        self._expire_pending_pair()
        next_send = self._drain(ahead)
        self._report()
        return next_send

    def _keepalive(self) -> None:
        now = self.clock.now()
        if self.next_keepalive is None or now >= self.next_keepalive:
            if self.started_transport.alive:
                self._feed(machine.Heartbeat())
            self._feed(machine.KeepaliveCheck())
            self.next_keepalive = now + KEEPALIVE_EVERY

    def _run_ahead(self, next_send: datetime | None) -> datetime | None:
        """Alone up to the clock's horizon: send what the throttle allows, each at its own
        instant, as if the clock visited them one by one. Stops before anything else of this
        session is due (a timer, a takeover) and when it is not ready."""
        moved = self.busy  # only what happened at the first instant asks for another look
        while next_send is not None and self._may_run_ahead(next_send):
            self.clock.advance(next_send)
            next_send = self._tick(ahead=True)
        self.busy = moved
        return next_send

    def _may_run_ahead(self, at: datetime) -> bool:
        horizon = self.clock.horizon()
        return (
            horizon is not None
            and self.clock.now() < at < horizon
            and (self.next_takeover is None or self.next_takeover > at)
            and machine.is_ready(self.state)
        )

    # ---- ops -------------------------------------------------------------------------------------
    def request_pairing(self) -> None:
        """Ops ask for a new login window (a number to link again): the machine decides."""
        self._feed(machine.PairRequested())
        self._process_events()

    def process_events(self) -> None:
        """Handle what the transport reported meanwhile (from this actor's own thread)."""
        self._process_events()

    # ---- status and exit ------------------------------------------------------------------------
    def _report(self) -> None:
        if self.supervisor is None:
            return
        s = self.state
        self.send(
            self.supervisor,
            StatusReport(
                self.name,
                {
                    "session": self.session,
                    "state": s.state.value,
                    "reason": s.reason,
                    "since": s.since.isoformat() if s.since else "",
                    "terminal": s.state in machine.TERMINAL,
                    # Which reconnect, banned until: /healthz's and /status's words.
                    "attempt": s.attempt,
                    "until": s.until.isoformat() if s.until else "",
                    **self.changes.report(),
                    "jid": mask_phone(str(s.jid)) if s.jid else "",
                    "transport": self.options.transport.kind if self.options else "",
                    "stalled": s.stalled,  # keepalive lost, the library is retrying
                    **self._pairing_report(),
                },
            ),
        )

    def on_stop(self) -> None:
        self._abandon_pending_pair()
        if self.transport is not None:
            self.transport.stop(5)
            if getattr(self.transport, "stuck", False):
                # neonize's connect thread is non-daemon and never ends (a stopped login
                # window): at its end the process would wait for it forever, holding a
                # second WhatsApp client. It ends itself once Thespian has told the parent
                # and sent what this actor still had to send (an abrupt exit here could
                # leave the actor system's shutdown waiting).
                self.log.warning("session %s: neonize left a call behind; the process ends "
                                 "in %.0f s", self.session, EXIT_GRACE_S)  # fmt: skip
                threading.Thread(target=_exit_after, args=(EXIT_GRACE_S,), daemon=True).start()
        if self.lock_conn is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.run_until_complete(self.lock_conn.close())
        if self.pipe is not None:
            for fd in self.pipe:
                os.close(fd)

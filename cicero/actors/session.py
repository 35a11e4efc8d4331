"""A WhatsApp session actor: owns one transport, drives the session state machine,
reports readiness, records incoming messages in the inbox and drains its outbox.

A leaf: with neonize it owns foreign threads (events arrive through a queue and a
pipe watched with ThespianWatch), so it creates no children. One process per
session, made a singleton by a PostgreSQL advisory lock held for its whole life.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import queue
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from thespian.actors import ThespianWatch, WakeupMessage, WatchMessage

from cicero.actors.base import CiceroActor
from cicero.actors.messages import (
    InboxNew,
    OutboxNew,
    Pump,
    Pumped,
    SessionLost,
    SessionReady,
    SimCommand,
    Start,
    StatusReport,
)
from cicero.actors.session_pacing import DRAIN_BATCH, PacedWindows, Pacing, queued
from cicero.actors.session_pairing import Pairing
from cicero.config.schema import parse_duration
from cicero.db import inbox, outbox
from cicero.domain.delivery import session as machine
from cicero.domain.delivery.outbox import Retry, after_failure, choose_sender, message_id_for
from cicero.domain.delivery.send_window import plan_window
from cicero.domain.delivery.throttle import OFF, Bucket, ThrottleConfig, cost_of
from cicero.domain.people.phones import Jid, JidError, mask_phone, parse_recipient
from cicero.domain.text.storable import storable
from cicero.domain.timezone import WIB
from cicero.whatsapp.transport import NotReady, RecipientInvalid, SendFailed, SendOutcomeUnknown

POLL = timedelta(seconds=1)
KEEPALIVE_EVERY = timedelta(seconds=30)
EXIT_GRACE_S = 1.0  # a process left with neonize's stuck call ends this long after on_stop


def _exit_after(seconds: float) -> None:
    time.sleep(seconds)
    os._exit(0)


@dataclass(frozen=True)
class SessionOptions:
    transport: str = "simulator"  # simulator | neonize
    virtual: bool = False
    phone: str = "6281100000000"  # the simulated number
    seed: int = 0
    initial: str = "ready"  # the simulated line's state when nothing is stored
    start: datetime | None = None  # virtual time at start (simulation)
    throttle: bool = True  # False only for benchmarks of the send path
    # "module:function(session, data_dir)" returning how to import neonize; tests put a
    # stand-in for its Go library there. Empty: the real neonize.
    neonize_loader: str = ""


class SessionActor(Pairing, PacedWindows, CiceroActor):
    def __init__(self) -> None:
        super().__init__()
        self.session = ""
        self.options = SessionOptions()
        self.state = machine.initial(datetime.now(WIB))
        self.transport: Any = None
        self.events: queue.Queue[Any] = queue.Queue()
        self.pipe: tuple[int, int] | None = None
        self.lock_conn: asyncpg.Connection | None = None
        self.bucket = Bucket(OFF) if not self.options.throttle else Bucket()
        self.rng = random.Random()
        self.virtual_now: datetime | None = None
        self.timers: dict[int, datetime] = {}  # reconnect token -> due (virtual time)
        self.next_keepalive: datetime | None = None
        self.busy = False
        self._init_pairing()
        self.next_takeover: datetime | None = None  # when a sender fallback may next apply
        self._held: Any = None  # the connection a drain holds
        self._deliveries: Any = None  # the simulated network's delivery log (simulator only)

    # ---- time -----------------------------------------------------------------
    def now(self) -> datetime:
        if self.options.virtual:
            assert self.virtual_now is not None
            return self.virtual_now
        return datetime.now(WIB)

    # ---- start ------------------------------------------------------------------
    def on_start(self, message: Start) -> None:
        assert self.settings is not None
        self.options = message.extra or SessionOptions()
        self.session = message.name.removeprefix("session:")
        if self.options.virtual:
            # A replacement after an injected crash begins at the driver's instant of the crash.
            restarted_at = self.run(self._stored_clock())
            begun = [t for t in (self.options.start, restarted_at) if t is not None]
            self.virtual_now = max(begun) if begun else datetime.now(WIB)
        cfg = self.settings.config.sessions[self.session]
        self.bucket = (
            Bucket(OFF)
            if not self.options.throttle
            else Bucket(
                ThrottleConfig(cfg.throttle_per_minute, max(cfg.burst, 2), 2.0, cfg.jitter_s)
            )
        )
        self.rng = random.Random(f"{self.options.seed}:{self.session}")
        self.state = machine.initial(self.now())
        if not self.run(self._lock()):
            raise RuntimeError(
                f"session {self.session} is already running elsewhere (advisory lock held)"
            )
        self.transport = self._build_transport()
        recovered = self.run(self._recover())
        if recovered:
            self.log.warning("%d row(s) left sending by a crash were recovered", recovered)
        self._log_state()
        if self.options.transport == "neonize":
            self.pipe = os.pipe()  # neonize calls the sink from its own threads
            os.set_blocking(self.pipe[0], False)
        self.transport.start(self._sink)
        self._process_events()
        if not self.options.virtual:
            self.wakeupAfter(POLL, payload="poll")

    async def _stored_clock(self) -> datetime | None:
        from cicero.sim.whatsapp.store import load_clock

        async with (await self.pool()).acquire() as conn:
            return await load_clock(conn)

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
            return await outbox.recover(conn, self.session, self.transport.accepts_caller_id)

    def _build_transport(self) -> Any:
        if self.options.transport == "neonize":
            # This module imports no neonize; the transport does, in this process only.
            from cicero.whatsapp.neonize_transport import (
                NeonizeTransport,
                load_neonize,
                sqlite_store,
            )

            assert self.settings is not None
            data_dir = self.settings.env.data_dir
            load = load_neonize
            if self.options.neonize_loader:
                module, _, name = self.options.neonize_loader.partition(":")
                load = getattr(importlib.import_module(module), name)(self.session, data_dir)
            return NeonizeTransport(self.session, sqlite_store(data_dir, self.session), load=load)
        from cicero.sim.whatsapp.store import DbDeliveryLog, apply_line, load_line
        from cicero.sim.whatsapp.transport import SimulatedNetwork, SimulatedTransport

        self._deliveries = DbDeliveryLog(self.run, self._update, self.session)
        network = SimulatedNetwork(log=self._deliveries)
        transport = SimulatedTransport(
            self.session,
            network,
            self.options.phone,
            self.now,
            seed=self.options.seed,
            initial=self.options.initial,
        )

        async def stored() -> Any:
            async with (await self.pool()).acquire() as conn:
                return await load_line(conn, self.session)

        apply_line(transport.line, self.run(stored()))
        return transport

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
        self.state, effects = machine.handle(self.state, event, self.now(), self.rng.random())
        for effect in effects:
            self._perform(effect)
        if (before.state, before.reason) != (
            self.state.state,
            self.state.reason,
        ) and before.state != self.state.state:
            self._log_state()
            self.busy = True

    def _perform(self, effect: machine.Effect) -> None:
        if isinstance(effect, machine.ReportReady):
            self._refuse_pending_pair(f"session {self.session} is paired already and ready")
            self._tell_clock(SessionReady(self.session))
            self.send(self.myAddress, OutboxNew())
        elif isinstance(effect, machine.ReportLost):
            self._tell_clock(SessionLost(self.session, effect.reason))
        elif isinstance(effect, machine.ScheduleReconnect):
            if self.options.virtual:
                self.timers[effect.token] = self.now() + timedelta(seconds=effect.delay_s)
            else:
                self.wakeupAfter(
                    timedelta(seconds=effect.delay_s), payload=("reconnect", effect.token)
                )
        elif isinstance(effect, machine.RestartTransport):
            self._forget_codes()  # a new login window shows new ones
            self.transport.stop(5)
            self.transport.start(self._sink)
        elif isinstance(effect, machine.StopTransport):
            self._forget_codes()
            self.transport.stop(5)
        elif isinstance(effect, machine.AlertOps):
            self.log.error("session %s needs attention: %s", self.session, effect.reason)
        elif isinstance(effect, machine.ShowQr):
            self._show_qr(effect.code)
        elif isinstance(effect, machine.ShowPairCode):
            self._show_pair_code(effect.code)

    def _tell_clock(self, message: Any) -> None:
        clock = self.directory.get("clock")
        if clock is not None:
            self.send(clock, message)

    def receiveMsg_Directory(self, message: Any, sender: Any) -> None:
        super().receiveMsg_Directory(message, sender)
        if machine.is_ready(self.state):  # a restarted clock learns readiness again
            self._tell_clock(SessionReady(self.session))

    def _log_state(self) -> None:
        s = self.state

        async def go() -> None:
            async with (await self.pool()).acquire() as conn:
                await conn.execute(
                    "INSERT INTO session_log (session, state, reason, at) VALUES ($1, $2, $3, $4)",
                    self.session,
                    s.state.value,
                    s.reason,
                    self.now(),
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

        if self.run(go()):
            self.busy = True
            router = self.directory.get("router")
            if router is not None:
                self.send(router, InboxNew())
        else:
            self.log.info(
                "redelivered message %s from %s ignored", event.message_id, mask_phone(sender)
            )

    # ---- outgoing --------------------------------------------------------------------------
    def receiveMsg_OutboxNew(self, message: OutboxNew, sender: Any) -> None:
        if not self.options.virtual:
            self._drain()

    def _drain(self, until: datetime | None = None) -> datetime | None:
        """Send what is due now, in order, within the throttle. Returns when to look again.
        Running ahead alone until `until` (simulation), it paces what it fetches."""
        if not machine.is_ready(self.state):
            return None
        self.run(self._hold())
        try:
            return self._drain_held(until)
        finally:
            self.run(self._release())

    def _drain_held(self, until: datetime | None) -> datetime | None:
        self.run(self._update(outbox.expire, self.session, self.now()))
        self.run(self._take_over())
        while True:
            rows = self.run(self._update(outbox.due, self.session, self.now(), DRAIN_BATCH))
            if not rows:
                return self.run(self._next_attempt())
            pacing = self._begin_pacing(rows, until)
            try:
                done, next_at = self._send_fetched(rows, pacing)
            except BaseException:
                if pacing is not None:  # rows stay `sending`; what the network took is stored
                    pacing.deferral.close()
                raise
            if pacing is not None:
                self._end_pacing(pacing)
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
                    self.now(),
                    self.rng.random,
                    self.transport.accepts_caller_id,
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
                    self._end_pacing(pacing)
                    pacing = None
            told = self._told(pacing, self.now()) if pacing is not None else None
            if not told:  # fetch again, from the outbox
                return False, None
            rows = told

    async def _take_over(self) -> None:
        """Sender fallback: rows of a kind whose preferred session has been unready long
        enough are taken over by this one, if the chain names it next."""
        assert self.settings is not None
        senders = self.settings.config.senders
        chains = {
            kind: chain for kind, chain in senders.chains.items() if self.session in chain[1:]
        }
        if not chains:
            return
        async with (await self.pool()).acquire() as conn:
            states = await outbox.readiness(conn)
            ready = {name for name, (state, _) in states.items() if state == "ready"}
            unready_since = {name: at for name, (state, at) in states.items() if state != "ready"}
            after = parse_duration(senders.fallback_after)
            waits = [
                unready_since[name] + after
                for chain in chains.values()
                for name in chain[: chain.index(self.session)]
                if name in unready_since and unready_since[name] + after > self.now()
            ]
            self.next_takeover = min(waits, default=None)
            for kind, chain in chains.items():
                chosen = choose_sender(
                    kind,
                    chains,
                    ready,
                    unready_since,
                    self.now(),
                    parse_duration(senders.fallback_after),
                )
                if chosen == self.session:
                    earlier = list(chain[: chain.index(self.session)])
                    moved = await outbox.reassign(conn, kind, earlier, self.session)
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
        with self._deliveries.deferred() if self._deliveries else contextlib.nullcontext():
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
        now = self.now()
        caller_id = message_id if self.transport.accepts_caller_id else None
        self.busy = True
        try:
            if row.attachment is not None:
                receipt = self.transport.send_document(
                    to,
                    row.attachment,
                    row.attachment_name or "file",
                    row.attachment_mime or "",
                    row.body or None,
                    caller_id,
                )
            else:
                receipt = self.transport.send_text(to, row.body, caller_id)
        except RecipientInvalid as err:
            self.run(self._update(outbox.mark_dead, row.id, str(err)))
        except NotReady as err:
            self.run(self._update(outbox.mark_retry, row.id, now, f"not ready: {err}"))
            self._feed(machine.Disconnected())
        except SendOutcomeUnknown as err:
            self.run(self._update(outbox.mark_in_doubt, row.id, str(err)))
        except SendFailed as err:
            decision = after_failure(
                row.attempts + 1, err.retryable, str(err), now, self.rng.random(), row.expires_at
            )
            if isinstance(decision, Retry):
                self.run(self._update(outbox.mark_retry, row.id, decision.at, str(err)))
            else:
                self.run(self._update(outbox.mark_dead, row.id, decision.reason))
        else:
            self.bucket = self.bucket.take(now, cost_of(row.attachment is not None))
            self._feed(machine.Heartbeat())
            return row.id, receipt.message_id, now
        return None

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
    def receiveMsg_WakeupMessage(self, message: WakeupMessage, sender: Any) -> None:
        payload = message.payload
        if isinstance(payload, tuple) and payload[0] == "reconnect":
            self._feed(machine.ReconnectDue(payload[1]))
        elif payload == "poll":
            self._tick()
            self.wakeupAfter(POLL, payload="poll")
        self._process_events()

    def _tick(self, until: datetime | None = None) -> datetime | None:
        self._keepalive()
        self._process_events()
        self._expire_pending_pair()
        next_send = self._drain(until)
        self._report()
        return next_send

    def _keepalive(self) -> None:
        now = self.now()
        if self.next_keepalive is None or now >= self.next_keepalive:
            if self.transport.alive:
                self._feed(machine.Heartbeat())
            self._feed(machine.KeepaliveCheck())
            self.next_keepalive = now + KEEPALIVE_EVERY

    def receiveMsg_Pump(self, message: Pump, sender: Any) -> None:
        if self.transport is None:  # a pump that overtook Start: busy, ask again
            self.send(sender, Pumped(self.name, True, None))
            return
        # Never backwards: a session that ran ahead may be past the driver's instant.
        self.virtual_now = max(self.virtual_now or message.now, message.now)
        self.busy = False
        for token, due in sorted(self.timers.items()):
            if due <= message.now:
                del self.timers[token]
                self._feed(machine.ReconnectDue(token))
                self._process_events()
        next_send = self._run_ahead(self._tick(), message.until)
        upcoming = [
            t for t in (next_send, *self.timers.values(), self.next_takeover) if t is not None
        ]
        ready = machine.is_ready(self.state)
        self.send(sender, Pumped(self.name, self.busy, min(upcoming, default=None), ready))

    def _run_ahead(self, next_send: datetime | None, until: datetime | None) -> datetime | None:
        """Alone until `until` (Pump): send what the throttle allows, each at its own virtual
        instant, as the driver would by visiting them one by one. Stops before anything else
        of this session is due (a reconnect timer, a takeover) and when it is not ready."""
        moved = self.busy  # only what happened at the driver's instant asks for another round
        while next_send is not None and self._may_run_ahead(next_send, until):
            self.virtual_now = next_send
            next_send = self._tick(until)
        self.busy = moved
        return next_send

    def _may_run_ahead(self, at: datetime, until: datetime | None) -> bool:
        return (
            until is not None
            and self.now() < at < until
            and all(t > at for t in self.timers.values())
            and (self.next_takeover is None or self.next_takeover > at)
            and machine.is_ready(self.state)
        )

    def receiveMsg_SimCommand(self, message: SimCommand, sender: Any) -> None:
        if message.now is not None and self.options.virtual:
            self.virtual_now = max(self.now(), message.now)
        t, a = self.transport, message.args
        if message.action == "deliver":
            sender = a["from"]
            lid = sender if sender.endswith("@lid") else None  # only a LID known, no phone
            t.deliver_incoming(None if lid else sender, a["text"], chat=a.get("chat"),
                               message_id=a.get("id"), sender_lid=lid)  # fmt: skip
        elif message.action == "ban":
            t.ban(a.get("until"))
        elif message.action == "fail_next_sends":
            t.fail_next_sends(int(a["count"]))
        elif message.action == "pair":
            if self.state.state in (machine.SessionState.LOGGED_OUT, machine.SessionState.REPLACED):
                # Pairing a number again after a logout starts with ops' re-pair (`cicero pair`):
                # the transport starts and shows a code, then the scan completes it.
                self._feed(machine.PairRequested())
                self._process_events()
            t.pair()
        elif message.action in ("lose", "restore", "log_out"):
            getattr(t, message.action)()
        else:
            self.log.warning("unknown simulator command %r", message.action)
        self._process_events()
        self.busy = True

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
                    "jid": mask_phone(str(s.jid)) if s.jid else "",
                    "transport": self.options.transport,
                    "stalled": s.stalled,  # keepalive lost, the library is retrying
                    **self._pairing_report(),
                    # For the status page's words: which reconnect, banned until.
                    "attempt": s.attempt,
                    "until": s.until.isoformat() if s.until else "",
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

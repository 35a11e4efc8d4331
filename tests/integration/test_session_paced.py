"""Paced windows (issue 7): a session running ahead alone (to its clock's horizon, the
driver's Pump.until) sends what it fetched
each at its own throttle instant without asking the outbox again in between. What it stores
must be exactly what it stored when it ran a full tick at every throttle instant (pacing
switched off): the same rows sent at the same virtual instants in the same order, the same
failures, retries, expiries and session states; only the statements are fewer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from thespian.actors import ActorSystem

from cicero.actors.messages import ChildSpec, Directory, Ports, SupervisorStart, WhereIs
from cicero.actors.session import SessionActor, SessionOptions
from cicero.actors.session_pacing import Pacer
from cicero.config import Secret, load_settings
from cicero.db import outbox
from cicero.db.connect import connect
from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.runtime.supervision import SupFlags
from cicero.domain.timezone import WIB
from cicero.sim.clock import VirtualTime
from cicero.sim.control import Pump, Pumped, SimCommand, SimControl
from cicero.sim.whatsapp.factory import SimulatedFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
END = T0 + timedelta(hours=2)
GROUP = "120363000000000001@g.us"


@dataclass(frozen=True)
class Event:
    at: datetime
    action: str  # a SimCommand action
    args: tuple[tuple[str, Any], ...] = ()


class Session:
    """One simulated session actor (in this process) on its own fresh database."""

    def __init__(self, url: str) -> None:
        from cicero.actors.supervisor import Supervisor

        throttle = {"throttle_per_minute": 30, "burst": 3, "jitter_s": 1.0}
        settings = load_settings({}, overrides={"sessions": {"gateway": throttle}})
        settings = replace(settings, env=replace(settings.env, database_url=Secret(url)))
        self.url = url
        self.time = VirtualTime.temporary(T0)
        self.system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
        root = self.system.createActor(Supervisor)
        spec = ChildSpec(
            "session:gateway",
            "cicero.actors.session:SessionActor",
            extra=SessionOptions(SimulatedFactory("6281100000002")),
            ports=Ports(self.time.clock(), SimControl()),
        )
        flags = SupFlags(intensity=10, period_s=3600, backoff_min_s=0.001, backoff_max_s=0.002)
        self.system.tell(root, SupervisorStart("root", flags, (spec,), settings))
        self.system.listen(0.02)
        reply = self.system.ask(root, WhereIs(), 2)
        assert isinstance(reply, Directory)
        self.address = reply.addresses["session:gateway"]

    def pump(self, now: datetime, until: datetime | None) -> Pumped:
        self.time.set(now)
        reply = self.system.ask(self.address, Pump(now, until), 10)
        assert isinstance(reply, Pumped), reply
        return reply

    def command(self, event: Event, now: datetime) -> None:
        self.time.set(now)
        self.system.tell(self.address, SimCommand(event.action, dict(event.args)))

    def sql(self, query: str, *args: Any) -> list[Any]:
        async def go() -> list[Any]:
            conn = await connect(self.url)
            try:
                return await conn.fetch(query, *args)
            finally:
                await conn.close()

        return asyncio.run(go())

    def enqueue(self, messages: list[outbox.NewMessage]) -> None:
        async def go() -> None:
            conn = await connect(self.url)
            try:
                await outbox.enqueue(conn, messages, T0)
            finally:
                await conn.close()

        asyncio.run(go())


def drive(session: Session, events: list[Event]) -> None:
    """The scenario driver in miniature: apply the events due, pump the session until it is
    quiet at this instant (it may send ahead alone up to the next event), then move to the
    next thing due."""
    now, pending = T0, sorted(events, key=lambda e: e.at)
    for _ in range(1_000):
        while pending and pending[0].at <= now:
            session.command(pending.pop(0), now)
        until = min([e.at for e in pending] + [END])
        reply = session.pump(now, until)
        while reply.busy:
            reply = session.pump(now, until)
        upcoming = [t for t in (reply.next_due, *(e.at for e in pending[:1])) if t and t > now]
        if not upcoming or min(upcoming) >= END:
            return
        now = min(upcoming)
    raise AssertionError("the session never went quiet")


def outcome(session: Session) -> dict[str, Any]:
    return {
        "outbox": [
            tuple(r)
            for r in session.sql(
                """SELECT key, status, attempts, sent_at, error, wa_message_id
                   FROM outbox ORDER BY id"""
            )
        ],
        "network": [
            tuple(r)
            for r in session.sql(
                "SELECT message_id, recipient, body, accepted_at FROM sim_wa ORDER BY seq"
            )
        ],
        "states": [
            tuple(r) for r in session.sql("SELECT state, reason, at FROM session_log ORDER BY seq")
        ],
    }


def mixed() -> list[outbox.NewMessage]:
    """41 rows: 25 recipients (some with two or three rows, which wait for each other), a
    file, a group, rows that only become due later, rows that expire, a bad recipient."""
    rows = []
    for i in range(40):
        recipient = GROUP if i % 9 == 4 else f"62812{i % 25:08d}"
        rows.append(
            outbox.NewMessage(
                outbox_key("paced", T0, recipient, i + 1),
                "gateway",
                recipient,
                "group_broadcast",
                f"pesan {i}",
                priority=1 if i % 7 else 0,
                attachment=b"PK\x03\x04 a file" if i == 11 else None,
                attachment_name="rekap.xlsx" if i == 11 else None,
                attachment_mime="application/vnd.ms-excel" if i == 11 else None,
                expires_at=T0 + timedelta(seconds=70) if i % 13 == 6 else None,
                not_before=T0 + timedelta(seconds=95) if i % 11 == 3 else None,
            )
        )
    rows.append(
        outbox.NewMessage(outbox_key("paced", T0, "bad"), "gateway", "https://chat.whatsapp.com/x",
                          "group_broadcast", "tautan")
    )  # fmt: skip
    return rows


def reminders() -> list[outbox.NewMessage]:
    """A reminder run: 130 people with two parts each, more than one fetch holds."""
    return [
        outbox.NewMessage(outbox_key("reminder", T0, phone, part), "gateway", phone,
                          "reminder", f"pengingat {part}")
        for phone in (f"62813{i:08d}" for i in range(130))
        for part in (1, 2)
    ]  # fmt: skip


FAULTS = [
    Event(T0 + timedelta(seconds=30), "fail_next_sends", (("count", 2),)),
    Event(T0 + timedelta(minutes=3), "lose"),
    Event(T0 + timedelta(minutes=4, seconds=30), "restore"),
    Event(T0 + timedelta(minutes=5), "fail_next_sends", (("count", 1),)),
]
SCENARIOS = {
    "quiet": (mixed, []),
    "faults": (mixed, FAULTS),
    "reminders": (reminders, FAULTS[1:]),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_paced_window_stores_what_a_tick_at_every_instant_stores(
    pg_server: Any, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    from tests.conftest import fresh_database

    statements = [0]  # the drain's, on its held connection (the actor is in this process)
    update, begin_pacing = SessionActor._update, Pacer.begin

    async def counted(self: SessionActor, fn: Any, *args: Any) -> Any:
        statements[0] += 1
        return await update(self, fn, *args)

    monkeypatch.setattr(SessionActor, "_update", counted)
    results, counts = [], []
    for paced in (False, True):
        monkeypatch.setattr(Pacer, "begin", begin_pacing if paced else lambda *_: None)
        session = Session(fresh_database(pg_server))
        try:
            rows, events = SCENARIOS[scenario]
            session.enqueue(rows())
            statements[0] = 0
            drive(session, events)
            results.append(outcome(session))
            counts.append(statements[0])
        finally:
            from tests.conftest import end_connections

            session.system.shutdown()
            session.time.close()
            end_connections(session.url)
    ticked, paced_result = results
    assert paced_result == ticked
    statuses = [row[1] for row in ticked["outbox"]]
    assert len(ticked["network"]) == statuses.count("sent") >= 30
    if scenario != "reminders":
        assert "dead" in statuses  # a bad link, expired rows
    if scenario != "quiet":
        assert any(row[2] > 1 for row in ticked["outbox"])  # retried after a refusal
        assert "reconnecting" in [state for state, _, _ in ticked["states"]]
    assert counts[1] < counts[0] / 3  # the outbox is asked far less often

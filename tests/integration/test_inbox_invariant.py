"""DESIGN §5 invariant 7 (incoming once, in order) as a hypothesis state machine over a real
session actor, the real router and the real inbox/outbox: redeliveries, crashes of either
actor and silences in between. Every message is handled exactly once; the replies of each
chat follow the order its messages arrived in; chat state survives restarts."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from thespian.actors import ActorSystem

from cicero.actors.messages import ChildSpec, Directory, Ports, SupervisorStart, WhereIs
from cicero.actors.session import SessionOptions
from cicero.config import Secret, load_settings
from cicero.db.connect import connect
from cicero.domain.runtime.supervision import SupFlags
from cicero.domain.timezone import WIB
from cicero.sim.clock import VirtualTime
from cicero.sim.control import CrashNext, Pump, SimCommand, SimControl
from cicero.sim.whatsapp.factory import SimulatedFactory

pytestmark = pytest.mark.slow
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
SENDERS = ("6281300000001", "6281300000002", "6281300000003")
TEXTS = ("userrequest", "75020001", "ya", "batal", "1", "halo", "oprrequest", "")


class Tree:
    def __init__(self, url: str) -> None:
        from cicero.actors.supervisor import Supervisor

        base = load_settings({}, overrides={"sessions": {"operator": {"throttle_per_minute": 120}}})
        self.settings = replace(base, env=replace(base.env, database_url=Secret(url)))
        self.url = url
        self.now = T0
        self.time = VirtualTime.temporary(T0)
        ports = Ports(self.time.clock(), SimControl())
        self.system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
        self.root = self.system.createActor(Supervisor)
        children = (
            ChildSpec(
                "session:operator",
                "cicero.actors.session:SessionActor",
                extra=SessionOptions(SimulatedFactory("6281100000001")),
                ports=ports,
            ),
            ChildSpec("router", "cicero.actors.router:Router", ports=ports),
        )
        flags = SupFlags(intensity=1000, period_s=3600, backoff_min_s=0.001, backoff_max_s=0.002)
        self.system.tell(self.root, SupervisorStart("root", flags, children, self.settings))

    def address(self, name: str):  # type: ignore[no-untyped-def]
        self.system.listen(0.02)
        reply = self.system.ask(self.root, WhereIs(), 2)
        assert isinstance(reply, Directory)
        return reply.addresses[name]

    def pump(self, seconds: float = 0) -> None:
        self.now += timedelta(seconds=seconds)
        self.time.set(self.now)
        for _ in range(20):  # router answers, session sends, until both are quiet
            busy = False
            for name in ("session:operator", "router"):
                reply = self.system.ask(self.address(name), Pump(self.now), 5)
                busy = busy or bool(getattr(reply, "busy", True))
            if not busy:
                return

    def deliver(self, sender: str, text: str, message_id: str) -> None:
        args = {"from": sender, "text": text, "id": message_id}
        self.system.tell(self.address("session:operator"), SimCommand("deliver", args))

    def close(self) -> None:
        from tests.conftest import end_connections

        self.system.shutdown()
        self.time.close()
        end_connections(self.url)  # or a run of examples exhausts the server's connections

    def sql(self, query: str):  # type: ignore[no-untyped-def]
        async def go():  # type: ignore[no-untyped-def]
            conn = await connect(self.url)
            try:
                return await conn.fetch(query)
            finally:
                await conn.close()

        return asyncio.run(go())


def inbox_machine(pg_server):  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    class InboxSpec(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.tree = Tree(fresh_database(pg_server))
            self.tree.pump()
            self.sent: list[tuple[str, str]] = []  # (sender, id) in arrival order
            self.n = 0

        def teardown(self) -> None:
            self.tree.close()

        @rule(sender=st.sampled_from(SENDERS), text=st.sampled_from(TEXTS))
        def message(self, sender: str, text: str) -> None:
            self.n += 1
            mid = f"IN{self.n:04d}"
            self.tree.deliver(sender, text or " ", mid)
            self.sent.append((sender, mid))

        @rule(data=st.data())
        def redelivery(self, data: st.DataObject) -> None:
            if self.sent:
                sender, mid = data.draw(st.sampled_from(self.sent))
                self.tree.deliver(sender, "diulang", mid)

        @rule(seconds=st.integers(0, 90))
        def time_passes(self, seconds: int) -> None:
            self.tree.pump(seconds)

        @rule(actor=st.sampled_from(["router", "session:operator"]))
        def crash(self, actor: str) -> None:
            self.tree.system.tell(self.tree.address(actor), CrashNext())
            self.tree.system.tell(self.tree.address(actor), "boom")
            self.tree.system.listen(0.02)

        @invariant()
        def once_and_in_order(self) -> None:
            rows = self.tree.sql("SELECT message_id, sender, handled_at FROM inbox ORDER BY seq")
            ids = [r["message_id"] for r in rows]
            assert len(ids) == len(set(ids)), "a redelivered message was recorded twice"
            assert ids == [mid for _, mid in self.sent][: len(ids)], "recorded out of arrival order"
            handled = [r["message_id"] for r in rows if r["handled_at"] is not None]
            assert handled == ids[: len(handled)], (
                "a later message was handled before an earlier one"
            )
            replies = self.tree.sql(
                "SELECT in_reply_to, recipient, id FROM outbox WHERE kind = 'menu_reply' ORDER BY id"
            )
            order = {mid: i for i, mid in enumerate(ids)}
            last: dict[str, int] = {}
            for r in replies:
                i = order[r["in_reply_to"]]
                assert i >= last.get(r["recipient"], -1), "replies of a chat out of order"
                last[r["recipient"]] = i

        def everything_handled(self) -> None:
            self.tree.pump(1)
            rows = self.tree.sql("SELECT count(*) AS n FROM inbox WHERE handled_at IS NULL")
            assert rows[0]["n"] == 0
            assert self.tree.sql("SELECT count(*) AS n FROM inbox")[0]["n"] == len(self.sent)

    return InboxSpec


def test_invariant_7_incoming_once_in_order(pg_server) -> None:  # type: ignore[no-untyped-def]
    spec = inbox_machine(pg_server)
    original = spec.teardown

    def teardown(self) -> None:  # type: ignore[no-untyped-def]
        try:
            self.everything_handled()
        finally:
            original(self)

    spec.teardown = teardown
    spec.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    spec.TestCase("runTest").runTest()

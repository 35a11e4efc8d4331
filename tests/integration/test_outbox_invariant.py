"""DESIGN §5 invariant 5 (outbox) as a hypothesis state machine over a real session actor,
the real outbox table and the simulated network: random queueing, time, line losses,
send failures and actor crashes. Whatever happens, the network never receives a row
twice, never while the line is down, each recipient's rows arrive in order, and once
the line is up and time passes, every row is delivered."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cicero.sim.control import CrashNext
from tests.integration.test_session_actor import GROUP, Line

pytestmark = pytest.mark.slow
RECIPIENTS = (GROUP, "6281300000001", "6281300000002")


def outbox_machine(pg_server):  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    class OutboxSpec(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.line = Line(fresh_database(pg_server), throttle=60)
            self.line.pump()
            self.up = True
            self.queued: dict[str, list[str]] = defaultdict(list)  # recipient -> bodies in order
            self.count = 0
            self.seen_sends = 0

        def teardown(self) -> None:
            self.line.close()

        @rule(recipient=st.sampled_from(RECIPIENTS), n=st.integers(1, 4))
        def queue(self, recipient: str, n: int) -> None:
            from cicero.db import outbox
            from cicero.db.connect import connect
            from cicero.domain.delivery.outbox import outbox_key

            rows = []
            for _ in range(n):
                self.count += 1
                body = f"m{self.count}"
                rows.append(
                    outbox.NewMessage(
                        outbox_key("prop", self.line.now, recipient, self.count),
                        "gateway",
                        recipient,
                        "group_broadcast",
                        body,
                    )
                )
                self.queued[recipient].append(body)

            async def go() -> None:
                conn = await connect(self.line.url)
                await outbox.enqueue(conn, rows, self.line.now)
                await conn.close()

            import asyncio

            asyncio.run(go())

        @rule(seconds=st.integers(0, 120))
        def time_passes(self, seconds: int) -> None:
            before = self.line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"]
            self.line.pump(seconds / 60)
            if not self.up:
                after = self.line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"]
                assert after == before, "sent while the line was down"

        @rule()
        def line_drops(self) -> None:
            self.line.command(
                "lose",
            )
            self.up = False

        @rule()
        def line_returns(self) -> None:
            self.line.command("restore")
            self.up = True

        @rule(n=st.integers(1, 3))
        def network_refuses(self, n: int) -> None:
            self.line.command("fail_next_sends", count=n)

        @rule()
        def actor_crashes(self) -> None:
            self.line.system.tell(self.line.session(), CrashNext())
            self.line.system.tell(self.line.session(), "boom")  # raises on this one
            self.line.system.listen(0.02)  # the supervisor's backoff, then a fresh actor

        @invariant()
        def never_twice_and_in_order(self) -> None:
            rows = self.line.sql("SELECT recipient, body FROM sim_wa ORDER BY seq")
            bodies = [r["body"] for r in rows]
            assert len(bodies) == len(set(bodies)), "a message reached the network twice"
            delivered: dict[str, list[str]] = defaultdict(list)
            for r in rows:
                delivered[r["recipient"]].append(r["body"])
            for recipient, got in delivered.items():
                assert got == self.queued[_jid(recipient)][: len(got)], "out of order"

        @invariant()
        def nothing_in_doubt_with_caller_ids(self) -> None:
            statuses = {r["status"] for r in self.line.sql("SELECT DISTINCT status FROM outbox")}
            assert "in_doubt" not in statuses

        def check_everything_arrives(self) -> None:
            self.line.command("restore")
            self.line.run_until_quiet()
            for _ in range(10):  # retries back off up to minutes: let virtual time run
                self.line.pump(10)
            total = self.line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"]
            dead = self.line.sql("SELECT count(*) AS n FROM outbox WHERE status = 'dead'")[0]["n"]
            assert total + dead == self.count and dead == 0

    return OutboxSpec


def _jid(recipient: str) -> str:
    return (
        recipient.removesuffix("@s.whatsapp.net")
        if recipient.endswith("@s.whatsapp.net")
        else recipient
    )


def test_invariant_5_outbox(pg_server) -> None:  # type: ignore[no-untyped-def]
    spec = outbox_machine(pg_server)
    original_teardown = spec.teardown

    def teardown(self) -> None:  # type: ignore[no-untyped-def]
        try:
            self.check_everything_arrives()
        finally:
            original_teardown(self)

    spec.teardown = teardown
    spec.TestCase.settings = settings(
        max_examples=12,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    spec.TestCase("runTest").runTest()

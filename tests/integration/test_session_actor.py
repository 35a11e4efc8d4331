"""A session actor with the simulated network, on virtual time, against the real outbox and inbox."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from thespian.actors import ActorSystem

from cicero.actors.messages import (
    ChildSpec,
    Directory,
    Ports,
    StatusRequest,
    SupervisorStart,
    WhereIs,
)
from cicero.actors.session import SessionOptions
from cicero.config import Secret, load_settings
from cicero.db import outbox
from cicero.db.connect import connect
from cicero.domain.delivery.outbox import message_id_for, outbox_key
from cicero.domain.runtime.supervision import SupFlags
from cicero.domain.timezone import WIB
from cicero.sim.clock import VirtualTime
from cicero.sim.control import CrashNext, Pump, Pumped, SimCommand, SimControl
from cicero.sim.whatsapp.factory import SimulatedFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
GROUP = "120363000000000001@g.us"


class Line:
    def __init__(self, url: str, throttle: int | None = 20) -> None:
        """`throttle`: messages a minute, or None for the throttle off (windows of rows)."""
        from cicero.actors.supervisor import Supervisor

        settings = load_settings(
            {}, overrides={"sessions": {"gateway": {"throttle_per_minute": throttle or 20}}}
        )
        settings = replace(settings, env=replace(settings.env, database_url=Secret(url)))
        self.url = url
        self.now = T0
        self.time = VirtualTime.temporary(T0)
        self.system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
        self.root = self.system.createActor(Supervisor)
        spec = ChildSpec(
            "session:gateway",
            "cicero.actors.session:SessionActor",
            extra=SessionOptions(SimulatedFactory("6281100000002"), throttle=throttle is not None),
            ports=Ports(self.time.clock(), SimControl()),
        )
        # Tests crash the session on purpose, many times: no escalation here.
        flags = SupFlags(intensity=1000, period_s=3600, backoff_min_s=0.001, backoff_max_s=0.002)
        self.system.tell(self.root, SupervisorStart("root", flags, (spec,), settings))

    def session(self):  # type: ignore[no-untyped-def]
        self.system.listen(0.02)
        reply = self.system.ask(self.root, WhereIs(), 2)
        assert isinstance(reply, Directory)
        return reply.addresses["session:gateway"]

    def pump(self, minutes: float = 0) -> Pumped:
        self.now += timedelta(minutes=minutes)
        session = self.session()  # started before time moves
        self.time.set(self.now)
        reply = self.system.ask(session, Pump(self.now), 5)
        assert isinstance(reply, Pumped), reply
        return reply

    def run_until_quiet(self, limit: int = 500) -> None:
        """Move virtual time to whatever the session asks for next, until it has nothing due."""
        for _ in range(limit):
            reply = self.pump()
            if reply.next_due is None or (reply.next_due - self.now) > timedelta(minutes=30):
                return
            self.now = max(self.now, reply.next_due)
        raise AssertionError("the session never went quiet")

    def command(self, action: str, **args) -> None:  # type: ignore[no-untyped-def]
        # Like the scenario driver: the line's state is stored too, so a restarted session
        # actor finds the network as it is, not as it was at the start.
        state = {"lose": "down", "restore": "ready"}.get(action)
        if state is not None:
            self.sql("INSERT INTO sim_line (session, state) VALUES ('gateway', $1) "
                     "ON CONFLICT (session) DO UPDATE SET state = $1", state)  # fmt: skip
        self.system.tell(self.session(), SimCommand(action, args))

    def sql(self, query: str, *args):  # type: ignore[no-untyped-def]
        async def go():  # type: ignore[no-untyped-def]
            conn = await connect(self.url)
            try:
                return await conn.fetch(query, *args)
            finally:
                await conn.close()

        return asyncio.run(go())

    def queue(self, count: int, recipient: str = GROUP, job: str = "broadcast") -> list[str]:
        keys = [outbox_key(job, T0, recipient, part) for part in range(1, count + 1)]

        async def go() -> None:
            conn = await connect(self.url)
            await outbox.enqueue(
                conn,
                [
                    outbox.NewMessage(
                        key,
                        "gateway",
                        recipient,
                        "group_broadcast",
                        f"pesan {i}",
                        job=job,
                        fire_time=T0,
                    )
                    for i, key in enumerate(keys, 1)
                ],
                self.now,
            )
            await conn.close()

        asyncio.run(go())
        return keys

    def close(self) -> None:
        from tests.conftest import end_connections

        self.system.shutdown()
        self.time.close()
        end_connections(self.url)


@pytest.fixture
def line(pg_server) -> Iterator[Line]:  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    ln = Line(fresh_database(pg_server))
    yield ln
    ln.close()


def test_queued_messages_go_out_once_in_order_within_the_throttle(line: Line) -> None:
    keys = line.queue(6)
    line.run_until_quiet()
    sent = line.sql("SELECT message_id, body, accepted_at FROM sim_wa ORDER BY seq")
    assert [r["body"] for r in sent] == [f"pesan {i}" for i in range(1, 7)]
    assert [r["message_id"] for r in sent] == [message_id_for(k) for k in keys]
    gaps = [
        (b["accepted_at"] - a["accepted_at"]).total_seconds() for a, b in itertools.pairwise(sent)
    ]
    assert all(g >= 2 for g in gaps)  # the minimum gap of the throttle, on virtual time
    assert {r["status"] for r in line.sql("SELECT status FROM outbox")} == {"sent"}


def test_nothing_is_sent_while_the_session_is_down_and_all_of_it_after(line: Line) -> None:
    line.pump()
    line.command("lose")
    line.queue(3)
    line.pump(5)
    assert line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"] == 0
    states = [r["state"] for r in line.sql("SELECT state FROM session_log ORDER BY seq")]
    assert states[-1] == "reconnecting"
    line.command("restore")
    line.run_until_quiet()
    assert line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"] == 3


def test_a_logged_out_session_pairs_again_and_sends_what_waited(line: Line) -> None:
    line.pump()
    line.command("log_out")
    line.queue(2)
    line.pump(5)
    assert line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"] == 0
    line.command("pair")  # `session_paired`: the number is linked again
    line.run_until_quiet()
    states = [r["state"] for r in line.sql("SELECT state FROM session_log ORDER BY seq")]
    assert states[-4:] == ["logged_out", "starting", "pairing", "ready"]
    assert line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"] == 2


def test_send_failures_are_retried_then_delivered(line: Line) -> None:
    line.pump()
    line.command("fail_next_sends", count=2)
    line.queue(1)
    line.run_until_quiet()
    (row,) = line.sql("SELECT status, attempts FROM outbox")
    assert row["status"] == "sent" and row["attempts"] == 3


def test_an_invalid_recipient_is_dead_with_the_reason(line: Line) -> None:
    line.queue(1, recipient="https://chat.whatsapp.com/invite")
    line.run_until_quiet()
    (row,) = line.sql("SELECT status, error FROM outbox")
    assert row["status"] == "dead" and "invite" in row["error"]


def test_a_crash_mid_drain_sends_nothing_twice(line: Line) -> None:
    line.queue(4)
    line.pump()  # the first one goes out (burst), then the throttle waits
    line.system.tell(line.session(), CrashNext())
    line.system.tell(line.session(), "boom")
    line.system.listen(0.05)
    status = line.system.ask(line.root, StatusRequest(), 2).data
    assert status["actors"]["session:gateway"]["restarts"] == 1
    line.run_until_quiet()
    sent = line.sql("SELECT body FROM sim_wa ORDER BY seq")
    assert sorted(r["body"] for r in sent) == [f"pesan {i}" for i in range(1, 5)]


def test_a_row_left_sending_is_resent_with_the_same_id_and_the_network_dedupes(line: Line) -> None:
    (key,) = line.queue(1)
    line.run_until_quiet()
    # Pretend the process died after the network accepted the message but before `sent` was stored.
    line.sql("UPDATE outbox SET status = 'sending'")
    line.system.tell(line.session(), CrashNext())
    line.system.tell(line.session(), "boom")
    line.run_until_quiet()
    assert line.sql("SELECT status FROM outbox")[0]["status"] == "sent"
    assert line.sql("SELECT count(*) AS n FROM sim_wa")[0]["n"] == 1


def test_with_the_throttle_off_a_window_sends_around_its_failures(pg_server) -> None:  # type: ignore[no-untyped-def]
    """One window holds the first row of each recipient: two refused by the network go
    back to pending (retried later), the others are sent in the same window, and each
    recipient's second row waits for its first."""
    from tests.conftest import fresh_database

    line = Line(fresh_database(pg_server), throttle=None)
    try:
        line.pump()
        recipients = [f"62813000000{i:02d}" for i in range(5)]
        for recipient in recipients:
            line.queue(2, recipient=recipient)
        line.command("fail_next_sends", count=2)
        line.pump()
        first = line.sql("SELECT recipient, status, attempts FROM outbox ORDER BY id")
        firsts, seconds = first[0::2], first[1::2]
        assert [r["status"] for r in firsts] == ["pending", "pending", "sent", "sent", "sent"]
        assert [r["attempts"] for r in firsts] == [1, 1, 1, 1, 1]
        # The second rows of the three sent recipients went in the next window; the two
        # refused recipients' second rows wait behind their first.
        assert [r["status"] for r in seconds] == ["pending", "pending", "sent", "sent", "sent"]
        line.run_until_quiet()
        rows = line.sql("SELECT recipient, body FROM sim_wa ORDER BY seq")
        assert len(rows) == 10
        for recipient in recipients:
            bodies = [r["body"] for r in rows if r["recipient"].startswith(recipient)]
            assert bodies == ["pesan 1", "pesan 2"]
        assert {r["status"] for r in line.sql("SELECT status FROM outbox")} == {"sent"}
    finally:
        line.close()


def test_incoming_messages_are_recorded_once(line: Line) -> None:
    line.pump()
    line.command("deliver", **{"from": "6281300000001", "text": "menu", "id": "ABC1"})
    line.command("deliver", **{"from": "6281300000001", "text": "menu", "id": "ABC1"})
    line.pump()
    rows = line.sql("SELECT message_id, sender, text FROM inbox")
    assert [(r["message_id"], r["sender"], r["text"]) for r in rows] == [
        ("ABC1", "6281300000001", "menu")
    ]


def test_a_message_from_a_sender_known_only_by_lid_is_recorded(line: Line) -> None:
    line.pump()
    line.command("deliver", **{"from": "123456789012345@lid", "text": "menu", "id": "L1"})
    line.pump()
    rows = line.sql("SELECT message_id, sender, chat FROM inbox")
    assert [(r["message_id"], r["sender"], r["chat"]) for r in rows] == [
        ("L1", "123456789012345@lid", "123456789012345@lid")
    ]
    states = [r["state"] for r in line.sql("SELECT state FROM session_log ORDER BY seq")]
    assert states == ["starting", "ready"]  # no crash and restart on the way


def test_a_message_with_a_nul_character_is_stored_without_it(line: Line) -> None:
    line.pump()
    line.command("deliver", **{"from": "6281300000001", "text": "me\x00nu", "id": "N1"})
    line.pump()
    rows = line.sql("SELECT message_id, text FROM inbox")
    assert [(r["message_id"], r["text"]) for r in rows] == [("N1", "menu")]
    states = [r["state"] for r in line.sql("SELECT state FROM session_log ORDER BY seq")]
    assert states == ["starting", "ready"]  # PostgreSQL refusing U+0000 no longer crashes it


def test_a_second_copy_of_a_session_never_connects(pg_server) -> None:  # type: ignore[no-untyped-def]
    """One process per number: while another holder has the session's advisory lock, the
    actor refuses to start (and is retried by its supervisor); it connects once it is free."""
    from tests.conftest import fresh_database

    url = fresh_database(pg_server)

    async def hold():  # type: ignore[no-untyped-def]
        conn = await connect(url)
        assert await conn.fetchval("SELECT pg_try_advisory_lock(hashtext('wa:gateway'))")
        return conn

    loop = asyncio.new_event_loop()
    holder = loop.run_until_complete(hold())
    line = Line(url)
    try:
        line.system.listen(0.1)
        status = line.system.ask(line.root, StatusRequest(), 2).data["actors"]["session:gateway"]
        assert status["restarts"] >= 1 and "already running elsewhere" in status["last_error"]
        assert line.sql("SELECT count(*) AS n FROM session_log")[0]["n"] == 0  # never connected
        loop.run_until_complete(holder.close())
        line.run_until_quiet()
        assert (
            line.sql("SELECT state FROM session_log ORDER BY seq DESC LIMIT 1")[0]["state"]
            == "ready"
        )
    finally:
        line.close()
        loop.close()

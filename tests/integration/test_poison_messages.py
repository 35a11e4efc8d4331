"""Invariant 7's last clause on a real database: a message whose handling keeps failing is
tried a bounded number of times, then set aside with its error class; its chat's open menu
closes, its sender hears one line, and no other chat waits behind it.

The failing message here is a real one: a chat whose stored state this version cannot read
(written by a newer Cicero before a rollback). Every message of that chat raised in the
menu machine, the router crashed on it, and its replacement read it again."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from cicero.conversations.step import Handled, handle_next
from cicero.db.connect import connect
from cicero.db.inbox import InboxMessage, record
from cicero.domain.menus.model import ChatState, Flow, Machine
from cicero.domain.runtime import poison
from tests.integration.recaps import world

NOW = world.at(9, 0)
OTHER = "6281300000777"  # someone else, in another chat
UNREADABLE_STATE = json.dumps({"version": 999, "flow": {"machine": "oprrequest"}})


@pytest.fixture
def url(pg_server: object) -> str:
    from tests.conftest import fresh_database

    database = fresh_database(pg_server)
    world.seeded(database)
    return database


def dm(sender: str, mid: str, text: str) -> InboxMessage:
    return InboxMessage("operator", mid, sender, sender, False, text, "", NOW)


async def _drain(url: str, messages: list[InboxMessage], sql: str = "", *args: Any) -> list[str]:
    """Record the messages, run `sql`, then handle until nothing is left; the ids of the
    messages handled or set aside, in the order that happened."""
    conn = await connect(url)
    try:
        for m in messages:
            await record(conn, m)
        if sql:
            await conn.execute(sql, *args)
        order: list[str] = []
        for _ in range(50):
            before = {r["message_id"] for r in await conn.fetch(_DONE)}
            result = await handle_next(conn, world.settings(url), NOW)
            if result is None:
                return order
            assert isinstance(result, Handled)
            order += sorted({r["message_id"] for r in await conn.fetch(_DONE)} - before)
        raise AssertionError("the inbox never emptied")
    finally:
        await conn.close()


_DONE = "SELECT message_id FROM inbox WHERE handled_at IS NOT NULL"


def drain(url: str, messages: list[InboxMessage], sql: str = "", *args: Any) -> list[str]:
    return asyncio.run(_drain(url, messages, sql, *args))


def inbox(url: str) -> dict[str, dict]:
    rows = world.query(url, "SELECT * FROM inbox")
    return {r["message_id"]: dict(r) for r in rows}


def replies(url: str, chat: str) -> list[str]:
    rows = world.query(url, "SELECT body FROM outbox WHERE recipient = $1 ORDER BY id", chat)
    return [r["body"] for r in rows]


def test_a_failing_message_is_set_aside_and_holds_up_no_one(url: str) -> None:
    stuck = [dm(world.ADMIN, "A1", "1"), dm(world.ADMIN, "A2", "oprrequest")]
    order = drain(
        url,
        [stuck[0], dm(OTHER, "B1", "halo"), stuck[1], dm(OTHER, "B2", "halo lagi")],
        "INSERT INTO chat_state (session, chat, state) VALUES ('operator', $1, $2)",
        world.ADMIN,
        UNREADABLE_STATE,
    )
    # The other chat went first; the failing message after its tries; its chat's next one after.
    assert order.index("B1") < order.index("A1") and order.index("B2") < order.index("A1")
    assert order.index("A1") < order.index("A2")
    rows = inbox(url)
    assert rows["A1"]["attempts"] == poison.MAX_ATTEMPTS
    assert rows["A1"]["last_error"] == "MenuMisuse" and rows["A1"]["set_aside_at"] == NOW
    assert rows["A2"]["set_aside_at"] is None and rows["B1"]["attempts"] == 1
    said = replies(url, world.ADMIN)
    assert said[0] == poison.NOTICE and said.count(poison.NOTICE) == 1
    answered = world.query(url, "SELECT body FROM outbox WHERE in_reply_to = 'A2'")
    assert len(said) == 2 and said[1] == answered[0]["body"]  # the menu answered A2
    state = world.query(url, "SELECT state FROM chat_state WHERE chat = $1", world.ADMIN)
    assert json.loads(state[0]["state"])["version"] != 999  # readable again


def test_tries_used_up_by_processes_that_died_set_it_aside_without_trying(url: str) -> None:
    """A try is counted before it begins: a message the router's process died on (three
    times) is not tried a fourth time, and its chat's open menu is closed."""
    drain(
        url,
        [dm(world.ADMIN, "K1", "oprrequest")],
        "UPDATE inbox SET attempts = $1 WHERE message_id = 'K1'",
        poison.MAX_ATTEMPTS,
    )
    row = inbox(url)["K1"]
    assert row["attempts"] == poison.MAX_ATTEMPTS and row["last_error"] == poison.DIED
    assert replies(url, world.ADMIN) == [poison.NOTICE]  # and no menu: it was never handled


def test_one_notice_per_chat_however_many_fail_and_none_into_a_silent_group(url: str) -> None:
    group = InboxMessage("operator", "G1", world.GROUP_A, OTHER, True, "x", "", NOW)
    drain(
        url,
        [dm(world.ADMIN, "D1", "a"), dm(world.ADMIN, "D2", "b"), group],
        "UPDATE inbox SET attempts = $1",
        poison.MAX_ATTEMPTS,
    )
    assert all(r["set_aside_at"] == NOW for r in inbox(url).values())
    assert replies(url, world.ADMIN) == [poison.NOTICE]
    assert replies(url, world.GROUP_A) == []  # the operator session says nothing in groups


def test_an_open_menu_is_closed_but_the_rest_of_the_chat_state_kept(url: str) -> None:
    """Closing the menu must not wipe, say, the lock after wrong NRPs (a failing message
    would otherwise be a way round it)."""
    flow = Flow(Machine.OPERATOR, "main", NOW + timedelta(minutes=5))
    state = ChatState(flow=flow, nrp_failures=(NOW,))
    world.query(
        url,
        "INSERT INTO chat_state (session, chat, state) VALUES ('operator', $1, $2)",
        world.ADMIN,
        state.to_json(),
    )
    drain(url, [dm(world.ADMIN, "S1", "1")], "UPDATE inbox SET attempts = 3")
    kept = ChatState.from_json(world.query(url, "SELECT state FROM chat_state")[0]["state"])
    assert kept.flow is None and kept.nrp_failures == (NOW,)


def test_the_router_actor_lives_through_a_failing_message(url: str) -> None:
    """Before, the router crashed on the message, its replacement read it again, and after
    the restart intensity the root escalated: the process exited, and again on each start."""
    from thespian.actors import ActorSystem

    from cicero.actors.messages import (
        ChildSpec,
        Pump,
        Pumped,
        StatusRequest,
        SupervisorStart,
        WhereIs,
    )
    from cicero.actors.router import RouterOptions
    from cicero.actors.supervisor import Supervisor
    from cicero.domain.runtime.supervision import SupFlags
    from tests.conftest import end_connections

    world.query(
        url,
        "INSERT INTO chat_state (session, chat, state) VALUES ('operator', $1, $2)",
        world.ADMIN,
        UNREADABLE_STATE,
    )
    asyncio.run(_record(url, [dm(world.ADMIN, f"R{i}", "1") for i in range(3)]))
    settings = world.settings(url)
    system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
    try:
        root = system.createActor(Supervisor)
        router = ChildSpec("router", "cicero.actors.router:Router", extra=RouterOptions(True))
        flags = SupFlags(intensity=2, period_s=3600, backoff_min_s=0.001, backoff_max_s=0.002)
        system.tell(root, SupervisorStart("root", flags, (router,), settings))
        for _ in range(5):
            address = system.ask(root, WhereIs(), 2).addresses["router"]
            assert isinstance(system.ask(address, Pump(NOW), 10), Pumped)
        status = system.ask(root, StatusRequest(), 2).data
    finally:
        system.shutdown()
        end_connections(url)
    assert status["escalated"] == "" and status["actors"]["router"]["restarts"] == 0
    rows = inbox(url)
    assert rows["R0"]["set_aside_at"] == NOW
    assert all(r["handled_at"] is not None for r in rows.values())


async def _record(url: str, messages: list[InboxMessage]) -> None:
    conn = await connect(url)
    try:
        for m in messages:
            await record(conn, m)
    finally:
        await conn.close()

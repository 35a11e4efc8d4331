"""The router's idle-timeout sweep (menus.md §2 "Timeout") on a real database."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from cicero.conversations.step import expire_flows, next_expiry
from cicero.db.connect import connect
from cicero.domain.menus.model import ChatState, Flow, Machine
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
IDLE, WAITING, FRESH = (f"62812345000{i}@s.whatsapp.net" for i in (11, 22, 33))


def open_flow(expires_at: datetime) -> str:
    return ChatState(flow=Flow(Machine.OPERATOR, "main", expires_at)).to_json()


async def scenario(url: str) -> None:
    conn = await connect(url)
    try:
        for chat, expires in ((IDLE, T0), (WAITING, T0), (FRESH, T0 + timedelta(minutes=3))):
            await conn.execute(
                "INSERT INTO chat_state (session, chat, state) VALUES ('operator', $1, $2)",
                chat,
                open_flow(expires),
            )
        # A message of WAITING's chat arrived and is not handled yet: it goes first.
        await conn.execute(
            """INSERT INTO inbox (session, message_id, chat, sender, text, received_at)
               VALUES ('operator', 'W1', $1, '6281234500022', '2', $2)""",
            WAITING,
            T0 - timedelta(seconds=1),
        )
        assert await next_expiry(conn) == T0

        done = await expire_flows(conn, T0 + timedelta(seconds=5))
        assert done.replies == 1 and done.sessions == {"operator"}
        rows = await conn.fetch("SELECT key, recipient, body, in_reply_to FROM outbox")
        assert [(r["recipient"], r["in_reply_to"]) for r in rows] == [(IDLE, None)]
        assert rows[0]["body"] == "⏰ Sesi berakhir. Ketik *oprrequest* untuk memulai lagi."
        states = {
            r["chat"]: ChatState.from_json(r["state"])
            for r in await conn.fetch("SELECT chat, state FROM chat_state")
        }
        assert states[IDLE].flow is None
        assert states[WAITING].flow is not None and states[FRESH].flow is not None

        # A rerun (say, after a crash) finds nothing more to close and sends nothing twice.
        assert (await expire_flows(conn, T0 + timedelta(seconds=6))).replies == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 1
        # The closed flow no longer counts; WAITING's does until its message is handled.
        assert await next_expiry(conn) == T0
        await conn.execute("UPDATE inbox SET handled_at = $1", T0)
        assert (await expire_flows(conn, T0 + timedelta(seconds=7))).replies == 1
        assert await next_expiry(conn) == T0 + timedelta(minutes=3)
    finally:
        await conn.close()


def test_the_sweep_closes_idle_flows_once_and_leaves_chats_with_waiting_messages(
    database_url: str,
) -> None:
    asyncio.run(scenario(database_url))

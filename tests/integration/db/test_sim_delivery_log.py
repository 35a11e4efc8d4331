"""The simulated network's delivery log in PostgreSQL (cicero.sim.whatsapp.store): writes
deferred over a send window, and what a restarted session's network remembers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import asyncpg
import pytest

from cicero.domain.people.phones import user_jid
from cicero.domain.timezone import WIB
from cicero.sim.whatsapp.store import DbDeliveryLog
from cicero.sim.whatsapp.transport import Accepted, Attachment

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


class Db:
    def __init__(self, url: str) -> None:
        from cicero.db.connect import connect

        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection = self.loop.run_until_complete(connect(url))

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def on_db(self, fn: Any, *args: Any) -> Any:
        return await fn(self.conn, *args)

    def log(self) -> DbDeliveryLog:
        """The log a (re)started session actor builds."""
        return DbDeliveryLog(self.run, self.on_db, "gateway")

    def stored(self) -> list[str]:
        rows = self.run(self.conn.fetch("SELECT message_id FROM sim_wa ORDER BY seq"))
        return [r["message_id"] for r in rows]

    def close(self) -> None:
        self.run(self.conn.close())
        self.loop.close()


@pytest.fixture
def db(pg_server) -> Iterator[Db]:  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    d = Db(fresh_database(pg_server))
    yield d
    d.close()


def accepted(n: int, attachment: Attachment | None = None) -> Accepted:
    return Accepted(
        "gateway", user_jid(f"62812{n:08d}"), f"3EB0{n:016X}", T0, f"pesan {n}", attachment
    )


def test_a_deferred_window_is_remembered_in_memory_then_stored_in_order(db: Db) -> None:
    log = db.log()
    with log.deferred():
        for n in (3, 1, 2):
            log.add(accepted(n))
        assert db.stored() == []  # nothing written inside the window
        assert log.find("gateway", accepted(1).message_id) == accepted(1)  # yet recognised
    assert db.stored() == [accepted(n).message_id for n in (3, 1, 2)]


def test_a_restarted_network_recognises_what_a_window_stored(db: Db) -> None:
    file = Attachment("rekap.xlsx", "application/vnd.ms-excel", "ab" * 32, 10)
    db.log().add(accepted(7))  # outside a window: written at once
    assert db.stored() == [accepted(7).message_id]
    log = db.log()
    with log.deferred():
        log.add(accepted(8, file))
    fresh = db.log()
    assert fresh.find("gateway", accepted(7).message_id) == accepted(7)
    again = fresh.find("gateway", accepted(8).message_id)
    assert again is not None and again.attachment is not None
    assert (again.text, again.attachment.filename, again.attachment.sha256) == (
        "pesan 8",
        "rekap.xlsx",
        "ab" * 32,
    )
    assert fresh.find("gateway", accepted(9).message_id) is None


def test_a_window_that_raises_still_stores_what_the_network_accepted(db: Db) -> None:
    log = db.log()
    with pytest.raises(RuntimeError), log.deferred():
        log.add(accepted(1))
        raise RuntimeError("the sender failed after the network accepted")
    assert db.stored() == [accepted(1).message_id]


def test_a_window_forgotten_by_a_kill_is_not_remembered_by_the_next_process(db: Db) -> None:
    """SIGKILL inside a window: the acceptances never reached the table, so the network of
    the next process treats a resend under the same id as a new message (sent once)."""
    log = db.log()
    window = log.deferred()
    window.__enter__()
    log.add(accepted(1))
    # The process dies here: no __exit__, nothing written.
    assert db.stored() == []
    assert db.log().find("gateway", accepted(1).message_id) is None


def test_a_nested_window_is_written_by_the_outer_one(db: Db) -> None:
    log = db.log()
    with log.deferred():
        with log.deferred():
            log.add(accepted(1))
        assert db.stored() == []
        log.add(accepted(2))
    assert db.stored() == [accepted(1).message_id, accepted(2).message_id]

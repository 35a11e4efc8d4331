"""SIGKILL inside send windows (issue 5, invariant 5). With the throttle off, a session on
the simulated network claims up to 100 rows at a time: `sending` in one statement, the
network's records of the window in one, `sent` in one. Triggers of the test's own
(gates held with advisory locks) stop a window before the network's records are written
(lost on the way) or after, before `sent` is stored; the runtime is SIGKILLed there.
Whatever happened, every row reaches the network exactly once, under its own id."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest

from cicero.actors.messages import ChildSpec, Directory, Ports, WhereIs
from cicero.actors.session import DRAIN_BATCH, SessionOptions
from cicero.config import Secret, load_settings
from cicero.db import outbox
from cicero.db.connect import connect
from cicero.domain.delivery.outbox import message_id_for, outbox_key
from cicero.domain.timezone import WIB
from cicero.jobs.registry import DEFAULT_REGISTRY
from cicero.sim.clock import VirtualTime
from cicero.sim.control import Pump, SimControl
from cicero.sim.whatsapp.factory import SimulatedFactory

pytestmark = pytest.mark.slow
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
NOW = T0 + timedelta(seconds=1)  # the one instant the test pumps
ROWS = 1000
WINDOW = DRAIN_BATCH  # the throttle off, the simulator: a window is a whole batch
GIVE_UP = 60.0  # seconds without the expected state: the runtime is broken, not slow


class Db:
    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(connect(url))

    def value(self, query: str, *args: Any) -> Any:
        return self.loop.run_until_complete(self.conn.fetchval(query, *args))

    def rows(self, query: str) -> list[Any]:
        return self.loop.run_until_complete(self.conn.fetch(query))

    def script(self, sql: str) -> None:
        self.loop.run_until_complete(self.conn.execute(sql))

    def close(self) -> None:
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


def queue(db: Db) -> list[str]:
    keys = [outbox_key("broadcast", T0, f"62812{i:08d}") for i in range(ROWS)]
    rows = [
        outbox.NewMessage(key, "gateway", f"62812{i:08d}", "group_broadcast", f"pesan {i}")
        for i, key in enumerate(keys)
    ]
    db.loop.run_until_complete(outbox.enqueue(db.conn, rows, T0))
    return keys


def start(settings: Any) -> Any:
    from cicero.actors.system import start_runtime

    clock = VirtualTime(settings.env.data_dir / "clock", NOW).clock()
    spec = ChildSpec(
        "session:gateway",
        "cicero.actors.session:SessionActor",
        extra=SessionOptions(SimulatedFactory(), throttle=False),
        ports=Ports(clock, SimControl()),
    )
    return start_runtime(settings, DEFAULT_REGISTRY, (spec,))


def actor_processes() -> list[psutil.Process]:
    from cicero.actors.system import is_actor_process

    return [p for p in psutil.Process().children(recursive=True) if is_actor_process(p)]


def kill() -> None:
    """SIGKILL every actor process (not the database), as `kill -9` would."""
    from cicero.actors.system import reap_zombies

    for _ in range(50):
        victims = actor_processes()
        if not victims:
            return
        for proc in victims:
            with contextlib.suppress(psutil.Error):
                proc.send_signal(signal.SIGKILL)
        psutil.wait_procs(victims, timeout=5)
        reap_zombies()
    raise AssertionError(f"actor processes survived SIGKILL: {actor_processes()}")


def drive_until(runtime: Any, done: Callable[[], bool]) -> None:
    """Pump the session until `done()`: again each second, as a pump may come before the
    session has started (answered busy) or a drain may be blocked on purpose."""
    deadline = time.monotonic() + GIVE_UP
    pumped_at = -GIVE_UP
    while not done():
        now = time.monotonic()
        assert now < deadline, "the session never got there"
        if now - pumped_at > 1.0:
            reply = runtime.system.ask(runtime.root, WhereIs(), 2)
            if isinstance(reply, Directory) and "session:gateway" in reply.addresses:
                pump = Pump(NOW)
                runtime.system.tell(reply.addresses["session:gateway"], pump)
            pumped_at = now
        time.sleep(0.01)


RECORDS, SENT = 7_000_001, 7_000_002  # the gates: advisory lock keys the test holds

GATES = f"""
CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(TG_ARGV[0]::bigint);  -- waits while the test holds it
    RETURN NEW;
END $$;
CREATE TRIGGER gate_records BEFORE INSERT ON sim_wa
    FOR EACH ROW EXECUTE FUNCTION test_gate('{RECORDS}');
CREATE TRIGGER gate_sent BEFORE UPDATE ON outbox
    FOR EACH ROW WHEN (NEW.status = 'sent') EXECUTE FUNCTION test_gate('{SENT}');
"""


def waiting_at(db: Db, gate: int) -> int | None:
    """The backend a gate holds (a statement of the session's window)."""
    return db.value(
        """SELECT pid FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = $1
           LIMIT 1""",
        gate,
    )


def kill_inside_a_window(settings: Any, db: Db, gate: int) -> tuple[int, int]:
    """Start the runtime, let its session claim and send a window, hold it at `gate`,
    SIGKILL the runtime there and end the held statement. Returns (rows left sending,
    how many of them the network recorded)."""
    db.value("SELECT pg_advisory_lock($1)", gate)
    runtime = start(settings)
    try:
        drive_until(runtime, lambda: waiting_at(db, gate) is not None)
    finally:
        kill()
    assert db.value("SELECT pg_terminate_backend($1)", waiting_at(db, gate))
    assert db.value("SELECT pg_advisory_unlock($1)", gate)
    row = db.rows(
        """SELECT count(*) AS sending, count(w.seq) AS recorded
           FROM outbox o LEFT JOIN sim_wa w
             ON w.session = o.session AND w.message_id = o.wa_message_id
           WHERE o.status = 'sending'"""
    )[0]
    return row["sending"], row["recorded"]


def test_sigkill_inside_send_windows_loses_nothing_and_sends_nothing_twice(
    pg_server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    url = fresh_database(pg_server)
    base = load_settings({})
    settings = replace(base, env=replace(base.env, database_url=Secret(url), data_dir=tmp_path))
    db = Db(url)
    try:
        keys = queue(db)
        db.script(GATES)
        # 1. lost on the way: rows 1-100 left sending, unknown to the network;
        # 2. the same window resent, and killed after the network recorded it;
        # 3. the window resent again (the network knows every id: nothing new), marked
        #    sent, then the next window killed before the network recorded it.
        left = [kill_inside_a_window(settings, db, gate) for gate in (RECORDS, SENT, RECORDS)]
        assert left == [(WINDOW, 0), (WINDOW, WINDOW), (WINDOW, 0)]
        assert db.value("SELECT count(*) FROM outbox WHERE status = 'sent'") == WINDOW

        runtime = start(settings)
        try:
            drive_until(
                runtime, lambda: db.value("SELECT count(*) FROM outbox WHERE status <> 'sent'") == 0
            )
        finally:
            runtime.stop(10)
            kill()

        ids = [r["message_id"] for r in db.rows("SELECT message_id FROM sim_wa ORDER BY seq")]
        assert len(ids) == ROWS, f"{len(ids) - len(set(ids))} message(s) reached the network twice"
        assert set(ids) == {message_id_for(k) for k in keys}
        statuses = db.rows("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        assert [tuple(r) for r in statuses] == [("sent", ROWS)]
    finally:
        db.close()

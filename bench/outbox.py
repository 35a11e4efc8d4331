"""Outbox figures (issue 5):

1. messages per second through a real session actor with the throttle off, on the
   simulated network, against the embedded PostgreSQL (goal >= 1,000/s);
2. memory of `cicero run` with two sessions after an hour of simulated traffic, as the
   PSS sum of its whole process tree (goal <= 200 MB; spec/runtime.md §6).

Run: .venv/bin/python bench/outbox.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from thespian.actors import ActorSystem

from cicero.actors.messages import ChildSpec, Pump, SupervisorStart, WhereIs
from cicero.actors.session import SessionOptions
from cicero.actors.supervisor import Supervisor
from cicero.config import Secret, load_settings
from cicero.db import outbox
from cicero.db.connect import connect
from cicero.db.migrate import migrate
from cicero.domain.outbox import outbox_key
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
MESSAGES = 3000


def embedded(tmp: Path) -> tuple[str, object]:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp / "run"))
    (tmp / "run").mkdir(exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(tmp / "pg", cleanup_mode="delete")
    server.psql('CREATE DATABASE "bench";')
    return server.get_uri("bench"), server


async def prepare(url: str, count: int) -> None:
    conn = await connect(url)
    await migrate(conn)
    rows = [
        outbox.NewMessage(
            outbox_key("bench", T0, f"62812{i:08d}"),
            "gateway",
            f"62812{i:08d}",
            "group_broadcast",
            f"pesan {i}",
        )
        for i in range(count)
    ]
    await outbox.enqueue(conn, rows, T0)
    await conn.close()


async def sent(url: str) -> int:
    conn = await connect(url)
    n = await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'sent'")
    await conn.close()
    return n


def send_rate(url: str) -> float:
    base = load_settings({})
    settings = replace(base, env=replace(base.env, database_url=Secret(url)))
    system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
    try:
        root = system.createActor(Supervisor)
        spec = ChildSpec(
            "session:gateway",
            "cicero.actors.session:SessionActor",
            extra=SessionOptions(virtual=True, start=T0, throttle=False),
        )
        from cicero.domain.supervision import SupFlags

        system.tell(root, SupervisorStart("bench", SupFlags(), (spec,), settings))
        session = system.ask(root, WhereIs(), 5).addresses["session:gateway"]
        system.ask(session, Pump(T0), 60)  # connect first: only the sends are timed
        asyncio.run(prepare_rows(url))
        started = time.perf_counter()
        system.ask(session, Pump(T0 + timedelta(seconds=1)), 600)
        elapsed = time.perf_counter() - started
        done = asyncio.run(sent(url))
        assert done == MESSAGES, f"only {done} of {MESSAGES} sent"
        return done / elapsed
    finally:
        system.shutdown()


async def prepare_rows(url: str) -> None:
    await prepare(url, MESSAGES)


def run_memory() -> float:
    """PSS sum of `cicero run`'s process tree after an hour of simulated traffic."""
    import psutil

    from tests.integration.runtime import RunningCicero

    with tempfile.TemporaryDirectory() as tmp:
        cicero = RunningCicero(Path(tmp) / "data")
        try:
            cicero.wait_healthy(60)
            time.sleep(3)
            procs = [psutil.Process(cicero.proc.pid), *cicero.tree()]
            total = 0
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_full_info().pss
            return total / 2**20
        finally:
            cicero.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, server = embedded(Path(tmp))
        asyncio.run(migrate_only(url))
        rate = send_rate(url)
        server.cleanup()  # type: ignore[attr-defined]
    print(f"outbox -> simulated network, throttle off: {rate:.0f} messages/s (goal >= 1000)")
    print(
        f"cicero run, two sessions, idle after start: PSS sum {run_memory():.0f} MB (goal <= 200 MB)"
    )


async def migrate_only(url: str) -> None:
    conn = await connect(url)
    await migrate(conn)
    await conn.close()


if __name__ == "__main__":
    main()

"""Outbox figures (issue 5):

1. messages per second through a real session actor with the throttle off, on the
   simulated network, against the embedded PostgreSQL (goal >= 1,000/s), measured
   RUNS times on fresh databases (the machine is shared: the range is the figure). With
   the throttle off the session sends windows of up to 100 rows (3 statements a window,
   cicero.domain.delivery.send_window); with it on, its 2 s minimum gap makes every window one row;
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

from cicero.actors.messages import ChildSpec, Ports, SupervisorStart, WhereIs
from cicero.actors.session import SessionOptions
from cicero.actors.supervisor import Supervisor
from cicero.config import Secret, load_settings
from cicero.db import outbox
from cicero.db.connect import connect
from cicero.db.migrate import migrate
from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.timezone import WIB
from cicero.sim.clock import VirtualTime
from cicero.sim.control import Pump, SimControl
from cicero.sim.whatsapp.factory import SimulatedFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
MESSAGES = 3000
RUNS = 3


def embedded(tmp: Path) -> object:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp / "run"))
    (tmp / "run").mkdir(exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        return pgserver.get_server(tmp / "pg", cleanup_mode="delete")


def new_database(server: object, name: str) -> str:
    server.psql(f'CREATE DATABASE "{name}";')  # type: ignore[attr-defined]
    url = server.get_uri(name)  # type: ignore[attr-defined]
    asyncio.run(migrate_only(url))
    return url


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
    virtual = VirtualTime.temporary(T0)
    try:
        root = system.createActor(Supervisor)
        spec = ChildSpec(
            "session:gateway",
            "cicero.actors.session:SessionActor",
            extra=SessionOptions(SimulatedFactory(), throttle=False),
            ports=Ports(virtual.clock(), SimControl()),
        )
        from cicero.domain.runtime.supervision import SupFlags

        system.tell(root, SupervisorStart("bench", SupFlags(), (spec,), settings))
        session = system.ask(root, WhereIs(), 5).addresses["session:gateway"]
        system.ask(session, Pump(T0), 60)  # connect first: only the sends are timed
        asyncio.run(prepare_rows(url))
        started = time.perf_counter()
        virtual.set(T0 + timedelta(seconds=1))
        system.ask(session, Pump(T0 + timedelta(seconds=1)), 600)
        elapsed = time.perf_counter() - started
        done = asyncio.run(sent(url))
        assert done == MESSAGES, f"only {done} of {MESSAGES} sent"
        return done / elapsed
    finally:
        system.shutdown()
        virtual.close()


async def prepare_rows(url: str) -> None:
    await prepare(url, MESSAGES)


def traffic_memory(messages: int = 1200) -> tuple[float, float]:
    """Peak and final PSS sum of the runtime's process tree during an hour of simulated
    traffic: `cicero simulate` runs the same actor tree as `cicero run`, two sessions,
    with `messages` menu messages from 60 people answered through the outbox."""
    import subprocess

    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "hour.toml"
        lines = [
            '[scenario]\nname = "an hour of traffic"\nseed = 1\n'
            "start = 2026-11-23T09:00:00\nend = 2026-11-23T10:00:00\n"
        ]
        texts = ("userrequest", "75020001", "batal", "oprrequest", "halo")
        for i in range(messages):
            at = T0 + timedelta(seconds=3 * i)
            lines.append(
                f'[[event]]\nat = {at.strftime("%Y-%m-%dT%H:%M:%S")}\nkind = "message"\nsession = "operator"\n'
                f'from = "62813{i % 60:08d}"\ntext = "{texts[i % len(texts)]}"\n'
            )
        scenario.write_text("\n".join(lines))
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cicero",
                "simulate",
                str(scenario),
                "--out",
                str(Path(tmp) / "t.jsonl"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak = last = 0.0
        while proc.poll() is None:
            total = 0
            try:
                # The actor processes only: the driver is the simulated world, not the runtime.
                tree = psutil.Process(proc.pid).children(recursive=True)
            except psutil.Error:
                break
            for p in tree:
                with contextlib.suppress(psutil.Error):
                    if p.name() not in ("postgres", "pg_ctl", "initdb"):
                        total += p.memory_full_info().pss
            if total:  # not the moment the tree has already exited
                last = total / 2**20
                peak = max(peak, last)
            time.sleep(0.5)
        assert proc.returncode == 0, "the simulation failed"
        return peak, last


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = embedded(Path(tmp))
        rates = sorted(send_rate(new_database(server, f"bench{i}")) for i in range(RUNS))
        server.cleanup()  # type: ignore[attr-defined]
    print(
        f"outbox -> simulated network, throttle off, {MESSAGES:,} messages, {RUNS} runs: "
        f"{rates[0]:.0f} / {rates[len(rates) // 2]:.0f} / {rates[-1]:.0f} messages/s "
        "(min / median / max; goal >= 1000)"
    )
    peak, last = traffic_memory()
    print(
        "runtime tree, two sessions, an hour of simulated traffic (1,200 messages in, replies out): "
        f"PSS sum peak {peak:.0f} MB, at the end {last:.0f} MB (goal <= 200 MB)"
    )


async def migrate_only(url: str) -> None:
    conn = await connect(url)
    await migrate(conn)
    await conn.close()


if __name__ == "__main__":
    main()

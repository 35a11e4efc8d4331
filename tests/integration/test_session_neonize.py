"""The session actor with the neonize transport, as `cicero run` hosts it (issue 19 item 8).

A real actor system (multiprocTCPBase), the session actor in its own process running
the real neonize 0.5.2 Python over the stand-in Go library (tests/fakes/neonize_go.py,
driven through its control socket), the Web actor serving /healthz, and the embedded
PostgreSQL. Each step checks the actor's own view (its status report to the
supervisor) and what /healthz says: pairing by QR, ready, a message in, a message out,
a keepalive blip, a logout, pairing again by code from the running service, and a stop
while a QR code is on show.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
import pytest

from cicero.actors.messages import ChildSpec, OutboxNew, PairingReply, PairingRequest, WhereIs
from cicero.actors.session import SessionOptions
from cicero.config import Secret, load_settings
from cicero.db import outbox
from cicero.db.connect import connect
from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.timezone import WIB
from cicero.jobs.registry import DEFAULT_REGISTRY
from cicero.loopback import free_port
from cicero.whatsapp.neonize_transport import NeonizeFactory
from tests.fakes.neonize_remote import Remote
from tests.integration.runtime import SCRAPE_TOKEN

pytestmark = pytest.mark.slow
GROUP = "120363000000000001"
ALICE = "6281300000001"
GIVE_UP = 30.0


@dataclass
class Run:
    runtime: Any
    url: str
    port: int
    store: str
    go: Remote
    terminal: Path

    def report(self) -> dict[str, Any]:
        status = self.runtime.status(timeout=5) or {}
        return status.get("reports", {}).get("session:gateway", {})

    def healthz(self) -> tuple[int, dict[str, Any]]:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/healthz",
                headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"},  # the full body
            )
            with urllib.request.urlopen(request, timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def wait(self, what: str, ok: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The session's report once `ok` holds, and /healthz agrees with it."""
        deadline = time.monotonic() + GIVE_UP
        report: dict[str, Any] = {}
        while time.monotonic() < deadline:
            report = self.report()
            if report and ok(report):
                code, body = self.healthz()
                seen = body.get("sessions", {}).get("gateway", {})
                if seen.get("state") == report["state"] and ok(seen):
                    return report
            time.sleep(0.1)
        raise AssertionError(f"never {what}; last report {report}")

    def ask(self, request: PairingRequest) -> PairingReply:
        reply = self.runtime.system.ask(self.runtime.root, request, 40)
        assert isinstance(reply, PairingReply), reply
        return reply

    def sql(self, query: str, *args: Any) -> list[Any]:
        async def go() -> list[Any]:
            conn = await connect(self.url)
            try:
                return await conn.fetch(query, *args)
            finally:
                await conn.close()

        return asyncio.run(go())

    def queue(self, text: str) -> str:
        key = outbox_key("broadcast", datetime.now(WIB), f"{GROUP}@g.us")

        async def go() -> None:
            conn = await connect(self.url)
            try:
                message = outbox.NewMessage(
                    key, "gateway", f"{GROUP}@g.us", "group_broadcast", text
                )
                await outbox.enqueue(conn, [message], datetime.now(WIB))
            finally:
                await conn.close()

        asyncio.run(go())
        return key

    def poke_session(self) -> None:
        where = self.runtime.system.ask(self.runtime.root, WhereIs(), 5)
        self.runtime.system.tell(where.addresses["session:gateway"], OutboxNew())


def actor_processes() -> list[psutil.Process]:
    from cicero.actors.system import is_actor_process

    return [p for p in psutil.Process().children(recursive=True) if is_actor_process(p)]


@pytest.fixture
def run(pg_server, tmp_path: Path) -> Iterator[Run]:  # type: ignore[no-untyped-def]
    from cicero.actors.system import start_runtime
    from tests.conftest import end_connections, fresh_database

    url = fresh_database(pg_server)
    port = free_port()
    base = load_settings({}, overrides={"runtime": {"web_port": port}})
    env = replace(
        base.env,
        database_url=Secret(url),
        data_dir=tmp_path,
        metrics_token=Secret(SCRAPE_TOKEN),
    )
    settings = replace(base, env=env)
    folder = tmp_path / "fake-go"
    folder.mkdir()
    # A login window of 20 s then two of 5 s: long enough to scan, short enough to expire.
    (folder / "config.json").write_text(json.dumps({"qr_timeouts": [20, 5, 5]}))
    options = SessionOptions(NeonizeFactory(loader="tests.fakes.neonize_remote:loader"))
    children = (
        ChildSpec("session:gateway", "cicero.actors.session:SessionActor", extra=options),
        ChildSpec("web", "cicero.actors.web:Web", extra=DEFAULT_REGISTRY),
    )
    # The actor processes forked now write their stderr (the terminal of `cicero run`) here.
    terminal = (tmp_path / "terminal.txt").open("w", buffering=1)
    saved_fd, saved_stderr = os.dup(2), sys.stderr
    os.dup2(terminal.fileno(), 2)
    sys.stderr = terminal
    try:
        runtime = start_runtime(settings, DEFAULT_REGISTRY, children)
    finally:
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        sys.stderr = saved_stderr
    store = str(tmp_path / "wa" / "gateway.sqlite3")
    go = Remote(folder / "gateway.sock", timeout=GIVE_UP)
    go.world(store, "groups", [GROUP])
    yield Run(runtime, url, port, store, go, tmp_path / "terminal.txt")
    go.close()
    runtime.stop(10)
    for proc in actor_processes():  # a session left with a stuck Go call exits hard itself
        with contextlib.suppress(psutil.Error):
            proc.kill()
    end_connections(url)


def test_the_session_actor_with_neonize_from_pairing_to_logout(run: Run) -> None:
    # 1. Unpaired: a login window, its QR code in the report, on /healthz and in the terminal.
    report = run.wait(
        "pairing", lambda r: r["state"] == "pairing" and r.get("qr", "").startswith("2@")
    )
    assert report["login_window_open"] and report["transport"] == "neonize"
    code, body = run.healthz()
    assert body["sessions"]["gateway"]["qr"] == report["qr"]
    # The admin's /status draws it from that report: tests/integration/web/test_ops_status.py.
    drawn = run.terminal.read_text()
    assert "WhatsApp session gateway: scan with WhatsApp" in drawn and "█" in drawn

    # 2. Scanned: ready, with the number masked; /healthz is green.
    run.go.scan(run.store)
    report = run.wait("ready", lambda r: r["state"] == "ready")
    assert report["jid"] == "62*******0009@s.whatsapp.net" and report["qr"] == ""
    code, body = run.healthz()
    assert code == 200 and body["ok"], body["problems"]

    # 3. A message in: recorded in the inbox. Then one neonize cannot read, one without
    #    text and one of an unknown type: skipped, the actor unharmed.
    run.go.incoming(run.store, ALICE, "menu")
    run.go.raw_event_hex(run.store, 99, "")
    run.go.raw_event_hex(run.store, 17, "ffffff")
    run.go.incoming(run.store, ALICE, None, None, None, None, "sticker")
    deadline = time.monotonic() + GIVE_UP
    while not run.sql("SELECT 1 FROM inbox WHERE session = 'gateway' AND text = 'menu'"):
        assert time.monotonic() < deadline, "the message never reached the inbox"
        time.sleep(0.1)
    assert len(run.sql("SELECT 1 FROM inbox")) == 1

    # 4. A message out, written with an e-mail address and a numeric handle: sent as is.
    text = "Rekap: @20231234567 sudah, laporan ke operator@12345.polri.go.id"
    run.queue(text)
    run.poke_session()
    deadline = time.monotonic() + GIVE_UP
    while [GROUP + "@g.us", text] not in run.go.sent_texts(run.store):
        assert time.monotonic() < deadline, run.sql("SELECT status, last_error FROM outbox")
        time.sleep(0.1)
    deadline = time.monotonic() + GIVE_UP
    while run.sql("SELECT status FROM outbox")[0]["status"] != "sent":
        assert time.monotonic() < deadline
        time.sleep(0.1)

    # 5. A keepalive blip: not ready while pings fail, ready again on the restore, and the
    #    transport was never restarted (one Go call all along).
    calls = run.go.calls().count("Neonize")
    run.go.keepalive_timeout(run.store)
    run.go.keepalive_timeout(run.store)
    report = run.wait("stalled", lambda r: r["state"] == "reconnecting")
    assert report["reason"] == "keepalive timeout" and report["stalled"]
    run.go.keepalive_restored(run.store)
    run.wait("ready again", lambda r: r["state"] == "ready" and not r["stalled"])
    assert run.go.calls().count("Neonize") == calls

    # 6. Logged out on the phone: terminal, and /healthz says so in words (degraded, 200: a
    #    probe restarting the container would not pair it again).
    run.go.log_out(run.store)
    report = run.wait("logged out", lambda r: r["state"] == "logged_out")
    assert report["terminal"] and report["reason"] == "LOGGED_OUT"
    code, body = run.healthz()
    assert code == 200 and body["status"] == "degraded"
    assert "gateway: keluar, perlu pairing ulang (LOGGED_OUT)" in body["problems"]

    # 7. Bad requests get a clear answer, and the actor lives on.
    unknown = run.ask(PairingRequest("nosuch"))
    assert not unknown.ok and "no WhatsApp session named 'nosuch'" in unknown.message
    bad = run.ask(PairingRequest("gateway", phone="12"))
    assert not bad.ok and "not a number WhatsApp can link" in bad.message

    # 8. Paired again by code, asked of the running service (as /status will): a new login
    #    window opens, the code is given once its first QR code is there.
    reply = run.ask(PairingRequest("gateway", phone="+62 813-0000-0001"))
    assert reply.ok and len(reply.code) == 9, reply
    report = run.wait(
        "a pair code", lambda r: r["state"] == "pairing" and r["pair_code"] == reply.code
    )
    assert report["pair_code_for"] == "62*******0001"
    run.go.type_pair_code(run.store, reply.code)
    report = run.wait("ready with the new number", lambda r: r["state"] == "ready")
    assert report["jid"] == "62*******0001@s.whatsapp.net" and report["pair_code"] == ""
    again = run.ask(PairingRequest("gateway", phone="081300000001"))
    assert not again.ok and "already paired" in again.message
    status = run.runtime.status(timeout=5)
    assert status["actors"]["session:gateway"]["restarts"] == 0


def test_a_stop_while_a_qr_code_is_on_show_ends_within_the_shutdown_timeout(run: Run) -> None:
    run.wait("pairing", lambda r: r["state"] == "pairing" and bool(r.get("qr")))
    actors = actor_processes()
    assert actors
    started = time.monotonic()
    run.runtime.stop(10)
    took = time.monotonic() - started
    gone, alive = psutil.wait_procs(actors, timeout=1)
    assert not alive, f"left behind: {[p.cmdline() for p in alive]}"
    assert took < 10, took

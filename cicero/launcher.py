"""The `cicero run` process: not an actor. It prepares the database, has the bootstrap pick
the adapters and build the tree, starts the actor system (cicero.actors.system),
heartbeats the root, and turns SIGTERM/SIGINT into an orderly stop with no process left
behind.

Exit codes: 0 after a requested stop; 1 when the root escalated or stopped
answering (the container restarts us); 2 for a configuration or setup problem.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
import time

from cicero import bootstrap, instance_lock
from cicero.actors.messages import ChildSpecError
from cicero.actors.system import reap_zombies, start_runtime
from cicero.config import Settings
from cicero.db.connect import connect
from cicero.db.embedded import DatabaseUnavailable
from cicero.db.migrate import MigrationError, migrate
from cicero.server_secret import SecretError

log = logging.getLogger("cicero.launcher")
MISSED_HEARTBEATS_LIMIT = 3


class SetupError(RuntimeError):
    """Start-up cannot proceed; the message tells the operator what to do."""


def check_port(host: str, port: int) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            raise SetupError(
                f"web port {host}:{port} is not available ({err.strerror}): stop the other "
                "process or choose another port (runtime.web_port or CICERO_WEB_PORT)"
            ) from None


async def prepare_database(url: str) -> list[str]:
    conn = await connect(url)
    try:
        return [f"{m.version:04d}_{m.name}" for m in await migrate(conn)]
    finally:
        await conn.close()


def welcome(host: str, port: int, demo: bool) -> str:
    """What `make run` prints once the service is up: where the dashboard is, how to sign in."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    lines = [
        f"Dasbor Cicero: http://{shown}:{port}/  (status: http://{shown}:{port}/status)",
        "Buat admin (password dari stdin, lalu pindai URI otpauth:// dengan aplikasi autentikator):",
        "    .venv/bin/cicero admin add admin --password-stdin",
    ]
    if demo:
        lines.insert(1, "Mode demo: data hari ini disimulasikan (WhatsApp dan RapidAPI tiruan).")
    return "\n".join(lines)


def run(settings: Settings, stop: threading.Event | None = None) -> int:
    """`cicero run`: returns the process exit code. One runtime per data directory: a second
    one stops at once, in one line (exit 2)."""
    try:
        with instance_lock.holding(settings.env.data_dir, "cicero run"):
            return _serve(settings, stop or threading.Event())
    except instance_lock.AlreadyRunning as err:
        log.error("%s", err)
        return 2


def _serve(settings: Settings, stop: threading.Event) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        choice = bootstrap.choose(settings, bootstrap.Mode.RUN)
        bootstrap.check(choice)
        db = bootstrap.database(settings, choice)
    except (DatabaseUnavailable, bootstrap.Refused) as err:
        log.error("%s", err)
        return 2
    try:
        return _serve_on(bootstrap.with_database(settings, db.url), choice, stop)
    finally:
        db.close()  # stops the embedded server unless another process still uses it


def _serve_on(settings: Settings, choice: bootstrap.Choice, stop: threading.Event) -> int:
    assert settings.env.database_url is not None
    try:
        applied = asyncio.run(prepare_database(settings.env.database_url.reveal()))
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        runtime_cfg = settings.config.runtime
        check_port(runtime_cfg.web_host, runtime_cfg.web_port)
        wiring = bootstrap.bootstrap(settings, choice)
        wiring.seed_demo()  # before the actors start: the clock finds the ingestion owed
    except (
        DatabaseUnavailable,
        MigrationError,
        SetupError,
        SecretError,
        bootstrap.Refused,
        ChildSpecError,
    ) as err:
        log.error("%s", err)
        return 2
    started = time.monotonic()
    runtime = start_runtime(wiring.settings, wiring.registry, wiring.children)
    wiring.start_services()  # after the actor processes forked: they must not inherit them
    log.info(
        "Cicero is up: http://%s:%d/healthz (WhatsApp: %s)",
        runtime_cfg.web_host,
        runtime_cfg.web_port,
        wiring.choice.whatsapp,
    )
    print(welcome(runtime_cfg.web_host, runtime_cfg.web_port, wiring.demo is not None), flush=True)
    code = 0
    misses = 0
    try:
        while not stop.is_set():
            status = runtime.status(timeout=max(2.0, runtime_cfg.heartbeat_s))
            reap_zombies()
            if status is None:
                misses += 1
                log.warning(
                    "the root supervisor did not answer (%d/%d)", misses, MISSED_HEARTBEATS_LIMIT
                )
                if misses >= MISSED_HEARTBEATS_LIMIT:
                    log.error(
                        "the root supervisor stopped answering; exiting so the container restarts us"
                    )
                    code = 1
                    break
                continue
            misses = 0
            if status.get("escalated"):
                log.error(
                    "the root supervisor escalated (%s); exiting non-zero", status["escalated"]
                )
                code = 1
                break
            stop.wait(runtime_cfg.heartbeat_s)
    finally:
        log.info("stopping (after %.0fs)", time.monotonic() - started)
        runtime.stop(runtime_cfg.shutdown_timeout_s)
        wiring.close()
    return code

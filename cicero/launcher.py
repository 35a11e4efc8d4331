"""The `cicero run` process: not an actor. It prepares the database, starts the
Thespian actor system and the root supervisor, heartbeats the root, and turns
SIGTERM/SIGINT into an orderly stop with no process left behind.

Exit codes: 0 after a requested stop; 1 when the root escalated or stopped
answering (the container restarts us); 2 for a configuration or setup problem.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import importlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import psutil

from cicero import instance_lock
from cicero.actors import listen
from cicero.actors.base import ACTOR_PROCESS_ENV
from cicero.actors.clock import ClockOptions
from cicero.actors.messages import ChildSpec, StatusRequest, StatusSnapshot, SupervisorStart
from cicero.actors.session import SessionOptions
from cicero.actors.worker import WorkerOptions
from cicero.collector import GC_THRESHOLDS
from cicero.config import Secret, Settings
from cicero.db.connect import connect, resolve_database
from cicero.db.embedded import DatabaseUnavailable
from cicero.db.migrate import MigrationError, migrate
from cicero.domain.runtime.supervision import Strategy, SupFlags
from cicero.domain.timezone import WIB
from cicero.jobs.registry import DEFAULT_REGISTRY, load_registry
from cicero.loopback import free_port
from cicero.server_secret import SecretError, with_server_secret

log = logging.getLogger("cicero.launcher")
PR_SET_CHILD_SUBREAPER = 36
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


def root_children(
    settings: Settings, registry_path: str, virtual: bool = False
) -> tuple[ChildSpec, ...]:
    registry = load_registry(registry_path)
    workers = tuple(
        ChildSpec(
            name, "cicero.actors.worker:JobWorker", extra=WorkerOptions(registry_path, virtual)
        )
        for name in registry.actors()
    )
    sessions = tuple(
        ChildSpec(
            f"session:{name}",
            "cicero.actors.session:SessionActor",
            extra=SessionOptions(transport=settings.env.whatsapp, phone=f"62811000000{i:02d}"),
        )
        for i, name in enumerate(settings.config.sessions)
    )
    return (
        *sessions,
        *workers,
        ChildSpec("clock", "cicero.actors.clock:Clock", extra=ClockOptions(registry_path)),
        ChildSpec("router", "cicero.actors.router:Router"),
        ChildSpec("mailer", "cicero.actors.mailer:Mailer"),
        ChildSpec("web", "cicero.actors.web:Web", extra=registry_path),
    )


def sup_flags(settings: Settings) -> SupFlags:
    s = settings.config.supervisor
    return SupFlags(
        Strategy.ONE_FOR_ONE,
        s.intensity,
        s.period_s,
        s.backoff_min_s,
        s.backoff_max_s,
        s.backoff_reset_s,
    )


@dataclass
class Runtime:
    """A started actor system with its root; `stop()` leaves no process behind."""

    system: Any
    root: Any
    admin_port: int
    settings: Settings

    def status(self, timeout: float) -> dict[str, Any] | None:
        reply = self.system.ask(self.root, StatusRequest(), timeout)
        return reply.data if isinstance(reply, StatusSnapshot) else None

    def stop(self, timeout: float) -> None:
        descendants = _descendants()
        with contextlib.suppress(Exception):  # shutdown of a half-dead system may raise
            self.system.shutdown()
        _reap_and_kill(descendants, timeout)


def _descendants() -> list[psutil.Process]:
    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def _reap_and_kill(processes: list[psutil.Process], timeout: float) -> None:
    """Wait for the tree to exit; SIGTERM then SIGKILL what remains, by PID."""
    processes = [p for p in processes if is_actor_process(p)]
    _, alive = psutil.wait_procs(processes, timeout=min(timeout, 3))
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(alive, timeout=2)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=2)
    reap_zombies()


def is_actor_process(proc: psutil.Process) -> bool:
    # The embedded PostgreSQL is stopped by its own handle, not killed here.
    try:
        return proc.name() not in ("postgres", "pg_ctl")
    except psutil.Error:
        return False


def reap_zombies() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# Imported here, before the actor system forks, so every actor process shares these
# pages instead of importing its own copy (spec/runtime.md §6). Never neonize: its Go
# runtime must not be forked (§1.7).
SHARED_LIBRARIES = (
    "asyncpg",
    "aiohttp",
    "aiohttp.web",
    "aiosmtplib",
    "croniter",
    "openpyxl",
    "pydantic",
    "segno",
)


def preload(children: tuple[ChildSpec, ...], registry_path: str) -> None:
    for name in SHARED_LIBRARIES:
        importlib.import_module(name)
    for spec in children:
        importlib.import_module(spec.actor.partition(":")[0])
    load_registry(registry_path)  # every job handler module


@contextlib.contextmanager
def default_stop_signals() -> Iterator[None]:
    """SIGTERM and SIGINT at their default while the actor system forks its admin: the admin
    keeps the handlers it is forked with and sets none of its own, so with ours (which only
    set an event in the launcher) it could not be stopped by signal at all."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread sets handlers, so none of ours are set
        return
    saved = {sig: signal.signal(sig, signal.SIG_DFL) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def start_runtime(
    settings: Settings,
    registry_path: str = DEFAULT_REGISTRY,
    children: tuple[ChildSpec, ...] | None = None,
) -> Runtime:
    from thespian.actors import ActorSystem

    from cicero.actors.supervisor import Supervisor
    from cicero.logs import log_defs

    # Actors daemonise through a double fork; as a subreaper we stay their ancestor,
    # reap them, and can find every one by PID at shutdown.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    os.environ[ACTOR_PROCESS_ENV] = "1"
    thespian_log = settings.env.data_dir / "thespian.log"
    os.environ.setdefault("THESPLOG_FILE", str(thespian_log))
    chosen = children if children is not None else root_children(settings, registry_path)
    preload(chosen, registry_path)
    # Everything loaded so far is shared with the forked actors; keep the garbage collector
    # from writing to those objects (copy-on-write would make each actor a private copy).
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)  # cicero.collector: fewer walks of recaps' objects
    admin_port = settings.config.runtime.admin_port or free_port()
    listen.confine(settings.config.runtime.actor_host)  # never all interfaces (DESIGN §8)
    with default_stop_signals():  # Thespian's admin forks here
        system = ActorSystem(
            "multiprocTCPBase",
            {"Admin Port": admin_port, "Process Startup Method": "fork"},
            logDefs=log_defs(settings.env.log_format, settings.env.log_level),
            transientUnique=True,
        )
    root = system.createActor(Supervisor)
    system.tell(
        root,
        SupervisorStart(
            "root",
            sup_flags(settings),
            chosen,
            settings,
            launcher_pid=os.getpid(),
        ),
    )
    return Runtime(system, root, admin_port, settings)


async def _demo(url: str, settings: Settings) -> Any:
    """The demo day's upstream world; its clients and staff seeded when there are none."""
    from cicero.db.connect import connect
    from cicero.sim import demo as demo_day

    now = datetime.now(WIB)
    day, world = demo_day.demo_world(now)
    conn = await connect(url)
    try:
        await demo_day.seed_if_empty(conn, settings, day, now)
    finally:
        await conn.close()
    return world


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
        url, pg_handle = resolve_database(settings)
        applied = asyncio.run(prepare_database(url))
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        runtime_cfg = settings.config.runtime
        check_port(runtime_cfg.web_host, runtime_cfg.web_port)
        settings = with_server_secret(settings)  # created at first start (mode 0600)
    except (DatabaseUnavailable, MigrationError, SetupError, SecretError) as err:
        log.error("%s", err)
        return 2
    from cicero.sim import demo as demo_day

    demo = demo_day.wanted(settings)  # asked before the embedded database's URL is set
    settings = replace(settings, env=replace(settings.env, database_url=Secret(url)))
    sink = None
    if settings.env.smtp_host is None:
        # No SMTP configured: mail goes to a loopback sink that logs what it accepted.
        from cicero.sim.smtp_sink import SmtpSink

        sink = SmtpSink(
            lambda m: log.info("mail to %s accepted by the loopback sink: %s", m.to, m.subject),
            free_port(),
        )
        settings = replace(
            settings, env=replace(settings.env, smtp_host="127.0.0.1", smtp_port=sink.port)
        )
    upstream = None
    if settings.env.rapidapi_key is None:
        # No upstream key: the fake RapidAPI endpoints serve the demo data on loopback.
        from cicero.sim.upstream.embedded import prepare_fake
        from cicero.sim.upstream.world import UpstreamWorld

        world = UpstreamWorld()
        if demo:
            world = asyncio.run(_demo(url, settings))
        upstream, settings = prepare_fake(world, lambda: datetime.now(WIB), settings)
    started = time.monotonic()
    runtime = start_runtime(settings)
    if sink is not None:
        sink.start()  # after the actor processes forked: they must not inherit its thread
    if upstream is not None:
        upstream.start()
    log.info(
        "Cicero is up: http://%s:%d/healthz (WhatsApp: %s)",
        runtime_cfg.web_host,
        runtime_cfg.web_port,
        settings.env.whatsapp,
    )
    print(welcome(runtime_cfg.web_host, runtime_cfg.web_port, demo), flush=True)
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
        if sink is not None:
            sink.stop()
        if upstream is not None:
            upstream.stop()
        if pg_handle is not None:
            pg_handle.cleanup()  # stops the embedded server unless another process still uses it
    return code

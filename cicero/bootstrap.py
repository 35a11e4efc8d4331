"""The one place that picks adapters and builds the actor tree (DESIGN §2).

`cicero run` (cicero.launcher) and `cicero simulate` (cicero.sim.driver) both call
`bootstrap`; the same actors run in both, handed other adapters:

| adapter   | `cicero run`                                       | `cicero simulate`                  |
|-----------|----------------------------------------------------|------------------------------------|
| clock     | the wall clock                                     | the driver's virtual clock         |
| WhatsApp  | neonize (CICERO_WHATSAPP=neonize), else simulated   | the simulated network              |
| upstream  | RapidAPI (RAPIDAPI_KEY), else the fake on loopback | the fake, serving the scenario     |
| mail      | SMTP (SMTP_HOST), else a loopback sink that logs   | a loopback sink the driver reads   |
| database  | DATABASE_URL, else the embedded server             | a scratch embedded server, or --db |
| control   | none                                               | the simulator's control port       |

`run` with nothing configured (embedded database, fake upstream, simulated WhatsApp) is the
demo: the fake upstream serves the demo day squeezed into today, its people seeded once. The
web server listens where configured; in a simulation on a loopback port of its own.

A combination that cannot work (neonize inside a simulation, a virtual clock in `run`) is
refused in one line (`Refused`). Only this module (and the driver) import `cicero.sim`, and
only when a simulator adapter is picked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cicero.actors.clock import ClockOptions
from cicero.actors.messages import ChildSpec, Ports, check_children
from cicero.actors.session import SessionOptions
from cicero.actors.wall_clock import WallClock
from cicero.actors.web import WebOptions
from cicero.actors.worker import WorkerOptions
from cicero.config import Secret, Settings
from cicero.domain.runtime.names import CLOCK, MAILER, ROUTER, WEB, session_actor
from cicero.jobs.registry import DEFAULT_REGISTRY, load_registry
from cicero.server_secret import with_server_secret
from cicero.whatsapp.transport import TransportFactory

if TYPE_CHECKING:
    from cicero.sim.clock import VirtualTime
    from cicero.sim.scenario import Scenario
    from cicero.sim.smtp_sink import Received, SmtpSink
    from cicero.sim.upstream.server import FakeUpstreamThread

log = logging.getLogger("cicero.bootstrap")


class Mode(StrEnum):
    RUN = "run"
    SIMULATE = "simulate"


class ClockKind(StrEnum):
    WALL = "wall"
    VIRTUAL = "virtual"


class TransportKind(StrEnum):
    NEONIZE = "neonize"
    SIMULATOR = "simulator"


class UpstreamKind(StrEnum):
    RAPIDAPI = "rapidapi"
    FAKE = "fake"


class MailKind(StrEnum):
    SMTP = "smtp"
    SINK = "sink"


class DatabaseKind(StrEnum):
    URL = "url"  # DATABASE_URL, or `cicero simulate --db`
    EMBEDDED = "embedded"  # the embedded server under the data directory
    SCRATCH = "scratch"  # an embedded server whose files go after the run (a simulation)


class Refused(ValueError):
    """Adapters that cannot work together; the message is one line, for the operator."""


@dataclass(frozen=True)
class Choice:
    """Which adapter of each kind a runtime gets."""

    mode: Mode
    clock: ClockKind
    whatsapp: TransportKind
    upstream: UpstreamKind
    mail: MailKind
    database: DatabaseKind = DatabaseKind.URL

    @property
    def demo(self) -> bool:
        """Nothing configured: `cicero run` shows a live service on demo data."""
        return (
            self.mode is Mode.RUN
            and self.database is DatabaseKind.EMBEDDED
            and self.upstream is UpstreamKind.FAKE
            and self.whatsapp is TransportKind.SIMULATOR
        )


def choose(settings: Settings, mode: Mode, database_url: str | None = None) -> Choice:
    """The adapters the configuration asks for in `mode`, before anything starts
    (`database_url`: `cicero simulate --db`). A simulation owns its outside world (the
    scenario's network, posts and mailbox): it ignores RAPIDAPI_KEY and SMTP_*."""
    env = settings.env
    whatsapp = TransportKind(env.whatsapp)
    if database_url is not None or env.database_url is not None:
        database = DatabaseKind.URL
    else:
        database = DatabaseKind.SCRATCH if mode is Mode.SIMULATE else DatabaseKind.EMBEDDED
    if mode is Mode.SIMULATE:
        return Choice(mode, ClockKind.VIRTUAL, whatsapp, UpstreamKind.FAKE, MailKind.SINK, database)
    return Choice(
        mode,
        ClockKind.WALL,
        whatsapp,
        UpstreamKind.FAKE if env.rapidapi_key is None else UpstreamKind.RAPIDAPI,
        MailKind.SINK if env.smtp_host is None else MailKind.SMTP,
        database,
    )


def check(choice: Choice) -> None:
    """Refuse, in one line, a combination that cannot work."""
    simulate = choice.mode is Mode.SIMULATE
    if simulate and choice.whatsapp is TransportKind.NEONIZE:
        raise Refused(
            "cicero simulate runs on the simulated WhatsApp network, not neonize: "
            "unset CICERO_WHATSAPP (or set it to simulator)"
        )
    if simulate and choice.clock is not ClockKind.VIRTUAL:
        raise Refused(
            "cicero simulate needs the virtual clock: a scenario cannot wait for real time"
        )
    if not simulate and choice.clock is ClockKind.VIRTUAL:
        raise Refused(
            "cicero run keeps real time: a virtual clock only moves under cicero simulate's driver"
        )
    if simulate and (choice.upstream is not UpstreamKind.FAKE or choice.mail is not MailKind.SINK):
        raise Refused("cicero simulate serves the scenario's own upstream and mailbox")
    if not simulate and choice.database is DatabaseKind.SCRATCH:
        raise Refused("cicero run keeps its data: a scratch database is for cicero simulate")


@dataclass
class Wiring:
    """What the bootstrap built: settings pointed at the adapters, the root's children, and
    the stand-in servers (started once the actor system forked: no actor inherits them)."""

    choice: Choice
    settings: Settings
    registry: str  # the job handlers' registry the children were built from
    children: tuple[ChildSpec, ...]
    time: VirtualTime | None = None  # the simulation's clock, moved by the driver
    sink: SmtpSink | None = None  # the loopback mail server, when no SMTP is configured
    upstream: FakeUpstreamThread | None = None  # the fake RapidAPI, when no key is configured
    demo: Scenario | None = None  # the demo day the fake serves (`run` with nothing configured)
    now: Callable[[], datetime] = WallClock().now  # the runtime's time, read in this process

    def seed_demo(self) -> bool:
        """The demo day's clients and staff, and an ingestion owed now, on a database without
        clients (before the actors start); False where there are clients already."""
        if self.demo is None:
            return False
        from cicero.sim import demo

        url = self.settings.env.database_url
        assert url is not None, "seeded once the database is chosen"
        return asyncio.run(demo.seed_database(url.reveal(), self.settings, self.demo, self.now()))

    def start_services(self) -> None:
        if self.sink is not None:
            self.sink.start()
        if self.upstream is not None:
            self.upstream.start()

    def stop_services(self) -> None:
        if self.sink is not None:
            self.sink.stop()
        if self.upstream is not None:
            self.upstream.stop()

    def close(self) -> None:
        self.stop_services()
        if self.time is not None:
            self.time.close()


def bootstrap(
    settings: Settings,
    choice: Choice,
    *,
    registry: str = DEFAULT_REGISTRY,
    scenario: Scenario | None = None,
    on_mail: Callable[[Received], None] | None = None,
) -> Wiring:
    """Build what `choice` picked (`choose`) and the root supervisor's children, for `settings`
    whose database is chosen already (`database`, `with_database`).

    A simulation needs its `scenario` (start, seed, sessions' first states, the upstream's
    world) and takes the mails the sink accepts in `on_mail`. Raises `Refused`."""
    check(choice)
    if choice.mode is Mode.SIMULATE and scenario is None:
        raise Refused("cicero simulate needs a scenario")
    settings = with_server_secret(settings)  # once, before any actor starts (SecretError)
    time = _virtual_time(scenario) if choice.clock is ClockKind.VIRTUAL else None
    now: Callable[[], datetime] = time.now if time is not None else WallClock().now
    ports = Ports(time.clock(), _control()) if time is not None else Ports(WallClock())
    if choice.mode is Mode.SIMULATE:
        settings = _web_on_loopback(settings)
    settings, sink = _mail(choice, settings, on_mail)
    settings, upstream, demo = _upstream(choice, settings, scenario, now)
    transports = _transports(choice, settings, scenario)
    seed = scenario.seed if scenario is not None else 0
    # Nobody scans a scenario's QR codes: they are not drawn in the terminal.
    draw_qr = choice.mode is Mode.RUN
    children = root_children(settings, registry, ports, transports, seed=seed, draw_qr=draw_qr)
    check_children(children)  # a job handler's actor named like a sibling is refused here
    return Wiring(choice, settings, registry, children, time, sink, upstream, demo, now)


def root_children(
    settings: Settings,
    registry_path: str,
    ports: Ports,
    transports: dict[str, TransportFactory],
    *,
    seed: int = 0,
    draw_qr: bool = True,
) -> tuple[ChildSpec, ...]:
    """The root's children, in start order (stopped in reverse): the sessions first (the
    clock dispatches to ready buckets), the workers, the clock, the router, the mailer, the
    web server last."""
    registry = load_registry(registry_path)
    sessions = tuple(
        ChildSpec(
            session_actor(name),
            "cicero.actors.session:SessionActor",
            extra=SessionOptions(transports[name], seed, draw_qr=draw_qr),
            ports=ports,
        )
        for name in settings.config.sessions
    )
    workers = tuple(
        ChildSpec(
            name, "cicero.actors.worker:JobWorker", extra=WorkerOptions(registry_path), ports=ports
        )
        for name in registry.actors()
    )
    return (
        *sessions,
        *workers,
        ChildSpec(
            CLOCK, "cicero.actors.clock:Clock", extra=ClockOptions(registry_path), ports=ports
        ),
        ChildSpec(ROUTER, "cicero.actors.router:Router", ports=ports),
        ChildSpec(MAILER, "cicero.actors.mailer:Mailer", ports=ports),
        ChildSpec(WEB, "cicero.actors.web:Web", extra=WebOptions(registry_path), ports=ports),
    )


# ---- each adapter ------------------------------------------------------------------------


def _virtual_time(scenario: Scenario | None) -> VirtualTime:
    from cicero.sim.clock import VirtualTime

    assert scenario is not None
    return VirtualTime.temporary(scenario.start)


def _control() -> Any:
    from cicero.sim.control import SimControl

    return SimControl()


def _web_on_loopback(settings: Settings) -> Settings:
    """A simulation's web server on a loopback port of its own (`http` events go there)."""
    from cicero.loopback import free_port

    runtime = settings.config.runtime.model_copy(
        update={"web_host": "127.0.0.1", "web_port": free_port()}
    )
    return replace(settings, config=settings.config.model_copy(update={"runtime": runtime}))


def _mail(
    choice: Choice, settings: Settings, on_mail: Callable[[Received], None] | None
) -> tuple[Settings, SmtpSink | None]:
    if choice.mail is MailKind.SMTP:
        return settings, None
    from cicero.sim.smtp_sink import SmtpSink

    sink = SmtpSink(on_mail or _log_mail)
    env = replace(settings.env, smtp_host="127.0.0.1", smtp_port=sink.port)
    return replace(settings, env=env), sink


def _log_mail(mail: Received) -> None:
    log.info("mail to %s accepted by the loopback sink: %s", mail.to, mail.subject)


def _upstream(
    choice: Choice,
    settings: Settings,
    scenario: Scenario | None,
    now: Callable[[], datetime],
) -> tuple[Settings, FakeUpstreamThread | None, Scenario | None]:
    if choice.upstream is UpstreamKind.RAPIDAPI:
        return settings, None, None
    from cicero.sim import demo
    from cicero.sim.upstream.embedded import prepare_fake, world_from_scenario
    from cicero.sim.upstream.world import UpstreamWorld

    day = None
    if scenario is not None:
        world = world_from_scenario(scenario)
    elif choice.demo and demo.available():
        day, world = demo.demo_world(now())
    else:
        world = UpstreamWorld()
    fake, settings = prepare_fake(world, now, settings)
    return settings, fake, day


def _transports(
    choice: Choice, settings: Settings, scenario: Scenario | None
) -> dict[str, TransportFactory]:
    names = list(settings.config.sessions)
    if choice.whatsapp is TransportKind.NEONIZE:
        from cicero.whatsapp.neonize_transport import NeonizeFactory

        return {name: NeonizeFactory(proxy=settings.env.whatsapp_proxy) for name in names}
    from cicero.sim.whatsapp.factory import SimulatedFactory, simulated_phone

    seed = scenario.seed if scenario is not None else 0
    first = scenario.sessions if scenario is not None else {}
    return {
        name: SimulatedFactory(simulated_phone(i), seed, str(first.get(name, "ready")))
        for i, name in enumerate(names)
    }


# ---- the database ------------------------------------------------------------------------


@dataclass
class Database:
    """Where the runtime's PostgreSQL is; `close` stops an embedded server this process
    started (unless another process still uses it)."""

    url: str
    handle: Any = None

    def close(self) -> None:
        if self.handle is not None:
            cleanup = getattr(self.handle, "cleanup", None)
            if cleanup is not None:
                cleanup()
            self.handle = None


def database(settings: Settings, choice: Choice, url: str | None = None) -> Database:
    """The database `choice` picked: `url` (`--db`) or DATABASE_URL, else the embedded server
    under the data directory, or a scratch one (its files deleted after the run) for a
    simulation. Raises DatabaseUnavailable."""
    from cicero.db.embedded import start_embedded

    if choice.database is DatabaseKind.URL:
        given = url or (settings.env.database_url.reveal() if settings.env.database_url else None)
        assert given is not None, "a URL was given when the database was chosen"
        return Database(given)
    scratch = choice.database is DatabaseKind.SCRATCH
    found, handle = start_embedded(settings.env.data_dir, scratch=scratch)
    return Database(found, handle)


def with_database(settings: Settings, url: str) -> Settings:
    return replace(settings, env=replace(settings.env, database_url=Secret(url)))

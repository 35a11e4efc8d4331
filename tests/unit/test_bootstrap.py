"""The bootstrap: the one place that picks adapters. `cicero run` and `cicero simulate` get the
same actors with other adapters; a combination that cannot work is refused in one line; no
production module imports the simulator."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cicero import bootstrap
from cicero.bootstrap import (
    Choice,
    ClockKind,
    DatabaseKind,
    MailKind,
    Mode,
    TransportKind,
    UpstreamKind,
    choose,
)
from cicero.cli.main import main
from cicero.config import Secret, Settings, load_settings
from cicero.sim.clock import VirtualClock
from cicero.sim.control import SimControl
from cicero.sim.driver import SUPPORTED_KINDS
from cicero.sim.parse import load_scenario
from cicero.sim.whatsapp.factory import SimulatedFactory
from cicero.whatsapp.neonize_transport import NeonizeFactory

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "quiet-day.toml"


# The bootstrap resolves the server secret: given, no key file is written anywhere.
ENVIRON = {"CICERO_SECRET_KEY": "k" * 32}


def settings(**env: object) -> Settings:
    base = load_settings(ENVIRON)
    return replace(base, env=replace(base.env, **env))


@pytest.fixture
def wirings() -> Iterator[list[bootstrap.Wiring]]:
    made: list[bootstrap.Wiring] = []
    yield made
    for wiring in made:
        wiring.close()


def test_run_with_nothing_configured_gets_the_embedded_stand_ins(
    wirings: list[bootstrap.Wiring],
) -> None:
    base = settings()
    choice = choose(base, Mode.RUN)
    assert choice == Choice(
        Mode.RUN,
        ClockKind.WALL,
        TransportKind.SIMULATOR,
        UpstreamKind.FAKE,
        MailKind.SINK,
        DatabaseKind.EMBEDDED,
    )
    assert choice.demo  # the embedded default shows the demo day
    wiring = bootstrap.bootstrap(base, choice)
    wirings.append(wiring)
    assert wiring.demo is not None  # the fake serves it (seeded once the database is there)
    assert wiring.sink is not None and wiring.upstream is not None and wiring.time is None
    env = wiring.settings.env
    assert (env.smtp_host, env.smtp_port) == ("127.0.0.1", wiring.sink.port)
    assert env.rapidapi_key is not None  # the fake's own key, for the real clients
    assert wiring.settings.config.upstream.instagram_url.startswith("http://127.0.0.1:")
    for child in wiring.children:
        assert type(child.ports.clock).__name__ == "WallClock" and child.ports.control is None
    sessions = [c for c in wiring.children if c.name.startswith("session:")]
    phones = [c.extra.transport.phone for c in sessions]
    assert all(isinstance(c.extra.transport, SimulatedFactory) for c in sessions)
    assert len(set(phones)) == len(phones) == len(wiring.settings.config.sessions)


def test_run_with_real_services_configured_leaves_them_alone(
    wirings: list[bootstrap.Wiring],
) -> None:
    configured = settings(
        whatsapp="neonize", rapidapi_key=Secret("k"), smtp_host="mail.example.org", smtp_port=587
    )
    wiring = bootstrap.bootstrap(configured, choose(configured, Mode.RUN))
    wirings.append(wiring)
    assert wiring.choice.whatsapp is TransportKind.NEONIZE and not wiring.choice.demo
    assert wiring.sink is None and wiring.upstream is None and wiring.demo is None
    assert wiring.settings == configured
    sessions = [c for c in wiring.children if c.name.startswith("session:")]
    assert sessions and all(isinstance(c.extra.transport, NeonizeFactory) for c in sessions)


def test_run_and_simulate_start_the_same_actors_with_other_adapters(
    wirings: list[bootstrap.Wiring],
) -> None:
    scenario = load_scenario(SCENARIO, SUPPORTED_KINDS)
    base = load_settings(ENVIRON, overrides=scenario.settings_overrides)
    run = bootstrap.bootstrap(base, choose(base, Mode.RUN))
    simulate = bootstrap.bootstrap(base, choose(base, Mode.SIMULATE), scenario=scenario)
    wirings += [run, simulate]
    assert [(c.name, c.actor) for c in run.children] == [
        (c.name, c.actor) for c in simulate.children
    ]
    web = simulate.settings.config.runtime
    assert web.web_host == "127.0.0.1" and web.web_port != base.config.runtime.web_port
    assert simulate.time is not None and simulate.time.now() == scenario.start
    for child in simulate.children:
        assert isinstance(child.ports.clock, VirtualClock)
        assert isinstance(child.ports.control, SimControl)
    sessions = {c.name: c.extra for c in simulate.children if c.name.startswith("session:")}
    for name, options in sessions.items():
        first = str(scenario.sessions.get(name.removeprefix("session:"), "ready"))
        assert options.transport.initial == first and options.seed == scenario.seed
        assert not options.draw_qr  # nobody scans a scenario's QR codes


@pytest.mark.parametrize(
    ("mode", "clock", "whatsapp", "words"),
    [
        (Mode.SIMULATE, ClockKind.VIRTUAL, TransportKind.NEONIZE, "not neonize"),
        (Mode.RUN, ClockKind.VIRTUAL, TransportKind.SIMULATOR, "virtual clock"),
        (Mode.SIMULATE, ClockKind.WALL, TransportKind.SIMULATOR, "virtual clock"),
    ],
)
def test_adapters_that_cannot_work_together_are_refused_in_one_line(
    mode: Mode, clock: ClockKind, whatsapp: TransportKind, words: str
) -> None:
    upstream, mail = (UpstreamKind.FAKE, MailKind.SINK)
    with pytest.raises(bootstrap.Refused) as refused:
        bootstrap.check(Choice(mode, clock, whatsapp, upstream, mail, DatabaseKind.URL))
    assert words in str(refused.value) and "\n" not in str(refused.value)


def test_simulate_with_neonize_asked_for_stops_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CICERO_WHATSAPP", "neonize")
    out = tmp_path / "t.jsonl"
    assert main(["simulate", str(SCENARIO), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CICERO_WHATSAPP" in err
    assert not out.exists()


# Modules that may name the simulator: the bootstrap (it picks simulator adapters, lazily) and
# the command line's `simulate`, which runs the driver.
MAY_IMPORT_SIM = {"cicero/bootstrap.py", "cicero/cli/main.py"}


def test_production_modules_import_nothing_from_the_simulator() -> None:
    offenders = []
    for path in sorted((ROOT / "cicero").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("cicero/sim/") or rel in MAY_IMPORT_SIM:
            continue
        for node in ast.walk(ast.parse(path.read_text(), rel)):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [
                f"{rel}: {n}" for n in names if n == "cicero.sim" or n.startswith("cicero.sim.")
            ]
    assert offenders == []

"""Run a scenario file in-process (`cicero simulate`'s driver) and read its transcript."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cicero.config import load_settings
from cicero.sim import driver
from cicero.sim.parse import load_scenario
from tests.conftest import fresh_database

Line = dict[str, Any]
FAULTS = Path(__file__).resolve().parents[2] / "scenarios" / "faults"


def simulate(path: Path, pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    """The transcript of `path`, run on a fresh database of the session's server."""
    tmp = tmp_path_factory.mktemp(path.stem)
    scenario = load_scenario(path, driver.SUPPORTED_KINDS)
    settings = load_settings({}, overrides=scenario.settings_overrides)
    settings = replace(settings, env=replace(settings.env, data_dir=tmp))
    out = tmp / "transcript.jsonl"
    driver.run(scenario, settings, fresh_database(pg_server), out)
    return [json.loads(line) for line in out.read_text().splitlines()]


def of(lines: list[Line], kind: str, **match: Any) -> list[Line]:
    """The lines of type `kind` whose keys have the values of `match`."""
    return [x for x in lines if x["type"] == kind and all(x.get(k) == v for k, v in match.items())]

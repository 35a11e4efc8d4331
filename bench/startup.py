"""Start-up to a green /healthz with the embedded database (goal: under 10 s).

Prints two figures: a cold start (a new data directory: initdb included) and a
warm start (the same directory again). Run: .venv/bin/python bench/startup.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.runtime import RunningCicero


def once(data: Path) -> float:
    started = time.monotonic()
    cicero = RunningCicero(data)
    try:
        cicero.wait_healthy(60)
        return time.monotonic() - started
    finally:
        cicero.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        cold = once(data)
        warm = once(data)
    print(
        f"startup to green /healthz, embedded PostgreSQL: cold {cold:.2f} s, warm {warm:.2f} s (goal < 10 s)"
    )


if __name__ == "__main__":
    main()

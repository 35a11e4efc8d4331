"""`cicero run` with the real WhatsApp transport and no network: /healthz must say so.

neonize's proxy is a closed local port, so every connection fails at once the way a host
without network fails (and no test ever reaches WhatsApp). This was 200 "All well",
`cicero_healthy 1` and a silent terminal while both sessions looped on reconnects.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from tests.integration.runtime import SCRAPE_TOKEN, RunningCicero

pytestmark = pytest.mark.slow

SESSIONS = ("gateway", "operator")


def looping(body: dict) -> bool:
    sessions = body.get("sessions", {})
    return all(
        sessions.get(name, {}).get("state") == "reconnecting"
        and sessions[name].get("attempt", 0) >= 2
        for name in SESSIONS
    )


def test_no_network_is_degraded_said_in_words_and_logged_once(
    tmp_path: Path, database_url: str
) -> None:
    cicero = RunningCicero(
        tmp_path / "data",
        database_url,
        CICERO_WHATSAPP="neonize",
        CICERO_WHATSAPP_PROXY="socks5://127.0.0.1:9",
    )
    try:
        body = cicero.wait_for(looping, 60, "both sessions in a reconnect loop")
        status, body = cicero.healthz() or (0, {})
        assert status == 200 and body["status"] == "degraded", body
        assert body["checks"]["sessions"] == {"gateway": "reconnecting", "operator": "reconnecting"}
        assert body["buckets"]["gateway"] is False and body["buckets"]["operator"] is False
        for name in SESSIONS:
            [words] = [p for p in body["problems"] if p.startswith(f"{name}: ")]
            assert re.match(rf"{name}: menyambung ulang sejak \d\d\.\d\d, percobaan \d+: ", words)
            assert "dial" in words or "proxy" in words or "connect" in words, words
        scrape = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}
        asked = urllib.request.Request(f"http://127.0.0.1:{cicero.port}/metrics", headers=scrape)
        with urllib.request.urlopen(asked, timeout=5) as r:
            metrics = r.read().decode()
        assert "cicero_healthy 0.0" in metrics
        assert 'cicero_session_state{session="gateway",state="reconnecting"} 1.0' in metrics
        with urllib.request.urlopen(f"http://127.0.0.1:{cicero.port}/healthz", timeout=5) as r:
            assert (r.status, json.loads(r.read())) == (200, {"status": "degraded"})  # anonymous
        # The terminal says it, once per change: several retries happened, one line each way.
        log = cicero.log.read_text(errors="replace")
        for name in SESSIONS:
            said = [line for line in log.splitlines() if f"session {name}: " in line]
            assert sum("starting → reconnecting" in line for line in said) == 1, said
            assert len(said) <= 4, said  # starting, the change, maybe one changed failure
    finally:
        assert cicero.stop() == 0

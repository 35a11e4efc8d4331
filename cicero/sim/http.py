"""The scenario's `http` events as a client sends them: `{{name}}` filled from saved tokens,
a table body as JSON, the answer parsed (JSON, else the first 2,000 characters of text)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

from cicero.sim.events import EvHttp

TIMEOUT_S = 60.0
TEXT_LIMIT = 2000
_SLOT = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")


def fill(text: str, saved: dict[str, str]) -> str:
    """`{{name}}` → what was saved under it (an unknown name stays as written)."""
    return _SLOT.sub(lambda m: saved.get(m.group(1), m.group(0)), text)


def _filled(value: Any, saved: dict[str, str]) -> Any:
    if isinstance(value, str):
        return fill(value, saved)
    if isinstance(value, dict):
        return {k: _filled(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, saved) for v in value]
    return value


def call(base: str, event: EvHttp, saved: dict[str, str]) -> tuple[int, Any]:
    headers = {k: fill(v, saved) for k, v in event.headers}
    data: bytes | None = None
    if isinstance(event.body, dict):
        data = json.dumps(_filled(event.body, saved)).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(event.body, str):
        data = fill(event.body, saved).encode()
    if event.request_id:
        headers["X-Request-ID"] = event.request_id
    request = urllib.request.Request(base + event.path, data, headers, method=event.method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    text = raw.decode("utf-8", errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text[:TEXT_LIMIT]

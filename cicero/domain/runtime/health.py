"""What /healthz says: a verdict and, in words, everything that is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cicero.domain.runtime.names import is_session_actor

STALE_AFTER_S = 10.0


@dataclass(frozen=True)
class Health:
    ok: bool
    problems: tuple[str, ...]


def assess(
    snapshot: dict[str, Any] | None,
    snapshot_age_s: float,
    database_ok: bool,
    db_error: str = "",
    outbox: dict[str, dict[str, Any]] | None = None,
) -> Health:
    problems: list[str] = []
    if not database_ok:
        problems.append(f"database unreachable: {db_error or 'no answer'}")
    if snapshot is None:
        problems.append("no status from the supervisor yet (starting up)")
        return Health(False, tuple(problems))
    if snapshot_age_s > STALE_AFTER_S:
        problems.append(f"the supervisor has not answered for {snapshot_age_s:.0f}s")
    if snapshot.get("escalated"):
        problems.append(f"the supervisor gave up: {snapshot['escalated']}")
    for name, actor in sorted(snapshot.get("actors", {}).items()):
        if actor["state"] == "restarting":
            problems.append(
                f"actor {name} is restarting after: {actor.get('last_error') or 'an exit'}"
            )
        elif actor["state"] in ("down", "stopped") and actor.get("restart_type") == "permanent":
            problems.append(f"actor {name} is {actor['state']}")
    for name, session in sorted(snapshot.get("reports", {}).items()):
        if is_session_actor(name) and session.get("terminal"):
            state = f"WhatsApp session {session['session']} is {session['state']}"
            problems.append(f"{state}: {session['reason']}" if session.get("reason") else state)
    for session, counts in sorted((outbox or {}).items()):
        if counts.get("in_doubt"):
            problems.append(
                f"{counts['in_doubt']} message(s) of {session} are in doubt (a crash during the send): "
                "check whether they arrived, then mark them sent or send them again"
            )
        if counts.get("dead"):
            problems.append(
                f"{counts['dead']} message(s) of {session} could not be sent (dead): see the outbox"
            )
    return Health(not problems, tuple(problems))

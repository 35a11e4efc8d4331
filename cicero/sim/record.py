"""The transcript of a simulation, read back from what the runtime and the simulated
network recorded (spec/scenario.md "Transcript"), merged with the driver's own lines,
in virtual-time order."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from cicero.db.connect import connect
from cicero.domain.runtime import job_parts
from cicero.domain.runtime.names import RunStatus
from cicero.domain.timezone import to_wib
from cicero.sim.transcript import LINE_KEYS, Transcript
from cicero.sim.upstream.world import Served

FINAL = (RunStatus.DONE, RunStatus.FAILED, RunStatus.SKIPPED, RunStatus.MISSED)


def iso(t: datetime | None) -> str | None:
    return to_wib(t).isoformat() if t is not None else None


async def collect(url: str) -> list[dict[str, Any]]:
    conn = await connect(url)
    try:
        lines: list[dict[str, Any]] = []
        for r in await conn.fetch(
            "SELECT session, state, reason, at FROM session_log ORDER BY seq"
        ):
            lines.append(
                {
                    "t": r["at"],
                    "type": "session",
                    "session": r["session"],
                    "state": r["state"],
                    "reason": r["reason"],
                }
            )
        for r in await conn.fetch(
            """SELECT job_key, fire_time, status, reason, finished_at FROM job_run
               WHERE status = ANY($1::text[]) AND position($2 IN job_key) = 0
               ORDER BY finished_at, job_key, fire_time""",
            list(FINAL),
            job_parts.SEPARATOR,  # a part's own row: its job's row says it all
        ):
            lines.append(
                {
                    "t": r["finished_at"],
                    "type": "job",
                    "job": r["job_key"],
                    "fire_time": iso(r["fire_time"]),
                    "status": r["status"],
                    "reason": r["reason"],
                }
            )
        for r in await conn.fetch(
            """SELECT w.session, w.message_id, w.recipient, w.body, w.attachment_name, w.attachment_mime,
                      w.attachment_sha256, w.accepted_at, o.key, o.job, o.fire_time, o.in_reply_to
               FROM sim_wa w
               LEFT JOIN outbox o ON o.session = w.session AND o.wa_message_id = w.message_id
               ORDER BY w.seq"""
        ):
            attachment = None
            if r["attachment_name"]:
                attachment = {
                    "filename": r["attachment_name"],
                    "mimetype": r["attachment_mime"],
                    "sha256": r["attachment_sha256"],
                }
            lines.append(
                {
                    "t": r["accepted_at"],
                    "type": "wa",
                    "session": r["session"],
                    "to": r["recipient"],
                    "text": r["body"],
                    "id": r["message_id"],
                    "key": r["key"],
                    "job": r["job"],
                    "fire_time": iso(r["fire_time"]),
                    "in_reply_to": r["in_reply_to"],
                    "attachment": attachment,
                }
            )
        lines += await _ingest_lines(conn)
        lines += await _recap_lines(conn)
        counts = {
            r["status"]: r["n"]
            for r in await conn.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        }
        lines.append({"type": "end", "outbox": counts})
        return lines
    finally:
        await conn.close()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def _recap_lines(conn) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [
        {
            "t": r["built_at"],
            "type": "recap",
            "job": r["job"],
            "fire_time": iso(r["fire_time"]),
            "report": r["report"],
            "scope": r["scope"],
            "platform": r["platform"],
            "posts": _json(r["posts"]),
            "people": _json(r["people"]),
        }
        for r in await conn.fetch("SELECT * FROM recap_log ORDER BY seq")
    ]


async def _ingest_lines(conn) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """One `ingest` line per (platform, client, fire time); a `fault` line per failed stage."""
    lines: list[dict[str, Any]] = []
    rows = await conn.fetch(
        """SELECT platform, client_id, fire_time, max(finished_at) AS t,
                  coalesce(sum(posts) FILTER (WHERE stage = 'posts'), 0) AS posts,
                  sum(new_posts) AS new_posts, sum(engagements) AS engagements
           FROM ingest_run WHERE finished_at IS NOT NULL
           GROUP BY platform, client_id, fire_time ORDER BY max(finished_at), platform, client_id"""
    )
    for r in rows:
        lines.append(
            {
                "t": r["t"],
                "type": "ingest",
                "platform": r["platform"],
                "client": r["client_id"],
                "posts": r["posts"],
                "new_posts": r["new_posts"],
                "engagements": r["engagements"],
            }
        )
    for r in await conn.fetch(
        """SELECT platform, client_id, stage, outcome, error_class, finished_at FROM ingest_run
           WHERE error_class IS NOT NULL AND finished_at IS NOT NULL ORDER BY finished_at, id"""
    ):
        lines.append(
            {
                "t": r["finished_at"],
                "type": "fault",
                "where": f"upstream:{r['platform']}:{r['client_id']}",
                "what": f"{r['stage']}: {r['error_class']} ({r['outcome']})",
            }
        )
    return lines


def served_fault_lines(served: Iterable[Served]) -> list[dict[str, Any]]:
    """A `fault` line for each upstream fault the fake served, per instant, platform, endpoint
    and kind: the fault was met. How it was handled shows in the client's own line when the
    stage failed; without one, a retry or the fallback key recovered."""
    met = Counter((s.at, s.platform.value, s.endpoint, s.kind.value) for s in served)
    return [
        {
            "t": at,
            "type": "fault",
            "where": f"upstream:{platform}:{endpoint}",
            "what": f"injected {kind}, met by {n} request{'s' if n > 1 else ''}",
        }
        for (at, platform, endpoint, kind), n in met.items()
    ]


def write_transcript(
    url: str, out: Path, driver_lines: list[dict[str, Any]], end: datetime
) -> list[dict[str, Any]]:
    lines = asyncio.run(collect(url))
    end_line = lines.pop()
    end_line["t"] = end
    ordered = sorted(
        [*lines, *driver_lines], key=lambda line: to_wib(line["t"])
    )  # stable: equal times keep order
    ordered.append(end_line)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    with Transcript(out) as transcript:
        for line in ordered:
            # The spec's key set and order for every known type (the writer enforces it).
            keys = LINE_KEYS[line["type"]]
            transcript.write_line(line["type"], line["t"], {k: line.get(k) for k in keys})
    return ordered

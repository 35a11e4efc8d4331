"""The simulation transcript (spec/scenario.md "Transcript"), written as the run goes.

After every instant the driver calls `Recorder.flush`: what the runtime and the simulated
network recorded since the last flush (session changes, final job statuses, accepted
WhatsApp messages with their outbox key, recaps, ingestion runs) and the driver's own
lines (faults, accepted mail) are appended in virtual-time order. A line is written when
the thing happened, so a retention shorter than the run cannot take it away (the outbox
row that gives a message its key may be purged days later), and a run cut short leaves
the transcript of what it got through.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from cicero.db.connect import connect
from cicero.domain.runtime import job_parts
from cicero.domain.runtime.names import RunStatus
from cicero.domain.timezone import to_wib
from cicero.sim.transcript import LINE_KEYS, Transcript
from cicero.sim.upstream.world import Served

FINAL = (RunStatus.DONE, RunStatus.FAILED, RunStatus.SKIPPED, RunStatus.MISSED)


def iso(t: datetime | None) -> str | None:
    return to_wib(t).isoformat() if t is not None else None


class Recorder:
    """Appends the transcript lines of each instant to `out` (created fresh)."""

    def __init__(self, url: str, out: Path) -> None:
        self.url = url
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        self.out = out
        self.marks = {"session_log": 0, "sim_wa": 0, "recap_log": 0}
        self.floor: datetime | None = None  # the previous flush's instant
        self.seen: set[tuple[Any, ...]] = set()  # job and ingest rows at or after `floor`
        self.taken = {"driver": 0, "served": 0}
        # One connection on one loop between forks of the runtime (a flush follows every
        # instant); `release` closes both before a fork, which would inherit them.
        self.loop: asyncio.AbstractEventLoop | None = None
        self.conn: Any = None

    def flush(self, now: datetime, driver: list[dict[str, Any]], served: list[Served]) -> None:
        """Write what happened up to `now`: rows recorded since the last flush, the driver's
        lines and the upstream faults served (both lists only grow; their tails are new)."""
        lines = self._run(self._since_last())
        lines += driver[self.taken["driver"] :]
        lines += served_fault_lines(served[self.taken["served"] :])
        self.taken = {"driver": len(driver), "served": len(served)}
        self._write(lines)
        self.floor = now

    def finish(self, end: datetime) -> None:
        """The `end` line: the outbox counts when the run reached `end`."""

        async def counts() -> dict[str, int]:
            conn = await self._connection()
            rows = await conn.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
            return {r["status"]: r["n"] for r in rows}

        try:
            self._write([{"t": end, "type": "end", "outbox": self._run(counts())}])
        finally:
            self.release()

    def release(self) -> None:
        """Close the connection and its loop (the next flush opens them again)."""
        if self.loop is not None and not self.loop.is_closed():
            if self.conn is not None:
                self.loop.run_until_complete(self.conn.close())
            self.loop.close()
        self.loop, self.conn = None, None

    def _run(self, work: Any) -> Any:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
        return self.loop.run_until_complete(work)

    async def _connection(self) -> Any:
        if self.conn is None or self.conn.is_closed():
            self.conn = await connect(self.url)
        return self.conn

    def _write(self, lines: list[dict[str, Any]]) -> None:
        if not lines:
            return
        # Opened per flush: no descriptor of it is held while the driver forks the runtime.
        with Transcript(self.out) as transcript:
            # Stable: lines of one instant keep the order they were gathered in.
            for line in sorted(lines, key=lambda line: to_wib(line["t"])):
                keys = LINE_KEYS[line["type"]]
                transcript.write_line(line["type"], line["t"], {k: line.get(k) for k in keys})

    async def _since_last(self) -> list[dict[str, Any]]:
        conn = await self._connection()
        lines = await self._sessions(conn)
        lines += await self._jobs(conn)
        lines += await self._messages(conn)
        lines += await self._ingests(conn)
        lines += await self._recaps(conn)
        return lines

    def _fresh(self, key: tuple[Any, ...]) -> bool:
        """True once per row state; rows seen before the floor can no longer come back."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _prune(self, kind: str) -> None:
        if self.floor is not None:
            self.seen = {
                k for k in self.seen if k[0] != kind or k[-1] is None or k[-1] >= self.floor
            }

    async def _sessions(self, conn: Any) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            "SELECT seq, session, state, reason, at FROM session_log WHERE seq > $1 ORDER BY seq",
            self.marks["session_log"],
        )
        if rows:
            self.marks["session_log"] = rows[-1]["seq"]
        return [
            {"t": r["at"], "type": "session", "session": r["session"], "state": r["state"],
             "reason": r["reason"]}
            for r in rows
        ]  # fmt: skip

    async def _jobs(self, conn: Any) -> list[dict[str, Any]]:
        self._prune("job")
        rows = await conn.fetch(
            """SELECT job_key, fire_time, status, reason, finished_at FROM job_run
               WHERE status = ANY($1::text[]) AND position($2 IN job_key) = 0
                 AND ($3::timestamptz IS NULL OR finished_at >= $3 OR finished_at IS NULL)
               ORDER BY finished_at, job_key, fire_time""",
            list(FINAL),
            job_parts.SEPARATOR,  # a part's own row: its job's row says it all
            self.floor,
        )
        return [
            {"t": r["finished_at"], "type": "job", "job": r["job_key"],
             "fire_time": iso(r["fire_time"]), "status": r["status"], "reason": r["reason"]}
            for r in rows
            if self._fresh(("job", r["job_key"], r["fire_time"], r["status"], r["finished_at"]))
        ]  # fmt: skip

    async def _messages(self, conn: Any) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            """SELECT w.seq, w.session, w.message_id, w.recipient, w.body, w.attachment_name,
                      w.attachment_mime, w.attachment_sha256, w.accepted_at, o.key, o.job,
                      o.fire_time, o.in_reply_to
               FROM sim_wa w
               LEFT JOIN outbox o ON o.session = w.session AND o.wa_message_id = w.message_id
               WHERE w.seq > $1 ORDER BY w.seq""",
            self.marks["sim_wa"],
        )
        if rows:
            self.marks["sim_wa"] = rows[-1]["seq"]
        lines = []
        for r in rows:
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
        return lines

    async def _ingests(self, conn: Any) -> list[dict[str, Any]]:
        """One `ingest` line per (platform, client, fire time) finished since the last flush;
        a `fault` line per failed stage."""
        self._prune("ingest")
        rows = [
            r
            for r in await conn.fetch(
                """SELECT id, platform, client_id, stage, fire_time, finished_at, posts, new_posts,
                          engagements, outcome, error_class
                   FROM ingest_run
                   WHERE finished_at IS NOT NULL
                     AND ($1::timestamptz IS NULL OR finished_at >= $1)
                   ORDER BY finished_at, id""",
                self.floor,
            )
            if self._fresh(("ingest", r["id"], r["finished_at"]))
        ]
        runs: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in rows:
            run = runs.setdefault(
                (r["platform"], r["client_id"], r["fire_time"]),
                {"t": r["finished_at"], "type": "ingest", "platform": r["platform"],
                 "client": r["client_id"], "posts": 0, "new_posts": 0, "engagements": 0},
            )  # fmt: skip
            run["t"] = max(run["t"], r["finished_at"])
            run["posts"] += r["posts"] if r["stage"] == "posts" else 0
            run["new_posts"] += r["new_posts"]
            run["engagements"] += r["engagements"]
        faults = [
            {"t": r["finished_at"], "type": "fault",
             "where": f"upstream:{r['platform']}:{r['client_id']}",
             "what": f"{r['stage']}: {r['error_class']} ({r['outcome']})"}
            for r in rows
            if r["error_class"] is not None
        ]  # fmt: skip
        return sorted(runs.values(), key=lambda x: (x["t"], x["platform"], x["client"])) + faults

    async def _recaps(self, conn: Any) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            "SELECT * FROM recap_log WHERE seq > $1 ORDER BY seq", self.marks["recap_log"]
        )
        if rows:
            self.marks["recap_log"] = rows[-1]["seq"]
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
            for r in rows
        ]


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str) else value


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

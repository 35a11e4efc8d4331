"""The ops view (api.md §4 `/status`, `GET /api/ops/status`): sessions in words with the
pairing QR's identity, jobs (last 50 runs, next fires, paused, gated buckets), the outbox per
session with the in_doubt rows, upstream hosts, supervisor restarts, the last backup; and the
admin actions on them, each audited in its own transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from cicero.db import audit
from cicero.domain.ingestion import manual_fetch
from cicero.domain.people.phones import mask_phone
from cicero.domain.runtime.session_words import TERMINAL, words

RUNS = 50


def qr_id(code: str) -> str:
    """Names a QR code without carrying it: the page swaps its image when this changes."""
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def sessions_view(body: Mapping[str, Any], admin: bool) -> list[dict[str, Any]]:
    out = []
    for name, r in sorted(body.get("sessions", {}).items()):
        state = str(r.get("state", ""))
        entry = {
            "session": name, "state": state, "words": words(r), "terminal": state in TERMINAL,
            "reason": str(r.get("reason") or ""), "jid": str(r.get("jid") or ""),
            "since": str(r.get("since") or ""),
            # Admins only: which QR is live (the image: GET /api/ops/pairing/{session}/qr.svg).
            "qr": qr_id(str(r["qr"])) if admin and state == "pairing" and r.get("qr") else "",
        }  # fmt: skip
        out.append(entry)
    return out


async def ops_status(
    conn: asyncpg.Connection, body: Mapping[str, Any], jobs: list[str], now: datetime, admin: bool
) -> dict[str, Any]:
    runs = await conn.fetch(
        """SELECT job_key, fire_time, status, reason, claimed_at, finished_at, attempts
             FROM job_run WHERE status NOT IN ('queued') ORDER BY fire_time DESC, job_key LIMIT $1""",
        RUNS,
    )
    paused = {r["job_key"]: r for r in await conn.fetch("SELECT job_key, paused_by, paused_at FROM job_pause")}
    pending = await conn.fetch(
        """SELECT session, status, count(*) AS n,
                  min(created_at) FILTER (WHERE status = 'pending') AS oldest
             FROM outbox WHERE status IN ('pending', 'sending', 'in_doubt', 'dead')
            GROUP BY session, status"""
    )
    doubts = await conn.fetch(
        """SELECT id, session, recipient, kind, created_at, error FROM outbox
            WHERE status = 'in_doubt' ORDER BY id LIMIT 100"""
    )
    backup = await conn.fetchrow(
        """SELECT fire_time, finished_at, reason FROM job_run WHERE job_key = 'db_backup'
              AND status = 'done' ORDER BY fire_time DESC LIMIT 1"""
    )
    outbox: dict[str, dict[str, Any]] = {}
    for r in pending:
        entry = outbox.setdefault(r["session"], {"counts": {}, "oldest_pending_s": None})
        entry["counts"][r["status"]] = r["n"]
        if r["oldest"] is not None:
            entry["oldest_pending_s"] = max(0, int((now - r["oldest"]).total_seconds()))
    buckets = dict(body.get("buckets", {}))
    actors = body.get("actors", {})
    return {
        "at": now,
        "ok": body.get("ok"),
        "problems": list(body.get("problems", [])),
        "sessions": sessions_view(body, admin),
        "jobs": {
            "runs": [
                {"job": manual_fetch.shown(r["job_key"]), "fire_time": r["fire_time"], "status": r["status"],
                 "reason": r["reason"], "attempts": r["attempts"],
                 "duration_s": round((r["finished_at"] - r["claimed_at"]).total_seconds(), 1)
                 if r["finished_at"] and r["claimed_at"] else None}
                for r in runs
            ],
            "next": {k: v[:1] for k, v in sorted(body.get("next", {}).items())},
            "known": jobs,
            "paused": [{"job": k, "by": v["paused_by"], "at": v["paused_at"]}
                       for k, v in sorted(paused.items())],
            "buckets": buckets,
            "gated": sorted(b for b, ready in buckets.items() if not ready),
        },
        "outbox": {
            "sessions": outbox,
            "in_doubt": [
                {"id": r["id"], "session": r["session"], "recipient": _mask(r["recipient"]),
                 "kind": r["kind"], "created_at": r["created_at"], "error": r["error"]}
                for r in doubts
            ],
        },
        "upstream": body.get("upstream", {}),
        "restarts": {name: {"state": a.get("state", ""), "restarts": a.get("restarts", 0),
                            "last_error": a.get("last_error") or ""}
                     for name, a in sorted(actors.items())},
        "backup": {"fire_time": backup["fire_time"], "finished_at": backup["finished_at"],
                   "note": backup["reason"]} if backup else None,
    }  # fmt: skip


def _mask(recipient: str) -> str:
    return recipient if recipient.endswith("@g.us") else mask_phone(recipient)


# ---- admin actions ------------------------------------------------------------------


async def pause(
    conn: asyncpg.Connection, job: str, on: bool, now: datetime, entry: audit.Entry
) -> bool:
    """Pause (or resume) a job; False when it was so already. The claim transaction reads the
    flag, so a paused job's runs are recorded skipped."""
    if on:
        done = await conn.execute(
            """INSERT INTO job_pause (job_key, paused_by, paused_at) VALUES ($1, $2, $3)
               ON CONFLICT (job_key) DO NOTHING""",
            job, entry.actor, now,
        )  # fmt: skip
        changed = done == "INSERT 0 1"
    else:
        changed = await conn.execute("DELETE FROM job_pause WHERE job_key = $1", job) == "DELETE 1"
    if changed:
        await audit.record(
            conn,
            audit.Entry(entry.actor, entry.channel, "job.pause" if on else "job.resume",
                        f"job:{job}", before={"paused": not on}, after={"paused": on},
                        reason=entry.reason, request_id=entry.request_id),
            now,
        )  # fmt: skip
    return changed


async def resolve_in_doubt(
    conn: asyncpg.Connection, row_id: int, sent: bool, now: datetime, entry: audit.Entry
) -> bool:
    """An in_doubt row (a crash during its send) decided by a person: it arrived (sent), or
    it did not (pending again, sent once more). False when the row is not in doubt."""
    if sent:
        done = await conn.execute(
            """UPDATE outbox SET status = 'sent', sent_at = $2, error = 'marked sent by ops'
                WHERE id = $1 AND status = 'in_doubt'""",
            row_id, now,
        )  # fmt: skip
    else:
        done = await conn.execute(
            """UPDATE outbox SET status = 'pending', next_attempt_at = $2,
                      expires_at = GREATEST(coalesce(expires_at, $2), $2 + interval '1 hour'),
                      error = 'sent again by ops'
                WHERE id = $1 AND status = 'in_doubt'""",
            row_id, now,
        )  # fmt: skip
    if done != "UPDATE 1":
        return False
    await audit.record(
        conn,
        audit.Entry(entry.actor, entry.channel, "outbox.in_doubt_sent" if sent else "outbox.in_doubt_resend",
                    f"outbox:{row_id}", before={"status": "in_doubt"},
                    after={"status": "sent" if sent else "pending"}, reason=entry.reason,
                    request_id=entry.request_id),
        now,
    )  # fmt: skip
    return True

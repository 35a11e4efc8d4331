"""Fetches asked from the menus (`TriggerFetch`): queued by the router's step, run by an ingestor.

`queue` runs in the step's transaction: the request becomes a queued `job_run` row (its key
from `cicero.domain.ingestion.manual_fetch`), or, when nothing can be fetched, a plain answer. The router
then tells an ingestor, which runs it (cicero.jobs.manual_fetch). Answers are keyed from the
incoming message (parts from FETCH_PART on), so a rerun writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg

from cicero.db import ledger
from cicero.db.inbox import InboxMessage
from cicero.db.ingest_runs import active_clients
from cicero.db.outbox import NewMessage
from cicero.domain.ingestion import manual_fetch
from cicero.domain.menus.model import TriggerFetch
from cicero.reports import on_demand as reports

UNKNOWN = "❌ Permintaan pengambilan data tidak dikenali. Hubungi admin."


async def queue(
    conn: asyncpg.Connection, requests: Sequence[TriggerFetch], m: InboxMessage, now: datetime
) -> tuple[list[NewMessage], list[str]]:
    """Queue each request in the ledger (same transaction as the step); immediate answers
    for those that cannot run, and the ledger keys to dispatch once committed."""
    if not requests:
        return [], []
    batch = reports.reply_batch(m.session, m.message_id, now, reports.FETCH_PART)
    keys: list[str] = []
    flags = {c.client_id: c.flags for c in await active_clients(conn)}
    for t in requests:
        req = manual_fetch.request_for(t, m.session, m.chat, m.message_id, now)
        checked = UNKNOWN if req is None else manual_fetch.runnable(req, flags.get(t.client))
        if isinstance(checked, str):
            batch.text(m.chat, checked, reports.KIND)
            continue
        key = manual_fetch.ledger_key(checked)
        await ledger.enqueue(conn, key, now)
        keys.append(key)
    return batch.messages, keys


async def queued(conn: asyncpg.Connection) -> list[tuple[str, datetime]]:
    """Requests still queued (a restart came between the step and the ingestor's claim)."""
    return [(k, t) for k, t in await ledger.load_queued(conn) if manual_fetch.is_key(k)]


async def requeue_orphans(conn: asyncpg.Connection, gone: Callable[[str], bool]) -> list[str]:
    """Put back (`queued`) the running requests whose claimer `gone` says has exited (an
    ingestor killed mid-fetch: no crash hook ran); their next claim counts as another try."""
    rows = await conn.fetch(
        "SELECT job_key, fire_time, claimed_by FROM job_run WHERE status = 'running'"
    )
    back = [
        (r["job_key"], r["fire_time"])
        for r in rows
        if manual_fetch.is_key(r["job_key"]) and r["claimed_by"] and gone(r["claimed_by"])
    ]
    for key, fire_time in back:
        await ledger.requeue(conn, key, fire_time, "its ingestor stopped without a word (killed)")
    return [key for key, _ in back]


async def open_keys(conn: asyncpg.Connection, keys: Sequence[str]) -> set[str]:
    """Those of these requests still queued or running."""
    rows = await conn.fetch(
        """SELECT job_key FROM job_run WHERE job_key = ANY($1::text[])
              AND status IN ('queued', 'running')""",
        list(keys),
    )
    return {r["job_key"] for r in rows}

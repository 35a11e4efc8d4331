"""The simulated network's memory in PostgreSQL, so it outlives the runtime it serves.

The delivery log is the network's de-duplication: a repeated (session, message id)
finds the first acceptance, across session-actor restarts and process kills. A sender
may defer the log's writes over a window of sends (one statement for all of them); a
process killed inside the window takes the unwritten acceptances with it, as if those
messages were lost on the way, and their outbox rows, still `sending`, are resent
under the same ids and accepted once. Line
state (down, unpaired, banned…) is set by the scenario driver and read by a
session actor when it builds its transport.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import asyncpg

from cicero.domain.people.phones import parse_jid
from cicero.sim.whatsapp.transport import Accepted, Attachment, InitialState, Line

Run = Callable[[Awaitable[Any]], Any]  # the owning actor's `run`
OnDb = Callable[..., Awaitable[Any]]  # (statement function, *args) on the owner's connection


class DbDeliveryLog:
    """`DeliveryLog` over the `sim_wa` table (synchronous: the actor runs the coroutines)."""

    def __init__(self, run: Run, on_db: OnDb, session: str):
        self._run = run
        self._on_db = on_db  # runs a statement on the owner's connection
        self._known = self._run(self._on_db(_known_ids, session))  # ids this number already sent
        self._unwritten: dict[str, Accepted] | None = None  # accepted in a deferred window

    def find(self, session: str, message_id: str) -> Accepted | None:
        if message_id not in self._known:
            return None  # the usual case, answered without a round trip
        if self._unwritten is not None and message_id in self._unwritten:
            return self._unwritten[message_id]
        row = self._run(self._on_db(_accepted, session, message_id))
        if row is None:
            return None
        attachment = None
        if row["attachment_name"]:
            attachment = Attachment(
                row["attachment_name"], row["attachment_mime"], row["attachment_sha256"], 0
            )
        return Accepted(
            session=row["session"],
            to=parse_jid(row["recipient"]),
            message_id=row["message_id"],
            at=row["accepted_at"],
            text=row["body"],
            attachment=attachment,
        )

    def add(self, accepted: Accepted) -> None:
        if self._unwritten is not None:
            self._unwritten[accepted.message_id] = accepted
        else:
            self._run(self._on_db(_record, [accepted]))
        self._known.add(accepted.message_id)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Store what is accepted inside the block in one statement when it ends (also
        when it raises: the network accepted those messages whatever the sender does
        next). The sender marks its rows `sent` only after the block."""
        if self._unwritten is not None:  # already deferred: the outer block writes
            yield
            return
        self._unwritten = {}
        try:
            yield
        finally:
            unwritten, self._unwritten = self._unwritten, None
            if unwritten:
                self._run(self._on_db(_record, list(unwritten.values())))


async def _known_ids(conn: asyncpg.Connection, session: str) -> set[str]:
    rows = await conn.fetch("SELECT message_id FROM sim_wa WHERE session = $1", session)
    return {r["message_id"] for r in rows}


async def _accepted(
    conn: asyncpg.Connection, session: str, message_id: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM sim_wa WHERE session = $1 AND message_id = $2", session, message_id
    )


async def _record(conn: asyncpg.Connection, accepted: list[Accepted]) -> None:
    """One statement for any number of acceptances, stored (and numbered) in order."""
    files = [a.attachment for a in accepted]
    await conn.execute(
        """INSERT INTO sim_wa (session, message_id, recipient, body, attachment_name,
                               attachment_mime, attachment_sha256, accepted_at)
           SELECT session, message_id, recipient, body, attachment_name, attachment_mime,
                  attachment_sha256, accepted_at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::timestamptz[])
                WITH ORDINALITY AS a (session, message_id, recipient, body, attachment_name,
                                      attachment_mime, attachment_sha256, accepted_at, n)
           ORDER BY n
           ON CONFLICT DO NOTHING""",
        [a.session for a in accepted], [a.message_id for a in accepted],
        [str(a.to) for a in accepted], [a.text for a in accepted],
        [f.filename if f else None for f in files], [f.mimetype if f else None for f in files],
        [f.sha256 if f else None for f in files], [a.at for a in accepted],
    )  # fmt: skip


async def load_line(conn: asyncpg.Connection, session: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM sim_line WHERE session = $1", session)
    return dict(row) if row else None


async def save_line(
    conn: asyncpg.Connection,
    session: str,
    state: str,
    banned_until: datetime | None = None,
    failures_left: int = 0,
) -> None:
    await conn.execute(
        """INSERT INTO sim_line (session, state, banned_until, failures_left) VALUES ($1, $2, $3, $4)
           ON CONFLICT (session) DO UPDATE
             SET state = EXCLUDED.state, banned_until = EXCLUDED.banned_until,
                 failures_left = EXCLUDED.failures_left""",
        session,
        state,
        banned_until,
        failures_left,
    )


def apply_line(line: Line, stored: dict[str, Any] | None) -> None:
    """Bring a fresh network line to the state the driver recorded."""
    if stored is None:
        return
    state = stored["state"]
    line.reachable = state != InitialState.DOWN.value
    line.paired = state not in (InitialState.UNPAIRED.value, "logged_out")
    if state == "banned":
        line.banned_until, line.ban_code = stored["banned_until"], "SEND_TO_TOO_MANY_PEOPLE"
    line.failures_left = stored["failures_left"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
